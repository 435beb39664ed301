// Lab 3's properties. They read only what the tests can observe: the Propose inputs, the
// Learned outputs, the messages (the ballots and values that Promise, Accept and Accepted
// carry) and the message counters; never a node's private fields.
import { nodeName, type NodeId, type Property, type World } from 'distlab/testing';
import type { Ballot, Paxos } from './src/protocol.ts';

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

const quote = (value: string) => JSON.stringify(value);
const names = (nodes: Iterable<NodeId>) => [...nodes].map(nodeName).join(', ');

interface Learning {
  readonly node: NodeId;
  readonly value: string;
  readonly timeMs: number;
}

/** Feeds the Learned outputs recorded since the last call. */
function learningsReader<P extends Paxos>(): (world: World<P>) => Learning[] {
  let seen = 0;
  return (world) => {
    const fresh: Learning[] = [];
    for (; seen < world.outputs.length; seen++) {
      const record = world.outputs[seen]!;
      if (record.output.type === 'Learned') fresh.push({ node: record.node, value: record.output.value, timeMs: record.timeMs });
    }
    return fresh;
  };
}

/** Validity: a learned value is one that some proposer was asked to propose. */
export function validity<P extends Paxos>(): Property<P> {
  const read = learningsReader<P>();
  const proposed = new Set<string>();
  let inputsSeen = 0;
  return {
    name: 'validity',
    kind: 'always',
    check(world) {
      for (; inputsSeen < world.inputs.length; inputsSeen++) {
        const input = world.inputs[inputsSeen]!.input;
        if (input.type === 'Propose') proposed.add(input.value);
      }
      for (const learning of read(world)) {
        if (!proposed.has(learning.value)) {
          const asked = proposed.size === 0 ? 'nothing was proposed yet' : `proposed so far: ${[...proposed].map(quote).join(', ')}`;
          return `${nodeName(learning.node)} learned ${quote(learning.value)} at ${learning.timeMs} ms, which no proposer was asked to propose (${asked})`;
        }
      }
      return undefined;
    },
  };
}

/** Agreement: no two learners learn different values. */
export function agreement<P extends Paxos>(): Property<P> {
  const read = learningsReader<P>();
  let first: Learning | undefined;
  return {
    name: 'agreement',
    kind: 'always',
    check(world) {
      for (const learning of read(world)) {
        if (first === undefined) first = learning;
        else if (learning.value !== first.value) {
          return (
            `${nodeName(learning.node)} learned ${quote(learning.value)} at ${learning.timeMs} ms, but ${nodeName(first.node)} ` +
            `learned ${quote(first.value)} at ${first.timeMs} ms: two different values were decided`
          );
        }
      }
      return undefined;
    },
  };
}

/**
 * Integrity: only learners learn, and a learner learns at most once — a second Learned is
 * a violation even with the same value. A restart forgets (only acceptors have durable
 * state), so a restarted learner may learn again.
 */
export function integrity<P extends Paxos>(learners: readonly NodeId[]): Property<P> {
  const read = learningsReader<P>();
  const last = new Map<NodeId, Learning & { holder: object | undefined }>();
  return {
    name: 'integrity',
    kind: 'always',
    check(world) {
      for (const learning of read(world)) {
        const who = nodeName(learning.node);
        if (!learners.includes(learning.node)) return `${who} output Learned ${quote(learning.value)} but it is not a learner (learners: ${names(learners)})`;
        const holder = world.node(learning.node);
        const before = last.get(learning.node);
        if (before !== undefined && before.holder === holder) {
          return (
            `${who} output Learned twice without a restart: ${quote(before.value)} at ${before.timeMs} ms, then ` +
            `${quote(learning.value)} at ${learning.timeMs} ms. A learner learns at most once, even the same value`
          );
        }
        last.set(learning.node, { ...learning, holder });
      }
      return undefined;
    },
  };
}

