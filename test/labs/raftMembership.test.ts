// Lab 5, part F, on the reference Raft alone (no key-value service): membership changes by joint
// consensus in plain RaftNode clusters driven by Start and ChangeMembership inputs, with Raft's
// safety properties and the membership rules checked after every event; and, for each part F
// mutant, a scenario in which its bug really breaks something.
import { always, nodeName, simulate, type ClusterView, type FaultAction, type NodeClass, type NodeId, type Property, type ScheduledInput, type SimulationResult, type Workload } from 'distlab/testing';
import { describe, expect, it } from 'vitest';
import { durability, inOrderApply, leaderCompleteness, logMatching, safetyProperties, storedLog, storedSnapshot } from '../../labs/05-raft/checks.ts';
import { cutBetween, electionTimeoutMs, heartbeatMs, n0LeadsFirst, range, stableNetwork } from '../../labs/05-raft/harness.ts';
import type { Configuration, Raft, Snapshot } from '../../labs/05-raft/src/protocol.ts';
import { RaftNode as ChangeBeforeOwnTermCommit } from '../../solutions/05-raft/mutants/change-before-own-term-commit.ts';
import { RaftNode as ChangeEffectiveWhenCommitted } from '../../solutions/05-raft/mutants/change-effective-when-committed.ts';
import { RaftNode as LearnerCountedBeforeCaughtUp } from '../../solutions/05-raft/mutants/learner-counted-before-caught-up.ts';
import { RaftNode as NewConfigurationAloneDuringJoint } from '../../solutions/05-raft/mutants/new-configuration-alone-during-joint.ts';
import { RaftNode as RemovedLeaderKeepsLeading } from '../../solutions/05-raft/mutants/removed-leader-keeps-leading.ts';
import { RaftNode as RemovedLeaderStepsDownSilently } from '../../solutions/05-raft/mutants/removed-leader-steps-down-silently.ts';
import { RaftNode } from '../../solutions/05-raft/raft.ts';
import { KvClient, KvServer } from '../../solutions/05-raft/index.ts';
import { runTest } from '../../grader/runTest.ts';
import { suite } from '../../labs/05-raft/suite.ts';

// Membership properties, each judged after every event.

const names = (nodes: Iterable<NodeId>) => [...nodes].map(nodeName).join(', ');

/** The latest configuration in a node's storage: its log's, else the one its snapshot keeps (an extra field), else the initial one. */
function configurationOf(cluster: ClusterView<Raft>, node: NodeId, initialVoters: readonly NodeId[]): Configuration {
  const log = storedLog(cluster, node);
  for (let position = log.length - 1; position >= 0; position--) {
    const configuration = log[position]?.configuration;
    if (configuration !== undefined) return configuration;
  }
  const snapshot: Snapshot = storedSnapshot(cluster, node);
  return snapshot.configuration ?? { voters: initialVoters, newVoters: null };
}

/** Whether a node's storage holds entry ⟨index, term⟩, or a snapshot that covers it. */
const storesEntry = (cluster: ClusterView<Raft>, node: NodeId, index: number, term: number) =>
  storedSnapshot(cluster, node).lastIncludedIndex >= index || storedLog(cluster, node).some((entry) => entry.index === index && entry.term === term);

const majorityOf = (voters: readonly NodeId[], holders: readonly NodeId[]) => voters.filter((voter) => holders.includes(voter)).length > voters.length / 2;

interface Elections {
  /** Who led each term. */
  readonly leaders: Record<string, NodeId>;
  /** Per candidate and term (`n/t`): who granted it a vote. */
  readonly granted: Record<string, NodeId[]>;
}

/**
 * At most one leader per term, whatever the configurations (the checks' election safety assumes
 * every server votes), and a leader wins with the votes of a majority of every voter set of the
 * latest configuration in its log.
 */
