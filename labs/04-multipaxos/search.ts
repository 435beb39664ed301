// Small MultiPaxos configurations for the model checker (the search tests). The safety
// properties are the suite's own, from checks.ts, the same objects the randomized runs check;
// the goals, and the client-side checks a search can afford, are here.
//
// The model checker gives inputs only in the initial state: each client gets its operations
// there and sends its first request at once, to whichever server it starts with. Servers have
// no inputs; their timers fire in any order a node's own ranges allow. Histories a search
// begins with are left by earlier leaders, played by the first client node before it starts on
// its own operations (as lab 5's earlier leaders are): each runs phase 1 with a majority, so
// its ballot is as good as a server's, then sends its P2as (and, where the history says so,
// answers the clients whose operations it proposed, and sends a heartbeat). It sends one
// message at a time and waits for its answer, and nothing else happens meanwhile: a state where
// a server ran phase 1, or answered a client, while the history is under way is checked but not
// explored further. The history is one path; the interleavings come after it.
//
// Every space is bounded by counts: rounds up to `maxRound` (a state where a server promised
// or was asked to promise a higher one is checked but not explored further), messages in
// flight per link and kind, client retries, and, in the tests, the depth or the number of walks.
import {
  boundedRetryClient,
  clientResultsLinearizable,
  everyOperationReturned,
  type KvClient,
  missingReturns,
  noOperationReturnsInMinority,
  sometimes,
  type ClusterView,
  type KvClientInput,
  type KvOperation,
  type NodeClass,
  type NodeId,
  type Property,
  type SearchSettings,
} from 'distlab/testing';
import { compareBallots, leaderElectedByMajority, majority, nothingChosen, safetyProperties, sameCommand, someSlotChosen, storedAccepted, storedPromise } from './checks.ts';
import type { Ballot, Command, MultiPaxos } from './src/protocol.ts';

/**
 * What earlier leaders left in the acceptors (played by the first client, whose id is `S`
 * below; a ballot `{round, S}` is above every server's ballot of the same round):
 *
 * - `none`: nothing; the servers start from empty logs.
 * - `sequentialAppends` (3 servers, 2 clients): the leader of ballot {1, S} (phase 1 with n0
 *   and n1) had the first client's first operation accepted in slot 1 by n0 and n1, and
 *   answered it; the leader of ballot {2, S} (phase 1 with n1 and n2) had the second client's
 *   first operation accepted in slot 2 by n1 and n2, and answered it. Each was chosen by a
 *   different majority, and no server knows it: a later leader must find both in phase 1,
 *   whichever majority answers it, before the first client's next operation.
 * - `staleQuorum` (5 servers): the leader of ballot {1, S} (phase 1 with n0, n1, n2) had
 *   n0 accept put(old, "a") in slot 1; the leader of ballot {2, S} (phase 1 with n2, n3, n4,
 *   which accepted nothing) had n2, n3 and n4 accept put(old, "b") in slot 1, a majority, and
 *   sent n0 and n2 a heartbeat: n2 learns that "b" is chosen (it accepted it in the heartbeat's
 *   ballot); n0 learns only of ballot 2. A later leader whose phase 1 hears from n0 and from
 *   one of n2..n4 sees "a" in ballot 1 and "b" in ballot 2 for slot 1: it must propose "b"; "a"
 *   would be a second value chosen in slot 1. n1, n3 and n4 heard no heartbeat: a server that
 *   refuses P1as for a while after one (which the handout allows) still answers n0's phase 1.
 * - `holes` (3 servers): the leader of ballot {1, S} (phase 1 with every server) had n0
 *   accept put(old, "a") in slot 1 and n1 and n2 accept put(old, "b") in slot 2: slot 2 is
 *   chosen, slot 1 is not. A later leader whose phase 1 hears only from n1 and n2 knows nothing
 *   of slot 1: it must fill it with a no-op before anything after it can be executed; n0 must
 *   not take its "a" of ballot 1 as chosen when that leader says every slot below 3 is.
 * - `sameRound` (3 servers, 2 clients): two earlier leaders of one round, whose ballots differ
 *   only in their leader's id. The leader of ballot {2, S} (phase 1 with n0 and n1) had n0
 *   accept put(old, "a") in slot 1; the leader of ballot {2, S+1} (S+1 is the second client's
 *   id; phase 1 with n1 and n2) had n1 and n2 accept put(old, "b") there, a majority, and sent
 *   n0 a heartbeat saying slot 1 is chosen. The first client plays the first, and hands over to
 *   the second client, which plays the second and hands back. n0 must not take its "a" of
 *   {2, S} as chosen (the heartbeat's ballot has its round, not its leader), and a phase 1 that
 *   hears "a" and "b" must propose "b": ballots of one round are ordered by their leader's id.
 * - `noOpChosen` (3 servers): the leader of ballot {1, S} (phase 1 with every server) had n0
 *   accept put(old, "a") in slot 1; the leader of ballot {2, S} (phase 1 with n1 and n2) had
 *   n1 and n2 accept a no-op there, a majority. A later leader whose phase 1 hears from n0 and
 *   from n1 or n2 must propose the no-op, of the higher ballot: a command does not outrank a
 *   no-op.
 */
