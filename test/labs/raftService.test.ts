// Lab 5, part E's reference: the key-value service on Raft keeps every client history
// linearizable and executes each command once, through lost and duplicated messages,
// partitions, crashes and restarts from snapshots; and each of part E's mutants really
// misbehaves the way its description says, in a scenario made for it.
import { describe, expect, it } from 'vitest';
import {
  clientHistoriesLinearizable,
  clientsMakeProgress,
  commandsAppliedAtMostOnce,
  kvWorkload,
  simulate,
  type FaultAction,
  type KvClientOutput,
  type KvCommand,
  type KvWorkloadOptions,
  type NetworkSettings,
  type NodeClass,
  type NodeId,
  type Property,
  type ScheduledInput,
  type SimulationResult,
} from 'distlab/testing';
import { safetyProperties } from '../../labs/05-raft/checks.ts';
import { n0LeadsFirst, range, type RaftImplementation } from '../../labs/05-raft/harness.ts';
import { serviceRun } from '../../labs/05-raft/serviceRun.ts';
import type { Raft, Snapshot } from '../../labs/05-raft/src/protocol.ts';
import * as reference from '../../solutions/05-raft/index.ts';
import * as retriedCommandAppliedTwice from '../../solutions/05-raft/mutants/retried-command-applied-twice.ts';
import * as duplicateTableNotInSnapshot from '../../solutions/05-raft/mutants/duplicate-table-not-in-snapshot.ts';
import * as staleLeaderAnswersGet from '../../solutions/05-raft/mutants/stale-leader-answers-get.ts';
import * as replyBeforeCommit from '../../solutions/05-raft/mutants/reply-before-commit.ts';
import * as clientGivesUpAfterTimeout from '../../solutions/05-raft/mutants/client-gives-up-after-timeout.ts';

const servers = range(0, 5);
const stable: Partial<NetworkSettings> = { delay: { kind: 'uniform', minMs: 1, maxMs: 10 }, dropRate: 0, duplicateRate: 0 };
const lossy: Partial<NetworkSettings> = { delay: { kind: 'uniform', minMs: 1, maxMs: 10 }, dropRate: 0.15, duplicateRate: 0.15 };

interface ServiceScenario {
  readonly clients: number;
  readonly workload?: KvWorkloadOptions;
  readonly network?: Partial<NetworkSettings>;
  readonly faults?: readonly FaultAction[];
  readonly inputs?: readonly ScheduledInput<Raft>[];
  readonly maxLogEntries?: number;
  readonly durationMs?: number;
  readonly properties?: readonly Property<Raft>[];
}

/** Five servers running `implementation`'s KvServer and `clients` client nodes its KvClient (ids 5, 6, ...). */
function runService(implementation: RaftImplementation, seed: number, scenario: ServiceScenario): SimulationResult<Raft> {
  const workload = scenario.workload === undefined ? undefined : kvWorkload<Raft>(scenario.workload);
  return simulate<Raft>({
    seed,
    nodes: [
      ...servers.map(() => ({ role: 'server' as const, node: implementation.KvServer })),
      // The client has its own protocol; it sends and reads only the key-value messages of Raft's.
      ...range(0, scenario.clients).map(() => ({ role: 'client' as const, node: implementation.KvClient as unknown as NodeClass<Raft> })),
    ],
    config: { electionTimeoutMs: [150, 300], heartbeatMs: 50, kvClient: { retryMs: 100 }, ...(scenario.maxLogEntries === undefined ? {} : { maxLogEntries: scenario.maxLogEntries }) },
    network: scenario.network ?? stable,
    ...(scenario.faults === undefined ? {} : { faults: scenario.faults }),
    ...(scenario.inputs === undefined ? {} : { inputs: scenario.inputs }),
    ...(workload === undefined ? {} : { workload, stopWhen: () => workload.finished() }),
    properties: scenario.properties ?? [
      ...safetyProperties(servers),
      commandsAppliedAtMostOnce<Raft>(),
      clientHistoriesLinearizable<Raft>(),
      clientsMakeProgress<Raft>(),
    ],
    durationMs: scenario.durationMs ?? 20_000,
  });
}

const returned = (result: SimulationResult<Raft>) => result.outputs.filter((record) => (record.output.type as string) === 'Returned').map((record) => record.output as unknown as KvClientOutput);

/**
 * Append values executed at more than one log index, across every server: the executed
 * sequence is the log restricted to the indexes some server reported Executed for (the Applied
 * output just before each Executed names the command). The workload makes append values unique.
 */
function appendsExecutedTwice(result: SimulationResult<Raft>): string[] {
  const lastApplied = new Map<NodeId, string>();
  const indexesByValue = new Map<string, Set<number>>();
  for (const { node, output } of result.outputs) {
    if (output.type === 'Applied') lastApplied.set(node, output.command);
    if (output.type !== 'Executed') continue;
    const command = JSON.parse(lastApplied.get(node) ?? 'null') as KvCommand | null;
    if (command?.operation.kind !== 'append') continue;
    const indexes = indexesByValue.get(command.operation.value) ?? new Set<number>();
    indexes.add(output.index);
    indexesByValue.set(command.operation.value, indexes);
  }
  return [...indexesByValue].filter(([, indexes]) => indexes.size > 1).map(([value]) => value);
}

