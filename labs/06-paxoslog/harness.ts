// What lab 6's tests share: the class an implementation exports, the timing constants, and the
// run builder: N servers running the implementation's PaxosLogServer, M client nodes running
// the key-value kit's client, driven by the kit's closed-loop workload. Every run checks the
// log's safety properties (checks.ts), the kit's linearizability, at-most-once and progress,
// that every operation returns, and that completed writes reach every live server.
import {
  kvRun,
  RandomSource,
  runSeed,
  runTest,
  searchTest,
  type KvLab,
  type KvOperation,
  type KvRunOptions,
  type NetworkSettings,
  type NodeClass,
  type NodeId,
  type RunSetup,
  type RunTest,
  type ScheduledInput,
  type SearchTest,
  type SuiteTest,
  type Tagged,
} from 'distlab/testing';
import { overthrownServerWritesEpoch, safetyProperties, walkReadsFromMajority } from './checks.ts';
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

/**
 * The same on a network that loses messages: forty heartbeats, so that a server that lost its
 * Finalize catches up through the queries. A catch-up takes four or five messages in a row
 * (Query, QueryReply, Finalize, missing, Store...), each lost one time in five, so one try in
 * three gets through; twenty heartbeats left a correct server that tries every other heartbeat
 * short on about one seed in fifty.
 */
export const lossySettleMs = 40 * heartbeatMs;

/** After the last fault, the run goes on at least this long: a server cut off or down catches up. */
export const catchUpMs = 600;

/** An operation for a client at a fixed time (a scenario's own calls, beside the workload's). */
export const call = (atMs: number, client: NodeId, operation: KvOperation): ScheduledInput<PaxosLog> => ({
  atMs,
  node: client,
  input: { type: 'Invoke', operation } as Tagged as PaxosLog['input'],
});

/** A run's servers, clients, workload and faults-related options: the key-value kit's. */
export type PaxosLogRunOptions = KvRunOptions<PaxosLog>;

/** What every run of this lab shares. */
// Runs check that a new leader reads from a majority, and that an overthrown server writes the higher epoch, too (their memories would split a search's states).
const paxosLogLab: KvLab<PaxosLog> = {
  config: defaultConfig,
  clientRetryMs,
  network: stableNetwork,
  safety: (servers) => [...safetyProperties(servers), walkReadsFromMajority(servers), overthrownServerWritesEpoch()],
  settleMs,
  lossySettleMs,
  catchUpMs,
};

/** The run: N servers running the implementation's PaxosLogServer, M of the kit's clients, and the kit's workload (see KvRunOptions). */
export function paxosLogRun(implementation: PaxosLogImplementation, options: PaxosLogRunOptions): RunSetup<PaxosLog> {
  // No clock, as under search: a node that could read one in runs could tell a run from a search.
  return { ...kvRun(paxosLogLab, implementation.PaxosLogServer, options), clock: false };
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