function atMostOneLeaderPerTerm(initialVoters: readonly NodeId[]): Property<Raft, Elections> {
  return always<Raft, Elections>('at most one leader per term', {
    memory: () => ({ leaders: {}, granted: {} }),
    records: ['output:BecameLeader', 'deliver:RequestVoteReply'],
    record(elections, event, cluster) {
      if (event.kind === 'deliver' && event.message.type === 'RequestVoteReply' && event.message.voteGranted) {
        const key = `${event.to}/${event.message.term}`;
        elections.granted[key] = [...(elections.granted[key] ?? []), event.from];
        return undefined;
      }
      if (event.kind !== 'output' || event.output.type !== 'BecameLeader') return undefined;
      const key = String(event.output.term);
      const other = elections.leaders[key];
      if (other !== undefined && other !== event.node) return `${nodeName(other)} and ${nodeName(event.node)} both became leader of term ${key}`;
      elections.leaders[key] = event.node;
      const votes = [event.node, ...(elections.granted[`${event.node}/${key}`] ?? [])];
      const configuration = configurationOf(cluster, event.node, initialVoters);
      const sets = configuration.newVoters === null ? [configuration.voters] : [configuration.voters, configuration.newVoters];
      const short = sets.find((voters) => !majorityOf(voters, votes));
      if (short === undefined) return undefined;
      return `${nodeName(event.node)} became leader of term ${key} with the votes of ${names(new Set(votes))}: no majority of {${names(short)}}, in its configuration ${JSON.stringify(configuration)}`;
    },
  });
}

/** No two servers apply different entries (term, command or configuration) at one index. */
function appliedEntriesAgree(): Property<Raft, Record<string, { text: string; node: NodeId }>> {
  return always<Raft, Record<string, { text: string; node: NodeId }>>('state machine safety', {
    memory: () => ({}),
    records: ['output:Applied'],
    record(applied, event) {
      if (event.kind !== 'output' || event.output.type !== 'Applied') return undefined;
      const { index, term, command, configuration } = event.output;
      const text = JSON.stringify({ term, command, configuration: configuration ?? null });
      const known = applied[String(index)];
      if (known === undefined) applied[String(index)] = { text, node: event.node };
      else if (known.text !== text) return `${nodeName(event.node)} applied ${text} at index ${index}, but ${nodeName(known.node)} applied ${known.text} there`;
      return undefined;
    },
  });
}

/**
 * When an entry is first applied (by the leader that commits it), the servers that store it
 * hold a majority of every voter set of the configuration in force in that leader's log: of
 * C_old and of C_new while the latest is joint.
 */
function decidedByConfigurationInForce(initialVoters: readonly NodeId[]): Property<Raft, { applied: number }> {
  return always<Raft, { applied: number }>('no decision by one configuration alone while a joint configuration is in force', {
    memory: () => ({ applied: 0 }),
    records: ['output:Applied'],
    record(memory, event, cluster) {
      if (event.kind !== 'output' || event.output.type !== 'Applied' || event.output.index <= memory.applied) return undefined;
      memory.applied = event.output.index;
      const { index, term } = event.output;
      const configuration = configurationOf(cluster, event.node, initialVoters);
      const holders = cluster.servers.filter((server) => storesEntry(cluster, server, index, term));
      const sets = configuration.newVoters === null ? [configuration.voters] : [configuration.voters, configuration.newVoters];
      const short = sets.find((voters) => !majorityOf(voters, holders));
      if (short === undefined) return undefined;
      return `${nodeName(event.node)} applied entry ${index} (term ${term}) first, stored only on ${names(holders)}: no majority of {${names(short)}}, in the configuration in force ${JSON.stringify(configuration)}`;
    },
  });
}

interface CatchUp {
  /** Joint configuration entries seen (`index/term`). */
  readonly seen: Record<string, true>;
  /** Per server: its last index when it was first asked for a change. */
  readonly askedAt: Record<string, number>;
}

/**
 * When a joint configuration entry first appears (in its leader's log), every server it adds
 * holds the leader's log as it was when the leader was first asked for a change.
 */
