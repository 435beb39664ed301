// The properties every replicated key-value lab checks: the clients' history is linearizable,
// every command is applied at most once, completed writes reach every live replica; and a
// measurement of latency and throughput per run.
import { checkLinearizability } from '../linearizability/checker.ts';
import { keyValueModel } from '../linearizability/models.ts';
import type { LinearizabilityResult } from '../linearizability/types.ts';
import { always, eventually, type Property } from '../properties.ts';
import { nodeName, type NodeId, type Protocol, type Tagged } from '../types.ts';
import { emptyKvHistory, kvHistoryOf, recordKvEvent, unfinishedKvOperations, type KvHistoryOperation, type KvHistoryRecording } from './history.ts';
import type { KvClientOutput, KvServerOutput } from './protocol.ts';
import { describeKvOperation, type KvOperation } from './stateMachine.ts';

export interface LinearizabilityCheckOptions {
  /** The checker's budget of model steps; past it the verdict is `unknown`, which fails. Default 10,000,000. */
  readonly maxSteps?: number;
}

export interface LinearizabilityAlongOptions extends LinearizabilityCheckOptions {
  /** Checks the history so far each time this many more operations have returned. */
  readonly checkEveryOperations: number;
}

/** The name of {@link clientHistoriesLinearizable} and {@link clientHistoriesStayLinearizable}: the grader keeps the history of a failure of it. */
export const clientHistoriesLinearizableName = 'client histories are linearizable';

function describeHistoryOperation(history: readonly KvHistoryOperation[], index: number): string {
  const operation = history[index] as KvHistoryOperation;
  const interval = `${operation.callTime}–${operation.returnTime === null ? 'never returned' : `${operation.returnTime} ms`}`;
  return `${nodeName(operation.client)} [${interval}] ${keyValueModel.describeOperation(operation.input, operation.output)}`;
}

/** What is wrong with a history, in a few lines; undefined when it is linearizable. */
export function describeKvVerdict(history: readonly KvHistoryOperation[], result: LinearizabilityResult, when: string): string | undefined {
  switch (result.verdict) {
    case 'linearizable':
      return undefined;
    case 'unknown': {
      const limit = result.exhausted === 'memo entries' ? `when its memo reached its limit of ${result.maxMemoEntries ?? 'its'} entries` : `after its budget of ${result.maxSteps} steps`;
      return (
        `unknown: the linearizability check of the clients' ${history.length} operations ${when} gave up ${limit} ` +
        `(${result.undecidedParts.length} of ${result.parts} keys undecided). An unknown verdict is a failure, never a pass: ` +
        'raise maxSteps, or give the test fewer concurrent operations per key'
      );
    }
    case 'not linearizable': {
      const [failure] = result.failures;
      if (failure === undefined) return `the clients' history is not linearizable ${when}`;
      const lines = [`the clients' history ${when} is not linearizable: ${failure.reason}`];
      lines.push(`  failing operation: ${describeHistoryOperation(history, failure.failingOperation)}`);
      const shown = failure.longestPrefix.slice(-8);
      if (shown.length > 0) {
        lines.push(`  the longest order that works (${failure.longestPrefix.length} operations from ${failure.initialState}) ends with:`);
        shown.forEach((index, at) => {
          const state = failure.statesAfterPrefix[failure.longestPrefix.length - shown.length + at] ?? '';
          lines.push(`    ${describeHistoryOperation(history, index)}  -> ${state}`);
        });
      }
      if (result.failures.length > 1) lines.push(`  (${result.failures.length - 1} more keys fail too)`);
      return lines.join('\n');
    }
  }
}

function judgeHistory(recording: KvHistoryRecording, when: string, options: LinearizabilityCheckOptions): string | undefined {
  const history = kvHistoryOf(recording);
  const checkOptions = options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps };
  return describeKvVerdict(history, checkLinearizability(keyValueModel, history, checkOptions), when);
}

/**
 * "client histories are linearizable", judged when the run ends, as a safety property (a
 * failure is a `violation`): the history built from the clients' `Invoke` inputs and
 * `Returned` outputs is checked against a sequential key-value map. Operations that never
 * returned may or may not have taken effect. A check that runs out of steps (`unknown`)
 * fails, with its own message. An empty history is linearizable: pair it with
 * {@link clientsMakeProgress} (as {@link kvServiceProperties} does) so that doing nothing
 * fails. {@link clientHistoriesStayLinearizable} also checks along the run.
 */
