// Small configurations of the replicated log for the model checker (the search tests). The
// safety properties are the suite's own, from checks.ts, the same objects the randomized runs
// check; the goals, and the client-side checks a search can afford, are here and in the kit.
//
// The model checker gives inputs only in the initial state: each client gets its operations
// there and sends its first request at once, to whichever server it starts with. Servers have
// no inputs; their timers fire in any order a node's own ranges allow. A history a search
// begins with is left by earlier leaders, played by the first client node before it starts on
// its own operations: it overthrows every server with each earlier epoch (so that every server
// has seen it, and none takes it for its own), then sends that epoch's stores and finalizes. It
// sends one message at a time and waits for its answer, and nothing else happens meanwhile: a
// state where a server sent anything while the history is under way is checked but not
// explored further. The history is one path; the interleavings come after it. A history may end
// with a later leader's steps, played by the same client once the servers run: one message at a
// time again, they interleave with everything else.
//
// Every space is bounded by counts: epochs up to `maxEpoch` (a state where a server stored, or
// was asked to take, a higher one is checked but not explored further), messages in flight per
// link and kind, client retries, and, in the tests, the depth or the number of walks.
import {
  boundedRetryClient,
  boundedRetryClientNode,
  clientResultsLinearizable,
  everyOperationReturned,
  missingReturns,
  noOperationReturnsInMinority,
  always,
  sometimes,
  type ClusterView,
  type KvClientInput,
  type KvCommand,
  type KvOperation,
  type NodeClass,
  type NodeId,
  type Property,
  type SearchSettings,
} from 'distlab/testing';
import { safetyProperties } from './checks.ts';
import type { KvClient } from 'distlab/testing';
import type { PaxosLog } from './src/protocol.ts';

/**
 * What earlier leaders left in the servers' logs (played by the first client):
 *
 * - `none`: nothing; the servers start from empty logs.
 * - `higherEpochFinalized` (3 servers): in epoch 1, put(old, "a") was stored in slot 1 by n0
 *   only; in epoch 2, put(old, "b") was stored in slot 1 by n1 and n2, a majority, and n2 was
 *   told to finalize it. n0 holds "a" (epoch 1), n1 "b" (epoch 2), n2 "b" finalized. A new
 *   leader whose overthrow is granted by n0 and n1 reads "a" in epoch 1 and "b" in epoch 2:
 *   it must store "b", the operation of the highest epoch; "a" would change a finalized slot.
 * - `laterLeaderFinalizes` (3 servers): in epoch 1, put(old, "a") was stored in slot 1 by n0
 *   only, and a leader of epoch 4 overthrew n1. Once the servers run, that leader overthrows n2,
 *   stores put(old, "b") in slot 1 on n1 and n2, and finalizes it on n1. n0, leading epoch 3
 *   with n2's grant, reads slot 1 from n2, which may answer "nothing" before it grants epoch 4;
 *   should that answer arrive late, in n0's walk of epoch 6, counting it would pick "a" over the
 *   finalized "b".
 * - `lateFinalize` (3 servers): in epoch 1, put(old, "a") was stored in slot 1 by n0 and n1, a
 *   majority; its Finalize to n0 is still on its way once the servers run. n0, leading epoch
 *   3, walks slot 1, and the Finalize may arrive at any point of the walk: once n0 holds "a"
 *   finalized, the walk must leave slot 1 as it is, not store "a" there again as not finalized.
 */
export type EarlierHistory = 'none' | 'higherEpochFinalized' | 'laterLeaderFinalizes' | 'lateFinalize';

