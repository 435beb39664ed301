// Lab 6's run tests under faults, 6.8 to 6.14: a lossy and duplicating network, crashes and
// restarts of followers and of leaders (some in the middle of a reaction), duelling would-be
// leaders, a lagging follower that catches up and then leads, constant repartitioning, and the
// whole cluster restarting from its storage. Every run checks, besides each test's own rules,
// the log's safety properties, linearizability, at-most-once execution and progress (harness.ts).
import { crashRestarts, drawNodes, majorityPhases, operationsCompleteAfterHeal, serversApart, type FaultAction, type NodeId, type SuiteTest } from 'distlab/testing';
import { n0LeadsFirst, n0LeadsUntilMs } from './basicTests.ts';
import { candidateTriesAgain, grantResetsLeaderTimeout, leaderTakesOver } from './checks.ts';
import { firstCallMs, paxosLogRun, pick, range, scenarioRandom, test, type PaxosLogImplementation } from './harness.ts';
import type { PaxosLog } from './src/protocol.ts';

// 6.8: an unreliable network from the start of the clients' work.
const lossFromMs = 700;

const unreliable = test(8, {
  name: 'unreliable network: lost, duplicated and reordered messages, each operation executed once',
  points: 3,
  seeds: 6,
  description:
    `5 or 3 servers, 4 clients. From ${lossFromMs} ms the network loses 20% of messages and delivers 20% twice, and on even seeds the ` +
    'clients send each request twice, with a stale copy of the one before. Lost stores and reads are sent again, lost finalizes ' +
    'are made up for through the queries, a duplicated reply counts once (a slot is finalized only once a majority of distinct servers ' +
    'stored it), leaders change, clients retry the same command elsewhere, and every command is executed once.',
  setup: (implementation, seed) =>
    paxosLogRun(implementation, {
      servers: pick([5, 3], seed),
      clients: 4,
      durationMs: 12_000,
      network: { dropRate: 0.2, duplicateRate: 0.2 },
      config: { kvClient: { duplicates: seed % 2 === 0 } },
      workload: { operationsPerClient: 20, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [0, 20], startMs: [lossFromMs, lossFromMs + 50] },
    }),
  scenario: () => [
    { atMs: 0, type: 'network', dropRate: 0, duplicateRate: 0 },
    { atMs: lossFromMs, type: 'network', dropRate: 0.2, duplicateRate: 0.2 },
  ],
});

// 6.9: followers crash and restart, one at a time and then two at once, some in the middle of a
// reaction (after writing to storage, before answering), while n0 leads.
const followerTimes = (seed: number) => {
  const random = scenarioRandom('6.9', seed);
  const servers = pick([5, 3], seed);
  const crashes: FaultAction[] = [];
  let atMs = n0LeadsUntilMs + 200;
  for (const node of range(1, servers - 1)) {
    atMs += random.integer(150, 300);
    crashes.push(
      random.integer(0, 1) === 0 ? { atMs, type: 'crash', node } : { atMs, type: 'crash', node, afterEffects: random.integer(0, 2) },
      { atMs: atMs + random.integer(60, 250), type: 'restart', node },
    );
  }
  const pairMs = atMs + 400;
  const pair = drawNodes(random, range(1, servers - 1), Math.min(2, Math.floor(servers / 2)));
  for (const node of pair) crashes.push({ atMs: pairMs, type: 'crash', node }, { atMs: pairMs + random.integer(100, 300), type: 'restart', node });
  return { servers, crashes, lastMs: pairMs + 300 };
};

const followerCrashes = test(9, {
  name: 'followers crash and restart: epochs and slots are durable, and a restarted follower catches up',
  points: 3,
  seeds: 6,
  description:
    '5 or 3 servers, n0 leading first, 4 clients. Every other server crashes once in turn (some in the middle of a reaction: after ' +
    'some of its storage writes or messages and before the rest), then a minority crashes at once. A restarted server reads its ' +
    'epoch and its slots back from storage: it must never accept an overthrow or a store below the epoch it had, nor forget a ' +
    'slot it stored or finalized; it executes its finalized slots again, then catches up through the leader\'s queries.',
  setup: (implementation, seed) =>
    paxosLogRun(implementation, {
      servers: followerTimes(seed).servers,
      clients: 4,
      durationMs: 8_000,
      faultsEndMs: followerTimes(seed).lastMs,
      workload: { operationsPerClient: 35, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [10, 40], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100] },
    }),
  scenario: (context) => [...n0LeadsFirst(context.servers), ...followerTimes(context.seed).crashes],
});