export function clientHistoriesLinearizable<P extends Protocol>(options: LinearizabilityCheckOptions = {}): Property<P, KvHistoryRecording> {
  return always<P, KvHistoryRecording>(
    clientHistoriesLinearizableName,
    {
      memory: () => emptyKvHistory(),
      records: ['input:Invoke', 'output:Returned'],
      record: (recording, event) => recordKvEvent(recording, event),
      check(cluster, recording) {
        if (recording.returned === 0) return undefined;
        return judgeHistory(recording, `at ${cluster.nowMs} ms`, options);
      },
    },
    { atEnd: true },
  );
}

/** "clients make progress": by the end of the run, the clients were given operations and some of them returned. */
export function clientsMakeProgress<P extends Protocol>(): Property<P, KvHistoryRecording> {
  return eventually<P, KvHistoryRecording>('clients make progress', {
    memory: () => emptyKvHistory(),
    records: ['input:Invoke', 'output:Returned'],
    record: (recording, event) => recordKvEvent(recording, event),
    check(cluster, recording) {
      if (recording.operations.length === 0) return 'no progress: no client was given an operation';
      if (recording.returned === 0) {
        const count = recording.operations.length;
        return `no progress: ${count === 1 ? "the clients' one operation did not return" : `none of the clients' ${count} operations returned`} by ${cluster.nowMs} ms`;
      }
      return undefined;
    },
  });
}

/**
 * The same property checked along the run, as a safety property: each time
 * `checkEveryOperations` more operations have returned, the history so far (pending
 * operations count as never returned) must be linearizable. A violation stops the run there,
 * closer to its cause. Use it with {@link clientHistoriesLinearizable}, which judges the end.
 */
export function clientHistoriesStayLinearizable<P extends Protocol>(options: LinearizabilityAlongOptions): Property<P, KvHistoryRecording> {
  const every = options.checkEveryOperations;
  if (!(Number.isInteger(every) && every > 0)) throw new Error('checkEveryOperations must be a positive integer');
  return always<P, KvHistoryRecording>(clientHistoriesLinearizableName, {
    memory: () => emptyKvHistory(),
    records: ['input:Invoke', 'output:Returned'],
    record(recording, event) {
      const problem = recordKvEvent(recording, event);
      if (problem !== undefined) return problem;
      if (event.kind !== 'output' || recording.returned === 0 || recording.returned % every !== 0) return undefined;
      return judgeHistory(recording, `after ${recording.returned} returned operations (at ${event.timeMs} ms)`, options);
    },
  });
}

interface AppliedCommand {
  readonly index: number;
  readonly timeMs: number;
}

/** Per server: its incarnation and what it applied in it, by "client:sequence". */
type AppliedPerServer = ({ incarnation: number; applied: Record<string, AppliedCommand> } | null)[];

const commandKey = (client: NodeId, sequence: number) => `${client}:${sequence}`;

/**
 * "every command is applied at most once": no server's state machine applies the same
 * command (client and sequence number) twice in one incarnation. Servers report each command
 * they apply with an `Executed` output; a restarted server may apply its log again.
 */
export function commandsAppliedAtMostOnce<P extends Protocol>(): Property<P, AppliedPerServer> {
  return always<P, AppliedPerServer>('every command is applied at most once', {
    memory: (cluster) => cluster.nodeIds.map(() => null),
    records: ['output:Executed'],
    record(perServer, event) {
      if (event.kind !== 'output') return undefined;
      const output = event.output as Tagged;
      if (output.type !== 'Executed') return undefined;
      const { client, sequence, index } = output as KvServerOutput;
      let server = perServer[event.node] ?? null;
      if (server === null || server.incarnation !== event.incarnation) {
        server = { incarnation: event.incarnation, applied: {} };
        perServer[event.node] = server;
      }
      const key = commandKey(client, sequence);
      const earlier = Object.hasOwn(server.applied, key) ? server.applied[key] : undefined;
      if (earlier !== undefined) {
        return (
          `${nodeName(event.node)} applied command ${sequence} of ${nodeName(client)} twice: from log index ${earlier.index} at ${earlier.timeMs} ms ` +
          `and again from log index ${index} at ${event.timeMs} ms. A retried or duplicated request must be answered from the ` +
          'at-most-once table (the last sequence number and result per client), not applied again'
        );
      }
      server.applied[key] = { index, timeMs: event.timeMs };
      return undefined;
    },
  });
}