export type SearchGoal =
  /** Every operation the clients were given returned. */
  | 'completion'
  /** Every operation returned, and some server executed each of them. */
  | 'executed'
  /** A server of the majority side (servers not in `minority`) becomes leader. */
  | 'leaderInMajority'
  /** A server finalizes a slot in an epoch it led: it stored and finalized what its walk picked (or a command). */
  | 'leaderFinalizes'
  /**
   * Every operation returned, on a path where the earlier leader's Finalize of slot 1 reached n0
   * in the middle of its walk (after n0 asked to read slot 1, before it stored anything there or
   * asked another server to): the interleaving the lateFinalize history is for, so that a search
   * cannot pass on the paths where the Finalize comes before or after the walk.
   */
  | 'completionAfterFinalizeMidWalk';

export interface PaxosLogConfiguration {
  /** Servers n0..n(N-1). */
  readonly servers: number;
  /** The clients after the servers, each with the operations it performs in order. */
  readonly clients: readonly (readonly KvOperation[])[];
  /** What the servers hold when the search begins (default `none`); with a history, the first client plays it. */
  readonly history?: EarlierHistory;
  /** The highest epoch a server may take: a state where one stored, or was asked to take, a higher one is not explored further. */
  readonly maxEpoch: number;
  /**
   * At most this many messages of each kind in flight on each link (from one node to another):
   * a state with more is checked but not explored further. A slot's Store, StoreReply, Finalize,
   * FinalizeReply, Read and ReadReply are kinds of their own, the clients' messages one kind, and
   * every other message another. A leader's next Query then waits for the one before to arrive,
   * which keeps the space small without hiding an order of deliveries that matters.
   */
  readonly linkCapacity?: number;
  /** The servers that may try to lead (default every server): an Overthrow from another is not explored further. */
  readonly candidates?: readonly NodeId[];
  /** An Overthrow of this epoch or above is not explored while no server holds a finalized slot (a later attempt to lead waits for one). */
  readonly finalizedBeforeEpoch?: number;
  /** Servers cut off, with the clients in `minorityClients`, from the rest for the whole search, or none. */
  readonly minority?: readonly NodeId[];
  /** Clients (by index in `clients`) on the minority's side. */
  readonly minorityClients?: readonly number[];
  readonly drops?: boolean;
  /** Crashes (and restarts) of servers the search may add, in all. */
  readonly crashes?: number;
  /** Retries each client may make in all (default none): see the kit's boundedRetryClient. */
  readonly clientRetries?: number;
  /** The goals (`sometimes` properties); a search test passes when one is reached. */
  readonly goals: readonly SearchGoal[];
}

/** An epoch as storage and messages carry it, read with guards: a submission may store anything. */
const epochOf = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Whether a stored value is a slot's record flagged finalized (read with guards, as epochOf). */
const isFinalizedRecord = (value: unknown): boolean => typeof value === 'object' && value !== null && (value as { readonly finalized?: unknown }).finalized === true;

/** The config the searches use: the suite's timings (under search a timer keeps its range; only the order of firings matters). */
export const searchConfig: PaxosLog['config'] = { heartbeatMs: 50, leaderTimeoutMs: [150, 300], kvClient: { retryMs: 100 } };

/** The sequence numbers the earlier leaders' commands use, below every number the first client uses for its own operations. */
const firstOwnSequence = 10;

/** One step of an earlier history: a message and the answer it waits for. */
interface HistoryStep {
  readonly to: NodeId;
  readonly message: PaxosLog['message'];
  readonly answer: 'OverthrowReply' | 'StoreReply' | 'FinalizeReply';
  /** A later leader's step, played once the servers run (so are the steps after it). */
  readonly later?: boolean;
}

/** Whether a message between the history's player and `server` belongs to a later leader's step. */
function ofLaterStep(steps: readonly HistoryStep[], server: NodeId, message: PaxosLog['message']): boolean {
  const epoch = epochOf((message as { readonly epoch?: unknown }).epoch);
  return steps.some(
    (step) => step.later === true && step.to === server && (step.message.type === message.type || step.answer === message.type) && epochOf((step.message as { readonly epoch?: unknown }).epoch) === epoch,
  );
}