function newServersCatchUpFirst(): Property<Raft, CatchUp> {
  return always<Raft, CatchUp>('new servers catch up before they count', {
    memory: () => ({ seen: {}, askedAt: {} }),
    records: ['storage:log', 'input:ChangeMembership'],
    record({ seen, askedAt }, event, cluster) {
      if (event.kind === 'input') {
        askedAt[String(event.node)] ??= storedLog(cluster, event.node).at(-1)?.index ?? 0;
        return undefined;
      }
      if (event.kind !== 'storage') return undefined;
      const log = storedLog(cluster, event.node);
      const joint = [...log].reverse().find((entry) => entry.configuration !== undefined);
      if (joint?.configuration?.newVoters === null || joint?.configuration?.newVoters === undefined) return undefined;
      const key = `${joint.index}/${joint.term}`;
      if (seen[key] === true) return undefined;
      seen[key] = true;
      const { voters, newVoters } = joint.configuration;
      const needed = askedAt[String(event.node)] ?? 0;
      for (const server of newVoters.filter((voter) => !voters.includes(voter))) {
        const holds = Math.max(storedLog(cluster, server).at(-1)?.index ?? 0, storedSnapshot(cluster, server).lastIncludedIndex);
        if (holds < needed) {
          return `${nodeName(event.node)} appended the joint configuration at index ${joint.index}, making ${nodeName(server)} a voter, while ${nodeName(server)} holds entries up to ${holds} only (${needed} when the leader was asked)`;
        }
      }
      return undefined;
    },
  });
}

/** A leader that outputs MembershipChanged without itself takes no more commands and sends no more AppendEntries after that moment. */
function removedLeaderStepsDown(): Property<Raft, Record<string, number>> {
  return always<Raft, Record<string, number>>('a removed leader steps down', {
    memory: () => ({}),
    records: ['output:MembershipChanged', 'output:Started', 'send:AppendEntries'],
    record(removedAtMs, event) {
      if (event.kind === 'output' && event.output.type === 'MembershipChanged') {
        if (!event.output.voters.includes(event.node)) removedAtMs[String(event.node)] = event.timeMs;
        return undefined;
      }
      const node = event.kind === 'output' ? event.node : event.kind === 'send' ? event.from : null;
      if (node === null) return undefined;
      const since = removedAtMs[String(node)];
      if (since === undefined || event.timeMs === since) return undefined;
      return `${nodeName(node)} committed a configuration without itself at ${since} ms and still leads at ${event.timeMs} ms (${event.kind === 'output' ? 'Started' : 'AppendEntries'})`;
    },
  });
}

/** No server becomes leader while the latest MembershipChanged leaves it out. */
function removedServersNeverLead(): Property<Raft, { voters: NodeId[] | null }> {
  return always<Raft, { voters: NodeId[] | null }>('removed servers do not lead', {
    memory: () => ({ voters: null }),
    records: ['output:MembershipChanged', 'output:BecameLeader'],
    record(memory, event) {
      if (event.kind !== 'output') return undefined;
      if (event.output.type === 'MembershipChanged') memory.voters = [...event.output.voters];
      else if (event.output.type === 'BecameLeader' && memory.voters !== null && !memory.voters.includes(event.node)) {
        return `${nodeName(event.node)} became leader of term ${event.output.term} after it was removed (the voters are ${names(memory.voters)})`;
      }
      return undefined;
    },
  });
}

/** Raft's safety, and the membership rules. `voteCounting`: the servers checks.ts's election safety and state machine safety may count (none: those two are replaced by ours). */
function membershipProperties(initialVoters: readonly NodeId[], voteCounting?: readonly NodeId[]): Property<Raft>[] {
  const raftSafety = voteCounting === undefined ? [logMatching(), leaderCompleteness(), inOrderApply(), durability()] : safetyProperties(voteCounting);
  return [
    atMostOneLeaderPerTerm(initialVoters),
    appliedEntriesAgree(),
    decidedByConfigurationInForce(initialVoters),
    newServersCatchUpFirst(),
    removedLeaderStepsDown(),
    removedServersNeverLead(),
    ...raftSafety,
  ] as Property<Raft>[];
}

// Runs.

type Step = (leader: NodeId | null) => { readonly add: readonly NodeId[]; readonly remove: readonly NodeId[]; readonly voters: readonly NodeId[] };

/** Start "c<k>" on every server every `everyMs` from `fromMs` to `toMs`: only the leader takes it. */
function commands(servers: readonly NodeId[], fromMs: number, toMs: number, everyMs: number): ScheduledInput<Raft>[] {
  const inputs: ScheduledInput<Raft>[] = [];
  for (let atMs = fromMs, count = 0; atMs <= toMs; atMs += everyMs, count++) {
    for (const node of servers) inputs.push({ atMs, node, input: { type: 'Start', command: `c${count}` } });
  }
  return inputs;
}