interface Reach {
  /** Completed operations, in the order they returned. */
  readonly completed: { readonly client: NodeId; readonly sequence: number; readonly operation: KvOperation; readonly timeMs: number }[];
  /** Per server, in any incarnation: the commands it applied, by "client:sequence". */
  readonly appliedBy: Record<string, true>[];
}

export interface ReachOptions {
  /** The replicas must hold every completed write within this many ms of the last fault; without: when the run ends. */
  readonly withinMs?: number;
  /** Also count completed gets (for labs that put reads in the log too). Default false: reads need not be logged. */
  readonly includeGets?: boolean;
}

/**
 * "completed operations reach every live replica": every operation a client saw return (puts
 * and appends; gets too with `includeGets`) has been applied, by the time the run ends or
 * within `withinMs` of the last fault, by every server that is up, as its `Executed` outputs show.
 */
export function completedOperationsReachEveryLiveReplica<P extends Protocol>(options: ReachOptions = {}): Property<P, Reach> {
  const within = options.withinMs === undefined ? {} : { withinMs: options.withinMs };
  return eventually<P, Reach>(
    'completed operations reach every live replica',
    {
      memory: (cluster) => ({ completed: [], appliedBy: cluster.nodeIds.map(() => ({})) }),
      records: ['output:Returned', 'output:Executed'],
      record(reach, event) {
        if (event.kind !== 'output') return undefined;
        const output = event.output as Tagged;
        if (output.type === 'Executed') {
          const applied = output as KvServerOutput;
          const set = reach.appliedBy[event.node];
          if (set !== undefined) set[commandKey(applied.client, applied.sequence)] = true;
        } else if (output.type === 'Returned') {
          const returned = output as KvClientOutput;
          if (returned.operation.kind !== 'get' || options.includeGets === true) {
            reach.completed.push({ client: event.node, sequence: returned.sequence, operation: returned.operation, timeMs: event.timeMs });
          }
        }
        return undefined;
      },
      check(cluster, reach) {
        for (const server of cluster.servers) {
          if (cluster.isCrashed(server)) continue;
          const applied = reach.appliedBy[server] ?? {};
          const missing = reach.completed.filter((operation) => !Object.hasOwn(applied, commandKey(operation.client, operation.sequence)));
          const [first] = missing;
          if (first === undefined) continue;
          return (
            `${nodeName(server)}, which is up, has not applied ${missing.length} of the ${reach.completed.length} completed writes by ${cluster.nowMs} ms; ` +
            `the first: ${describeKvOperation(first.operation)} of ${nodeName(first.client)} (command ${first.sequence}), which returned at ${first.timeMs} ms`
          );
        }
        return undefined;
      },
    },
    within,
  );
}

/**
 * "no operation completes in the minority": no operation that `clients` (cut off with a minority
 * of servers) call from `fromMs` on returns before `untilMs`. Judged when the run ends.
 */
export function nothingCompletesInMinority<P extends Protocol>(clients: readonly NodeId[], fromMs: number, untilMs: number, why: string): Property<P, KvHistoryRecording> {
  return always<P, KvHistoryRecording>(
    'no operation completes in the minority',
    {
      memory: () => emptyKvHistory(),
      records: ['input:Invoke', 'output:Returned'],
      record: (recording, event) => recordKvEvent(recording, event),
      check(_cluster, recording) {
        const completed = kvHistoryOf(recording).find(
          (operation) => clients.includes(operation.client) && operation.callTime >= fromMs && operation.returnTime !== null && operation.returnTime < untilMs,
        );
        if (completed === undefined) return undefined;
        return (
          `${nodeName(completed.client)}'s ${describeKvOperation(completed.input)}, called at ${completed.callTime} ms, returned at ${completed.returnTime} ms ` +
          `(${JSON.stringify(completed.output)}) ${why}: only a majority commits, and a leader answers only what is committed`
        );
      },
    },
    { atEnd: true },
  );
}

// The majority goes on without the leader the clients used.

