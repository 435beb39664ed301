// What lab 5's tests share: the classes an implementation exports, the timing constants, the
// run builder and the partition shapes. The suite (suite.ts), its hidden tests (hidden.ts) and
// the key-value and membership parts (partE.ts, partF.ts) build on it.
import {
  bridge,
  cutBetween,
  halves,
  majorityRing,
  n0LeadsFirst as n0LeadsFirstAfter,
  onlyThroughNode,
  stabilize as stabilizeWith,
  shapedPartitions,
  RandomSource,
  runSeed,
  runTest,
  type FaultAction,
  type KvClientProtocol,
  type NetworkSettings,
  type NodeClass,
  type NodeId,
  type Property,
  type RunSetup,
  type RunTest,
  type ScheduledInput,
  type SuiteTest,
} from 'distlab/testing';
import { commandsApplied, higherTermEndsLeadership, leaderElected, newLeaderAnnouncesAtOnce, safetyProperties, voterWaitsAfterGranting, votesInTheCandidatesTerm, refusalNamesTheConflict } from './checks.ts';
import { service, type ServiceOptions } from './service.ts';
import type { Command, Raft } from './src/protocol.ts';

export const lab = '05-raft';

export interface RaftImplementation {
  readonly RaftNode: NodeClass<Raft>;
  /** Part E: the key-value service on Raft (a subclass of RaftNode). */
  readonly KvServer: NodeClass<Raft>;
  /** Part E: the client of the key-value service (its own protocol, run beside the servers). */
  readonly KvClient: NodeClass<KvClientProtocol>;
}

/** D: once the network is stable, every message arrives within this many ms. */
export const maxDelayMs = 10;
/** The leader's heartbeat period: five times D. */
export const heartbeatMs = 50;
/** T and 2T: election timeouts are drawn in this range. */
export const electionTimeoutMs: readonly [number, number] = [150, 300];
/** Once a majority can talk, a leader is known within this bound (a few election rounds). */
export const electionBoundMs = 1_000;
/** Once the network is stable and every server up, every command given is applied everywhere within this bound. */
export const commitBoundMs = 2_000;

export const stableNetwork: Partial<NetworkSettings> = { delay: { kind: 'uniform', minMs: 1, maxMs: maxDelayMs }, dropRate: 0, duplicateRate: 0 };

/** Node ids 0..count-1. */
export const range = (from: number, count: number): NodeId[] => Array.from({ length: count }, (_unused, index) => from + index);

/** Seeds 1, 2, 3, ... cycle through `options`. */
export const pick = <T>(options: readonly T[], seed: number): T => options[(seed - 1) % options.length] as T;

/** The seed's own random source for a test's scenario (times, who). */
export const scenarioRandom = (testNumber: string, seed: number) => RandomSource.fork(runSeed(lab, testNumber, seed), 'scenario');

export const describeDeadline = (stableMs: number, boundMs = commitBoundMs) => `(the network is stable and every server up from ${stableMs} ms; the bound is ${boundMs} ms after that)`;

/** What one run of the suite needs. */
export interface RaftRun {
  readonly servers: number;
  readonly durationMs: number;
  /** Says how the run's deadline was set, for the progress messages. */
  readonly deadline: string;
  readonly network?: Partial<NetworkSettings>;
  readonly config?: Partial<Raft['config']>;
  /** The service's commands; none: the test asks only for a leader. */
  readonly service?: Omit<ServiceOptions, 'servers'>;
  /** Start inputs at fixed times, besides the service's (a scenario's own commands). */
  readonly inputs?: readonly ScheduledInput<Raft>[];
  /** Which commands must be applied everywhere (default: all). */
  readonly required?: (command: Command) => boolean;
  /** Within this many ms of every fault, a leader (else only at the end). */
  readonly electionWithinMs?: number;
  /** Every server must agree on the leader's term at the end. */
  readonly everyoneAgrees?: boolean;
  /** Properties of the test, checked first (budgets and test-specific rules). */
  readonly extra?: readonly Property<Raft>[];
  /** End the run once every command is applied on every live server. */
  readonly stopWhenDone?: boolean;
}