/**
 * Asks every server for each step's change from `fromMs` on, again every `retryMs` (on the next
 * output after that) until a leader outputs MembershipChanged with the step's voters. A step is
 * a function of the leader known last, so that "remove the leader" is decided when asked.
 */
function membershipDriver(servers: readonly NodeId[], steps: readonly Step[], fromMs: number, retryMs = 50): Workload<Raft> & { readonly done: () => number } {
  let stepIndex = 0;
  let askedFor: readonly NodeId[] | null = null;
  let nextAskMs = fromMs;
  let leader: NodeId | null = null;
  let leaderTerm = 0;
  return {
    done: () => stepIndex,
    onOutput(record, context) {
      const output = record.output;
      if (output.type === 'BecameLeader' && output.term > leaderTerm) {
        leader = record.node;
        leaderTerm = output.term;
      }
      if (output.type === 'MembershipChanged' && askedFor !== null && output.voters.join() === askedFor.join()) {
        stepIndex++;
        askedFor = null;
        nextAskMs = record.timeMs + retryMs;
      }
      const step = steps[stepIndex];
      if (step === undefined || record.timeMs < nextAskMs) return;
      const change = step(leader);
      askedFor = change.voters;
      nextAskMs = record.timeMs + retryMs;
      for (const node of servers) context.input(node, { type: 'ChangeMembership', add: change.add, remove: change.remove }, 0);
    },
  };
}

interface MembershipRun {
  readonly node?: NodeClass<Raft>;
  readonly servers: number;
  readonly initialVoters?: readonly NodeId[];
  readonly steps?: readonly Step[];
  readonly stepsFromMs?: number;
  readonly inputs: readonly ScheduledInput<Raft>[];
  readonly faults?: readonly FaultAction[];
  readonly workload?: Workload<Raft>;
  readonly durationMs: number;
  readonly seed: number;
  readonly voteCounting?: readonly NodeId[];
  /** The service's part: every server snapshots its state each time it has applied this many entries. */
  readonly snapshotEvery?: number;
  /** Properties left out, by name (to see the damage a bug does after the first rule it breaks). */
  readonly omit?: readonly string[];
}

function run(settings: MembershipRun): { result: SimulationResult<Raft>; stepsDone: number } {
  const servers = range(0, settings.servers);
  const initialVoters = settings.initialVoters ?? servers;
  const driver = membershipDriver(servers, settings.steps ?? [], settings.stepsFromMs ?? 0);
  const { snapshotEvery } = settings;
  const snapshotting: Workload<Raft> = {
    onOutput(record, context) {
      driver.onOutput?.(record, context);
      if (snapshotEvery !== undefined && record.output.type === 'Applied' && record.output.index % snapshotEvery === 0) {
        context.input(record.node, { type: 'Snapshot', index: record.output.index, data: `state after ${record.output.index}` }, 0);
      }
    },
  };
  const result = simulate<Raft>({
    seed: settings.seed,
    nodes: servers.map(() => ({ role: 'server' as const, node: settings.node ?? RaftNode })),
    config: { electionTimeoutMs, heartbeatMs, ...(settings.initialVoters === undefined ? {} : { initialVoters: settings.initialVoters }) },
    network: stableNetwork,
    faults: settings.faults ?? [],
    inputs: settings.inputs,
    workload: settings.workload ?? snapshotting,
    properties: membershipProperties(initialVoters, settings.voteCounting).filter((property) => !(settings.omit ?? []).includes(property.name)),
    durationMs: settings.durationMs,
  });
  return { result, stepsDone: driver.done() };
}

const outputsOf = <T extends Raft['output']['type']>(result: SimulationResult<Raft>, type: T) =>
  result.outputs.flatMap((record) => (record.output.type === type ? [{ ...record, output: record.output as Extract<Raft['output'], { type: T }> }] : []));

/** Who applied the configuration entry that ends a change to `voters`. */
const appliedFinalConfiguration = (result: SimulationResult<Raft>, voters: readonly NodeId[]) =>
  [...new Set(outputsOf(result, 'Applied').filter((record) => record.output.configuration?.newVoters === null && record.output.configuration.voters.join() === voters.join()).map((record) => record.node))].sort();