/**
 * "the clients reach the majority": each of `clients`, which can reach a majority of the servers
 * but not the leader it used, has an operation called after `fromMs` return before `untilMs`.
 * A stale leader cut off in a minority, and the followers cut off with it, keep naming it: a
 * client that goes back to it after a timeout never reaches the majority, and a cluster whose
 * one leader is away serves nobody.
 * Judged when the run ends.
 */
export function clientsReachTheMajority<P extends Protocol>(clients: readonly NodeId[], fromMs: number, untilMs: number, why: string): Property<P, KvHistoryRecording> {
  return always<P, KvHistoryRecording>(
    'the clients reach the majority',
    {
      memory: () => emptyKvHistory(),
      records: ['input:Invoke', 'output:Returned'],
      record: (recording, event) => recordKvEvent(recording, event),
      check(_cluster, recording) {
        // Nothing returned at all: "clients make progress" says so.
        if (recording.returned === 0) return undefined;
        const operations = kvHistoryOf(recording);
        for (const client of clients) {
          const own = operations.filter((operation) => operation.client === client);
          if (own.some((operation) => operation.callTime >= fromMs && operation.returnTime !== null && operation.returnTime < untilMs)) continue;
          const stuck = own.find((operation) => operation.callTime < untilMs && (operation.returnTime === null || operation.returnTime >= untilMs));
          const detail = stuck === undefined ? '' : ` (its ${describeKvOperation(stuck.input)}, called at ${stuck.callTime} ms, ${stuck.returnTime === null ? 'never returned' : `returned only at ${stuck.returnTime} ms`})`;
          return (
            `${nodeName(client)} completed no operation called from ${fromMs} ms on before ${untilMs} ms${detail}, ${why}: ` +
            'after a timeout a client tries the next server, not the leader it believed in, and so reaches the majority'
          );
        }
        return undefined;
      },
    },
    { atEnd: true },
  );
}

/**
 * "every operation completes after the heal": every operation called returns, and each one
 * pending at `healMs` returns by `healMs + boundMs`. Judged when the run ends, as the progress
 * it is (a failure is headed "liveness property not met").
 */
export function operationsCompleteAfterHeal<P extends Protocol>(healMs: number, boundMs: number): Property<P, KvHistoryRecording> {
  return eventually<P, KvHistoryRecording>(
    'every operation completes after the heal',
    {
      memory: () => emptyKvHistory(),
      records: ['input:Invoke', 'output:Returned'],
      record: (recording, event) => recordKvEvent(recording, event),
      check(cluster, recording) {
        // Nothing returned at all: "clients make progress" says so.
        if (recording.returned === 0) return undefined;
        for (const operation of kvHistoryOf(recording)) {
          const what = `${nodeName(operation.client)}'s ${describeKvOperation(operation.input)}, called at ${operation.callTime} ms,`;
          if (operation.returnTime === null) return `${what} never returned (the network healed at ${healMs} ms; the run ended at ${cluster.nowMs} ms)`;
          if (operation.callTime < healMs && operation.returnTime > healMs + boundMs) {
            return `${what} returned only at ${operation.returnTime} ms, more than ${boundMs} ms after the network healed at ${healMs} ms`;
          }
        }
        return undefined;
      },
    },
  );
}

/**
 * When the first operation left was called shortly before the run ended while others kept
 * returning to the end, the service works but is slow: says so, since a lost retry is then not
 * the likely cause.
 */
function slowServiceNote(recording: KvHistoryRecording, first: { readonly callTime: number }, endMs: number): string {
  const returnTimes = kvHistoryOf(recording).flatMap((operation) => (operation.returnTime === null ? [] : [operation.returnTime]));
  if (returnTimes.length < 10 || endMs - first.callTime > 1_000) return '';
  const earliest = Math.min(...returnTimes);
  const last = Math.max(...returnTimes);
  if (endMs - last > 500 || last <= earliest) return '';
  const perSecond = Math.round(((returnTimes.length - 1) * 1000) / (last - earliest));
  return (
    `. Other operations kept returning until ${last} ms (${perSecond} a second on average), and this one was called ${endMs - first.callTime} ms before the run ended: ` +
    'the service works, but too slowly to finish the workload in time (a leader should handle several commands at once, and send each as it comes rather than at its next heartbeat)'
  );
}