/** Who accepted what, from the Accepted messages sent (even those the network then lost). */
class Acceptances {
  /** Per ballot and value: the acceptors that accepted it. */
  private readonly byProposal = new Map<string, { ballot: Ballot; value: string; acceptors: Set<NodeId> }>();
  /** Proposals accepted by a majority, in the order they became chosen. */
  readonly chosen: { ballot: Ballot; value: string; timeMs: number; acceptors: NodeId[] }[] = [];

  constructor(private readonly acceptors: readonly NodeId[]) {}

  /** Records an acceptance; returns the proposal if it has just become chosen. */
  record(acceptor: NodeId, ballot: Ballot, value: string, timeMs: number): (typeof this.chosen)[number] | undefined {
    if (!this.acceptors.includes(acceptor)) return undefined;
    const key = `${ballot.round}/${ballot.proposer}/${value}`;
    let entry = this.byProposal.get(key);
    if (entry === undefined) {
      entry = { ballot, value, acceptors: new Set() };
      this.byProposal.set(key, entry);
    }
    if (entry.acceptors.has(acceptor)) return undefined;
    entry.acceptors.add(acceptor);
    if (entry.acceptors.size !== majority(this.acceptors.length)) return undefined;
    const chosen = { ballot, value, timeMs, acceptors: [...entry.acceptors] };
    this.chosen.push(chosen);
    return chosen;
  }

  isChosen(value: string): boolean {
    return this.chosen.some((chosen) => chosen.value === value);
  }

  /** `(1, n0) by n0, n2; (3, n1) by n1`: where `value` was accepted so far. */
  describe(value: string): string {
    const entries = [...this.byProposal.values()].filter((entry) => entry.value === value);
    if (entries.length === 0) return 'no acceptor accepted it';
    return `accepted in ${entries.map((entry) => `${formatBallot(entry.ballot)} by ${names(entry.acceptors)}`).join('; ')}`;
  }
}

/**
 * A learner learns only a chosen value: one that a majority of acceptors accepted in the
 * same ballot (as the Accepted messages sent so far show).
 */
export function onlyChosenLearned<P extends Paxos>(acceptors: readonly NodeId[]): Property<P> {
  const read = learningsReader<P>();
  const acceptances = new Acceptances(acceptors);
  return {
    name: 'only a chosen value is learned',
    kind: 'always',
    observeMessage(event) {
      if (event.kind === 'send' && event.message.type === 'Accepted') {
        acceptances.record(event.from, event.message.ballot, event.message.value, event.timeMs);
      }
      return undefined;
    },
    check(world) {
      for (const learning of read(world)) {
        if (!acceptances.isChosen(learning.value)) {
          return (
            `${nodeName(learning.node)} learned ${quote(learning.value)} at ${learning.timeMs} ms, but no majority ` +
            `(${majority(acceptors.length)} of ${acceptors.length}) of acceptors had accepted it in one ballot: ${acceptances.describe(learning.value)}`
          );
        }
      }
      return undefined;
    },
  };
}

/**
 * Once a proposal (b, v) is chosen, every acceptance of a ballot above b carries v, and no
 * other value is ever chosen.
 */
export function chosenStaysChosen<P extends Paxos>(acceptors: readonly NodeId[]): Property<P> {
  const acceptances = new Acceptances(acceptors);
  return {
    name: 'a chosen value stays chosen',
    kind: 'always',
    check: () => undefined,
    observeMessage(event) {
      if (event.kind !== 'send' || event.message.type !== 'Accepted') return undefined;
      const { ballot, value } = event.message;
      const earlier = acceptances.chosen.find((chosen) => chosen.value !== value && compareBallots(chosen.ballot, ballot) < 0);
      if (earlier !== undefined) {
        return (
          `${nodeName(event.from)} accepted ${quote(value)} in ballot ${formatBallot(ballot)}, but ${quote(earlier.value)} was chosen ` +
          `in ballot ${formatBallot(earlier.ballot)} at ${earlier.timeMs} ms (accepted by ${names(earlier.acceptors)}): ` +
          'every proposal above a chosen one must carry the chosen value'
        );
      }
      const chosen = acceptances.record(event.from, ballot, value, event.timeMs);
      const other = chosen && acceptances.chosen.find((candidate) => candidate.value !== chosen.value);
      if (chosen && other) {
        return (
          `${quote(chosen.value)} was chosen in ballot ${formatBallot(chosen.ballot)} (accepted by ${names(chosen.acceptors)}), ` +
          `but ${quote(other.value)} was chosen in ballot ${formatBallot(other.ballot)} at ${other.timeMs} ms (accepted by ${names(other.acceptors)})`
        );
      }
      return undefined;
    },
  };
}

