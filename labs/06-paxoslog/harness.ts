// What lab 6's tests share: the class an implementation exports, the timing constants, and the
// run builder: N servers running the implementation's PaxosLogServer, M client nodes running
// the key-value kit's client, driven by the kit's closed-loop workload. Every run checks the
// log's safety properties (checks.ts), the kit's linearizability, at-most-once and progress,
// that every operation returns, and that completed writes reach every live server.
import {
  clientHistoriesLinearizable,
  clientLatency,
  clientsMakeProgress,
  commandsAppliedAtMostOnce,
  completedOperationsReachEveryLiveReplica,
  everyOperationReturns,
  kvClientNodes,
  kvWorkload,
  RandomSource,
  runSeed,
  runTest,
  searchTest,
  type ClusterView,
  type KvOperation,
  type KvWorkloadOptions,
  type NetworkSettings,
  type NodeClass,
  type NodeId,
  type Property,
  type RunSetup,
  type RunTest,
  type ScheduledInput,
  type SearchTest,
  type SuiteTest,
  type Tagged,
} from 'distlab/testing';
import { safetyProperties } from './checks.ts';
import type { PaxosLog } from './src/protocol.ts';

export const lab = '06-paxoslog';

export interface PaxosLogImplementation {
  /** One server: passive, candidate or leader of its epoch, and a replica of the log. */
  readonly PaxosLogServer: NodeClass<PaxosLog>;
}

/** Once the network is stable, every message arrives within this many ms. */
export const maxDelayMs = 10;
/** The leader's heartbeat (Query) period. */
export const heartbeatMs = 50;
/** A passive server that hears from no leader for a time drawn in this range tries to lead. */
export const leaderTimeoutMs: readonly [number, number] = [150, 300];
/** The clients' retry period (the kit's default). */
export const clientRetryMs = 100;

export const stableNetwork: Partial<NetworkSettings> = { delay: { kind: 'uniform', minMs: 1, maxMs: maxDelayMs }, dropRate: 0, duplicateRate: 0 };

/** The config every run uses, unless a test says otherwise. */
export const defaultConfig: PaxosLog['config'] = { heartbeatMs, leaderTimeoutMs, kvClient: { retryMs: clientRetryMs } };

/** Ids from..from+count-1. */
export const range = (from: number, count: number): NodeId[] => Array.from({ length: count }, (_unused, index) => from + index);

/** Seeds 1, 2, 3, ... cycle through `options`. */
export const pick = <T>(options: readonly T[], seed: number): T => options[(seed - 1) % options.length] as T;

/** The seed's own random source for a test's scenario (times, who). */
export const scenarioRandom = (testNumber: string, seed: number) => RandomSource.fork(runSeed(lab, testNumber, seed), 'scenario');

/** Clients start once a leader is likely: the first overthrow starts within the largest leader timeout and takes a round trip. */
export const firstCallMs: readonly [number, number] = [350, 450];

/** Once the last operation returned, the run goes on this long, so that every live server finalizes and executes it (two heartbeats and a catch-up). */
export const settleMs = 3 * heartbeatMs + 4 * maxDelayMs;

/** The same on a network that loses messages: twenty heartbeats, so that a server that lost its Finalize catches up through the queries. */
export const lossySettleMs = 20 * heartbeatMs;

/** After the last fault, the run goes on at least this long: a server cut off or down catches up. */
export const catchUpMs = 600;

/** An operation for a client at a fixed time (a scenario's own calls, beside the workload's). */
export const call = (atMs: number, client: NodeId, operation: KvOperation): ScheduledInput<PaxosLog> => ({
  atMs,
  node: client,
  input: { type: 'Invoke', operation } as Tagged as PaxosLog['input'],
});

export interface PaxosLogRunOptions {
  /** Servers n0..n(N-1), running the implementation's PaxosLogServer. */
  readonly servers: number;
  /** Client nodes after the servers, running the key-value kit's client. */
  readonly clients: number;
  /** The horizon: the run fails its progress properties if the workload has not finished by then. */
  readonly durationMs: number;
  /** The kit's workload: operations per client, keys, think time, start time, mix, which clients take part. */
  readonly workload: KvWorkloadOptions;
  readonly network?: Partial<NetworkSettings>;
  /** Config on top of the suite's (heartbeatMs, leaderTimeoutMs, the client's retry period). */
  readonly config?: Partial<PaxosLog['config']>;
  /**
   * Inputs at fixed times, besides the workload's (a scenario's own operations). They go to
   * clients that do not take part in the workload (`workload.clients` leaves them out); the run
   * ends only once they have returned.
   */
  readonly inputs?: readonly ScheduledInput<PaxosLog>[];
  /** The test's own properties, checked before the standard ones (budgets, scenario rules). */
  readonly extra?: readonly Property<PaxosLog>[];
  /** The test's own properties, checked after the standard ones (judged at the end, after linearizability). */
  readonly extraAfter?: readonly Property<PaxosLog>[];
  /** Also check "completed operations reach every live replica" (default true). */
  readonly reach?: boolean;
  /** The linearizability checker's budget of steps. */
  readonly maxSteps?: number;
  /** The time of the test's last fault (a heal, a restart): the run does not end before it, and the servers had time to catch up. */
  readonly faultsEndMs?: number;
}