/** The commands every one of `nodes` applied. */
const appliedCommands = (result: SimulationResult<Raft>, node: NodeId) =>
  outputsOf(result, 'Applied')
    .filter((record) => record.node === node && record.output.command !== '')
    .map((record) => record.output.command);

const failureText = (result: SimulationResult<Raft>) => (result.failure === undefined ? '' : `${result.failure.property}: ${result.failure.message}`);

const seeds = [1, 2, 3];

describe('membership change on the reference Raft', () => {
  it.each(seeds)('adds one server: it catches up, then votes (seed %i)', (seed) => {
    const { result, stepsDone } = run({
      seed,
      servers: 4,
      initialVoters: [0, 1, 2],
      voteCounting: [0, 1, 2],
      steps: [() => ({ add: [3], remove: [], voters: [0, 1, 2, 3] })],
      stepsFromMs: 700,
      inputs: commands(range(0, 4), 400, 1800, 20),
      durationMs: 2500,
    });
    expect(failureText(result)).toBe('');
    expect(stepsDone).toBe(1);
    expect(appliedFinalConfiguration(result, [0, 1, 2, 3])).toEqual([0, 1, 2, 3]);
    // n3 applies every command the others do, from the first.
    expect(appliedCommands(result, 3)).toEqual(appliedCommands(result, 0));
    // It never stood for election: it was not a voter until the change, and the leader never changed.
    expect(outputsOf(result, 'BecameLeader').length).toBe(1);
  });

  it.each(seeds)('adds two servers (seed %i)', (seed) => {
    const { result, stepsDone } = run({
      seed,
      servers: 5,
      initialVoters: [0, 1, 2],
      steps: [() => ({ add: [3, 4], remove: [], voters: [0, 1, 2, 3, 4] })],
      stepsFromMs: 700,
      inputs: commands(range(0, 5), 400, 1800, 20),
      durationMs: 2500,
    });
    expect(failureText(result)).toBe('');
    expect(stepsDone).toBe(1);
    expect(appliedFinalConfiguration(result, [0, 1, 2, 3, 4])).toEqual([0, 1, 2, 3, 4]);
    expect(appliedCommands(result, 4)).toEqual(appliedCommands(result, 0));
  });

  it.each(seeds)('removes a follower, which then disrupts nobody (seed %i)', (seed) => {
    let removed: NodeId = -1;
    const { result, stepsDone } = run({
      seed,
      servers: 5,
      voteCounting: range(0, 5),
      steps: [
        (leader) => {
          removed = ((leader ?? 0) + 1) % 5;
          const voters = range(0, 5).filter((server) => server !== removed);
          return { add: [], remove: [removed], voters };
        },
      ],
      stepsFromMs: 700,
      inputs: commands(range(0, 5), 400, 3000, 20),
      durationMs: 3500,
    });
    expect(failureText(result)).toBe('');
    expect(stepsDone).toBe(1);
    // One leader throughout: the removed follower, which may not have learned it was removed, stands again and again in vain.
    expect(outputsOf(result, 'BecameLeader').length).toBe(1);
    const last = appliedCommands(result, (removed + 1) % 5);
    expect(last.length).toBeGreaterThan(100);
  });

  it.each(seeds)('removes the leader: it steps down once C_new is committed, and another leads (seed %i)', (seed) => {
    let removed: NodeId = -1;
    const { result, stepsDone } = run({
      seed,
      servers: 5,
      voteCounting: range(0, 5),
      steps: [
        (leader) => {
          removed = leader ?? 0;
          return { add: [], remove: [removed], voters: range(0, 5).filter((server) => server !== removed) };
        },
      ],
      stepsFromMs: 700,
      inputs: commands(range(0, 5), 400, 3000, 20),
      durationMs: 3500,
    });
    expect(failureText(result)).toBe('');
    expect(stepsDone).toBe(1);
    const leaders = outputsOf(result, 'BecameLeader');
    expect(leaders.length).toBe(2);
    expect(leaders[0]?.node).toBe(removed);
    expect(leaders[1]?.node).not.toBe(removed);
    const changed = outputsOf(result, 'MembershipChanged');
    // The removed leader announces C_new first; a new leader that applies the entry only after
    // its election announces it again, with the same voters.
    expect(changed[0]?.node).toBe(removed);
    expect(changed.slice(1).filter((record) => record.node === removed)).toEqual([]);
    expect(new Set(changed.map((record) => JSON.stringify(record.output.voters))).size).toBe(1);
    // The new leader goes on committing commands.
    const after = outputsOf(result, 'Started').filter((record) => record.node !== removed);
    expect(after.length).toBeGreaterThan(50);
  });

  it.each(seeds)('replaces every server, one by one (seed %i)', (seed) => {
    const { result, stepsDone } = run({
      seed,
      servers: 6,
      initialVoters: [0, 1, 2],
      steps: [
        () => ({ add: [3], remove: [0], voters: [1, 2, 3] }),
        () => ({ add: [4], remove: [1], voters: [2, 3, 4] }),
        () => ({ add: [5], remove: [2], voters: [3, 4, 5] }),
      ],
      stepsFromMs: 700,
      inputs: commands(range(0, 6), 400, 4000, 20),
      durationMs: 4500,
    });
    expect(failureText(result)).toBe('');
    expect(stepsDone).toBe(3);
    // The last commands are applied by the new servers alone.
    const lastOnNew = appliedCommands(result, 5).at(-1);
    expect(lastOnNew).toBe(appliedCommands(result, 3).at(-1));
    expect(appliedCommands(result, 0)).not.toContain(lastOnNew);
  });

  it.each(seeds)('keeps the configuration in snapshots: restarts from them, and sends them to a server added later (seed %i)', (seed) => {
    const { result, stepsDone } = run({
      seed,
      servers: 5,
      initialVoters: [0, 1, 2],
      snapshotEvery: 8,
      steps: [() => ({ add: [3], remove: [], voters: [0, 1, 2, 3] }), () => ({ add: [4], remove: [], voters: [0, 1, 2, 3, 4] })],
      stepsFromMs: 700,
      // The second step waits for the restarts: by then every configuration entry is in a snapshot.
      faults: [...range(0, 4).map((node): FaultAction => ({ atMs: 1500, type: 'crash', node })), ...range(0, 4).map((node): FaultAction => ({ atMs: 1600, type: 'restart', node }))],
      inputs: commands(range(0, 5), 400, 3500, 20),
      durationMs: 4000,
    });
    expect(failureText(result)).toBe('');
    expect(stepsDone).toBe(2);
    // n4 started from a snapshot (its log was compacted away on the leader) and applies what the others apply after it.
    const installed = outputsOf(result, 'SnapshotInstalled').filter((record) => record.node === 4);
    expect(installed.length).toBeGreaterThan(0);
    expect(appliedCommands(result, 4).at(-1)).toBe(appliedCommands(result, 0).at(-1));
  });
});

