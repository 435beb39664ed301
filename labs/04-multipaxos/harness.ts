// What lab 4's tests share: the class an implementation exports, the timing constants, and the
// run builder: N servers running the implementation's MultiPaxosServer, M client nodes running
// the key-value kit's client, driven by the kit's closed-loop workload. Every run checks
// MultiPaxos's safety properties (checks.ts), the kit's linearizability, at-most-once and
// progress, that every operation returns, and that completed writes reach every live replica.
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
  type FaultAction,
  type Tagged,
} from 'distlab/testing';
import { ballotUsedOnce, chosenOncePerSlot, collectsOnlyBelowCollectBelow, phaseTwoAfterPhaseOne, preemptedLeaderStepsDown, safetyProperties } from './checks.ts';
import type { MultiPaxos } from './src/protocol.ts';

export const lab = '04-multipaxos';

export interface MultiPaxosImplementation {
  /** One server: replica, leader and acceptor. */
  readonly MultiPaxosServer: NodeClass<MultiPaxos>;
}

/** Once the network is stable, every message arrives within this many ms. */
export const maxDelayMs = 10;
/** The leader's heartbeat period. */
export const heartbeatMs = 50;
/** A server that hears no heartbeat for a time drawn in this range runs phase 1. */
export const leaderTimeoutMs: readonly [number, number] = [150, 300];
/** The clients' retry period (the kit's default). */
export const clientRetryMs = 100;

export const stableNetwork: Partial<NetworkSettings> = { delay: { kind: 'uniform', minMs: 1, maxMs: maxDelayMs }, dropRate: 0, duplicateRate: 0 };

/** The config every run uses, unless a test says otherwise. */
export const defaultConfig: MultiPaxos['config'] = { heartbeatMs, leaderTimeoutMs, kvClient: { retryMs: clientRetryMs } };

/** Ids from..from+count-1. */
export const range = (from: number, count: number): NodeId[] => Array.from({ length: count }, (_unused, index) => from + index);

/** Seeds 1, 2, 3, ... cycle through `options`. */
export const pick = <T>(options: readonly T[], seed: number): T => options[(seed - 1) % options.length] as T;

/** The seed's own random source for a test's scenario (times, who). */
export const scenarioRandom = (testNumber: string, seed: number) => RandomSource.fork(runSeed(lab, testNumber, seed), 'scenario');

/** Clients start once a leader is likely: the first phase 1 starts within the largest leader timeout and takes a round trip. */
export const firstCallMs: readonly [number, number] = [350, 450];

/** Once the last operation returned, the run goes on this long, so that every live server executes it (two heartbeats and the catch-up). */
export const settleMs = 3 * heartbeatMs + 4 * maxDelayMs;

/** The same on a network that loses messages: twenty heartbeats, so that a replica that lost its messages hears of the last decisions too. */
export const lossySettleMs = 20 * heartbeatMs;

/** After the last fault, the run goes on at least this long: a server cut off or down catches up. */
export const catchUpMs = 600;

/** An operation for a client at a fixed time (a scenario's own calls, beside the workload's). */
export const call = (atMs: number, client: NodeId, operation: KvOperation): ScheduledInput<MultiPaxos> => ({
  atMs,
  node: client,
  input: { type: 'Invoke', operation } as Tagged as MultiPaxos['input'],
});

/**
 * The scenario clients of a hole (4.18, 4.32 to 4.34), after the workload's two: the first one's
 * command is accepted by n0 alone in slot s, the second one's is chosen in s + 1.
 */
export const holeClients = { first: 7, second: 8 } as const;

/**
 * The hole clients' calls: one each at `warmUpMs` (so that each learns n0 leads, and its next
 * request goes straight to n0), the two that make the hole at `holeMs`, and a read each after the heal.
 */