// 6.10: leaders crash. n0 leads and crashes (in the middle of a reaction on odd seeds); whoever
// leads next crashes too, later; then random crashes of any server.
const leaderTimes = (seed: number) => {
  const random = scenarioRandom('6.10', seed);
  const firstMs = n0LeadsUntilMs + 300 + random.integer(0, 100);
  const firstBackMs = firstMs + random.integer(300, 600);
  const secondMs = firstBackMs + 500 + random.integer(0, 100);
  return { firstMs, firstBackMs, secondMs, lastMs: secondMs + 1_500 };
};

/** A leader's last Query resets every LeaderTimeout (at most 300 ms); then one overthrow round, and room for one that crossed another. */
const takeOverWithinMs = 450;

// The second crash is of n1 or n2 (by seed): a scenario cannot know who leads after n0, and either often does.
const leaderCrashes = test(10, {
  name: 'leaders crash and restart, some in the middle of a reaction: the next leader recovers every finalized slot',
  points: 4,
  seeds: 6,
  description:
    '5 servers, n0 leading first, 4 clients calling all the time. At about 1.35 s n0 crashes (on odd seeds in the middle of a reaction: ' +
    'a store reached some servers and not others, or its own slot was written and the stores never left) and comes back 300 to 600 ms ' +
    'later. The next leader overthrows a majority, reads every slot it has not finalized, and keeps what may have been finalized (the ' +
    'operation stored in the highest epoch). Then n1 or n2 crashes, and 1 to 3 more crashes strike any server, some mid-reaction.',
  setup: (implementation, seed) => {
    const { firstMs, firstBackMs, lastMs } = leaderTimes(seed);
    return paxosLogRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: 8_000,
      faultsEndMs: lastMs,
      workload: { operationsPerClient: 40, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [0, 20], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100] },
      // Where n0 stays down long enough for any LeaderTimeout to run out and an overthrow to follow, another server must lead.
      ...(firstBackMs - firstMs >= takeOverWithinMs ? { extra: [leaderTakesOver(range(0, 5), 0, firstMs, firstBackMs, `while n0, the leader, was down (${firstMs} to ${firstBackMs} ms)`)] } : {}),
    });
  },
  scenario: (context) => {
    const { firstMs, firstBackMs, secondMs } = leaderTimes(context.seed);
    const second = context.seed % 2 === 0 ? 1 : 2;
    return [
      ...n0LeadsFirst(context.servers),
      context.seed % 2 === 1 ? { atMs: firstMs, type: 'crash', node: 0, afterEffects: 1 + (context.seed % 3) } : { atMs: firstMs, type: 'crash', node: 0 },
      { atMs: firstBackMs, type: 'restart', node: 0 },
      { atMs: secondMs, type: 'crash', node: second },
      { atMs: secondMs + 400, type: 'restart', node: second },
    ];
  },
  faults: (context) =>
    crashRestarts(context.servers, { count: [1, 3], withinMs: [leaderTimes(context.seed).secondMs + 500, leaderTimes(context.seed).lastMs - 300], lengthMs: [30, 250], afterEffects: [0, 3] }),
});

// 6.11: duelling would-be leaders. Every LeaderTimeout is drawn from a narrow range, so servers
// time out nearly together, and the leader is cut off again and again: each time several
// servers overthrow at once, and the highest epoch must win without losing anything.
const duelStartMs = 900;
const duelEndMs = 3_400;
/** 6.11's LeaderTimeouts: so narrow a range that passive servers time out within a few ms of one another. */
const duelTimeoutMs: readonly [number, number] = [150, 160];
/** How long each server the seed picks is cut off in 6.11. */
const duelCutOffMs = 300;

/** 6.11's cut-offs: every 500 ms, the server the seed picks, for {@link duelCutOffMs}. */
const duelCutOffs = (seed: number, servers: number): { readonly atMs: number; readonly node: NodeId }[] => {
  const random = scenarioRandom('6.11', seed);
  const cutOffs: { atMs: number; node: NodeId }[] = [];
  for (let atMs = duelStartMs; atMs < duelEndMs; atMs += 500) cutOffs.push({ atMs, node: random.integer(0, servers - 1) });
  return cutOffs;
};