interface Commitment {
  readonly ballot: Ballot;
  readonly kind: 'promising' | 'accepting';
  readonly timeMs: number;
  /** The node object that made it: another one means the acceptor restarted since. */
  readonly holder: object | undefined;
}

/** The highest ballot each acceptor promised or accepted, from the Promise and Accepted messages it sent. */
function commitmentsTracker<P extends Paxos>() {
  const highest = new Map<NodeId, Commitment>();
  return {
    /** The earlier commitment above `ballot`, if any, then records this one. */
    above(world: World<P>, acceptor: NodeId, ballot: Ballot, kind: Commitment['kind'], timeMs: number): Commitment | undefined {
      const before = highest.get(acceptor);
      const holder = world.node(acceptor);
      if (before !== undefined && compareBallots(before.ballot, ballot) > 0) return before;
      if (before === undefined || compareBallots(ballot, before.ballot) > 0 || before.holder !== holder) {
        highest.set(acceptor, { ballot, kind, timeMs, holder });
      }
      return undefined;
    },
  };
}

function restartNote<P extends Paxos>(world: World<P>, acceptor: NodeId, before: Commitment): string {
  return before.holder !== world.node(acceptor)
    ? `; it restarted in between: was ${before.kind === 'promising' ? 'the promise' : 'the acceptance'} written to durable storage before it answered?`
    : '';
}

/**
 * An acceptor's promise never decreases, not even across a restart: each Promise it sends
 * is for a ballot at least as high as every ballot it promised or accepted before.
 */
export function promiseNeverDecreases<P extends Paxos>(): Property<P> {
  const commitments = commitmentsTracker<P>();
  return {
    name: 'a promise never decreases',
    kind: 'always',
    check: () => undefined,
    observeMessage(event, world) {
      if (event.kind !== 'send') return undefined;
      const message = event.message;
      if (message.type === 'Accepted') commitments.above(world, event.from, message.ballot, 'accepting', event.timeMs);
      if (message.type !== 'Promise') return undefined;
      const before = commitments.above(world, event.from, message.ballot, 'promising', event.timeMs);
      if (before === undefined) return undefined;
      return (
        `${nodeName(event.from)} promised ballot ${formatBallot(message.ballot)} at ${event.timeMs} ms after ${before.kind} ` +
        `${formatBallot(before.ballot)} at ${before.timeMs} ms: a promise never decreases${restartNote(world, event.from, before)}`
      );
    },
  };
}

/**
 * No acceptance below the promise: an acceptor never accepts a ballot below one it promised
 * (or accepted) before, not even across a restart.
 */
export function noAcceptanceBelowPromise<P extends Paxos>(): Property<P> {
  const commitments = commitmentsTracker<P>();
  return {
    name: 'no acceptance below the promise',
    kind: 'always',
    check: () => undefined,
    observeMessage(event, world) {
      if (event.kind !== 'send') return undefined;
      const message = event.message;
      if (message.type === 'Promise') commitments.above(world, event.from, message.ballot, 'promising', event.timeMs);
      if (message.type !== 'Accepted') return undefined;
      const before = commitments.above(world, event.from, message.ballot, 'accepting', event.timeMs);
      if (before === undefined) return undefined;
      return (
        `${nodeName(event.from)} accepted ballot ${formatBallot(message.ballot)} (${quote(message.value)}) at ${event.timeMs} ms after ` +
        `${before.kind} ${formatBallot(before.ballot)} at ${before.timeMs} ms: an acceptor accepts nothing below its promise` +
        restartNote(world, event.from, before)
      );
    },
  };
}