export type EarlierHistory = 'none' | 'sequentialAppends' | 'staleQuorum' | 'holes' | 'sameRound' | 'noOpChosen';

export type SearchGoal =
  /** Some server reports a slot chosen. */
  | 'decision'
  /** Every operation the clients were given returned. */
  | 'completion'
  /** A server of the majority side (servers not in `minority`) becomes leader. */
  | 'leaderInMajority'
  /** A slot is chosen as a no-op (a hole filled), and the server that learned it executes a later slot. */
  | 'holeFilled'
  /** Every operation returned, and some server executed each of them. */
  | 'executed'
  /**
   * A server that became leader reports slot 1 chosen, accepted by a majority in its ballot:
   * the slot the earlier leaders left contested. Any slot would let a leader that defers its
   * proposal for slot 1 (to its next heartbeat, say) reach the goal through a client's command in
   * slot 2 first, and the search end before slot 1's wrong value is accepted.
   */
  | 'leaderChoosesSlotOne';

export interface MultiPaxosConfiguration {
  /** Servers n0..n(N-1). */
  readonly servers: number;
  /** The clients after the servers, each with the operations it performs in order. */
  readonly clients: readonly (readonly KvOperation[])[];
  /** What the acceptors hold when the search begins (default `none`); with a history, the first client plays it. */
  readonly history?: EarlierHistory;
  /** The highest round a ballot may have: a state where a server promised, or was asked to promise, a higher one is not explored further. */
  readonly maxRound: number;
  /**
   * At most this many messages of each kind in flight on each link (from one node to another):
   * a state with more is checked but not explored further. A slot's P2a, P2b and Decision are
   * kinds of their own, the clients' messages one kind, and every other message another. A
   * leader's next heartbeat then waits for the one before to arrive, which keeps the space
   * small without hiding an order of deliveries that matters.
   */
  readonly linkCapacity?: number;
  /** The servers that may run phase 1 (default every server): a P1a from another is not explored further. */
  readonly candidates?: readonly NodeId[];
  /**
   * Servers cut off, with the clients in `minorityClients`, from the rest for the whole
   * search (the partition), or none.
   */
  readonly minority?: readonly NodeId[];
  /** Clients (by index in `clients`) on the minority's side. */
  readonly minorityClients?: readonly number[];
  readonly drops?: boolean;
  readonly duplicates?: boolean;
  /** Crashes (and restarts) of servers the search may add, in all. */
  readonly crashes?: number;
  /** Retries each client may make in all (default none): see boundedRetryClient. */
  readonly clientRetries?: number;
  /** The goals (`sometimes` properties); a search test passes when one is reached. */
  readonly goals: readonly SearchGoal[];
}

/** The config the searches use: the suite's timings (under search a timer keeps its range; only the order of firings matters). */
export const searchConfig: MultiPaxos['config'] = { heartbeatMs: 50, leaderTimeoutMs: [150, 300], kvClient: { retryMs: 100 } };

/** The sequence numbers the earlier leaders' commands use, below every number the first client uses for its own operations. */
const firstOwnSequence = 10;

/**
 * One proposal of an earlier leader, sent to the acceptors `to`: put(old, `value`) in `slot`
 * (a command of the earlier leader's own), or the first operation of client `client` (by
 * index), which the earlier leader answers once every one of `to` accepted it.
 */
type EarlierProposal = { readonly slot: number; readonly to: readonly NodeId[] } & ({ readonly value: string } | { readonly client: number } | { readonly noOp: true });

/**
 * One earlier leader: phase 1 in `round` with `voters` (a majority), then its proposals, its
 * answers to their clients, and a heartbeat to `decide`. The first client plays it, in a ballot
 * of its own, or with `ofSecondClient` the second client, once the first handed over to it.
 */
interface EarlierLeader {
  readonly round: number;
  readonly ofSecondClient?: boolean;
  readonly voters: readonly NodeId[];
  readonly proposals: readonly EarlierProposal[];
  readonly decide?: readonly NodeId[];
}