/**
 * "every operation returns": by the end of the run, every operation a client was given has
 * returned (runs end once they all have, or at their horizon). Nothing returned at all is
 * "clients make progress"'s to say.
 */
export function everyOperationReturns<P extends Protocol>(): Property<P, KvHistoryRecording> {
  return eventually<P, KvHistoryRecording>('every operation returns', {
    memory: () => emptyKvHistory(),
    records: ['input:Invoke', 'output:Returned'],
    record: (recording, event) => recordKvEvent(recording, event),
    check(cluster, recording) {
      if (recording.returned === 0) return undefined;
      // A client that crashed in the middle of an operation abandoned it: nobody is left to return it.
      const pending = unfinishedKvOperations(recording, cluster);
      const [first] = pending;
      if (first === undefined) return undefined;
      return (
        `${pending.length} operation${pending.length === 1 ? '' : 's'} of ${recording.operations.length} never returned by ${cluster.nowMs} ms; the first: ` +
        `${nodeName(first.client)}'s ${describeKvOperation(first.input)}, called at ${first.callTime} ms. Once faults end, a client's retries reach the leader, ` +
        `and the leader answers every command it commits${slowServiceNote(recording, first, cluster.nowMs)}`
      );
    },
  });
}

/**
 * Latency and throughput, per run (never judged): in the run's `measurements`,
 * `kvOperationsReturned`, `kvOperationsUnfinished`, `kvLatencyMeanMs`, `kvLatencyMedianMs`,
 * `kvLatencyP99Ms`, `kvLatencyMaxMs` and `kvThroughputPerSecond` (returned operations per
 * simulated second, from the first call to the last return).
 */
export function clientLatency<P extends Protocol>(): Property<P, KvHistoryRecording> {
  return always<P, KvHistoryRecording>('client latency and throughput', {
    memory: () => emptyKvHistory(),
    records: ['input:Invoke', 'output:Returned'],
    record(recording, event) {
      recordKvEvent(recording, event);
      return undefined;
    },
    measure(recording) {
      return measureKvHistory(kvHistoryOf(recording));
    },
  });
}

/** The figures of {@link clientLatency}, from a history. */
export function measureKvHistory(history: readonly KvHistoryOperation[]): Record<string, number> {
  const latencies: number[] = [];
  let firstCall = Number.POSITIVE_INFINITY;
  let lastReturn = Number.NEGATIVE_INFINITY;
  for (const operation of history) {
    firstCall = Math.min(firstCall, operation.callTime);
    if (operation.returnTime === null) continue;
    latencies.push(operation.returnTime - operation.callTime);
    lastReturn = Math.max(lastReturn, operation.returnTime);
  }
  latencies.sort((left, right) => left - right);
  const quantile = (fraction: number) => latencies[Math.min(latencies.length - 1, Math.ceil(fraction * latencies.length) - 1)] ?? 0;
  const spanMs = lastReturn - firstCall;
  return {
    kvOperationsReturned: latencies.length,
    kvOperationsUnfinished: history.length - latencies.length,
    kvLatencyMeanMs: latencies.length === 0 ? 0 : latencies.reduce((sum, latency) => sum + latency, 0) / latencies.length,
    kvLatencyMedianMs: quantile(0.5),
    kvLatencyP99Ms: quantile(0.99),
    kvLatencyMaxMs: latencies.at(-1) ?? 0,
    kvThroughputPerSecond: latencies.length === 0 || !(spanMs > 0) ? 0 : (latencies.length * 1000) / spanMs,
  };
}

/** The kit's properties for a lab's run tests: the three judged ones (the history along the run too, with `checkEveryOperations`) and the latency measurement. */
export function kvServiceProperties<P extends Protocol>(options: LinearizabilityCheckOptions & ReachOptions & { readonly checkEveryOperations?: number } = {}): Property<P>[] {
  const { checkEveryOperations } = options;
  return [
    commandsAppliedAtMostOnce<P>(),
    ...(checkEveryOperations === undefined ? [] : [clientHistoriesStayLinearizable<P>({ ...options, checkEveryOperations })]),
    clientHistoriesLinearizable<P>(options),
    clientsMakeProgress<P>(),
    completedOperationsReachEveryLiveReplica<P>(options),
    clientLatency<P>(),
  ] as Property<P>[];
}