export const holeCalls = (warmUpMs: number, holeMs: number, healMs: number): ScheduledInput<MultiPaxos>[] => {
  const { first, second } = holeClients;
  return [
    call(warmUpMs, first, { kind: 'append', key: 'x', value: 'A0;' }),
    call(warmUpMs + 20, second, { kind: 'append', key: 'y', value: 'B0;' }),
    call(holeMs, first, { kind: 'append', key: 'x', value: 'A1;' }),
    call(holeMs + 2, second, { kind: 'append', key: 'y', value: 'B1;' }),
    call(healMs + 300, first, { kind: 'get', key: 'x' }),
    call(healMs + 300, second, { kind: 'get', key: 'y' }),
  ];
};

/**
 * The hole, with n0 leading: every message takes exactly 1 ms, so the first hole client's command
 * reaches n0 while nothing n0 sends reaches the others (for 2 ms), and the second's after it. At
 * `holeMs + 5` each test cuts n0 off its own way, and makes the network stable again.
 */
export const holeFaults = (servers: readonly NodeId[], holeMs: number): FaultAction[] => [
  { atMs: holeMs - 20, type: 'network', delay: { kind: 'uniform', minMs: 1, maxMs: 1 } },
  { atMs: holeMs, type: 'cut', from: [0], to: servers.filter((node) => node !== 0) },
  { atMs: holeMs + 2, type: 'heal' },
];

/** A run's servers, clients, workload and faults-related options: the key-value kit's. */
export type MultiPaxosRunOptions = KvRunOptions<MultiPaxos>;

/** What every run of this lab shares. */
const multipaxosLab: KvLab<MultiPaxos> = { config: defaultConfig, clientRetryMs, network: stableNetwork, safety: safetyProperties, settleMs, lossySettleMs, catchUpMs };

/** The run: N servers running the implementation's MultiPaxosServer, M of the kit's clients, and the kit's workload (see KvRunOptions). */
export function multipaxosRun(implementation: MultiPaxosImplementation, options: MultiPaxosRunOptions): RunSetup<MultiPaxos> {
  // Runs only: a search may start from a scripted history, with a leader whose phase 1 it does not replay.
  const setup = kvRun(multipaxosLab, implementation.MultiPaxosServer, { ...options, extra: [phaseTwoAfterPhaseOne(range(0, options.servers)), ballotUsedOnce(range(0, options.servers)), preemptedLeaderStepsDown(range(0, options.servers)), chosenOncePerSlot(), ...(options.extra ?? [])],
    // After the safety properties: a deletion that breaks "safe garbage collection" is reported as that.
    extraAfter: [collectsOnlyBelowCollectBelow(range(0, options.servers)), ...(options.extraAfter ?? [])],
  });
  // No clock, as under search: a node that could read one in runs could tell a run from a search.
  return { ...setup, clock: false };
}

type MultiPaxosRunTest = RunTest<MultiPaxos, MultiPaxosImplementation>;

/** A run test numbered 4.`index`. */
export function test(
  index: number,
  fields: Omit<MultiPaxosRunTest, 'number' | 'part' | 'kind' | 'visibility'> & Partial<Pick<MultiPaxosRunTest, 'kind' | 'visibility'>>,
): SuiteTest<MultiPaxosImplementation> {
  return runTest<MultiPaxos, MultiPaxosImplementation>({ kind: 'run', visibility: 'visible', ...fields, number: `4.${index}`, part: '' });
}

type MultiPaxosSearchTest = SearchTest<MultiPaxos, MultiPaxosImplementation>;

/** A search test numbered 4.S`index`. */
export function search(
  index: number,
  fields: Omit<MultiPaxosSearchTest, 'number' | 'part' | 'kind' | 'visibility'> & Partial<Pick<MultiPaxosSearchTest, 'visibility'>>,
): SuiteTest<MultiPaxosImplementation> {
  return searchTest<MultiPaxos, MultiPaxosImplementation>({ kind: 'search', visibility: 'visible', ...fields, number: `4.S${index}`, part: '' });
}