function historyOf(history: EarlierHistory): readonly EarlierLeader[] {
  switch (history) {
    case 'none':
      return [];
    case 'sequentialAppends':
      return [
        { round: 1, voters: [0, 1], proposals: [{ slot: 1, client: 0, to: [0, 1] }] },
        { round: 2, voters: [1, 2], proposals: [{ slot: 2, client: 1, to: [1, 2] }] },
      ];
    case 'staleQuorum':
      return [
        { round: 1, voters: [0, 1, 2], proposals: [{ slot: 1, value: 'a', to: [0] }] },
        { round: 2, voters: [2, 3, 4], proposals: [{ slot: 1, value: 'b', to: [2, 3, 4] }], decide: [0, 2] },
      ];
    case 'sameRound':
      return [
        { round: 2, voters: [0, 1], proposals: [{ slot: 1, value: 'a', to: [0] }] },
        { round: 2, ofSecondClient: true, voters: [1, 2], proposals: [{ slot: 1, value: 'b', to: [1, 2] }], decide: [0] },
      ];
    case 'noOpChosen':
      return [
        { round: 1, voters: [0, 1, 2], proposals: [{ slot: 1, value: 'a', to: [0] }] },
        { round: 2, voters: [1, 2], proposals: [{ slot: 1, noOp: true, to: [1, 2] }] },
      ];
    case 'holes':
      return [
        {
          round: 1,
          voters: [0, 1, 2],
          proposals: [
            { slot: 1, value: 'a', to: [0] },
            { slot: 2, value: 'b', to: [1, 2] },
          ],
        },
      ];
  }
}

/** Servers and clients an earlier history needs. */
const historyNeeds: Record<EarlierHistory, { readonly servers: number; readonly clients: number }> = {
  none: { servers: 1, clients: 0 },
  sequentialAppends: { servers: 3, clients: 2 },
  staleQuorum: { servers: 5, clients: 1 },
  holes: { servers: 3, clients: 1 },
  sameRound: { servers: 3, clients: 2 },
  noOpChosen: { servers: 3, clients: 1 },
};

/** The Paxos message types an earlier leader sends and is answered with. */
const historyTypes: ReadonlySet<string> = new Set(['P1a', 'P1b', 'P2a', 'P2b', 'Preempted', 'Heartbeat', 'HeartbeatReply']);

/**
 * A client whose first operation an earlier leader proposes and answers: it waits for that
 * answer instead of sending the operation to a server (so that nothing else happens while the
 * history is played); then it is the kit's client again.
 */
function answeredClient(retries: number): NodeClass<MultiPaxos> {
  class AnsweredClient extends boundedRetryClient(retries) {
    override onInput(input: KvClientInput): void {
      if (this.lastSequence > 0 || this.current !== null) {
        super.onInput(input);
        return;
      }
      this.lastSequence = 1;
      this.storage.set('kvClientSequence', 1);
      this.current = { client: this.id, sequence: 1, operation: input.operation };
    }
  }
  return AnsweredClient as unknown as NodeClass<MultiPaxos>;
}

/**
 * Which client plays an earlier leader: the first, or the second (see EarlierLeader). The first
 * hands over to the second with a Heartbeat in a ballot of round 0 and waits for its
 * HeartbeatReply, which the second sends once it has played its part (or was refused).
 */
type Player = 0 | 1;

/** One step of an earlier history: a message and the answer it waits for, or the first client's own operation answered. */
type HistoryStep =
  | { readonly kind: 'send'; readonly to: NodeId; readonly message: MultiPaxos['message']; readonly answer: 'P1b' | 'P2b' | 'HeartbeatReply' | null }
  | { readonly kind: 'return'; readonly sequence: number; readonly operation: KvOperation };

/**
 * The steps of the earlier leaders, one message at a time: each leader's P1a to each voter in
 * turn, waiting for its P1b; then each P2a, waiting for its P2b; then its answers to the
 * clients whose operations it proposed, and its heartbeats, each waiting for its reply. One
 * message at a time, the history is one path, not every interleaving of its messages, which
 * would multiply a search's states and matter to none of its properties: the servers'
 * interleavings come after. `self` is the player's id; the first client's steps end with the
 * hand-over to the second, when the second plays a part.
 */
function historySteps(history: EarlierHistory, player: Player, self: NodeId, serverCount: number, operations: readonly (readonly KvOperation[])[]): HistoryStep[] {
  const steps: HistoryStep[] = [];
  let ownCommands = 0;
  for (const leader of historyOf(history)) {
    if ((leader.ofSecondClient ? 1 : 0) !== player) continue;
    const ballot: Ballot = { round: leader.round, leader: self };
    for (const voter of leader.voters) steps.push({ kind: 'send', to: voter, message: { type: 'P1a', ballot }, answer: 'P1b' });
    const answers: HistoryStep[] = [];
    for (const proposal of leader.proposals) {
      let command: Command;
      if ('noOp' in proposal) command = null;
      else if ('value' in proposal) {
        ownCommands++;
        command = { client: self, sequence: ownCommands, operation: { kind: 'put', key: 'old', value: proposal.value } };
      } else {
        const client = serverCount + proposal.client;
        command = { client, sequence: client === self ? firstOwnSequence + 1 : 1, operation: operations[proposal.client]?.[0] as KvOperation };
        answers.push(
          client === self
            ? { kind: 'return', sequence: command.sequence, operation: command.operation }
            : { kind: 'send', to: client, message: { type: 'ClientReply', sequence: command.sequence, result: {} }, answer: null },
        );
      }
      for (const acceptor of proposal.to) steps.push({ kind: 'send', to: acceptor, message: { type: 'P2a', ballot, slot: proposal.slot, command }, answer: 'P2b' });
    }
    steps.push(...answers);
    const chosenBelow = Math.max(...leader.proposals.map((proposal) => proposal.slot)) + 1;
    for (const server of leader.decide ?? []) steps.push({ kind: 'send', to: server, message: { type: 'Heartbeat', ballot, chosenBelow, collectBelow: 1 }, answer: 'HeartbeatReply' });
  }
  if (player === 0 && hasSecondPlayer(history)) steps.push({ kind: 'send', to: self + 1, message: { type: 'Heartbeat', ballot: handOverBallot(self), chosenBelow: 1, collectBelow: 1 }, answer: 'HeartbeatReply' });
  return steps;
}