/** The message types an earlier leader sends and is answered with. */
const historyTypes: ReadonlySet<string> = new Set(['Overthrow', 'OverthrowReply', 'Store', 'StoreReply', 'Finalize', 'FinalizeReply']);

/** Servers and clients an earlier history needs. */
const historyNeeds: Record<EarlierHistory, { readonly servers: number; readonly clients: number }> = {
  none: { servers: 1, clients: 0 },
  higherEpochFinalized: { servers: 3, clients: 1 },
  laterLeaderFinalizes: { servers: 3, clients: 1 },
  lateFinalize: { servers: 3, clients: 1 },
};

/** The steps of an earlier history, one message at a time; `self` is the first client's id. */
function historySteps(history: EarlierHistory, self: NodeId, serverCount: number): HistoryStep[] {
  if (history === 'none') return [];
  const put = (sequence: number, value: string): KvCommand => ({ client: self, sequence, operation: { kind: 'put', key: 'old', value } });
  const overthrowAll = (epoch: number): HistoryStep[] =>
    Array.from({ length: serverCount }, (_unused, server): HistoryStep => ({ to: server, message: { type: 'Overthrow', epoch }, answer: 'OverthrowReply' }));
  const a = put(1, 'a');
  const b = put(2, 'b');
  if (history === 'laterLeaderFinalizes') {
    return [
      ...overthrowAll(1),
      { to: 0, message: { type: 'Store', epoch: 1, slot: 1, operation: a }, answer: 'StoreReply' },
      { to: 1, message: { type: 'Overthrow', epoch: 4 }, answer: 'OverthrowReply' },
      // Once the servers run, the leader of epoch 4 goes on; n0 is left to the servers' own leader, which it must not overthrow.
      { to: 2, message: { type: 'Overthrow', epoch: 4 }, answer: 'OverthrowReply', later: true },
      { to: 1, message: { type: 'Store', epoch: 4, slot: 1, operation: b }, answer: 'StoreReply', later: true },
      { to: 2, message: { type: 'Store', epoch: 4, slot: 1, operation: b }, answer: 'StoreReply', later: true },
      { to: 1, message: { type: 'Finalize', epoch: 4, slot: 1 }, answer: 'FinalizeReply', later: true },
    ];
  }
  if (history === 'lateFinalize') {
    return [
      ...overthrowAll(1),
      { to: 0, message: { type: 'Store', epoch: 1, slot: 1, operation: a }, answer: 'StoreReply' },
      { to: 1, message: { type: 'Store', epoch: 1, slot: 1, operation: a }, answer: 'StoreReply' },
      { to: 0, message: { type: 'Finalize', epoch: 1, slot: 1 }, answer: 'FinalizeReply', later: true },
    ];
  }
  return [
    ...overthrowAll(1),
    { to: 0, message: { type: 'Store', epoch: 1, slot: 1, operation: a }, answer: 'StoreReply' },
    ...overthrowAll(2),
    { to: 1, message: { type: 'Store', epoch: 2, slot: 1, operation: b }, answer: 'StoreReply' },
    { to: 2, message: { type: 'Store', epoch: 2, slot: 1, operation: b }, answer: 'StoreReply' },
    { to: 2, message: { type: 'Finalize', epoch: 2, slot: 1 }, answer: 'FinalizeReply' },
  ];
}

/**
 * The first client, playing the earlier leaders (see historySteps) before it performs its own
 * operations (the kit's client, which it extends). A refusal ends the history there. Its
 * operations wait until the history is over.
 */