export function raftRun(implementation: RaftImplementation, run: RaftRun): RunSetup<Raft> {
  const servers = range(0, run.servers);
  const workload = run.service === undefined ? undefined : service({ ...run.service, servers });
  const config = { electionTimeoutMs, heartbeatMs, ...run.config };
  return {
    nodes: servers.map(() => ({ role: 'server' as const, node: implementation.RaftNode })),
    config,
    network: { ...stableNetwork, ...run.network },
    // No clock, as under search: a node that could read one in runs could tell a run from a search.
    clock: false,
    durationMs: run.durationMs,
    ...(workload === undefined ? {} : { workload }),
    ...(run.inputs === undefined ? {} : { inputs: run.inputs }),
    ...(run.stopWhenDone && workload !== undefined ? { stopWhen: (cluster) => workload.finished(cluster) } : {}),
    properties: [
      ...(run.extra ?? []),
      // The kit's service makes every snapshot of these runs: its data has the service's form.
      ...safetyProperties(servers, { serviceSnapshots: true }),
      higherTermEndsLeadership(),
      votesInTheCandidatesTerm(),
      refusalNamesTheConflict(),
      voterWaitsAfterGranting(config.electionTimeoutMs[0]),
      newLeaderAnnouncesAtOnce(servers),
      leaderElected(servers, run.electionWithinMs === undefined ? run.deadline : `(a leader is due within ${run.electionWithinMs} ms of every fault, and at the end)`, {
        ...(run.electionWithinMs === undefined ? {} : { withinMs: run.electionWithinMs }),
        ...(run.everyoneAgrees ? { everyone: true } : {}),
      }),
      ...(workload === undefined && run.inputs === undefined
        ? []
        : [commandsApplied(servers, run.deadline, run.required === undefined ? {} : { required: run.required })]),
    ],
  };
}

type RaftRunTest = RunTest<Raft, RaftImplementation>;
export type Part = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

export function test(
  part: Part,
  index: number,
  fields: Omit<RaftRunTest, 'number' | 'part' | 'kind' | 'visibility'> & Partial<Pick<RaftRunTest, 'kind' | 'visibility'>>,
): SuiteTest<RaftImplementation> {
  return runTest<Raft, RaftImplementation>({ kind: 'run', visibility: 'visible', ...fields, number: `5${part}.${index}`, part });
}

// Partitions of every shape: the kit's (framework/partitionShapes.ts), which lab 4 shares.
export { bridge, cutBetween, halves, majorityRing, onlyThroughNode, shapedPartitions };

/**
 * When the other servers come back in n0LeadsFirst: n0 has stood alone at least once (its first
 * timeout is at most 2T = 300 ms), and every RequestVote of that candidacy has arrived (within
 * maxDelayMs) at a server still down. One that reached a restarted server would reset its
 * timer, and its own first candidacy could then come before n0's second and take n0's vote.
 */
export const othersBackMs = 300 + maxDelayMs + 1;

/**
 * n0 leads first, by about 630 ms: the other servers are down until othersBackMs, so n0 has the
 * highest term and their first candidacies fail; n0 stands again within 2T, before any of them
 * can stand a second time. Until `untilMs` they cannot talk to one another, so none of them can
 * gather a majority without n0. Then every link heals.
 */
export function n0LeadsFirst(servers: readonly NodeId[], untilMs: number): FaultAction[] {
  return n0LeadsFirstAfter(servers, othersBackMs, [{ atMs: untilMs, type: 'heal' }]);
}

/** The end of a chaotic phase: links healed, every server restarted, the network stable. */
export function stabilize(atMs: number, servers: readonly NodeId[]): FaultAction[] {
  return stabilizeWith(atMs, servers, stableNetwork);
}