/** Whether the second client plays a part of the history. */
function hasSecondPlayer(history: EarlierHistory): boolean {
  return historyOf(history).some((leader) => leader.ofSecondClient === true);
}

/** The ballot of a hand-over between the players: round 0, below every ballot a leader uses. */
const handOverBallot = (from: NodeId): Ballot => ({ round: 0, leader: from });

/**
 * A client playing earlier leaders (see historySteps) before it performs its own operations
 * (the kit's client, which it extends): the first client from its start, the second once the
 * first hands over to it. A refusal, or an answer that is not the one awaited, ends its part
 * there. Its operations wait until the history is over (the first client's first one, when an
 * earlier leader proposes it, is answered by that leader). `operations` are the clients'
 * operations, by index.
 */
function earlierLeadersThenClient(history: EarlierHistory, player: Player, retries: number, operations: readonly (readonly KvOperation[])[]): NodeClass<MultiPaxos> {
  class EarlierLeadersThenClient extends boundedRetryClient(retries) {
    /** The step under way (the number of steps: the history is over). */
    step = 0;
    /** The second player: whether the first handed over to it, and whether it handed back. */
    handedOver = false;
    handedBack = false;
    /** Operations given while the history is played. */
    deferred: KvOperation[] = [];

    get steps(): HistoryStep[] {
      return historySteps(history, player, this.id, this.servers.length, operations);
    }

    override onStart(): void {
      super.onStart();
      // Its own commands come after the earlier leaders' numbers.
      if (this.lastSequence < firstOwnSequence) this.lastSequence = firstOwnSequence;
      if (player === 0) this.take();
    }

    /** Takes the current step, and the ones after it that wait for nothing. */
    take(): void {
      const steps = this.steps;
      for (let step = steps[this.step]; step !== undefined; step = steps[this.step]) {
        if (step.kind === 'send') {
          this.sendPaxos(step.to, step.message);
          if (step.answer !== null) return;
        } else {
          // Its own first operation, answered by the earlier leader: the client goes on with the next one.
          this.deferred.shift();
          this.lastSequence = step.sequence;
          this.output({ type: 'Returned', sequence: step.sequence, operation: step.operation, result: {} });
        }
        this.step++;
      }
      this.finishHistory();
    }

    finishHistory(): void {
      if (player === 1 && this.handedOver && !this.handedBack) {
        this.handedBack = true;
        this.sendPaxos(this.id - 1, { type: 'HeartbeatReply', ballot: handOverBallot(this.id - 1), slotOut: 1, checkpointSlot: 0 });
      }
      this.step = this.steps.length;
      const deferred = this.deferred;
      this.deferred = [];
      for (const operation of deferred) super.onInput({ type: 'Invoke', operation });
    }

    sendPaxos(to: NodeId, message: MultiPaxos['message']): void {
      (this as unknown as { send(to: NodeId, message: MultiPaxos['message']): void }).send(to, message);
    }

    override onInput(input: KvClientInput): void {
      if (this.step < this.steps.length) this.deferred.push(input.operation);
      else super.onInput(input);
    }

    override onMessage(from: NodeId, message: Parameters<KvClient['onMessage']>[1]): void {
      const paxos = message as unknown as MultiPaxos['message'];
      if (paxos.type === 'ClientRequest') {
        // A client an earlier leader answered takes it for a server: it is not one.
        this.sendPaxos(from, { type: 'ClientRedirect', sequence: paxos.command.sequence, leader: null });
        return;
      }
      if (!historyTypes.has(paxos.type)) {
        super.onMessage(from, message);
        return;
      }
      if (player === 1 && !this.handedOver) {
        if (paxos.type !== 'Heartbeat' || from !== this.id - 1) return;
        this.handedOver = true;
        this.take();
        return;
      }
      const step = this.steps[this.step];
      if (step === undefined || step.kind !== 'send' || from !== step.to) return;
      if (paxos.type === step.answer) {
        this.step++;
        this.take();
      } else if (paxos.type === 'Preempted') this.finishHistory();
    }
  }
  return EarlierLeadersThenClient as unknown as NodeClass<MultiPaxos>;
}

