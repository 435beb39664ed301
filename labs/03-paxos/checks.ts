// Lab 3's properties, each stated once and used by the randomized runs and by the model
// checker alike. They read only what can be observed from outside the nodes: the Propose
// inputs, the Learned outputs, the messages sent (the ballots and values that Promise and
// Accepted carry), the acceptors' durable storage (its keys are part of the protocol),
// crashes and restarts (by incarnation). Never a node's private fields.
//
// Memories hold what a property needs of the past and nothing else, as plain data: under
// search they are part of every state, copied and hashed with it, so they are kept small
// and flat (a ballot's round and proposer inline). No times are kept in them (a
// time under search is a step number, which would tell apart states that are otherwise
// equal); a failure carries its own time.
import { always, budget, eventually, keepsTheDeclaredState, nodeName, sometimes, speaksTheProtocol, type ClusterLayout, type ClusterView, type DeclaredMessage, type DeclaredShape, type DeclaredState, type NodeId, type Property } from 'distlab/testing';
import type { AcceptedProposal, Ballot, Paxos } from './src/protocol.ts';

/** `(2, n1)`: a ballot as failures show it. */
export function formatBallot(ballot: Ballot): string {
  return `(${ballot.round}, ${nodeName(ballot.proposer)})`;
}

/** Rounds first, then proposer ids. */
export function compareBallots(left: Ballot, right: Ballot): number {
  return left.round - right.round || left.proposer - right.proposer;
}

/** The smallest majority of `count` acceptors. */
export function majority(count: number): number {
  return Math.floor(count / 2) + 1;
}