function earlierLeadersThenClient(history: EarlierHistory, retries: number): NodeClass<PaxosLog> {
  class EarlierLeadersThenClient extends boundedRetryClient(retries) {
    /** The step under way (the number of steps: the history is over). */
    step = 0;
    /** Operations given while the history is played. */
    deferred: KvOperation[] = [];

    get steps(): HistoryStep[] {
      return historySteps(history, this.id, this.servers.length);
    }

    /** The steps played before the servers start: the rest are a later leader's. */
    get earlierSteps(): number {
      const later = this.steps.findIndex((step) => step.later === true);
      return later === -1 ? this.steps.length : later;
    }

    override onStart(): void {
      super.onStart();
      // Its own commands come after the earlier leaders' numbers.
      if (this.lastSequence < firstOwnSequence) this.lastSequence = firstOwnSequence;
      this.take();
    }

    /** Sends the current step's message; once the earlier leaders are done, starts on its own operations. */
    take(): void {
      if (this.step >= this.earlierSteps) this.startOwn();
      const step = this.steps[this.step];
      if (step !== undefined) (this as unknown as { send(to: NodeId, message: PaxosLog['message']): void }).send(step.to, step.message);
    }

    /** Ends the history (a refusal ends it there, a later leader's included). */
    finishHistory(): void {
      this.step = this.steps.length;
      this.startOwn();
    }

    startOwn(): void {
      const deferred = this.deferred;
      this.deferred = [];
      for (const operation of deferred) super.onInput({ type: 'Invoke', operation });
    }

    override onInput(input: KvClientInput): void {
      if (this.step < this.earlierSteps) this.deferred.push(input.operation);
      else super.onInput(input);
    }

    override onMessage(from: NodeId, message: Parameters<KvClient['onMessage']>[1]): void {
      const log = message as unknown as PaxosLog['message'];
      if (!historyTypes.has(log.type)) {
        super.onMessage(from, message);
        return;
      }
      const step = this.steps[this.step];
      if (step === undefined || from !== step.to || log.type !== step.answer) return;
      // A later leader reads nothing: it goes on only while its grants report empty logs, where anything it stores is safe.
      const laterGrantOfUsedLog = log.type === 'OverthrowReply' && log.ok && log.lastUsedSlot > 0 && step.later === true;
      if (('ok' in log && !log.ok) || laterGrantOfUsedLog) {
        this.finishHistory();
        return;
      }
      this.step++;
      this.take();
    }
  }
  return EarlierLeadersThenClient as unknown as NodeClass<PaxosLog>;
}

// ---------------------------------------------------------------------------------------------
// Goals and minority checks. Memories hold no times (see the kit's search pieces).

interface ExecutedOperations {
  invoked: number;
  /** `client:sequence` of each operation returned, sorted. */
  returned: string[];
  /** `client:sequence` of each command some server executed, sorted. */
  executed: string[];
}

/** "every operation returned and was executed": every operation returned, and some server executed each of them. */
export function everyOperationExecuted(): Property<PaxosLog, ExecutedOperations> {
  return sometimes<PaxosLog, ExecutedOperations>('every operation returned and was executed', {
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
    check(_cluster, memory) {
      if (memory.returned.length < memory.invoked) return missingReturns(memory.invoked, memory.returned.length);
      const missing = memory.returned.filter((key) => !memory.executed.includes(key));
      if (missing.length === 0) return undefined;
      return `no server executed ${missing.length === 1 ? 'an operation that returned' : `${missing.length} operations that returned`} (every server executes its finalized slots in order)`;
    },
  });
}

/** "a leader is elected in the majority": a server not in `minority` reports BecameLeader ("a leader is elected" when there is no minority). */
export function leaderInMajority(minority: readonly NodeId[]): Property<PaxosLog, { elected: boolean }> {
  return sometimes<PaxosLog, { elected: boolean }>(minority.length === 0 ? 'a leader is elected' : 'a leader is elected in the majority', {
    memory: () => ({ elected: false }),
    records: ['output:BecameLeader'],
    record(memory, event) {
      if (event.kind === 'output' && !minority.includes(event.node)) memory.elected = true;
      return undefined;
    },
    check: (_cluster, memory) => (memory.elected ? undefined : `no progress: no server${minority.length === 0 ? '' : ' of the majority'} became leader`),
  });
}