// ---------------------------------------------------------------------------------------------
// Goals and client-side checks. Memories hold no times: under search they are part of every
// state, and a time (the step) would keep equal states apart.

const isChosen = (output: { readonly type: string }): output is { readonly type: 'Chosen'; readonly slot: number; readonly command: Command } => output.type === 'Chosen';

interface ExecutedOperations {
  invoked: number;
  /** `client:sequence` of each operation returned, sorted. */
  returned: string[];
  /** `client:sequence` of each command some server executed, sorted. */
  executed: string[];
}

/**
 * "every operation returned and was executed": every operation returned, some server executed
 * each of them (reported Executed for it), and a majority of `servers` hold a stored promise of
 * a server's ballot: a server led with phase 1, and what an earlier leader left was found by
 * it, not gossiped from acceptor to acceptor. Read from storage, so that the memory stays as it was.
 */
export function everyOperationExecuted(servers: readonly NodeId[]): Property<MultiPaxos, ExecutedOperations> {
  return sometimes<MultiPaxos, ExecutedOperations>('every operation returned and was executed', {
    memory: () => ({ invoked: 0, returned: [], executed: [] }),
    records: ['input:Invoke', 'output:Returned', 'output:Executed'],
    record(memory, event) {
      if (event.kind === 'input') memory.invoked++;
      if (event.kind !== 'output') return undefined;
      const output = event.output as unknown as { readonly type: string; readonly client?: NodeId; readonly sequence: number };
      const key = `${output.type === 'Returned' ? event.node : output.client}:${output.sequence}`;
      const list = output.type === 'Returned' ? memory.returned : memory.executed;
      if (!list.includes(key)) {
        list.push(key);
        list.sort();
      }
      return undefined;
    },
    check(cluster, memory) {
      if (memory.returned.length < memory.invoked) return missingReturns(memory.invoked, memory.returned.length);
      const missing = memory.returned.filter((key) => !memory.executed.includes(key));
      if (missing.length > 0) {
        return `no server executed ${missing.length === 1 ? 'an operation that returned' : `${missing.length} operations that returned`} (a leader must find every chosen command in phase 1)`;
      }
      const promisedToServers = servers.filter((server) => {
        const promise = storedPromise(cluster, server);
        return promise !== undefined && servers.includes(promise.leader);
      });
      if (promisedToServers.length >= majority(servers.length)) return undefined;
      return 'no progress: every operation was executed, but no majority of servers promised a server\'s ballot (a server leads only after phase 1 with a majority)';
    },
  });
}

/** "a hole is filled and execution goes on past it": some server reports a slot chosen as a no-op, and then executes a later slot. */
export function holeFilled(): Property<MultiPaxos, { holes: string[]; goesOn: boolean }> {
  return sometimes<MultiPaxos, { holes: string[]; goesOn: boolean }>('a hole is filled and execution goes on past it', {
    memory: () => ({ holes: [], goesOn: false }),
    records: ['output:Chosen', 'output:Executed'],
    record(memory, event) {
      if (event.kind !== 'output') return undefined;
      const incarnation = `${event.node}/${event.incarnation}`;
      if (isChosen(event.output)) {
        if (event.output.command === null) memory.holes = [...memory.holes.filter((hole) => !hole.startsWith(`${incarnation}@`)), `${incarnation}@${event.output.slot}`].sort();
        return undefined;
      }
      const executed = event.output as unknown as { readonly index: number };
      const hole = memory.holes.find((candidate) => candidate.startsWith(`${incarnation}@`));
      if (hole !== undefined && executed.index > Number(hole.slice(incarnation.length + 1))) memory.goesOn = true;
      return undefined;
    },
    check(_cluster, memory) {
      if (memory.goesOn) return undefined;
      if (memory.holes.length === 0) return 'no progress: no slot was chosen as a no-op (a hole that no phase 1 answer reported must be filled)';
      return 'no progress: a hole was filled, but no server executed a slot after it';
    },
  });
}

/**
 * "a leader chooses slot `slot`": a server that became leader (in this incarnation) reports the
 * slot chosen, and a majority of servers hold it accepted in the leader's own ballot (its stored
 * promise): it ran phase 2 there. Read from storage at that moment, so that the memory stays as
 * it was.
 */