/** Who plays which role (node ids). */
export interface Roles {
  readonly acceptors: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

const quote = (value: string) => JSON.stringify(value);
/** `n0, n2`: nodes in id order. */
const names = (nodes: Iterable<NodeId>) => [...nodes].sort((left, right) => left - right).map(nodeName).join(', ');
/** One slot per node of the cluster, for memories indexed by node id. */
const perNode = <T>(cluster: ClusterLayout, empty: T): T[] => cluster.nodeIds.map(() => empty);

// What an acceptor's storage holds. Read with guards: a submission may store anything.

function isBallot(value: unknown): value is Ballot {
  return typeof value === 'object' && value !== null && 'round' in value && 'proposer' in value && typeof value.round === 'number' && typeof value.proposer === 'number';
}

function isAcceptedProposal(value: unknown): value is AcceptedProposal {
  return typeof value === 'object' && value !== null && 'ballot' in value && 'value' in value && isBallot(value.ballot) && typeof value.value === 'string';
}

function storedPromise(cluster: ClusterView<Paxos>, acceptor: NodeId): Ballot | undefined {
  const value = cluster.storage(acceptor).get('promised');
  return isBallot(value) ? value : undefined;
}

function storedAcceptance(cluster: ClusterView<Paxos>, acceptor: NodeId): AcceptedProposal | undefined {
  const value = cluster.storage(acceptor).get('accepted');
  return isAcceptedProposal(value) ? value : undefined;
}

/** `promised (2, n1) and accepted (1, n0) "v0"`: an acceptor's durable storage, as failures show it. */
function describeStorage(cluster: ClusterView<Paxos>, acceptor: NodeId): string {
  const promised = storedPromise(cluster, acceptor);
  const accepted = storedAcceptance(cluster, acceptor);
  return (
    `${promised === undefined ? 'no promise' : `promised ${formatBallot(promised)}`} and ` +
    `${accepted === undefined ? 'no accepted proposal' : `accepted ${formatBallot(accepted.ballot)} ${quote(accepted.value)}`}`
  );
}

// Validity, agreement, integrity: over the inputs and the Learned outputs.

/** Validity: a learned value is one that some proposer was asked to propose. */
export function validity(): Property<Paxos, { proposed: string[] }> {
  return always<Paxos, { proposed: string[] }>('validity', {
    memory: () => ({ proposed: [] }),
    records: ['input', 'output'],
    record(memory, event) {
      if (event.kind === 'input') {
        if (!memory.proposed.includes(event.input.value)) memory.proposed.push(event.input.value);
        return undefined;
      }
      if (event.kind !== 'output' || memory.proposed.includes(event.output.value)) return undefined;
      const asked = memory.proposed.length === 0 ? 'nothing was proposed yet' : `proposed so far: ${memory.proposed.map(quote).join(', ')}`;
      return `${nodeName(event.node)} learned ${quote(event.output.value)}, which no proposer was asked to propose (${asked})`;
    },
  });
}

interface Learning {
  readonly node: NodeId;
  readonly value: string;
}

/** Agreement: no two learners learn different values. */
export function agreement(): Property<Paxos, { first: Learning | null }> {
  return always<Paxos, { first: Learning | null }>('agreement', {
    memory: () => ({ first: null }),
    records: ['output'],
    record(memory, event) {
      if (event.kind !== 'output') return undefined;
      const { first } = memory;
      if (first === null) {
        memory.first = { node: event.node, value: event.output.value };
        return undefined;
      }
      if (event.output.value === first.value) return undefined;
      return (
        `${nodeName(event.node)} learned ${quote(event.output.value)}, but ${nodeName(first.node)} had learned ` +
        `${quote(first.value)}: two different values were decided`
      );
    },
  });
}

/** A learner's last Learned: in which incarnation, and what. */
interface LastLearned {
  readonly incarnation: number;
  readonly value: string;
}

/**
 * Integrity: only learners learn, and a learner learns at most once in an incarnation — a
 * second Learned is a violation even with the same value. A restart forgets (only acceptors
 * keep durable state), so a restarted learner may learn again.
 */
export function integrity(learners: readonly NodeId[]): Property<Paxos, (LastLearned | null)[]> {
  return always<Paxos, (LastLearned | null)[]>('integrity', {
    memory: (cluster) => perNode(cluster, null),
    records: ['output'],
    record(learned, event) {
      if (event.kind !== 'output') return undefined;
      const who = nodeName(event.node);
      const value = event.output.value;
      if (!learners.includes(event.node)) return `${who} output Learned ${quote(value)} but it is not a learner (learners: ${names(learners)})`;
      const before = learned[event.node];
      if (before !== undefined && before !== null && before.incarnation === event.incarnation) {
        return (
          `${who} output Learned twice without a restart: ${quote(before.value)}, then ${quote(value)}. ` +
          'A learner learns at most once, even the same value'
        );
      }
      learned[event.node] = { incarnation: event.incarnation, value };
      return undefined;
    },
  });
}

// Chosen values: from the Accepted messages the acceptors sent (even those then lost).

/** A proposal (its ballot inline) and the acceptors that sent Accepted for it. */
interface Tally extends Ballot {
  readonly value: string;
  readonly acceptors: Set<NodeId>;
}

/** Per proposal, keyed `round/proposer/value`. */
type Acceptances = Map<string, Tally>;

/** Records that `acceptor` accepted (ballot, value); returns the proposal if it has just become chosen. */
function recordAcceptance(acceptances: Acceptances, acceptors: readonly NodeId[], acceptor: NodeId, ballot: Ballot, value: string): Tally | undefined {
  if (!acceptors.includes(acceptor)) return undefined;
  const key = `${ballot.round}/${ballot.proposer}/${value}`;
  let entry = acceptances.get(key);
  if (entry === undefined) {
    entry = { round: ballot.round, proposer: ballot.proposer, value, acceptors: new Set() };
    acceptances.set(key, entry);
  }
  if (entry.acceptors.has(acceptor)) return undefined;
  entry.acceptors.add(acceptor);
  return entry.acceptors.size === majority(acceptors.length) ? entry : undefined;
}

function chosenProposals(acceptances: Acceptances, acceptors: readonly NodeId[]): Tally[] {
  return [...acceptances.values()].filter((entry) => entry.acceptors.size >= majority(acceptors.length));
}

/** `(1, n0) by n0, n2; (3, n1) by n1`: where `value` was accepted so far. */
function describeAcceptances(acceptances: Acceptances, value: string): string {
  const entries = [...acceptances.values()].filter((entry) => entry.value === value);
  if (entries.length === 0) return 'no acceptor accepted it';
  return `accepted in ${entries.map((entry) => `${formatBallot(entry)} by ${names(entry.acceptors)}`).join('; ')}`;
}

/**
 * A learner learns only a chosen value: one that a majority of acceptors accepted in the
 * same ballot (as the Accepted messages sent so far show).
 */
export function onlyChosenLearned(acceptors: readonly NodeId[]): Property<Paxos, Acceptances> {
  return always<Paxos, Acceptances>('only a chosen value is learned', {
    memory: () => new Map(),
    records: ['send:Accepted', 'output'],
    record(acceptances, event) {
      if (event.kind === 'send') {
        if (event.message.type === 'Accepted') recordAcceptance(acceptances, acceptors, event.from, event.message.ballot, event.message.value);
        return undefined;
      }
      if (event.kind !== 'output') return undefined;
      const value = event.output.value;
      if (chosenProposals(acceptances, acceptors).some((chosen) => chosen.value === value)) return undefined;
      return (
        `${nodeName(event.node)} learned ${quote(value)}, but no majority (${majority(acceptors.length)} of ${acceptors.length}) ` +
        `of acceptors had accepted it in one ballot: ${describeAcceptances(acceptances, value)}`
      );
    },
  });
}

/** What each node was told: the Accepted handed to it per proposal, and the values it came to know. */
interface Told {
  /** Per node: the proposals it heard Accepted for (its own acceptances included), by acceptor. */
  readonly heard: Acceptances[];
  /** Per node: the values it knows were chosen, from a majority's Accepted or a Decided of a node that knew. */
  readonly knows: string[][];
  /** Per node: the step of the last message handed to it. */
  readonly handedAt: number[];
  /** Learned outputs of the step being judged: judged once the reaction is over, with all its effects. */
  pending: { readonly step: number; readonly node: NodeId; readonly value: string; readonly timeMs: number; readonly handed: boolean }[];
}

/**
 * Runs only: "a learner learns from what it was told". A node outputs Learned v in its reaction
 * to a message, once it knows v was chosen: a majority of the acceptors told it, by Accepted
 * messages handed to it (its own acceptance counts, shown by the Accepted it sends), that they
 * accepted v in one ballot; or a node that knew v told it, by Decided. "Only a chosen value is
 * learned" looks at every Accepted sent anywhere, so a learner that guesses (learns on a timer a
 * while after the first Accepted, or on the first one) is right in any calm run: this asks what
 * the learner itself had heard, and learning comes with the message that completes what it knows.
 * Judged when the reaction that learned is over, so the order of its effects does not matter.
 */
export function learnsFromWhatItWasTold(acceptors: readonly NodeId[]): Property<Paxos, Told> {
  const know = (told: Told, node: NodeId, value: string) => {
    const known = told.knows[node];
    if (known !== undefined && !known.includes(value)) known.push(value);
  };
  const hear = (told: Told, node: NodeId, acceptor: NodeId, ballot: Ballot, value: string) => {
    const heard = told.heard[node];
    if (heard === undefined) return;
    recordAcceptance(heard, acceptors, acceptor, ballot, value);
    if (chosenProposals(heard, acceptors).some((chosen) => chosen.value === value)) know(told, node, value);
  };
  return always<Paxos, Told>('a learner learns from what it was told', {
    memory: (cluster) => ({ heard: cluster.nodeIds.map(() => new Map()), knows: cluster.nodeIds.map(() => []), handedAt: cluster.nodeIds.map(() => -1), pending: [] }),
    records: ['deliver', 'send:Accepted', 'output'],
    record(told, event, cluster) {
      if (event.kind === 'send') {
        // An acceptor's own acceptance: what it sends, to itself or to others, it knows.
        if (event.message.type === 'Accepted') hear(told, event.from, event.from, event.message.ballot, event.message.value);
        return undefined;
      }
      if (event.kind === 'deliver') {
        told.handedAt[event.to] = cluster.step;
        const message = event.message;
        if (message.type === 'Accepted') hear(told, event.to, event.from, message.ballot, message.value);
        else if (message.type === 'Decided' && (told.knows[event.from] ?? []).includes(message.value)) know(told, event.to, message.value);
        return undefined;
      }
      if (event.kind === 'output' && event.output.type === 'Learned') {
        told.pending.push({ step: cluster.step, node: event.node, value: event.output.value, timeMs: event.timeMs, handed: told.handedAt[event.node] === cluster.step });
      }
      return undefined;
    },
    check(cluster, told) {
      if (told.pending.length === 0) return undefined;
      const over = told.pending.filter((learned) => learned.step <= cluster.step);
      told.pending = told.pending.filter((learned) => learned.step > cluster.step);
      for (const learned of over) {
        if (!learned.handed) {
          return (
            `${nodeName(learned.node)} learned ${quote(learned.value)} at ${learned.timeMs} ms in a reaction to no message (a timer, an input or its start): ` +
            'a learner learns in its reaction to the Accepted that completes a majority of one ballot (its own Accepted, sent to itself, counted), or to a Decided'
          );
        }
        if ((told.knows[learned.node] ?? []).includes(learned.value)) continue;
        const heard = told.heard[learned.node] ?? new Map<string, Tally>();
        return (
          `${nodeName(learned.node)} learned ${quote(learned.value)} at ${learned.timeMs} ms, but no majority (${majority(acceptors.length)} of ${acceptors.length}) ` +
          `of the acceptors had told it so in one ballot (${describeAcceptances(heard, learned.value).replace(/^accepted in/, 'Accepted handed to it for')}), ` +
          'and no node that knew it had sent it Decided: a learner learns when a majority of acceptors report the same ballot, or from a Decided'
        );
      }
      return undefined;
    },
  });
}

/**
 * Once a proposal (b, v) is chosen, every acceptance of a ballot above b carries v, and no
 * other value is ever chosen.
 */
export function chosenStaysChosen(acceptors: readonly NodeId[]): Property<Paxos, Acceptances> {
  return always<Paxos, Acceptances>('a chosen value stays chosen', {
    memory: () => new Map(),
    records: ['send:Accepted'],
    record(acceptances, event) {
      if (event.kind !== 'send' || event.message.type !== 'Accepted' || !acceptors.includes(event.from)) return undefined;
      const { ballot, value } = event.message;
      const chosenBefore = chosenProposals(acceptances, acceptors);
      const earlier = chosenBefore.find((chosen) => chosen.value !== value && compareBallots(chosen, ballot) < 0);
      if (earlier !== undefined) {
        return (
          `${nodeName(event.from)} accepted ${quote(value)} in ballot ${formatBallot(ballot)}, but ${quote(earlier.value)} was chosen ` +
          `in ballot ${formatBallot(earlier)} (accepted by ${names(earlier.acceptors)}): every proposal above a chosen one must carry the chosen value`
        );
      }
      const chosen = recordAcceptance(acceptances, acceptors, event.from, ballot, value);
      const other = chosen && chosenBefore.find((candidate) => candidate.value !== chosen.value);
      if (chosen && other) {
        return (
          `${quote(chosen.value)} was chosen in ballot ${formatBallot(chosen)} (accepted by ${names(chosen.acceptors)}), ` +
          `but ${quote(other.value)} had been chosen in ballot ${formatBallot(other)} (accepted by ${names(other.acceptors)})`
        );
      }
      return undefined;
    },
  });
}

// An acceptor's promises: from the Promise and Accepted messages it sent, across restarts.

/** The highest ballot an acceptor promised or accepted (inline), and when. */
interface Commitment extends Ballot {
  /** By an Accepted (else by a Promise). */
  readonly accepting: boolean;
  /** The acceptor's incarnation when it made it: another one now means it restarted since. */
  readonly incarnation: number;
}

const describeCommitment = (commitment: Commitment) => `${commitment.accepting ? 'accepting' : 'promising'} ${formatBallot(commitment)}`;

/**
 * Folds a Promise or Accepted that `acceptor` sent into the highest commitment it made;
 * returns the earlier commitment above this ballot, if any.
 */
function commit(highest: (Commitment | null)[], acceptor: NodeId, ballot: Ballot, accepting: boolean, incarnation: number): Commitment | undefined {
  const before = highest[acceptor] ?? null;
  if (before !== null && compareBallots(before, ballot) > 0) return before;
  if (before === null || compareBallots(ballot, before) > 0 || before.incarnation !== incarnation) {
    highest[acceptor] = { round: ballot.round, proposer: ballot.proposer, accepting, incarnation };
  }
  return undefined;
}

/** What a restart in between says about a commitment broken after it: was it durable, and was it read back? */
function restartNote(before: Commitment, incarnation: number, cluster: ClusterView<Paxos>, acceptor: NodeId): string {
  if (before.incarnation === incarnation) return '';
  const promised = storedPromise(cluster, acceptor);
  const accepted = storedAcceptance(cluster, acceptor);
  const covers = (ballot: Ballot | undefined) => ballot !== undefined && compareBallots(ballot, before) >= 0;
  if (!covers(promised) && !covers(accepted?.ballot)) {
    return `; it restarted in between: was ${before.accepting ? 'the acceptance' : 'the promise'} written to durable storage before it answered, and read back when it started again (onStart)?`;
  }
  if (!covers(promised) && accepted !== undefined) {
    return `; it restarted in between with accepted ${formatBallot(accepted.ballot)} in its storage, and an accepted ballot counts as a promise, after a restart as before`;
  }
  return `; it restarted in between, with ${describeStorage(cluster, acceptor)} in its storage: a restarted acceptor reads both back and keeps to them`;
}

/**
 * An acceptor's promise never decreases, not even across a restart: each Promise it sends
 * is for a ballot at least as high as every ballot it promised or accepted before. An
 * acceptance counts once it is sent or written to storage: an acceptor that writes `accepted`
 * and crashes before its `Accepted` goes out has accepted all the same, and must not promise
 * below it when it comes back.
 */
export function promiseNeverDecreases(): Property<Paxos, (Commitment | null)[]> {
  return always<Paxos, (Commitment | null)[]>('a promise never decreases', {
    memory: (cluster) => perNode(cluster, null),
    records: ['send:Accepted', 'send:Promise', 'storage:accepted'],
    record(highest, event, cluster) {
      if (event.kind === 'storage') {
        if (isAcceptedProposal(event.value)) commit(highest, event.node, event.value.ballot, true, event.incarnation);
        return undefined;
      }
      if (event.kind !== 'send') return undefined;
      const message = event.message;
      if (message.type === 'Accepted') commit(highest, event.from, message.ballot, true, event.incarnation);
      if (message.type !== 'Promise') return undefined;
      const before = commit(highest, event.from, message.ballot, false, event.incarnation);
      if (before === undefined) return undefined;
      return (
        `${nodeName(event.from)} promised ballot ${formatBallot(message.ballot)} after ${describeCommitment(before)}: ` +
        `a promise never decreases${before.accepting && before.incarnation === event.incarnation ? ' (accepting a ballot promises it too)' : ''}` +
        restartNote(before, event.incarnation, cluster, event.from)
      );
    },
  });
}

/**
 * No acceptance below the promise: an acceptor never accepts a ballot below one it promised
 * (or accepted) before, not even across a restart.
 */
export function noAcceptanceBelowPromise(): Property<Paxos, (Commitment | null)[]> {
  return always<Paxos, (Commitment | null)[]>('no acceptance below the promise', {
    memory: (cluster) => perNode(cluster, null),
    records: ['send:Accepted', 'send:Promise'],
    record(highest, event, cluster) {
      if (event.kind !== 'send') return undefined;
      const message = event.message;
      if (message.type === 'Promise') commit(highest, event.from, message.ballot, false, event.incarnation);
      if (message.type !== 'Accepted') return undefined;
      const before = commit(highest, event.from, message.ballot, true, event.incarnation);
      if (before === undefined) return undefined;
      return (
        `${nodeName(event.from)} accepted ballot ${formatBallot(message.ballot)} (${quote(message.value)}) after ${describeCommitment(before)}: ` +
        `an acceptor accepts nothing below its promise${restartNote(before, event.incarnation, cluster, event.from)}`
      );
    },
  });
}

/** Per acceptor (by node id): the highest Promise it sent, and the highest Accepted (ballots inline). */
interface Answers {
  readonly promised: (Ballot | null)[];
  readonly accepted: ((Ballot & { readonly value: string }) | null)[];
}

/**
 * Durable before answering: when an acceptor crashes — between two events, or in the middle
 * of a reaction — its durable storage covers everything it has answered: a promise at least
 * as high as every Promise it sent (an accepted ballot counts as a promise), and an accepted
 * proposal at least as high as every Accepted it sent. Otherwise its restart would forget
 * what others rely on.
 */
export function durableBeforeAnswering(acceptors: readonly NodeId[]): Property<Paxos, Answers> {
  return always<Paxos, Answers>('durable before answering', {
    memory: (cluster) => ({ promised: perNode(cluster, null), accepted: perNode(cluster, null) }),
    records: ['send:Accepted', 'send:Promise', 'crash'],
    record(answers, event, cluster) {
      if (event.kind === 'send') {
        const message = event.message;
        if (!acceptors.includes(event.from)) return undefined;
        if (message.type === 'Promise') {
          const promised = answers.promised[event.from] ?? null;
          if (promised === null || compareBallots(message.ballot, promised) > 0) answers.promised[event.from] = { ...message.ballot };
        } else if (message.type === 'Accepted') {
          const accepted = answers.accepted[event.from] ?? null;
          if (accepted === null || compareBallots(message.ballot, accepted) > 0) answers.accepted[event.from] = { ...message.ballot, value: message.value };
        }
        return undefined;
      }
      if (event.kind !== 'crash') return undefined;
      const answeredPromise = answers.promised[event.node] ?? null;
      const answeredAcceptance = answers.accepted[event.node] ?? null;
      const acceptor = nodeName(event.node);
      const stored = `its storage holds ${describeStorage(cluster, event.node)}${event.midReaction ? ' (it crashed in the middle of a reaction)' : ''}`;
      const accepted = storedAcceptance(cluster, event.node);
      const promised = storedPromise(cluster, event.node);
      const durablePromise = accepted !== undefined && (promised === undefined || compareBallots(accepted.ballot, promised) > 0) ? accepted.ballot : promised;
      if (answeredAcceptance !== null && (accepted === undefined || compareBallots(accepted.ballot, answeredAcceptance) < 0)) {
        return (
          `${acceptor} answered Accepted ${formatBallot(answeredAcceptance)} ${quote(answeredAcceptance.value)} and crashed ` +
          `before the acceptance was durable: ${stored}. Write the accepted proposal to storage, under the Accept's ballot, before answering`
        );
      }
      if (answeredPromise !== null && (durablePromise === undefined || compareBallots(durablePromise, answeredPromise) < 0)) {
        return (
          `${acceptor} answered Promise ${formatBallot(answeredPromise)} and crashed before the promise was durable: ${stored}. ` +
          'Write the promise to storage before answering'
        );
      }
      return undefined;
    },
  });
}

/**
 * A Promise reports what the acceptor holds: the highest-ballot proposal it has accepted, which
 * is the one in its storage when it answers (durable before answering), or null when it has
 * accepted nothing. A report above that, or made up, can outrank a value that may be chosen. A Promise that reports an older proposal (the first it accepted, or one
 * kept from before a restart) hides a value that may be chosen, and a proposer that trusts it
 * can get a second value chosen: that happens only in rare interleavings, so the report itself
 * is checked, whenever it is sent.
 */
export function promiseReportsAccepted(acceptors: readonly NodeId[]): Property<Paxos, null> {
  return always<Paxos, null>('a Promise reports the accepted proposal', {
    memory: () => null,
    records: ['send:Promise'],
    record(_memory, event, cluster) {
      if (event.kind !== 'send' || event.message.type !== 'Promise' || !acceptors.includes(event.from)) return undefined;
      const reported = event.message.accepted;
      const stored = storedAcceptance(cluster, event.from);
      // A node that proposes too may hold its own proposal as accepted a little before its storage does (it
      // accepts as it sends itself the Accept, and writes as that Accept arrives): a report of its own ballot
      // above its storage is that proposal. Any other report is what the storage holds.
      if (reported !== null && reported.ballot.proposer === event.from && (stored === undefined || compareBallots(reported.ballot, stored.ballot) > 0)) return undefined;
      if (stored === undefined ? reported === null : reported !== null && compareBallots(reported.ballot, stored.ballot) === 0 && reported.value === stored.value) return undefined;
      return (
        `${nodeName(event.from)} sent Promise ${formatBallot(event.message.ballot)} reporting ` +
        `${reported === null ? 'nothing accepted' : `${formatBallot(reported.ballot)} ${quote(reported.value)}`}, but it had accepted ` +
        `${stored === undefined ? 'nothing' : `${formatBallot(stored.ballot)} ${quote(stored.value)}`} (its storage holds ${describeStorage(cluster, event.from)}): ` +
        'a Promise reports the highest-ballot proposal the acceptor has accepted, as its storage holds it, or nothing when it has accepted nothing'
      );
    },
  });
}

/**
 * "a Nack names the promise that beat it": a Nack's `promised` outranks the ballot it refuses.
 * A Nack that echoes the refused ballot tells the proposer nothing: it climbs one round per
 * retry past a promise it could have outranked at once, and "a new ballot outranks every Nack"
 * reads the Nack it was handed. (Whether that promise was durable is "durable before
 * answering"'s to judge.)
 */
export function nackNamesThePromise(acceptors: readonly NodeId[]): Property<Paxos, null> {
  return always<Paxos, null>('a Nack names the promise that beat it', {
    memory: () => null,
    records: ['send:Nack'],
    record(_memory, event) {
      if (event.kind !== 'send' || event.message.type !== 'Nack' || !acceptors.includes(event.from)) return undefined;
      const { ballot, promised } = event.message;
      if (compareBallots(promised, ballot) > 0) return undefined;
      return (
        `${nodeName(event.from)} sent Nack refusing ${formatBallot(ballot)} with promised ${formatBallot(promised)}, which does not outrank the ballot it refuses: ` +
        "a Nack carries the acceptor's promise that beat the ballot, so that the proposer's next ballot outranks it at once"
      );
    },
  });
}

// A proposer's rules: from the Prepare and Accept messages it sent and the Promises delivered
// to it. They name the rule a proposer broke as soon as it breaks it, before (and even when
// never) the run goes on to an interleaving where two values get chosen.

/** A ballot a proposer used: in which incarnation, and the value of its Accept once sent. */
interface UsedBallot extends Ballot {
  readonly incarnation: number;
  value: string | null;
}

/**
 * A ballot is used once: a proposer's ballots carry its own id; it never starts a second
 * attempt with a ballot whose phase 2 has begun (a retry needs a higher round), never uses
 * again after a restart a ballot it used before, and sends one value per ballot. A re-sent
 * Prepare while phase 1 is under way, or a re-sent Accept of the same value, is allowed.
 */
export function ballotUsedOnce(): Property<Paxos, (UsedBallot[] | null)[]> {
  return always<Paxos, (UsedBallot[] | null)[]>('a ballot is used once', {
    memory: (cluster) => perNode(cluster, null),
    records: ['send:Prepare', 'send:Accept'],
    record(used, event) {
      if (event.kind !== 'send' || (event.message.type !== 'Prepare' && event.message.type !== 'Accept')) return undefined;
      const message = event.message;
      const who = nodeName(event.from);
      const sent = `${who} sent ${message.type} ${formatBallot(message.ballot)}${message.type === 'Accept' ? ` ${quote(message.value)}` : ''}`;
      if (message.ballot.proposer !== event.from) {
        return `${sent}, a ballot of ${nodeName(message.ballot.proposer)}: a proposer's ballots carry its own id, which keeps those of different proposers apart`;
      }
      const ballots = (used[event.from] ??= []);
      const before = ballots.find((ballot) => compareBallots(ballot, message.ballot) === 0);
      if (before === undefined) {
        ballots.push({ round: message.ballot.round, proposer: message.ballot.proposer, incarnation: event.incarnation, value: message.type === 'Accept' ? message.value : null });
        ballots.sort(compareBallots);
        return undefined;
      }
      if (before.incarnation !== event.incarnation) {
        return (
          `${sent}, a ballot it had already used before it restarted: a ballot is used once, even across a restart ` +
          '(a restarted proposer takes its round from its own stored promise, which covers every round it used)'
        );
      }
      if (message.type === 'Prepare') {
        if (before.value === null) return undefined;
        return (
          `${sent} again after its Accept ${formatBallot(message.ballot)} ${quote(before.value)}: a second attempt with the same ballot ` +
          'may pick another value; a retry is a new attempt, with a round above every round seen'
        );
      }
      if (before.value === null) {
        before.value = message.value;
        return undefined;
      }
      if (before.value === message.value) return undefined;
      return `${sent} after its Accept ${formatBallot(message.ballot)} ${quote(before.value)}: a ballot carries one value`;
    },
  });
}

/** A proposer's view in its current incarnation: the highest ballot of its own it started, and the highest promise a Nack told it of. */
interface NackedBallots {
  readonly incarnation: number;
  /** The ballots it sent Prepare for in this incarnation, as `round:proposer`. */
  readonly started: string[];
  nacked: Ballot | null;
}

/**
 * Runs only: "a new ballot outranks every Nack". A proposer's new ballot has a round one above
 * the highest round it has seen, in its own ballots and in the Nacks it received: once a Nack
 * told it of a promise p, every attempt it starts in that incarnation (a Prepare of a ballot it
 * has not sent before) has a ballot above p. Every new ballot is judged, not only one above the
 * proposer's earlier ones: a Prepare of a huge round that nobody answers must not excuse the
 * attempts after it. A restarted proposer starts from its stored promise, so the Nacks of an
 * earlier incarnation do not count.
 */
export function newBallotOutranksNacks(): Property<Paxos, (NackedBallots | null)[]> {
  return always<Paxos, (NackedBallots | null)[]>('a new ballot outranks every Nack', {
    memory: (cluster) => cluster.nodeIds.map(() => null),
    records: ['deliver:Nack', 'send:Prepare'],
    record(memory, event) {
      if (event.kind !== 'deliver' && event.kind !== 'send') return undefined;
      const node = event.kind === 'deliver' ? event.to : event.from;
      const known = memory[node] ?? null;
      const own = known !== null && known.incarnation === event.incarnation ? known : { incarnation: event.incarnation, started: [], nacked: null };
      memory[node] = own;
      const message = event.message;
      if (event.kind === 'deliver') {
        if (message.type !== 'Nack' || !isBallot(message.ballot) || !isBallot(message.promised) || message.ballot.proposer !== node) return undefined;
        if (own.nacked === null || compareBallots(message.promised, own.nacked) > 0) own.nacked = { round: message.promised.round, proposer: message.promised.proposer };
        return undefined;
      }
      if (message.type !== 'Prepare' || !isBallot(message.ballot) || message.ballot.proposer !== node) return undefined;
      const key = `${message.ballot.round}:${message.ballot.proposer}`;
      if (own.started.includes(key)) return undefined;
      own.started.push(key);
      if (own.nacked === null || compareBallots(message.ballot, own.nacked) > 0) return undefined;
      return (
        `${nodeName(node)} started an attempt with Prepare ${formatBallot(message.ballot)} at ${event.timeMs} ms, after a Nack had told it of the promise ` +
        `${formatBallot(own.nacked)}: a new ballot has a round one above the highest round the proposer has seen, the Nacks it received included, so that it outranks them`
      );
    },
  });
}

/** A proposal as a Promise reported it (its ballot inline), or null for "nothing accepted". */
type Report = (Ballot & { readonly value: string }) | null;

/** A Promise delivered to a proposer: from which acceptor, and what it reported. */
interface Heard {
  readonly acceptor: NodeId;
  readonly report: Report;
}

/**
 * The Promises delivered to a proposer for one of its ballots, until its Accept, in acceptor
 * order: under search a memory is part of the state, and the order Promises came in must not
 * tell apart states that are otherwise equal.
 */
interface PhaseOne {
  readonly round: number;
  readonly promises: Heard[];
  /** Set when a Promise came again from an acceptor already counted (never under search, which duplicates nothing). */
  repeated?: true;
}

/** Per proposer: its incarnation, the values it was asked to propose, and its ballots' Promises. */
interface ProposerRecord {
  incarnation: number;
  readonly proposed: string[];
  phases: PhaseOne[];
  /** Rounds whose Accept was checked already (in this incarnation). */
  proposedIn: number[];
}

const describeReport = (report: Report) => (report === null ? 'nothing accepted' : `${formatBallot(report)} ${quote(report.value)}`);

/** Orders reports by ballot, "nothing accepted" first. */
function compareReports(left: Report, right: Report): number {
  if (left === null || right === null) return left === right ? 0 : left === null ? -1 : 1;
  return compareBallots(left, right);
}

/**
 * Phase 2 follows its Promises: a proposer sends Accept for ballot b only once Promises for
 * b itself (not for an older ballot of its) from a majority of the acceptors were delivered
 * to it since it last started, and with the value of the highest-ballot proposal that some
 * majority of them report — its own value only when a majority reports nothing.
 */
export function phaseTwoFollowsPromises(acceptors: readonly NodeId[]): Property<Paxos, (ProposerRecord | null)[]> {
  const needed = majority(acceptors.length);
  return always<Paxos, (ProposerRecord | null)[]>('phase 2 follows its Promises', {
    memory: (cluster) => perNode(cluster, null),
    records: ['input', 'deliver:Promise', 'send:Accept'],
    record(records, event) {
      const node = event.kind === 'input' ? event.node : event.kind === 'deliver' ? event.to : event.kind === 'send' ? event.from : undefined;
      if (node === undefined || !('incarnation' in event)) return undefined;
      let record = records[node] ?? null;
      if (record === null) {
        record = { incarnation: event.incarnation, proposed: [], phases: [], proposedIn: [] };
        records[node] = record;
      }
      if (record.incarnation !== event.incarnation) {
        // A restart forgets every Promise: a new incarnation starts its attempts afresh.
        record.incarnation = event.incarnation;
        record.phases = [];
        record.proposedIn = [];
      }
      if (event.kind === 'input') {
        if (!record.proposed.includes(event.input.value)) {
          record.proposed.push(event.input.value);
          record.proposed.sort();
        }
        return undefined;
      }
      if (event.kind === 'deliver' && event.message.type === 'Promise') {
        const { ballot, accepted } = event.message;
        if (ballot.proposer !== node || !acceptors.includes(event.from) || record.proposedIn.includes(ballot.round)) return undefined;
        let phase = record.phases.find((candidate) => candidate.round === ballot.round);
        if (phase === undefined) {
          phase = { round: ballot.round, promises: [] };
          record.phases.push(phase);
          record.phases.sort((left, right) => left.round - right.round);
        }
        if (phase.promises.some((promise) => promise.acceptor === event.from)) {
          phase.repeated = true;
          return undefined;
        }
        const report = accepted === null ? null : { round: accepted.ballot.round, proposer: accepted.ballot.proposer, value: accepted.value };
        phase.promises.push({ acceptor: event.from, report });
        phase.promises.sort((left, right) => left.acceptor - right.acceptor);
        return undefined;
      }
      if (event.kind !== 'send' || event.message.type !== 'Accept' || event.message.ballot.proposer !== node) return undefined;
      const { ballot, value } = event.message;
      if (record.proposedIn.includes(ballot.round)) return undefined;
      const phase = record.phases.find((candidate) => candidate.round === ballot.round) ?? { round: ballot.round, promises: [] };
      record.phases = record.phases.filter((candidate) => candidate !== phase);
      record.proposedIn.push(ballot.round);
      record.proposedIn.sort((left, right) => left - right);
      const sent = `${nodeName(node)} sent Accept ${formatBallot(ballot)} ${quote(value)}`;
      if (phase.promises.length < needed) {
        const counted = phase.promises.map((promise) => promise.acceptor);
        const from = counted.length === 0 ? 'no acceptor' : `only ${names(counted)}`;
        // Promises for its older ballots, from other acceptors: what a proposer that mixes ballots counted.
        const older = record.phases
          .filter((other) => other.round < ballot.round)
          .flatMap((other) => other.promises.filter((promise) => !counted.includes(promise.acceptor)).map((promise) => ({ ...promise, round: other.round })));
        const stale = older.length === 0
          ? ''
          : `; ${older.map((promise) => `${nodeName(promise.acceptor)}'s Promise was for (${promise.round}, ${nodeName(node)})`).join(', ')}, an older ballot, ` +
            'which does not count: the acceptor may have accepted a proposal since';
        // A proposer that counts messages rather than acceptors reaches its count with a duplicate.
        const repeated = phase.repeated === true && counted.length > 0 ? `; a Promise that came twice (the network duplicates messages) is one acceptor's, and counts once` : '';
        // A proposer that is an acceptor too counts its own acceptor only by the Promise it sends itself (said when nothing else explains the count).
        const own = stale === '' && repeated === '' && acceptors.includes(node) && !counted.includes(node) ? `; ${nodeName(node)}'s own acceptor counts only by a Promise it sends to itself (a message like any other)` : '';
        return `${sent} with Promises for ${formatBallot(ballot)} from ${from}: phase 2 needs Promises for this very ballot from a majority (${needed} of ${acceptors.length})${stale}${repeated}${own}`;
      }
      // The values some majority allows: a reported proposal with a majority at or below its ballot; our own when a majority reports nothing.
      const sorted = phase.promises.map((promise) => promise.report).sort(compareReports);
      const allowed = new Set<string>();
      sorted.forEach((report, index) => {
        if (report === null) return;
        const atOrBelow = index + 1 + sorted.slice(index + 1).filter((other) => compareReports(other, report) === 0).length;
        if (atOrBelow >= needed) allowed.add(report.value);
      });
      const nothing = sorted.filter((report) => report === null).length;
      if (nothing >= needed) for (const own of record.proposed) allowed.add(own);
      if (allowed.has(value)) return undefined;
      const heard = phase.promises.map((promise) => `${nodeName(promise.acceptor)}: ${describeReport(promise.report)}`).join('; ');
      const expected = allowed.size === 0 ? 'its own value, and it was given none' : [...allowed].map(quote).join(' or ');
      return (
        `${sent}, but its Promises for ${formatBallot(ballot)} (${heard}) call for ${expected}: phase 2 proposes the value of ` +
        'the highest-ballot proposal the Promises of a majority report (not the first one reported), and its own value only when they report none'
      );
    },
  });
}

/** A proposal an Accept asked for: [round, proposer, value]. */
type AskedProposal = readonly [number, NodeId, string];

/** `Accepts asked for (1, n0) "v0" and (2, n1) "v1"`, or that none did. */
function describeAsked(asked: readonly AskedProposal[]): string {
  if (asked.length === 0) return 'no Accept reached it';
  return `the Accepts it received asked for ${asked.map(([round, proposer, value]) => `${formatBallot({ round, proposer })} ${quote(value)}`).join(', ')}`;
}

function sameProposal(left: AskedProposal, right: AskedProposal): boolean {
  return left[0] === right[0] && left[1] === right[1] && left[2] === right[2];
}

/** What "accepts only what an Accept asked for" knows. */
interface AskedMemory {
  /** Per node: the proposals Accepts delivered to it or sent by it asked for, in one order. */
  readonly asked: AskedProposal[][];
  /**
   * A proposer's write of its own ballot's proposal, made before it sent itself that Accept in
   * the same reaction: judged once the reaction is over (null: none waiting).
   */
  ownWrite: { readonly node: NodeId; readonly proposal: AskedProposal; readonly message: string } | null;
}

/**
 * An acceptor accepts only a proposal some proposer asked it to accept: it writes `accepted`
 * (b, v) to its storage, or sends Accepted(b, v), only after an Accept(b, v) was delivered
 * to it, or in the reaction where it sent one itself (a node that is proposer and acceptor
 * may write its acceptance as it sends itself the Accept, before or after that send). An
 * acceptor that makes its own proposals up would reach the goal "a value is chosen" without Paxos.
 */
export function acceptsOnlyWhatWasAsked(acceptors: readonly NodeId[]): Property<Paxos, AskedMemory> {
  return always<Paxos, AskedMemory>('accepts only what an Accept asked for', {
    memory: (cluster) => ({ asked: cluster.nodeIds.map(() => []), ownWrite: null }),
    records: ['send', 'deliver', 'storage', 'crash'],
    record(memory, event) {
      if (event.kind === 'crash') {
        // A crash in the middle of the reaction cut it before the Accept went out.
        if (memory.ownWrite?.node === event.node) memory.ownWrite = null;
        return undefined;
      }
      if (event.kind === 'storage') {
        if (event.key !== 'accepted' || !isAcceptedProposal(event.value)) return undefined;
        const { ballot, value } = event.value;
        const proposal: AskedProposal = [ballot.round, ballot.proposer, value];
        const asked = memory.asked[event.node] ?? [];
        if (asked.some((known) => sameProposal(known, proposal))) return undefined;
        const message = `${nodeName(event.node)} stored accepted ${formatBallot(ballot)} ${quote(value)} though no Accept asked it to (${describeAsked(asked)}): an acceptor accepts only the proposal of an Accept it received, under that Accept's ballot`;
        // Its own ballot: the Accept it sends itself may come later in this reaction.
        if (ballot.proposer === event.node && memory.ownWrite === null) {
          memory.ownWrite = { node: event.node, proposal, message };
          return undefined;
        }
        return message;
      }
      if (event.kind !== 'send' && event.kind !== 'deliver') return undefined;
      const message = event.message;
      if (message.type === 'Accept') {
        const node = event.kind === 'deliver' ? event.to : event.from;
        const asked = memory.asked[node];
        const proposal: AskedProposal = [message.ballot.round, message.ballot.proposer, message.value];
        if (asked !== undefined && !asked.some((known) => sameProposal(known, proposal))) {
          asked.push(proposal);
          // In one order, however the Accepts arrived: the search then sees one state, not one per order.
          asked.sort((left, right) => left[0] - right[0] || left[1] - right[1] || (left[2] < right[2] ? -1 : left[2] > right[2] ? 1 : 0));
        }
        const ownWrite = memory.ownWrite;
        if (ownWrite !== null && ownWrite.node === node && sameProposal(ownWrite.proposal, proposal)) memory.ownWrite = null;
        return undefined;
      }
      if (event.kind === 'send' && message.type === 'Accepted' && acceptors.includes(event.from)) {
        const asked = memory.asked[event.from] ?? [];
        if (asked.some((known) => sameProposal(known, [message.ballot.round, message.ballot.proposer, message.value]))) return undefined;
        return `${nodeName(event.from)} sent Accepted ${formatBallot(message.ballot)} ${quote(message.value)} though no Accept asked it to (${describeAsked(asked)}): an acceptor accepts only the proposal of an Accept it received, under that Accept's ballot`;
      }
      return undefined;
    },
    // Judged after each event, once its reaction is over: the write's Accept never went out.
    check: (_cluster, memory) => memory.ownWrite?.message,
  });
}

// A proposer asked to propose runs phase 1.

interface ProposeAnswers {
  readonly acceptances: Acceptances;
  /** Per node: the incarnation whose first Propose was judged (null: none yet). */
  readonly judged: (number | null)[];
  /** The Propose being reacted to: its proposer, step, time and value, and the acceptors its Prepares went to in that reaction. */
  pending: { readonly node: NodeId; readonly step: number; readonly timeMs: number; readonly value: string; readonly asked: NodeId[] } | null;
  /** The first Propose left unanswered. */
  unanswered: string | null;
  /** Whether any node sent a Prepare: with none, nothing happened at all, which "every learner learns" reports. */
  prepared: boolean;
}

/**
 * Runs only: "a proposer asked to propose runs phase 1": in the reaction to a proposer's first
 * Propose of an incarnation, given while no value is chosen (so that it cannot know a
 * decision), it sends Prepare to a majority of the acceptors (the handout says every acceptor).
 * Without it, a node that ignores Propose (one proposer doing all the proposing) would meet
 * every other property, and the tests of contention would test none. Judged when the run ends,
 * and only if some node ever sent a Prepare: a run where nothing happened is "no progress".
 */
export function proposersRunPhaseOne(acceptors: readonly NodeId[]): Property<Paxos, ProposeAnswers> {
  const needed = majority(acceptors.length);
  const close = (memory: ProposeAnswers): void => {
    const pending = memory.pending;
    memory.pending = null;
    if (pending === null || pending.asked.length >= needed || memory.unanswered !== null) return;
    memory.unanswered =
      `${nodeName(pending.node)} was given Propose ${quote(pending.value)} at ${pending.timeMs} ms, while no value was chosen, and sent Prepare to ` +
      `${pending.asked.length === 0 ? 'no acceptor' : `${names(pending.asked)} only`} in that reaction (a majority is ${needed} of ${acceptors.length}): ` +
      'on Propose, a proposer that does not know the decision picks a fresh ballot and sends Prepare to every acceptor';
  };
  return always<Paxos, ProposeAnswers>(
    'a proposer asked to propose runs phase 1',
    {
      memory: (cluster) => ({ acceptances: new Map(), judged: perNode(cluster, null), pending: null, unanswered: null, prepared: false }),
      records: ['input', 'send:Prepare', 'send:Accepted'],
      record(memory, event, cluster) {
        // An event of a later step: the reaction to the pending Propose is over.
        if (memory.pending !== null && memory.pending.step !== cluster.step) close(memory);
        if (event.kind === 'send') {
          if (event.message.type === 'Accepted') recordAcceptance(memory.acceptances, acceptors, event.from, event.message.ballot, event.message.value);
          else if (event.message.type === 'Prepare') {
            memory.prepared = true;
            const pending = memory.pending;
            if (pending?.node === event.from && acceptors.includes(event.to) && !pending.asked.includes(event.to)) {
              pending.asked.push(event.to);
              pending.asked.sort((left, right) => left - right);
            }
          }
          return undefined;
        }
        if (event.kind !== 'input' || memory.judged[event.node] === event.incarnation) return undefined;
        memory.judged[event.node] = event.incarnation;
        if (chosenProposals(memory.acceptances, acceptors).length > 0) return undefined;
        memory.pending = { node: event.node, step: cluster.step, timeMs: event.timeMs, value: event.input.value, asked: [] };
        return undefined;
      },
      check(_cluster, memory) {
        close(memory);
        return memory.prepared ? (memory.unanswered ?? undefined) : undefined;
      },
    },
    { atEnd: true },
  );
}

/** What "an undecided proposer tries again" knows of one proposer, in its current incarnation. */
interface Trying {
  readonly incarnation: number;
  /** Given Propose in this incarnation while it did not know the decision. */
  asked: boolean;
  /** It learned the decision: a Learned output, a Decided, or Accepteds of one proposal from a majority, handed to it. */
  knows: boolean;
  /** When it last started an attempt or sent an attempt's first Accept, or the Propose that asked it (ms). */
  lastActiveMs: number;
  /** The Accepteds handed to it, by proposal. */
  readonly told: Acceptances;
  /** The highest ballot of its own it sent Prepare for, and whether a Nack refusing that ballot was handed to it since. */
  latest: { readonly ballot: Ballot; nacked: boolean } | null;
  /** The Prepares of `latest` now going out (`step`: the reaction that sent them again), with the acceptors they reached. */
  sending: { readonly step: number; readonly reached: NodeId[] } | null;
  /** Its own ballots it sent Accept for (`round:proposer`). */
  readonly accepted: Set<string>;
}

interface KeepTrying {
  readonly proposers: (Trying | null)[];
  late: string | null;
  /** Whether any Prepare was sent: where none was, nothing started, and "no progress" says so. */
  prepared: boolean;
}

/**
 * A proposer that was asked to propose and does not know the decision tries again: its
 * Retry fires within `retryMs` of its attempt, and a new attempt sends Prepare. So it sends
 * its latest ballot's Prepares to a majority of the acceptors (a new ballot above its earlier
 * ones, or that ballot again while no Nack has refused it) or an attempt's first Accept at
 * least every `retryMs[1]` (plus `slackMs`) while it is up, until it learns the decision. Runs
 * only: it reads times. Without it, a proposer that sends one Prepare and then waits for ever
 * is judged only where no other proposer finishes for it. Only Prepares that can succeed
 * count: one that reaches no majority, of a ballot not its own, below its latest, or of a
 * ballot already refused, would otherwise stand for an attempt.
 */
export function proposersKeepTrying(roles: Roles & { readonly proposers: readonly NodeId[] }, retryMs: readonly [number, number], slackMs: number): Property<Paxos, KeepTrying> {
  const boundMs = retryMs[1] + slackMs;
  const overdue = (memory: KeepTrying, cluster: ClusterView<Paxos>, nowMs: number): void => {
    if (memory.late !== null || !memory.prepared) return;
    for (const proposer of roles.proposers) {
      const trying = memory.proposers[proposer];
      if (trying === null || trying === undefined || !trying.asked || trying.knows || cluster.isCrashed(proposer) || cluster.incarnation(proposer) !== trying.incarnation) continue;
      if (nowMs <= trying.lastActiveMs + boundMs) continue;
      memory.late =
        `${nodeName(proposer)} was asked to propose and had not learned the decision, yet started no attempt from ${trying.lastActiveMs} ms ` +
        `to ${nowMs} ms (no Prepare of its latest ballot, not refused by a Nack, to a majority of the acceptors, and no first Accept of a ballot): ` +
        `a proposer that does not know the decision starts again with a higher ballot when its Retry fires, at most ${retryMs[1]} ms (the top of retryMs) ` +
        'after its attempt began, until it learns the decision';
      return;
    }
  };
  const own = (memory: KeepTrying, node: NodeId, incarnation: number): Trying => {
    const known = memory.proposers[node] ?? null;
    if (known !== null && known.incarnation === incarnation) return known;
    const fresh: Trying = { incarnation, asked: false, knows: false, lastActiveMs: 0, told: new Map(), latest: null, sending: null, accepted: new Set() };
    memory.proposers[node] = fresh;
    return fresh;
  };
  return always<Paxos, KeepTrying>(
    'an undecided proposer tries again',
    {
      memory: (cluster) => ({ proposers: perNode(cluster, null), late: null, prepared: false }),
      records: ['input', 'output', 'send:Prepare', 'send:Accept', 'deliver:Accepted', 'deliver:Decided', 'deliver:Nack'],
      record(memory, event, cluster) {
        overdue(memory, cluster, event.timeMs);
        if (memory.late !== null) return memory.late;
        switch (event.kind) {
          case 'input': {
            const trying = own(memory, event.node, event.incarnation);
            if (!trying.asked && !trying.knows) {
              trying.asked = true;
              trying.lastActiveMs = event.timeMs;
            }
            return undefined;
          }
          case 'output':
            own(memory, event.node, event.incarnation).knows = true;
            return undefined;
          case 'send': {
            const message = event.message;
            if (message.type === 'Prepare') memory.prepared = true;
            if ((message.type !== 'Prepare' && message.type !== 'Accept') || !isBallot(message.ballot) || message.ballot.proposer !== event.from) return undefined;
            const trying = own(memory, event.from, event.incarnation);
            const key = `${message.ballot.round}:${message.ballot.proposer}`;
            if (message.type === 'Accept') {
              if (!trying.accepted.has(key)) trying.lastActiveMs = event.timeMs;
              trying.accepted.add(key);
              return undefined;
            }
            if (!roles.acceptors.includes(event.to)) return undefined;
            const needed = majority(roles.acceptors.length);
            const latest = trying.latest;
            if (latest === null || compareBallots(message.ballot, latest.ballot) > 0) {
              trying.latest = { ballot: { round: message.ballot.round, proposer: message.ballot.proposer }, nacked: false };
              trying.sending = { step: cluster.step, reached: [] };
            } else if (compareBallots(message.ballot, latest.ballot) < 0 || latest.nacked) {
              return undefined;
            } else if (trying.sending === null || (trying.sending.reached.length >= needed && trying.sending.step !== cluster.step)) {
              // The latest ballot sent again, in a reaction of its own.
              trying.sending = { step: cluster.step, reached: [] };
            }
            const sending = trying.sending;
            if (sending === null || sending.reached.includes(event.to)) return undefined;
            sending.reached.push(event.to);
            if (sending.reached.length === needed) trying.lastActiveMs = event.timeMs;
            return undefined;
          }
          case 'deliver': {
            if (!roles.proposers.includes(event.to)) return undefined;
            const trying = own(memory, event.to, event.incarnation);
            const message = event.message;
            if (message.type === 'Nack' && isBallot(message.ballot) && trying.latest !== null && compareBallots(message.ballot, trying.latest.ballot) === 0) trying.latest.nacked = true;
            if (message.type === 'Decided') trying.knows = true;
            else if (message.type === 'Accepted' && isBallot(message.ballot) && typeof message.value === 'string') {
              if (recordAcceptance(trying.told, roles.acceptors, event.from, message.ballot, message.value) !== undefined) trying.knows = true;
            }
            return undefined;
          }
          default:
            return undefined;
        }
      },
      check(cluster, memory) {
        overdue(memory, cluster, cluster.nowMs);
        return memory.late ?? undefined;
      },
    },
    { atEnd: true },
  );
}

/** The proposer's rules, checked in every run and in the search tests that let proposers retry. */
export function proposerProperties(roles: Roles): Property<Paxos>[] {
  return [ballotUsedOnce(), phaseTwoFollowsPromises(roles.acceptors)];
}

/** The safety properties every test checks, runs and searches alike. */
export function safetyProperties(roles: Roles): Property<Paxos>[] {
  // The protocol's types first: the properties after them then read only values of the declared kinds.
  return [
    speaksTheProtocol<Paxos>(paxosMessages),
    keepsTheDeclaredState<Paxos>(paxosState),
    validity(),
    agreement(),
    integrity(roles.learners),
    onlyChosenLearned(roles.acceptors),
    chosenStaysChosen(roles.acceptors),
    promiseNeverDecreases(),
    noAcceptanceBelowPromise(),
    durableBeforeAnswering(roles.acceptors),
    promiseReportsAccepted(roles.acceptors),
    nackNamesThePromise(roles.acceptors),
  ];
}

/** The messages src/protocol.ts declares: "messages are as protocol.ts declares". */
const ballotShape: DeclaredShape = { fields: ['round', 'proposer'], kinds: { round: 'integer', proposer: 'node' } };
const acceptedShape: DeclaredShape = { fields: ['ballot', 'value'], shapes: { ballot: ballotShape }, kinds: { value: 'string' }, nullable: true };

/** An acceptor's storage and a learner's output, as src/protocol.ts declares them ("storage and outputs are as protocol.ts declares"); null is taken as nothing stored. */
export const paxosState: DeclaredState = {
  storage: { promised: { ...ballotShape, nullable: true }, accepted: acceptedShape },
  outputs: { Learned: { fields: ['value'], kinds: { value: 'string' } } },
};

export const paxosMessages: Readonly<Record<string, DeclaredMessage>> = {
  Prepare: { fields: ['ballot'], route: 'server-to-server', shapes: { ballot: ballotShape }, kinds: {} },
  Promise: { fields: ['ballot', 'accepted'], route: 'server-to-server', shapes: { ballot: ballotShape, accepted: acceptedShape }, kinds: {} },
  Accept: { fields: ['ballot', 'value'], route: 'server-to-server', shapes: { ballot: ballotShape }, kinds: { value: 'string' } },
  Accepted: { fields: ['ballot', 'value'], route: 'server-to-server', shapes: { ballot: ballotShape }, kinds: { value: 'string' } },
  Nack: { fields: ['ballot', 'promised'], route: 'server-to-server', shapes: { ballot: ballotShape, promised: ballotShape }, kinds: {} },
  Decided: { fields: ['value'], route: 'server-to-server', kinds: { value: 'string' } },
  WhatIsDecided: { fields: [], route: 'server-to-server', kinds: {} },
};

/**
 * The search's goal: a value is chosen, that is, a majority of the acceptors hold the same
 * proposal as accepted in their durable storage; with `value`, that value ("v3 is chosen"),
 * so that a search can ask that each proposer's value be chosen on some path.
 */
export function valueChosen(acceptors: readonly NodeId[], value?: string): Property<Paxos> {
  const needed = majority(acceptors.length);
  return sometimes<Paxos>(value === undefined ? 'a value is chosen' : `${quote(value)} is chosen`, (cluster) => {
    for (const acceptor of acceptors) {
      const accepted = storedAcceptance(cluster, acceptor);
      if (accepted === undefined || (value !== undefined && accepted.value !== value)) continue;
      let same = 0;
      for (const other of acceptors) {
        const theirs = storedAcceptance(cluster, other);
        if (theirs !== undefined && compareBallots(theirs.ballot, accepted.ballot) === 0 && theirs.value === accepted.value) same++;
      }
      if (same >= needed) return undefined;
    }
    return `no majority of the acceptors (${needed} of ${acceptors.length}) holds the same proposal${value === undefined ? '' : ` of ${quote(value)}`} as accepted`;
  });
}

// Termination, and what some tests add.

interface Progress {
  /** Per node: the incarnation in which it last learned, or null. */
  readonly learnedIn: (number | null)[];
  first: Learning | null;
  /** Whether any Prepare was sent: tells "nothing started" from "nothing finished". */
  prepared: boolean;
}

/**
 * Termination, judged when the run ends: every live learner has learned a value since it
 * last (re)started. `deadline` explains the bound in the message.
 */
export function everyLearnerLearns(learners: readonly NodeId[], deadline: string): Property<Paxos, Progress> {
  return eventually<Paxos, Progress>('every learner learns', {
    memory: (cluster) => ({ learnedIn: perNode(cluster, null), first: null, prepared: false }),
    records: ['output', 'send:Prepare'],
    record(progress, event) {
      if (event.kind === 'send') {
        if (event.message.type === 'Prepare') progress.prepared = true;
        return undefined;
      }
      if (event.kind !== 'output') return undefined;
      progress.learnedIn[event.node] = event.incarnation;
      progress.first ??= { node: event.node, value: event.output.value };
      return undefined;
    },
    check(cluster, progress) {
      const { first } = progress;
      if (first === null) {
        const started = progress.prepared ? 'Prepare messages were sent' : 'no proposer ever sent a Prepare';
        return `no progress: no learner learned a value by ${cluster.nowMs} ms (${started}) ${deadline}`;
      }
      const missing = learners.filter((node) => !cluster.isCrashed(node) && progress.learnedIn[node] !== cluster.incarnation(node));
      const [firstMissing] = missing;
      if (firstMissing === undefined) return undefined;
      const why = progress.learnedIn[firstMissing] === null ? '' : ' since it restarted';
      const others = missing.length > 1 ? ` (nor did ${names(missing.slice(1))})` : '';
      return (
        `${nodeName(firstMissing)} never learned the decision${why} by ${cluster.nowMs} ms${others}, ` +
        `while ${first.node === firstMissing ? `it had learned ${quote(first.value)} before it restarted` : `${nodeName(first.node)} learned ${quote(first.value)}`} ${deadline}`
      );
    },
  });
}

/** Nothing is learned before `untilMs` (runs only: it reads times): `why` says what makes a decision impossible until then. */
export function nothingLearnedBefore(untilMs: number, why: string): Property<Paxos, null> {
  return always<Paxos, null>('no decision without a majority', {
    memory: () => null,
    records: ['output'],
    record(_memory, event) {
      if (event.kind !== 'output' || event.timeMs >= untilMs) return undefined;
      return `${nodeName(event.node)} learned ${quote(event.output.value)} at ${event.timeMs} ms, while ${why}`;
    },
  });
}

/** Every learner learns `value` (the test made sure it was chosen first). */
export function onlyValueLearned(value: string, why: string): Property<Paxos, null> {
  return always<Paxos, null>('the chosen value is kept', {
    memory: () => null,
    records: ['output'],
    record(_memory, event) {
      if (event.kind !== 'output' || event.output.value === value) return undefined;
      return `${nodeName(event.node)} learned ${quote(event.output.value)}, but ${why}`;
    },
  });
}

/** Budget: exactly `expected` messages in all, once a value was learned (runs only: it reads the counters). */
export function messageCost(expected: number, formula: string): Property<Paxos, { learned: boolean }> {
  return budget<Paxos, { learned: boolean }>('messages for one decision', {
    memory: () => ({ learned: false }),
    records: ['output'],
    record(memory) {
      memory.learned = true;
      return undefined;
    },
    check(cluster, memory) {
      if (!memory.learned) return 'no progress: nothing was learned, so there is no cost to measure';
      const sent = cluster.counters.messagesSent;
      if (sent === expected) return undefined;
      const byType = [...cluster.counters.sentByType].map(([type, count]) => `${count} ${type}`).join(' + ');
      return `${byType} = ${sent} messages for one decision; the handout's formula ${formula} gives ${expected}`;
    },
  });
}