/** "nothing is finalized": no server writes a slot finalized (the minority's client is the only one, and a majority has nothing to store). */
export function nothingFinalized(): Property<PaxosLog> {
  return always<PaxosLog>('nothing is finalized', {
    memory: () => undefined,
    records: ['storage'],
    record(_memory, event) {
      if (event.kind !== 'storage' || !event.key.startsWith('slot:')) return undefined;
      const value = event.value as { readonly finalized?: unknown } | undefined;
      if (value === undefined || value === null || typeof value !== 'object' || value.finalized !== true) return undefined;
      return (
        `n${event.node} finalized ${event.key}, but the only client reaches a minority of the servers, and the majority has nothing to store: ` +
        'a slot is finalized only once a majority stored its operation in one epoch'
      );
    },
  });
}

interface FinalizeMidWalk {
  invoked: number;
  returned: number;
  /** n0 asked to read slot 1. */
  read: boolean;
  /** Since then, n0 stored in slot 1, or asked another server to: its first walk of slot 1 is over. */
  settled: boolean;
  /** The Finalize reached n0 while it walked slot 1. */
  met: boolean;
  /** The servers n0 asked to read slot 1 whose answers it has not been handed yet. */
  unanswered: NodeId[];
  /** The step at which n0 had every answer to its walk of slot 1, after the Finalize met it (-1: not yet). */
  answeredAtStep: number;
  /** n0 sent something in a later step: the search went on past the reaction that ended its walk. */
  movedOn: boolean;
}

/**
 * The goal `completionAfterFinalizeMidWalk`, for the lateFinalize history (n0 walks; the first
 * client's Finalize reaches it). It asks for a step of n0's after it was handed every answer to
 * its walk, since what a correct walk does then is nothing: a state the search prunes in that
 * reaction (a submission sending something extra there) cannot reach the goal.
 */
export function completionAfterFinalizeMidWalk(walker: NodeId): Property<PaxosLog, FinalizeMidWalk> {
  return sometimes<PaxosLog, FinalizeMidWalk>("every operation returned, after the earlier leader's Finalize reached the walk and the walk ended", {
    memory: () => ({ invoked: 0, returned: 0, read: false, settled: false, met: false, unanswered: [], answeredAtStep: -1, movedOn: false }),
    records: ['input:Invoke', 'output:Returned', 'send', 'storage', 'deliver:Finalize', 'deliver:ReadReply'],
    record(memory, event, cluster) {
      if (event.kind === 'input') memory.invoked++;
      else if (event.kind === 'output') memory.returned++;
      else if (event.kind === 'send' && event.from === walker) {
        if (memory.answeredAtStep >= 0 && cluster.step > memory.answeredAtStep) memory.movedOn = true;
        if (!('slot' in event.message) || event.message.slot !== 1) return undefined;
        if (event.message.type === 'Read') {
          memory.read = true;
          if (!memory.unanswered.includes(event.to)) memory.unanswered = [...memory.unanswered, event.to].sort();
        } else if (event.message.type === 'Store' && memory.read) memory.settled = true;
      } else if (event.kind === 'storage' && event.node === walker && event.key === 'slot:1') {
        if (memory.read) memory.settled = true;
      } else if (event.kind === 'deliver' && event.to === walker && 'slot' in event.message && event.message.slot === 1) {
        if (event.message.type === 'Finalize' && memory.read && !memory.settled) memory.met = true;
        if (event.message.type !== 'ReadReply') return undefined;
        const from = event.from;
        memory.unanswered = memory.unanswered.filter((server) => server !== from);
        if (memory.met && memory.answeredAtStep < 0 && memory.unanswered.length === 0) memory.answeredAtStep = cluster.step;
      }
      return undefined;
    },
    check: (_cluster, memory) =>
      !memory.met
        ? "no progress: the earlier leader's Finalize of slot 1 never reached n0 between its first Read of slot 1 and its first write or Store there"
        : !memory.movedOn
          ? 'no progress: n0 took no further step once every answer to its walk of slot 1 had reached it'
          : missingReturns(memory.invoked, memory.returned),
  });
}