export function leaderChooses(servers: readonly NodeId[], slot: number): Property<MultiPaxos, { leaders: string[]; chosen: boolean }> {
  return sometimes<MultiPaxos, { leaders: string[]; chosen: boolean }>(`a leader chooses slot ${slot}`, {
    memory: () => ({ leaders: [], chosen: false }),
    records: ['output:BecameLeader', 'output:Chosen'],
    record(memory, event, cluster) {
      if (event.kind !== 'output') return undefined;
      const incarnation = `${event.node}/${event.incarnation}`;
      if (event.output.type === 'BecameLeader' && !memory.leaders.includes(incarnation)) memory.leaders = [...memory.leaders, incarnation].sort();
      const output = event.output;
      if (!isChosen(output) || output.slot !== slot || !memory.leaders.includes(incarnation)) return undefined;
      const ballot = storedPromise(cluster, event.node);
      if (ballot === undefined || ballot.leader !== event.node) return undefined;
      const accepted = servers.filter((server) => {
        const value = storedAccepted(cluster, server, output.slot);
        return value !== undefined && compareBallots(value.ballot, ballot) === 0 && sameCommand(value.command, output.command);
      });
      if (accepted.length >= majority(servers.length)) memory.chosen = true;
      return undefined;
    },
    check: (_cluster, memory) =>
      memory.chosen
        ? undefined
        : memory.leaders.length === 0
          ? 'no progress: no server became leader'
          : `no progress: no leader reported slot ${slot} chosen, accepted by a majority in its ballot`,
  });
}

/** "a leader is elected in the majority": a server not in `minority` reports BecameLeader ("a leader is elected" when there is no minority). */
export function leaderInMajority(minority: readonly NodeId[]): Property<MultiPaxos, { elected: boolean }> {
  return sometimes<MultiPaxos, { elected: boolean }>(minority.length === 0 ? 'a leader is elected' : 'a leader is elected in the majority', {
    memory: () => ({ elected: false }),
    records: ['output:BecameLeader'],
    record(memory, event) {
      if (event.kind === 'output' && !minority.includes(event.node)) memory.elected = true;
      return undefined;
    },
    check: (_cluster, memory) => (memory.elected ? undefined : `no progress: no server${minority.length === 0 ? '' : ' of the majority'} became leader`),
  });
}

// ---------------------------------------------------------------------------------------------

/** A ballot as storage and messages carry it, read with guards: a submission may store anything. */
function roundOf(value: unknown): number {
  return typeof value === 'object' && value !== null && 'round' in value && typeof value.round === 'number' ? value.round : 0;
}

/**
 * Servers n0.. running `node`, then the clients (the first one playing the earlier leaders
 * first, when there is a history). Properties: every safety property, the clients' results
 * linearizable, then the configuration's goals.
 */