const duels = test(11, {
  name: 'duelling would-be leaders: servers time out together, and the highest epoch wins',
  points: 3,
  seeds: 5,
  description:
    '5 or 3 servers, 4 clients, and LeaderTimeouts drawn from 150 to 160 ms only, so that passive servers time out within a few ms of ' +
    `one another. From ${duelStartMs} to ${duelEndMs} ms whoever the seed picks is cut off from the other servers every 500 ms, for 300 ms: several ` +
    'servers overthrow at once, in different epochs; overthrows cross, a candidate whose overthrow is refused becomes passive, and the ' +
    'highest epoch leads. A server that grants an Overthrow resets its LeaderTimeout, and sends no Overthrow of its own within ' +
    `${duelTimeoutMs[0]} ms of the grant; a candidate whose overthrow has not finished when its LeaderTimeout fires tries again. On a seed that cuts n0 off, another server must have led by the end. Every operation returns, ` +
    'linearizable, and no slot is finalized twice.',
  setup: (implementation, seed) =>
    paxosLogRun(implementation, {
      servers: pick([5, 3], seed),
      clients: 4,
      durationMs: duelEndMs + 4_000,
      faultsEndMs: duelEndMs,
      config: { leaderTimeoutMs: duelTimeoutMs },
      workload: { operationsPerClient: 30, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [10, 40], startMs: firstCallMs },
      // Once n0 has been cut off for 300 ms, with LeaderTimeouts of 160 ms at most, some other server has led: n0 was not
      // leading then, or the others overthrew it.
      extra: [
        grantResetsLeaderTimeout(duelTimeoutMs[0]),
        candidateTriesAgain(2 * duelTimeoutMs[1]),
        ...(takeOverWhenCutOff(
          duelCutOffs(seed, pick([5, 3], seed)).find((cutOff) => cutOff.node === 0)?.atMs,
          pick([5, 3], seed),
          (atMs) => `while n0 was cut off from the other servers (${atMs} to ${atMs + duelCutOffMs} ms), with LeaderTimeouts of 150 to 160 ms`,
        ).extra ?? []),
      ],
    }),
  scenario: (context) =>
    duelCutOffs(context.seed, context.servers.length).flatMap(({ atMs, node }): FaultAction[] => [
      ...serversApart(atMs, context.servers, [node]),
      { atMs: atMs + duelCutOffMs, type: 'heal' },
    ]),
});

// 6.12: a lagging follower. The last server is cut off from the others while many operations are
// finalized; when it is back, the leader's queries find it behind and catch it up (finalize, or
// store then finalize). On odd seeds, right after the heal, the other servers crash and one comes
// back: the lagging server then leads, and must read what it lacks from the one that is back.
const lagTimes = (seed: number) => {
  const random = scenarioRandom('6.12', seed);
  const servers = pick([3, 5], seed);
  const healMs = 2_000 + random.integer(0, 100);
  return { servers, lagging: servers - 1, healMs, crashMs: healMs + random.integer(5, 40), backMs: healMs + 300 + random.integer(0, 50), lastMs: healMs + 1_500 };
};