/**
 * Termination (checked at the end): every live learner has learned a value since it last
 * (re)started. `deadline` explains the bound in the message. Two properties: one follows
 * the learners after every event (it never fails), the other judges at the end.
 */
export function everyLearnerLearns<P extends Paxos>(learners: readonly NodeId[], deadline: string): Property<P>[] {
  const read = learningsReader<P>();
  /** Per learner: its last Learned, and the node object that made it. */
  const learned = new Map<NodeId, { learning: Learning; holder: object | undefined }>();
  let anyone: Learning | undefined;
  const follow: Property<P> = {
    name: 'every learner learns',
    kind: 'always',
    check(world) {
      for (const learning of read(world)) {
        learned.set(learning.node, { learning, holder: world.node(learning.node) });
        anyone ??= learning;
      }
      return undefined;
    },
  };
  const judge: Property<P> = {
    name: 'every learner learns',
    kind: 'eventually',
    check(world) {
      if (anyone === undefined) {
        const prepares = world.counters.sentByType.get('Prepare') ?? 0;
        return `no progress: no learner learned a value by ${world.nowMs} ms (${prepares} Prepare messages were sent) ${deadline}`;
      }
      const live = learners.filter((node) => !world.isCrashed(node));
      const missing = live.filter((node) => learned.get(node)?.holder !== world.node(node));
      const [first] = missing;
      if (first === undefined) return undefined;
      const why = learned.has(first) ? ' since it restarted' : '';
      const others = missing.length > 1 ? ` (nor did ${names(missing.slice(1))})` : '';
      return (
        `${nodeName(first)} never learned the decision${why} by ${world.nowMs} ms${others}, ` +
        `while ${nodeName(anyone.node)} learned ${quote(anyone.value)} at ${anyone.timeMs} ms ${deadline}`
      );
    },
  };
  return [follow, judge];
}

/** Nothing is learned before `untilMs`: `why` says what makes a decision impossible until then. */
export function nothingLearnedBefore<P extends Paxos>(untilMs: number, why: string): Property<P> {
  const read = learningsReader<P>();
  return {
    name: 'no decision without a majority',
    kind: 'always',
    check(world) {
      for (const learning of read(world)) {
        if (learning.timeMs < untilMs) return `${nodeName(learning.node)} learned ${quote(learning.value)} at ${learning.timeMs} ms, while ${why}`;
      }
      return undefined;
    },
  };
}

/** Every learner learns `value` (the test made sure it was chosen first). */
export function onlyValueLearned<P extends Paxos>(value: string, why: string): Property<P> {
  const read = learningsReader<P>();
  return {
    name: 'the chosen value is kept',
    kind: 'always',
    check(world) {
      for (const learning of read(world)) {
        if (learning.value !== value) return `${nodeName(learning.node)} learned ${quote(learning.value)} at ${learning.timeMs} ms, but ${why}`;
      }
      return undefined;
    },
  };
}

/** Budget: exactly `expected` messages in all, once every learner learned. */
export function messageCost<P extends Paxos>(expected: number, formula: string): Property<P> {
  return {
    name: 'messages for one decision',
    kind: 'eventually',
    check(world) {
      if (world.outputs.length === 0) return 'no progress: nothing was learned, so there is no cost to measure';
      const sent = world.counters.messagesSent;
      if (sent === expected) return undefined;
      const byType = [...world.counters.sentByType].map(([type, count]) => `${count} ${type}`).join(' + ');
      return `${byType} = ${sent} messages for one decision; the handout's formula ${formula} gives ${expected}`;
    },
  };
}