/** Client node ids of a run: after the servers. */
export const clientIds = (servers: number, clients: number): NodeId[] => range(servers, clients);

/** The properties every run checks (after the test's own `extra`, before its `extraAfter`). */
export function standardProperties(servers: readonly NodeId[], options: Pick<PaxosLogRunOptions, 'reach' | 'maxSteps'> = {}): Property<PaxosLog>[] {
  const linearizability = options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps };
  return [
    ...safetyProperties(servers),
    commandsAppliedAtMostOnce<PaxosLog>(),
    clientHistoriesLinearizable<PaxosLog>(linearizability),
    clientsMakeProgress<PaxosLog>(),
    everyOperationReturns<PaxosLog>(),
    ...(options.reach === false ? [] : [completedOperationsReachEveryLiveReplica<PaxosLog>()]),
    clientLatency<PaxosLog>(),
  ] as Property<PaxosLog>[];
}

/** The run: see PaxosLogRunOptions. */
export function paxosLogRun(implementation: PaxosLogImplementation, options: PaxosLogRunOptions): RunSetup<PaxosLog> {
  const servers = range(0, options.servers);
  const kv = kvWorkload<PaxosLog>(options.workload);
  // The scenario's own calls count too: the run ends only once they have all been made and returned.
  const scheduledCalls = (options.inputs ?? []).filter((scheduled) => (scheduled.input as Tagged).type === 'Invoke');
  const lastCallMs = Math.max(0, ...scheduledCalls.map((scheduled) => scheduled.atMs));
  /** When the last operation returned, once every one has (null: not yet). */
  let finishedAtMs: number | null = null;
  let scheduledReturns = 0;
  const settle = (options.network?.dropRate ?? 0) > 0 ? lossySettleMs : settleMs;
  return {
    nodes: [...servers.map(() => ({ role: 'server' as const, node: implementation.PaxosLogServer })), ...kvClientNodes<PaxosLog>(options.clients)],
    config: { ...defaultConfig, ...options.config, kvClient: { retryMs: clientRetryMs, ...options.config?.kvClient } },
    network: { ...stableNetwork, ...options.network },
    durationMs: options.durationMs,
    workload: {
      start(context) {
        finishedAtMs = null;
        scheduledReturns = 0;
        kv.start?.(context);
      },
      onOutput(record, context) {
        kv.onOutput?.(record, context);
        const participates = options.workload.clients === undefined || options.workload.clients.includes(record.node);
        if ((record.output as Tagged).type === 'Returned' && !participates) scheduledReturns++;
        if (finishedAtMs === null && kv.finished() && scheduledReturns >= scheduledCalls.length && context.cluster.nowMs >= lastCallMs) {
          finishedAtMs = context.cluster.nowMs;
        }
      },
    },
    ...(options.inputs === undefined ? {} : { inputs: options.inputs }),
    stopWhen: (cluster: ClusterView<PaxosLog>) =>
      finishedAtMs !== null && cluster.nowMs >= Math.max(finishedAtMs + settle, options.faultsEndMs === undefined ? 0 : options.faultsEndMs + catchUpMs),
    properties: [...(options.extra ?? []), ...standardProperties(servers, options), ...(options.extraAfter ?? [])],
  };
}

type PaxosLogRunTest = RunTest<PaxosLog, PaxosLogImplementation>;

/** A run test numbered 6.`index`. */
export function test(
  index: number,
  fields: Omit<PaxosLogRunTest, 'number' | 'part' | 'kind' | 'visibility'> & Partial<Pick<PaxosLogRunTest, 'kind' | 'visibility'>>,
): SuiteTest<PaxosLogImplementation> {
  return runTest<PaxosLog, PaxosLogImplementation>({ kind: 'run', visibility: 'visible', ...fields, number: `6.${index}`, part: '' });
}

type PaxosLogSearchTest = SearchTest<PaxosLog, PaxosLogImplementation>;

/** A search test numbered 6.S`index`. */
export function search(
  index: number,
  fields: Omit<PaxosLogSearchTest, 'number' | 'part' | 'kind' | 'visibility'> & Partial<Pick<PaxosLogSearchTest, 'visibility'>>,
): SuiteTest<PaxosLogImplementation> {
  return searchTest<PaxosLog, PaxosLogImplementation>({ kind: 'search', visibility: 'visible', ...fields, number: `6.S${index}`, part: '' });
}