const laggingFollower = test(12, {
  name: 'a lagging follower catches up through the queries, and a lagging server that comes to lead reads what it lacks',
  points: 3,
  seeds: 6,
  description:
    '3 or 5 servers, n0 leading first, 3 clients. The last server is cut off from the other servers (not from the clients) from ' +
    'about 1 s until about 2 s, while some hundred operations are finalized without it. After the heal the leader\'s Query finds its first ' +
    'unfinalized slot, and the leader brings it up to date: a Finalize for each slot, and where it answers missing, the Store first. ' +
    'On odd seeds, a few ms after the heal, every other server crashes and a minority of them, not n0, comes back 300 ms later: the lagging ' +
    'server, still behind, is the one most likely to lead, and one of them must; it must read every slot it has not finalized from the servers that accepted ' +
    'its overthrow, and lose nothing. Every completed write reaches every server that is up.',
  setup: (implementation, seed) => {
    const { servers, healMs, lastMs } = lagTimes(seed);
    return paxosLogRun(implementation, {
      servers,
      clients: 3,
      durationMs: lastMs + 5_000,
      faultsEndMs: lastMs,
      workload: { operationsPerClient: 45, keys: ['x', 'y'], mix: { get: 1, put: 1, append: 4 }, thinkMs: [0, 20], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100] },
      // On odd seeds n0 goes down for good soon after the heal: the lagging server (which may overthrow n0 as soon as it is
      // back) or one that came back must lead.
      ...(seed % 2 === 1 ? { extra: [leaderTakesOver(range(0, servers), 0, healMs, lastMs, `from the heal on (${healMs} to ${lastMs} ms), n0 down from a few ms after it`)] } : {}),
      extraAfter: [operationsCompleteAfterHeal<PaxosLog>(healMs, 2_000)],
    });
  },
  scenario: (context) => {
    const { lagging, healMs, crashMs, backMs, lastMs } = lagTimes(context.seed);
    const others = context.servers.filter((node) => node !== lagging);
    // n0 stays down: the servers that come back are the last of the others.
    const comeBack = others.slice(others.length - Math.floor(context.servers.length / 2));
    const crashes: FaultAction[] =
      context.seed % 2 === 1
        ? [
            ...others.map((node): FaultAction => ({ atMs: crashMs, type: 'crash', node })),
            ...comeBack.map((node): FaultAction => ({ atMs: backMs, type: 'restart', node })),
            ...others.filter((node) => !comeBack.includes(node)).map((node): FaultAction => ({ atMs: lastMs, type: 'restart', node })),
          ]
        : [];
    return [...n0LeadsFirst(context.servers, lagSetup(context.servers, lagging, healMs)), ...crashes];
  },
});

/** 6.12: every link heals at n0LeadsUntilMs but the lagging server's, which heal at `healMs`. */
function lagSetup(servers: readonly NodeId[], lagging: NodeId, healMs: number): FaultAction[] {
  return [{ atMs: n0LeadsUntilMs, type: 'heal' }, ...serversApart(n0LeadsUntilMs, servers, [lagging]), { atMs: healMs, type: 'heal' }];
}

// 6.13: constant repartitioning.
const repartitionStartMs = 900;
const repartitionEndMs = 4_000;

const constantRepartitioning = test(13, {
  name: 'constant repartitioning: a new majority every half second',
  points: 3,
  seeds: 5,
  description:
    `5 servers, 5 clients that reach every server. From ${repartitionStartMs} to ${repartitionEndMs} ms the servers are repartitioned every 400 to ` +
    '600 ms: a random majority of three can talk, the other two are cut off from it and from each other. The leader is often cut off; ' +
    'the majority overthrows it, reads what it has not finalized, and clients move to the new leader; old leaders whose stores come ' +
    'back rejected become passive. On a seed that leaves n0 outside the majority for 450 ms or more, another server must have ' +
    'led by the end. Every history stays linearizable and every operation returns.',
  setup: (implementation, seed) =>
    paxosLogRun(implementation, {
      servers: 5,
      clients: 5,
      durationMs: repartitionEndMs + 4_000,
      faultsEndMs: repartitionEndMs,
      workload: { operationsPerClient: 35, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [20, 60], startMs: firstCallMs },
      // Once n0 has been in the minority for long enough to be overthrown, some other server has led.
      ...takeOverWhenCutOff(
        repartitionPhases(seed).find((phase) => phase.n0Apart && phase.endMs - phase.startMs >= takeOverWithinMs)?.startMs,
        5,
        (atMs) => `while n0 was in the minority (from ${atMs} ms, for at least ${takeOverWithinMs} ms)`,
      ),
    }),
  scenario: (context) => repartitionScenario(context.seed, context.servers),
});

/** 6.13's fault actions. */
function repartitionScenario(seed: number, servers: readonly NodeId[]): FaultAction[] {
  return majorityPhases(scenarioRandom('6.13', seed), servers, { startMs: repartitionStartMs, endMs: repartitionEndMs, phaseMs: [400, 600] });
}