/** "a leader finalizes a slot": a server writes a slot finalized in an epoch it led (BecameLeader), not as a follower of another's epoch. */
export function leaderFinalizes(servers: readonly NodeId[]): Property<PaxosLog, { led: string[]; finalized: boolean }> {
  return sometimes<PaxosLog, { led: string[]; finalized: boolean }>('a leader finalizes a slot', {
    memory: () => ({ led: [], finalized: false }),
    records: ['output:BecameLeader', 'storage'],
    record(memory, event) {
      if (memory.finalized) return undefined;
      if (event.kind === 'output') {
        const led = `${event.node}:${epochOf((event.output as { readonly epoch?: unknown }).epoch)}`;
        if (!memory.led.includes(led)) memory.led = [...memory.led, led].sort();
        return undefined;
      }
      if (event.kind !== 'storage' || !servers.includes(event.node) || !event.key.startsWith('slot:') || !isFinalizedRecord(event.value)) return undefined;
      if (memory.led.includes(`${event.node}:${epochOf((event.value as { readonly epoch?: unknown }).epoch)}`)) memory.finalized = true;
      return undefined;
    },
    check: (_cluster, memory) =>
      memory.finalized ? undefined : 'no progress: no leader finalized a slot (a new leader reads each slot its grants reported, stores what it picked in its own epoch, and finalizes it)',
  });
}

// ---------------------------------------------------------------------------------------------

/**
 * Servers n0.. running `node`, then the clients (the first one playing the earlier leaders
 * first, when there is a history). Properties: every safety property, the clients' results
 * linearizable, then the configuration's goals.
 */