// The mutants, each in a scenario where its bug does damage (the reference passes the same scenario).

/** n0 leads from about 630 ms (see n0LeadsFirst), commands from 750 ms on. */
const n0Leads = (servers: readonly NodeId[]) => n0LeadsFirst(servers, 700);

describe('part F mutants', () => {
  /** Five voters, n0 leads; n3 and n4 are removed while n1 and n2 are cut off from n0: C_old,new can be committed by no majority of C_new. */
  const removeWhileNewMajorityCutOff = (node: NodeClass<Raft>, cut: readonly NodeId[]) =>
    run({
      node,
      seed: 1,
      servers: 5,
      faults: [...n0Leads(range(0, 5)), ...cutBetween(980, [0], cut), { atMs: 1600, type: 'heal' }],
      inputs: [...commands(range(0, 5), 750, 2400, 20), { atMs: 1000, node: 0, input: { type: 'ChangeMembership', add: [], remove: [3, 4] } }],
      durationMs: 2500,
    }).result;

  /**
   * Five voters, n0 leads and is asked to remove n3 and n4 while it is cut off from n1 and n2,
   * and n2 from everyone: C_old,new reaches n3 and n4 only, and n0 crashes. n3 and n4 hold
   * C_old,new, in force though not committed: a majority of C_new {n0, n1, n2} is out of reach
   * until the heal, and nobody may be elected. Counting C_old only, n3 or n4 wins with n1's vote.
   */
  it('change-effective-when-committed: a candidate holding C_old,new wins with the votes of C_old alone', () => {
    const scenario = (node: NodeClass<Raft>) =>
      run({
        node,
        seed: 1,
        servers: 5,
        faults: [...n0Leads(range(0, 5)), ...cutBetween(980, [0], [1, 2]), { atMs: 980, type: 'isolate', node: 2 }, { atMs: 1100, type: 'crash', node: 0 }, { atMs: 1800, type: 'heal' }],
        inputs: [...commands(range(0, 5), 750, 2400, 20), { atMs: 1000, node: 0, input: { type: 'ChangeMembership', add: [], remove: [3, 4] } }],
        durationMs: 2500,
      }).result;
    const reference = scenario(RaftNode);
    expect(failureText(reference)).toBe('');
    // Nobody leads between the crash and the heal.
    expect(outputsOf(reference, 'BecameLeader').filter((record) => record.timeMs > 1100 && record.timeMs < 1800)).toEqual([]);
    expect(scenario(ChangeEffectiveWhenCommitted).failure?.property).toBe('at most one leader per term');
  });

  it('new-configuration-alone-during-joint: C_new alone commits, while C_old elects a leader of its own', () => {
    // n0 reaches n1 only: a majority of C_new {n0, n1, n2}, not of C_old.
    expect(failureText(removeWhileNewMajorityCutOff(RaftNode, [2, 3, 4]))).toBe('');
    expect(removeWhileNewMajorityCutOff(NewConfigurationAloneDuringJoint, [2, 3, 4]).failure?.property).toBe('no decision by one configuration alone while a joint configuration is in force');
  });

  it('learner-counted-before-caught-up: the joint configuration counts a server that is still empty', () => {
    // 200 commands in 400 ms, then n3 and n4 are added; n4 is down, and never catches up.
    const scenario = (node: NodeClass<Raft>) =>
      run({
        node,
        seed: 1,
        servers: 5,
        initialVoters: [0, 1, 2],
        faults: [...n0Leads(range(0, 5)), { atMs: 740, type: 'crash', node: 4 }],
        inputs: [...commands([0], 750, 1150, 2), { atMs: 1200, node: 0, input: { type: 'ChangeMembership', add: [3, 4], remove: [] } }],
        durationMs: 2000,
      }).result;
    const reference = scenario(RaftNode);
    expect(failureText(reference)).toBe('');
    // The reference waits for n4: no configuration entry is applied.
    expect(outputsOf(reference, 'Applied').filter((record) => record.output.configuration !== undefined)).toEqual([]);
    expect(scenario(LearnerCountedBeforeCaughtUp).failure?.property).toBe('new servers catch up before they count');
  });

  it('removed-leader-keeps-leading: the leader removed goes on sending heartbeats', () => {
    const scenario = (node: NodeClass<Raft>) =>
      run({
        node,
        seed: 1,
        servers: 5,
        voteCounting: range(0, 5),
        faults: n0Leads(range(0, 5)),
        inputs: [...commands(range(0, 5), 750, 2000, 20), { atMs: 1000, node: 0, input: { type: 'ChangeMembership', add: [], remove: [0] } }],
        durationMs: 2500,
      }).result;
    const reference = scenario(RaftNode);
    expect(failureText(reference)).toBe('');
    // n0 commits C_new; the next leader may say so again when it commits C_new itself.
    expect(outputsOf(reference, 'MembershipChanged')[0]?.node).toBe(0);
    expect(scenario(RemovedLeaderKeepsLeading).failure?.property).toBe('a removed leader steps down');
  });

  it('removed-leader-steps-down-silently: the followers learn that C_new is committed only from the next leader', () => {
    const scenario = (node: NodeClass<Raft>) =>
      run({
        node,
        seed: 1,
        servers: 5,
        faults: n0Leads(range(0, 5)),
        inputs: [...commands(range(0, 5), 750, 2000, 20), { atMs: 1000, node: 0, input: { type: 'ChangeMembership', add: [], remove: [0] } }],
        durationMs: 2500,
      }).result;
    /** When the first server other than n0 applied C_new, and when the first of them became leader after n0. */
    const times = (result: ReturnType<typeof scenario>) => {
      const applied = outputsOf(result, 'Applied').filter((record) => record.node !== 0 && record.output.configuration?.newVoters === null && !record.output.configuration.voters.includes(0));
      const leaders = outputsOf(result, 'BecameLeader').filter((record) => record.node !== 0);
      return { appliedMs: applied[0]?.timeMs ?? Infinity, electedMs: leaders[0]?.timeMs ?? Infinity };
    };
    const reference = scenario(RaftNode);
    expect(failureText(reference)).toBe('');
    // The reference's last heartbeat carries the commit: the followers apply C_new before they elect anyone.
    const told = times(reference);
    expect(told.appliedMs).toBeLessThan(told.electedMs);
    const silent = times(scenario(RemovedLeaderStepsDownSilently));
    expect(silent.electedMs).toBeLessThan(silent.appliedMs);
  });

  /**
   * n0 leads {n0, n1, n2} and is asked to replace n1 and n2 by n3 and n4 while it is cut off from
   * n1 and n2: C_old,new reaches n3 and n4 only, and n0 crashes. n3 or n4 is elected with the
   * votes of n1 and n2 (C_old) and of the other (C_new), and is asked at once to remove n0.
   * Refused by the reference (an earlier leader's change is unfinished, and nothing of its term is
   * committed), the mutant starts it from the unfinished change's C_new {n0, n3, n4}: the joint
   * {n0, n3, n4} / {n3, n4} is committed by n3 and n4 alone, and n1 and n2, which never received
   * the first change, still vote in {n0, n1, n2}: once they can talk again they elect a leader of
   * their own, and two leaders commit different commands at the same indexes.
   */
  it('change-before-own-term-commit: a new leader starts a change over an earlier leader\'s unfinished one', () => {
    const asksNewLeader: Workload<Raft> = {
      onOutput(record, context) {
        if (record.output.type === 'BecameLeader' && record.node >= 3) context.input(record.node, { type: 'ChangeMembership', add: [], remove: [0] }, 0);
      },
    };
    const scenario = (node: NodeClass<Raft>) =>
      run({
        node,
        seed: 1,
        servers: 5,
        initialVoters: [0, 1, 2],
        workload: asksNewLeader,
        // Its first rule broken: n1, removed, is elected; then the damage: n1's log lacks what n3 committed.
        omit: ['removed servers do not lead'],
        faults: [
          ...n0Leads(range(0, 5)),
          ...cutBetween(1000, [0], [1, 2]),
          { atMs: 1100, type: 'crash', node: 0 },
          ...cutBetween(1100, [1], [2]),
          { atMs: 2200, type: 'heal' },
        ],
        inputs: [...commands(range(0, 5), 750, 900, 20), { atMs: 1010, node: 0, input: { type: 'ChangeMembership', add: [3, 4], remove: [1, 2] } }, ...commands(range(0, 5), 1400, 3400, 20)],
        durationMs: 3500,
      }).result;
    const reference = scenario(RaftNode);
    expect(failureText(reference)).toBe('');
    // The new leader's change is refused: the earlier one is unfinished.
    expect(outputsOf(reference, 'MembershipRefused').some((record) => record.node >= 3 && record.output.leader === record.node)).toBe(true);
    expect(outputsOf(reference, 'MembershipChanged').map((record) => record.output.voters)).toEqual([[0, 3, 4]]);
    expect(['state machine safety', 'leader completeness']).toContain(scenario(ChangeBeforeOwnTermCommit).failure?.property);
  });
});

describe('part F reports a change that never completes as such', () => {
  it('names the change, not the read the run was still waiting for when it ended', () => {
    /** The reference service, whose servers ignore every ChangeMembership: the change is never made, and its driver keeps reading to the run's end. */
    class IgnoresChanges extends KvServer {
      override onInput(input: Raft['input']): void {
        if (input.type === 'ChangeMembership') return;
        super.onInput(input);
      }
    }
    const test = suite.tests.find((candidate) => candidate.number === '5F.1');
    if (test === undefined) throw new Error('lab 5 has no test 5F.1');
    const outcome = runTest(suite, test, { RaftNode, KvServer: IgnoresChanges, KvClient }, { seeds: [1], shrinkBudget: 0 });
    expect(outcome.passed).toBe(false);
    expect(outcome.failure?.property).toBe('the membership change completes');
  });
});