export function multipaxosSearch(node: NodeClass<MultiPaxos>, configuration: MultiPaxosConfiguration): SearchSettings<MultiPaxos> {
  const history = configuration.history ?? 'none';
  const needs = historyNeeds[history];
  if (configuration.servers < needs.servers || configuration.clients.length < needs.clients) {
    throw new Error(`the ${history} history needs ${needs.servers} servers and ${needs.clients} clients`);
  }
  const servers: NodeId[] = Array.from({ length: configuration.servers }, (_unused, index) => index);
  const clients: NodeId[] = configuration.clients.map((_operations, index) => configuration.servers + index);
  const earlier = history === 'none' ? undefined : clients[0];
  if (history !== 'none' && earlier === undefined) throw new Error('an earlier history is played by the first client: give one');
  // The clients that play the earlier leaders.
  const players: readonly NodeId[] = earlier === undefined ? [] : hasSecondPlayer(history) ? [earlier, earlier + 1] : [earlier];
  const minority = configuration.minority ?? [];
  const minorityClients = (configuration.minorityClients ?? []).map((index) => clients[index] as NodeId);
  const candidates = configuration.candidates;
  const outside = (view: ClusterView<MultiPaxos>): boolean => {
    for (const server of servers) if (roundOf(view.storage(server).get('promised')) > configuration.maxRound) return true;
    const capacity = configuration.linkCapacity;
    const onLink = capacity === undefined ? undefined : new Map<string, number>();
    let historyPending = false;
    let meanwhile = false;
    for (const { from, to, message } of view.inFlight()) {
      // A P1a to a server only: one to a client changes nothing a server holds, and would let a submission end the search where it likes.
      if (message.type === 'P1a' && servers.includes(to)) {
        if (message.ballot.round > configuration.maxRound) return true;
        if (!players.includes(from) && candidates !== undefined && !candidates.includes(from)) return true;
      }
      if (players.includes(from) || players.includes(to)) {
        // The earlier leaders' messages, their answers, and their replies to the clients they answer.
        if (historyTypes.has(message.type) || (players.includes(from) && message.type === 'ClientReply')) historyPending = true;
      } else if (message.type !== 'ClientRequest') meanwhile = true;
      if (onLink !== undefined) {
        // A slot's P2a, P2b and Decision count apart (a new leader proposes many slots at once), and so do the clients' messages.
        const kind = 'slot' in message ? `${from}>${to}:${message.type}@${message.slot}` : message.type.startsWith('Client') ? `${from}>${to}:client` : `${from}>${to}`;
        const count = (onLink.get(kind) ?? 0) + 1;
        if (count > (capacity as number)) return true;
        onLink.set(kind, count);
      }
    }
    // Nothing else happens until the earlier leaders' messages, and the answers to them, are
    // delivered: no phase 1 of a server, no redirect (a client's first request waits).
    return historyPending && meanwhile;
  };
  const goals = configuration.goals.map((goal): Property<MultiPaxos> => {
    switch (goal) {
      case 'decision':
        return someSlotChosen() as Property<MultiPaxos>;
      case 'completion':
        return everyOperationReturned<MultiPaxos>() as Property<MultiPaxos>;
      case 'leaderInMajority':
        return leaderInMajority(minority) as Property<MultiPaxos>;
      case 'holeFilled':
        return holeFilled() as Property<MultiPaxos>;
      case 'executed':
        return everyOperationExecuted(servers) as Property<MultiPaxos>;
      case 'leaderChoosesSlotOne':
        return leaderChooses(servers, 1) as Property<MultiPaxos>;
    }
  });
  const rest = servers.filter((server) => !minority.includes(server));
  const restClients = clients.filter((client) => !minorityClients.includes(client));
  const crashes = configuration.crashes ?? 0;
  const retries = configuration.clientRetries ?? 0;
  // The clients (after the first) whose first operation an earlier leader proposes.
  const answered = new Set(historyOf(history).flatMap((leader) => leader.proposals.flatMap((proposal) => ('client' in proposal && proposal.client > 0 ? [proposal.client] : []))));
  const clientNode = boundedRetryClient(retries) as unknown as NodeClass<MultiPaxos>;
  // The operations an earlier leader answered (`client:sequence`): they return before any server executes them.
  const answeredByHistory = historyOf(history).flatMap((leader) =>
    leader.proposals.flatMap((proposal) => {
      if (!('client' in proposal)) return [];
      const client = clients[proposal.client] as NodeId;
      return [`${client}:${client === earlier ? firstOwnSequence + 1 : 1}`];
    }),
  );
  return {
    nodes: [
      ...servers.map(() => ({ role: 'server' as const, node })),
      ...clients.map((client, index) => ({
        role: 'client' as const,
        node:
          client === earlier
            ? earlierLeadersThenClient(history, 0, retries, configuration.clients)
            : client === players[1]
              ? earlierLeadersThenClient(history, 1, retries, configuration.clients)
              : answered.has(index)
                ? answeredClient(retries)
                : clientNode,
      })),
    ],
    config: searchConfig,
    inputs: configuration.clients.flatMap((operations, index) =>
      operations.map((operation) => ({ node: clients[index] as NodeId, input: { type: 'Invoke', operation } as unknown as MultiPaxos['input'] })),
    ),
    timers: true,
    drops: configuration.drops ?? false,
    ...(configuration.duplicates ? { duplicates: true } : {}),
    ...(crashes > 0 ? { crashes: { nodes: servers, max: crashes, restart: true } } : {}),
    ...(minority.length > 0 ? { partition: [[...minority, ...minorityClients], [...rest, ...restClients]] } : {}),
    prune: outside,
    properties: [
      ...safetyProperties(servers, answeredByHistory),
      leaderElectedByMajority(servers) as Property<MultiPaxos>,
      ...(minority.length > 0 ? [nothingChosen(), noOperationReturnsInMinority<MultiPaxos>(minorityClients, 'nothing can be chosen there, and a server answers only what is chosen')] : []),
      clientResultsLinearizable<MultiPaxos>() as Property<MultiPaxos>,
      ...goals,
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The searches the tests run (searchTests.ts) and search.test.ts checks.

/** A configuration and how the model checker explores it. */
export interface SearchScenario {
  readonly description: string;
  readonly configuration: MultiPaxosConfiguration;
  /** Breadth-first search to this depth (and, with `stopAtGoal`, no further than the first goal), or random walks of this many steps. */
  readonly maxDepth: number;
  readonly stopAtGoal?: boolean;
  /** Random walks instead of breadth-first search: this many, each of at most `maxDepth` events. */
  readonly probes?: number;
}

/** Rounds that bound no random walk of the probes' length (a walk ends at a state beyond the bound). */
const roundsForWalks = 40;

/**
 * The searches of the tests. Breadth-first ones are a few thousand to about 80,000 states each
 * with the reference solution (search.test.ts states the counts); the random walks a few
 * thousand events. Their depths leave room for a leader that reaches its own acceptor by
 * messages to itself, as the handout allows: each such message is an event of its own, and
 * such a leader reaches the goals five steps deeper than one that calls its acceptor. 4.S1's
 * leaves room too for a leader that batches its P2as at its next heartbeat (a tick, and its
 * heartbeat's round trip, per operation): with messages to itself, its goal is 25 steps deep.
 */
export const searchScenarios = {
  simpleOperations: {
    description: 'one client: put(x, "1"), then get(x); 3 servers, each may run phase 1 once (round 1), one message in flight per link and kind',
    configuration: {
      servers: 3,
      clients: [
        [
          { kind: 'put', key: 'x', value: '1' },
          { kind: 'get', key: 'x' },
        ],
      ],
      maxRound: 1,
      linkCapacity: 1,
      goals: ['completion'],
    },
    maxDepth: 30,
    stopAtGoal: true,
  },
  minority: {
    description: 'n0 and the client cut off from n1 and n2 for the whole search; rounds up to 2, one message in flight per link and kind',
    configuration: {
      servers: 3,
      clients: [[{ kind: 'put', key: 'x', value: '1' }]],
      maxRound: 2,
      linkCapacity: 1,
      minority: [0],
      minorityClients: [0],
      goals: ['leaderInMajority'],
    },
    maxDepth: 60,
  },
  sequentialAppends: {
    description:
      'two clients\' appends chosen one after the other by earlier leaders, each by a different majority ({n0, n1}, then {n1, n2}); 3 servers, rounds up to 3, one message in flight per link and kind',
    configuration: {
      servers: 3,
      clients: [[{ kind: 'append', key: 'x', value: 'a' }], [{ kind: 'append', key: 'x', value: 'b' }]],
      history: 'sequentialAppends',
      maxRound: 3,
      linkCapacity: 1,
      goals: ['executed'],
    },
    maxDepth: 32,
  },
  staleQuorum: {
    description:
      '5 servers: "a" accepted in slot 1 by n0 in ballot 1, "b" by n2, n3 and n4 in ballot 2 (chosen, and so announced to n0 and n2); n0, which holds "a", may then run phase 1 (rounds up to 3); ' +
      'a client puts x; one message in flight per link and kind',
    configuration: {
      servers: 5,
      clients: [[{ kind: 'put', key: 'x', value: '1' }]],
      history: 'staleQuorum',
      maxRound: 3,
      linkCapacity: 1,
      candidates: [0],
      goals: ['leaderChoosesSlotOne'],
    },
    maxDepth: 45,
    stopAtGoal: true,
  },
  sameRound: {
    description:
      '3 servers: "a" accepted in slot 1 by n0 in ballot {2, the first client}, "b" by n1 and n2 in ballot {2, the second client} (chosen, and so announced to n0); ' +
      'n0 may then run phase 1 (rounds up to 3); the first client puts x; one message in flight per link and kind',
    configuration: {
      servers: 3,
      clients: [[{ kind: 'put', key: 'x', value: '1' }], []],
      history: 'sameRound',
      maxRound: 3,
      linkCapacity: 1,
      candidates: [0],
      goals: ['leaderChoosesSlotOne'],
    },
    maxDepth: 45,
    stopAtGoal: true,
  },
  noOpChosen: {
    description:
      '3 servers: "a" accepted in slot 1 by n0 in ballot 1, a no-op by n1 and n2 in ballot 2 (chosen); n0 may then run phase 1 (rounds up to 3); ' +
      'a client puts x; one message in flight per link and kind',
    configuration: {
      servers: 3,
      clients: [[{ kind: 'put', key: 'x', value: '1' }]],
      history: 'noOpChosen',
      maxRound: 3,
      linkCapacity: 1,
      candidates: [0],
      goals: ['leaderChoosesSlotOne'],
    },
    maxDepth: 40,
    stopAtGoal: true,
  },
  holes: {
    description: '3 servers: "a" accepted in slot 1 by n0 only, "b" in slot 2 by n1 and n2 (chosen); rounds up to 2, one message in flight per link and kind',
    configuration: {
      servers: 3,
      clients: [[]],
      history: 'holes',
      maxRound: 2,
      linkCapacity: 1,
      goals: ['holeFilled'],
    },
    maxDepth: 27,
  },
  probesThree: {
    description: '3 servers, a client appending, a server crash and restart, two client retries',
    configuration: {
      servers: 3,
      clients: [[{ kind: 'append', key: 'x', value: 'a' }]],
      maxRound: roundsForWalks,
      crashes: 1,
      clientRetries: 2,
      goals: ['leaderInMajority'],
    },
    maxDepth: 100,
    probes: 150,
  },
  probesFive: {
    description: '5 servers, a client appending, messages lost, a server crash and restart, two client retries',
    configuration: {
      servers: 5,
      clients: [[{ kind: 'append', key: 'x', value: 'a' }]],
      maxRound: roundsForWalks,
      drops: true,
      crashes: 1,
      clientRetries: 2,
      goals: ['leaderInMajority'],
    },
    maxDepth: 60,
    probes: 300,
  },
} as const satisfies Record<string, SearchScenario>;

/** A scenario's settings for `node` (the walks' count and length are the test's `probes`). */
export function scenarioSettings(node: NodeClass<MultiPaxos>, scenario: SearchScenario): SearchSettings<MultiPaxos> {
  return {
    ...multipaxosSearch(node, scenario.configuration),
    ...(scenario.probes === undefined ? { maxDepth: scenario.maxDepth } : {}),
    ...(scenario.stopAtGoal ? { stopAtGoal: true } : {}),
  };
}