/** 6.13's phases, read back from its scenario: when each starts and ends, and whether n0 is outside the majority. */
function repartitionPhases(seed: number): { readonly startMs: number; readonly endMs: number; readonly n0Apart: boolean }[] {
  const actions = repartitionScenario(seed, range(0, 5));
  const starts = [...new Set(actions.filter((action) => action.type === 'heal').map((action) => action.atMs))].sort((a, b) => a - b);
  return starts.slice(0, -1).map((startMs, index) => ({
    startMs,
    endMs: starts[index + 1] as number,
    // n0 talks with the majority when it is cut from the two servers outside it only.
    n0Apart: cutFrom(actions, startMs, 0).size > 2,
  }));
}

/** The servers `node` is cut from by the cuts made at `atMs`. */
function cutFrom(actions: readonly FaultAction[], atMs: number, node: NodeId): Set<NodeId> {
  const others = new Set<NodeId>();
  for (const action of actions) {
    if (action.atMs !== atMs || action.type !== 'cut') continue;
    if (action.from.includes(node)) for (const other of action.to) if (other !== node) others.add(other);
    if (action.to.includes(node)) for (const other of action.from) if (other !== node) others.add(other);
  }
  return others;
}

/**
 * The "a new leader takes over" requirement of a run in which n0 is cut off from the other
 * servers at `cutOffMs` for long enough to be overthrown; none when it never is. Any other
 * server leading from the start to the end of the faults meets it: n0 need not have been the
 * leader when it was cut off.
 */
function takeOverWhenCutOff(cutOffMs: number | undefined, servers: number, why: (atMs: number) => string): { extra?: [ReturnType<typeof leaderTakesOver>] } {
  if (cutOffMs === undefined) return {};
  return { extra: [leaderTakesOver(range(0, servers), 0, 0, Number.MAX_SAFE_INTEGER, why(cutOffMs))] };
}

// 6.14: the whole cluster restarts from its storage, twice: once all at once, once one server
// after the other, some in the middle of a reaction.
const restartTimes = (seed: number) => {
  const random = scenarioRandom('6.14', seed);
  const servers = pick([3, 5], seed);
  const allDownMs = 1_300 + random.integer(0, 100);
  const allBackMs = allDownMs + random.integer(100, 300);
  const rollingFromMs = allBackMs + 800;
  const rolling = range(0, servers).map((node, position): FaultAction[] => {
    const atMs = rollingFromMs + position * 15 + random.integer(0, 10);
    return [
      random.integer(0, 1) === 0 ? { atMs, type: 'crash', node } : { atMs, type: 'crash', node, afterEffects: random.integer(0, 2) },
      { atMs: atMs + 250 + random.integer(0, 100), type: 'restart', node },
    ];
  });
  return { servers, allDownMs, allBackMs, rolling: rolling.flat(), lastMs: rollingFromMs + 500 };
};

const wholeClusterRestart = test(14, {
  name: 'the whole cluster restarts from its storage, twice, and loses nothing',
  points: 3,
  seeds: 6,
  description:
    '3 or 5 servers, 3 clients. At about 1.3 s every server crashes at once and comes back 100 to 300 ms later; 800 ms after that every ' +
    'server crashes again within a few ms of the others (some in the middle of a reaction) and comes back. Everything a server knew ' +
    'is in its storage: its epoch (a restarted server must not accept an overthrow below it), its slots and their finalized flags. ' +
    'Operations finalized before the crashes are executed again by every server, in the same order, and every later get sees them.',
  setup: (implementation, seed) =>
    paxosLogRun(implementation, {
      servers: restartTimes(seed).servers,
      clients: 3,
      durationMs: 8_000,
      faultsEndMs: restartTimes(seed).lastMs,
      workload: { operationsPerClient: 35, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [10, 40], startMs: firstCallMs },
    }),
  scenario: (context) => {
    const { allDownMs, allBackMs, rolling } = restartTimes(context.seed);
    return [
      ...context.servers.map((node): FaultAction => ({ atMs: allDownMs, type: 'crash', node })),
      ...context.servers.map((node): FaultAction => ({ atMs: allBackMs, type: 'restart', node })),
      ...rolling,
    ];
  },
});

export const faultTests: SuiteTest<PaxosLogImplementation>[] = [unreliable, followerCrashes, leaderCrashes, duels, laggingFollower, constantRepartitioning, wholeClusterRestart];