const expectCorrect = (result: SimulationResult<Raft>, operations: number) => {
  expect(result.failure).toBeUndefined();
  expect(returned(result)).toHaveLength(operations);
  expect(appendsExecutedTwice(result)).toEqual([]);
};

describe('the reference key-value service on Raft', () => {
  it('serves concurrent clients linearizably, each command executed once, every operation returned', () => {
    for (const seed of [1, 2, 3]) {
      expectCorrect(runService(reference, seed, { clients: 4, workload: { operationsPerClient: 25 } }), 100);
    }
  });

  it('on a network that loses and duplicates requests and replies, executes each command once and answers retries from its table', () => {
    for (const seed of [1, 2, 3]) {
      const result = runService(reference, seed, { clients: 3, network: lossy, workload: { operationsPerClient: 25, keys: ['x'] } });
      expectCorrect(result, 75);
      // Copies of requests did reach the log: the state machine skipped them.
      const executed = result.outputs.filter((record) => record.output.type === 'Executed').length;
      const appliedCommands = result.outputs.filter((record) => record.output.type === 'Applied' && record.output.command !== '').length;
      expect(appliedCommands).toBeGreaterThan(executed);
    }
  });

  it('through repeated partitions, makes progress and stays linearizable', () => {
    const faults: FaultAction[] = [
      { atMs: 300, type: 'partition', groups: [[0, 1, 5]] },
      { atMs: 900, type: 'heal' },
      { atMs: 1_200, type: 'partition', groups: [[2, 3, 6]] },
      { atMs: 1_900, type: 'heal' },
      { atMs: 2_100, type: 'isolate', node: 4 },
      { atMs: 2_700, type: 'heal' },
    ];
    for (const seed of [1, 2]) {
      expectCorrect(runService(reference, seed, { clients: 3, faults, workload: { operationsPerClient: 40, thinkMs: [0, 30] } }), 120);
    }
  });

  it('keeps the log bounded with snapshots, and rebuilds its state, the at-most-once table included, from them after crashes of every server', () => {
    const faults: FaultAction[] = [
      ...servers.map((node): FaultAction => ({ atMs: 600 + 150 * node, type: 'crash', node })),
      ...servers.map((node): FaultAction => ({ atMs: 700 + 150 * node, type: 'restart', node })),
      // The whole cluster at once: every server starts from its snapshot and the log after it.
      ...servers.map((node): FaultAction => ({ atMs: 1_800, type: 'crash', node })),
      ...servers.map((node): FaultAction => ({ atMs: 1_900, type: 'restart', node })),
    ];
    for (const seed of [1, 2]) {
      let longestLog = 0;
      const logBound: Property<Raft> = {
        name: 'log bounded',
        kind: 'always',
        memory: () => undefined,
        check(cluster) {
          for (const server of servers) longestLog = Math.max(longestLog, (cluster.storage(server).get('log') as readonly unknown[] | undefined)?.length ?? 0);
          return undefined;
        },
      } as Property<Raft>;
      const result = runService(reference, seed, {
        clients: 3,
        network: lossy,
        faults,
        maxLogEntries: 10,
        workload: { operationsPerClient: 40, keys: ['x'] },
        properties: [...safetyProperties(servers), commandsAppliedAtMostOnce<Raft>(), clientHistoriesLinearizable<Raft>(), clientsMakeProgress<Raft>(), logBound],
      });
      expectCorrect(result, 120);
      const restoredFromSnapshot = result.outputs.filter((record) => record.output.type === 'SnapshotInstalled');
      expect(restoredFromSnapshot.length).toBeGreaterThan(servers.length);
      const snapshot = restoredFromSnapshot.at(-1)?.output as { snapshot: Snapshot };
      expect(Object.keys((JSON.parse(snapshot.snapshot.data) as { sessions: object }).sessions).length).toBeGreaterThan(0);
      // The log holds at most maxLogEntries after the snapshot, and what came since the last one.
      expect(longestLog).toBeLessThanOrEqual(10 + 10);
    }
  });
});

/** n0 leads first; at 1,000 ms it is cut off with client n5, the others lead on with client n6. */
const cutOffLeader: FaultAction[] = [...n0LeadsFirst(servers, 700), { atMs: 1_000, type: 'partition', groups: [[0, 5]] }, { atMs: 3_000, type: 'heal' }];
const invoke = (node: NodeId, atMs: number, operation: KvCommand['operation']): ScheduledInput<Raft> =>
  ({ atMs, node, input: { type: 'Invoke', operation } }) as unknown as ScheduledInput<Raft>;