export function paxosLogSearch(node: NodeClass<PaxosLog>, configuration: PaxosLogConfiguration): SearchSettings<PaxosLog> {
  const history = configuration.history ?? 'none';
  const needs = historyNeeds[history];
  if (configuration.servers < needs.servers || configuration.clients.length < needs.clients) {
    throw new Error(`the ${history} history needs ${needs.servers} servers and ${needs.clients} clients`);
  }
  const servers: NodeId[] = Array.from({ length: configuration.servers }, (_unused, index) => index);
  const clients: NodeId[] = configuration.clients.map((_operations, index) => configuration.servers + index);
  const earlier = history === 'none' ? undefined : clients[0];
  const minority = configuration.minority ?? [];
  const minorityClients = (configuration.minorityClients ?? []).map((index) => clients[index] as NodeId);
  const candidates = configuration.candidates;
  const steps = earlier === undefined ? [] : historySteps(history, earlier, configuration.servers);
  const anyFinalized = (view: ClusterView<PaxosLog>): boolean =>
    servers.some((server) => [...view.storage(server).entries()].some(([key, value]) => key.startsWith('slot:') && isFinalizedRecord(value)));
  const outside = (view: ClusterView<PaxosLog>): boolean => {
    for (const server of servers) if (epochOf(view.storage(server).get('epoch')) > configuration.maxEpoch) return true;
    const capacity = configuration.linkCapacity;
    const onLink = capacity === undefined ? undefined : new Map<string, number>();
    let historyPending = false;
    let meanwhile = false;
    for (const { from, to, message } of view.inFlight()) {
      // An Overthrow to a server only: one to a client changes nothing a server holds, and would let a submission end the search where it likes.
      if (message.type === 'Overthrow' && from !== earlier && servers.includes(to)) {
        if (message.epoch > configuration.maxEpoch) return true;
        if (configuration.finalizedBeforeEpoch !== undefined && message.epoch >= configuration.finalizedBeforeEpoch && !anyFinalized(view)) return true;
        if (candidates !== undefined && !candidates.includes(from)) return true;
      }
      if (from === earlier || to === earlier) {
        if (historyTypes.has(message.type) && !ofLaterStep(steps, from === earlier ? to : from, message)) historyPending = true;
      } else if (message.type !== 'ClientRequest') meanwhile = true;
      if (onLink !== undefined) {
        const kind = 'slot' in message ? `${from}>${to}:${message.type}@${message.slot}` : message.type.startsWith('Client') ? `${from}>${to}:client` : `${from}>${to}`;
        const count = (onLink.get(kind) ?? 0) + 1;
        if (count > (capacity as number)) return true;
        onLink.set(kind, count);
      }
    }
    // Nothing else happens until the earlier leaders' messages, and the answers to them, are delivered.
    return historyPending && meanwhile;
  };
  const goals = configuration.goals.map((goal): Property<PaxosLog> => {
    switch (goal) {
      case 'completion':
        return everyOperationReturned<PaxosLog>() as Property<PaxosLog>;
      case 'executed':
        return everyOperationExecuted() as Property<PaxosLog>;
      case 'leaderInMajority':
        return leaderInMajority(minority) as Property<PaxosLog>;
      case 'leaderFinalizes':
        return leaderFinalizes(servers) as Property<PaxosLog>;
      case 'completionAfterFinalizeMidWalk':
        return completionAfterFinalizeMidWalk(0) as Property<PaxosLog>;
    }
  });
  const rest = servers.filter((server) => !minority.includes(server));
  const restClients = clients.filter((client) => !minorityClients.includes(client));
  const crashes = configuration.crashes ?? 0;
  const retries = configuration.clientRetries ?? 0;
  return {
    nodes: [
      ...servers.map(() => ({ role: 'server' as const, node })),
      ...clients.map((client) => ({
        role: 'client' as const,
        node: client === earlier ? earlierLeadersThenClient(history, retries) : boundedRetryClientNode<PaxosLog>(retries),
      })),
    ],
    config: searchConfig,
    inputs: configuration.clients.flatMap((operations, index) =>
      operations.map((operation) => ({ node: clients[index] as NodeId, input: { type: 'Invoke', operation } as unknown as PaxosLog['input'] })),
    ),
    timers: true,
    drops: configuration.drops ?? false,
    ...(crashes > 0 ? { crashes: { nodes: servers, max: crashes, restart: true } } : {}),
    ...(minority.length > 0 ? { partition: [[...minority, ...minorityClients], [...rest, ...restClients]] } : {}),
    prune: outside,
    properties: [
      ...safetyProperties(servers),
      ...(minority.length > 0
        ? [nothingFinalized(), noOperationReturnsInMinority<PaxosLog>(minorityClients, 'nothing can be finalized there, and a server answers only what is finalized')]
        : []),
      clientResultsLinearizable<PaxosLog>() as Property<PaxosLog>,
      ...goals,
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The searches the tests run (searchTests.ts) and search.test.ts checks.

/** A configuration and how the model checker explores it. */
export interface SearchScenario {
  readonly description: string;
  readonly configuration: PaxosLogConfiguration;
  /** Breadth-first search to this depth (and, with `stopAtGoal`, no further than the first goal), or random walks of this many steps. */
  readonly maxDepth: number;
  readonly stopAtGoal?: boolean;
  /** Random walks instead of breadth-first search: this many, each of at most `maxDepth` events. */
  readonly probes?: number;
}

/** Epochs that bound no random walk of the probes' length (a walk ends at a state beyond the bound). */
const epochsForWalks = 120;

/** The searches of the tests (search.test.ts states their state counts with the reference solution). */
export const searchScenarios = {
  twoOperations: {
    description: 'one client: put(x, "1"), then get(x); 3 servers, each may try to lead once (epochs up to 3), one message in flight per link and kind',
    configuration: {
      servers: 3,
      clients: [
        [
          { kind: 'put', key: 'x', value: '1' },
          { kind: 'get', key: 'x' },
        ],
      ],
      maxEpoch: 3,
      linkCapacity: 1,
      goals: ['completion'],
    },
    maxDepth: 24,
    stopAtGoal: true,
  },
  concurrentAppends: {
    description: 'two clients append to x at once; 3 servers, n1 may try to lead once (epoch 1), one message in flight per link and kind',
    configuration: {
      servers: 3,
      clients: [[{ kind: 'append', key: 'x', value: 'a' }], [{ kind: 'append', key: 'x', value: 'b' }]],
      maxEpoch: 1,
      linkCapacity: 1,
      goals: ['executed'],
    },
    maxDepth: 26,
    stopAtGoal: true,
  },
  lateFinalize: {
    description:
      '3 servers: put(old, "a") stored in slot 1 by n0 and n1 in epoch 1, and its Finalize to n0 still on its way; n0 may try to lead (epochs up to 3); ' +
      'a client puts x; one message in flight per link and kind',
    configuration: {
      servers: 3,
      clients: [[{ kind: 'put', key: 'x', value: '1' }]],
      history: 'lateFinalize',
      maxEpoch: 3,
      linkCapacity: 1,
      candidates: [0],
      goals: ['completionAfterFinalizeMidWalk'],
    },
    maxDepth: 40,
    stopAtGoal: true,
  },
  higherEpochFinalized: {
    description:
      '3 servers: put(old, "a") stored in slot 1 by n0 in epoch 1, put(old, "b") by n1 and n2 in epoch 2 and finalized by n2; n0 may then try to lead ' +
      '(epochs up to 3); a client puts x; one message in flight per link and kind',
    configuration: {
      servers: 3,
      clients: [[{ kind: 'put', key: 'x', value: '1' }]],
      history: 'higherEpochFinalized',
      maxEpoch: 3,
      linkCapacity: 1,
      candidates: [0],
      goals: ['completion'],
    },
    maxDepth: 40,
    stopAtGoal: true,
  },
  minority: {
    description: 'n0 and the client cut off from n1 and n2 for the whole search; epochs up to 5, one message in flight per link and kind',
    configuration: {
      servers: 3,
      clients: [[{ kind: 'put', key: 'x', value: '1' }]],
      maxEpoch: 5,
      linkCapacity: 1,
      minority: [0],
      minorityClients: [0],
      goals: ['leaderInMajority'],
    },
    maxDepth: 40,
  },
  staleReadAnswer: {
    description:
      '3 servers: put(old, "a") stored in slot 1 by n0 in epoch 1; a leader of epoch 4 has overthrown n1, and once the servers run it overthrows n2, ' +
      'stores put(old, "b") in slot 1 on n1 and n2 and finalizes it on n1 (it goes on only if their logs were empty); n0 may try to lead in epoch 3, ' +
      'and in epoch 6 once a slot is finalized; one message in flight per link and kind',
    configuration: {
      servers: 3,
      clients: [[]],
      history: 'laterLeaderFinalizes',
      maxEpoch: 6,
      linkCapacity: 1,
      candidates: [0],
      finalizedBeforeEpoch: 6,
      goals: ['leaderFinalizes'],
    },
    maxDepth: 36,
  },
  probes: {
    description: '3 servers, a client appending, a server crash and restart, two client retries',
    configuration: {
      servers: 3,
      clients: [[{ kind: 'append', key: 'x', value: 'a' }]],
      maxEpoch: epochsForWalks,
      crashes: 1,
      clientRetries: 2,
      goals: ['completion'],
    },
    maxDepth: 120,
    probes: 150,
  },
} as const satisfies Record<string, SearchScenario>;

/** A scenario's settings for `node` (the walks' count and length are the test's `probes`). */
export function scenarioSettings(node: NodeClass<PaxosLog>, scenario: SearchScenario): SearchSettings<PaxosLog> {
  return {
    ...paxosLogSearch(node, scenario.configuration),
    ...(scenario.probes === undefined ? { maxDepth: scenario.maxDepth } : {}),
    ...(scenario.stopAtGoal ? { stopAtGoal: true } : {}),
  };
}