describe("part E's runs judge the submission's client by the kit's protocol", () => {
  /** A client that tags each command with a field KvCommand does not declare: which attempt of the call it is. */
  class TaggingClient extends reference.KvClient {
    protected override startNext(): void {
      super.startNext();
      if (this.current !== null) this.current = { ...this.current, attempt: 1 } as KvCommand;
    }
  }
  const run = (implementation: RaftImplementation) =>
    simulate<Raft>({ seed: 1, ...serviceRun(implementation, { servers: 3, clients: 1, durationMs: 3_000, workload: { operationsPerClient: 5, startMs: [400, 450] } }) });

  it("passes the reference's client, and fails one whose ClientRequest carries a field of its own, before anything else is judged", () => {
    const honest = run(reference);
    expect(honest.failure).toBeUndefined();
    expect(returned(honest)).toHaveLength(5);
    const tagging = run({ ...reference, KvClient: TaggingClient });
    expect(tagging.failure?.property).toBe("a client's messages are as distlab declares");
    expect(tagging.failure?.message).toMatch(/^n3 sent ClientRequest to n\d at \d+ ms with the field "command\.attempt", which distlab's KvClientMessage does not declare/);
  });
});

describe("part E's mutants misbehave as they say", () => {
  const mutants = { retriedCommandAppliedTwice, duplicateTableNotInSnapshot, staleLeaderAnswersGet, replyBeforeCommit, clientGivesUpAfterTimeout };

  it('each serves one client with no faults correctly: its bug needs faults to show', () => {
    for (const [name, mutant] of Object.entries(mutants)) {
      const result = runService(mutant, 1, { clients: 1, workload: { operationsPerClient: 30 } });
      expect({ name, failure: result.failure?.property }).toEqual({ name, failure: undefined });
      expect(returned(result)).toHaveLength(30);
    }
  });

  it('retried-command-applied-twice: copies of a request in the log are all executed', () => {
    const result = runService(retriedCommandAppliedTwice, 1, { clients: 3, network: lossy, workload: { operationsPerClient: 25, keys: ['x'] } });
    expect(result.failure?.property).toBe('every command is applied at most once');
    expect(result.failure?.message).toMatch(/applied command \d+ of n\d twice/);
  });

  it('duplicate-table-not-in-snapshot: a server restarted from its snapshot executes a command it had executed again', () => {
    const faults: FaultAction[] = [900, 1_500, 2_100].flatMap((atMs) => [
      ...servers.map((node): FaultAction => ({ atMs, type: 'crash', node })),
      ...servers.map((node): FaultAction => ({ atMs: atMs + 100, type: 'restart', node })),
    ]);
    const scenario: ServiceScenario = { clients: 3, network: lossy, faults, maxLogEntries: 6, workload: { operationsPerClient: 40, keys: ['x'] } };
    const mutant = runService(duplicateTableNotInSnapshot, 1, scenario);
    expect(appendsExecutedTwice(mutant).length).toBeGreaterThan(0);
    expect(appendsExecutedTwice(runService(reference, 1, scenario))).toEqual([]);
  });

  it("stale-leader-answers-get: a leader cut off from the majority answers a get with what the others' writes have overwritten", () => {
    const scenario: ServiceScenario = {
      clients: 2,
      faults: cutOffLeader,
      inputs: [
        invoke(5, 800, { kind: 'get', key: 'x' }),
        invoke(6, 1_200, { kind: 'put', key: 'x', value: 'new' }),
        invoke(5, 1_800, { kind: 'get', key: 'x' }),
      ],
      durationMs: 5_000,
    };
    const mutant = runService(staleLeaderAnswersGet, 1, scenario);
    expect(mutant.failure?.property).toBe('client histories are linearizable');
    expect(mutant.failure?.message).toMatch(/not linearizable/);
    const correct = runService(reference, 1, scenario);
    expect(correct.failure).toBeUndefined();
    expect(returned(correct).map((output) => output.result)).toEqual([{ value: '' }, {}, { value: 'new' }]);
  });

  it('reply-before-commit: a leader cut off from the majority acknowledges an append that is then lost, and a get in the majority misses it', () => {
    const scenario: ServiceScenario = {
      clients: 2,
      faults: cutOffLeader,
      inputs: [invoke(5, 800, { kind: 'get', key: 'x' }), invoke(5, 1_200, { kind: 'append', key: 'x', value: 'a;' }), invoke(6, 1_800, { kind: 'get', key: 'x' })],
      durationMs: 5_000,
    };
    const mutant = runService(replyBeforeCommit, 1, scenario);
    expect(mutant.failure?.property).toBe('client histories are linearizable');
    const correct = runService(reference, 1, scenario);
    expect(correct.failure).toBeUndefined();
    expect(returned(correct)).toHaveLength(3);
  });

  it('client-gives-up-after-timeout: an append whose reply was lost is sent again as a new command, and takes effect twice', () => {
    const scenario: ServiceScenario = { clients: 3, network: { ...lossy, duplicateRate: 0 }, workload: { operationsPerClient: 25, keys: ['x'] } };
    const mutant = runService(clientGivesUpAfterTimeout, 1, scenario);
    // A new sequence number each time: "applied at most once" cannot tell, the appends can.
    expect(appendsExecutedTwice(mutant).length).toBeGreaterThan(0);
    expect(appendsExecutedTwice(runService(reference, 1, scenario))).toEqual([]);
  });
});
