// Partitions of every shape, as fault actions, for suites of replicated services: two-way
// cuts, halves, a majority ring, a bridge, one server through which all must talk, and a
// generator of random partitions of every shape, each healed after a while.
import * as fc from 'fast-check';
import { sortSchedule } from './faultGenerators.ts';
import type { FaultAction, FaultSchedule } from './faults.ts';
import type { NetworkSettings } from './network.ts';
import type { RandomSource } from './_internals/random.ts';
import type { NodeId } from './types.ts';

/** Two-way cut between every pair of `left` and `right`. */
export function cutBetween(atMs: number, left: readonly NodeId[], right: readonly NodeId[]): FaultAction[] {
  return [
    { atMs, type: 'cut', from: left, to: right },
    { atMs, type: 'cut', from: right, to: left },
  ];
}

/** `side` cut off from the other `servers`, both ways; nodes not in `servers` (clients) still reach everyone. */
export function serversApart(atMs: number, servers: readonly NodeId[], side: readonly NodeId[]): FaultAction[] {
  return cutBetween(
    atMs,
    side,
    servers.filter((node) => !side.includes(node)),
  );
}

/** `count` of `nodes`, drawn at random, in id order. */
export function drawNodes(random: RandomSource, nodes: readonly NodeId[], count: number): NodeId[] {
  const remaining = [...nodes];
  const drawn: NodeId[] = [];
  while (drawn.length < count && remaining.length > 0) {
    const [node] = remaining.splice(random.integer(0, remaining.length - 1), 1);
    if (node !== undefined) drawn.push(node);
  }
  return drawn.sort((left, right) => left - right);
}

/**
 * Constant repartitioning of the servers, from `startMs` until every link heals at `endMs`: each
 * phase (its length drawn from `phaseMs`), a random majority talks, and the others are cut off
 * from it and from one another. Clients reach every server throughout.
 */
export function majorityPhases(
  random: RandomSource,
  servers: readonly NodeId[],
  options: { readonly startMs: number; readonly endMs: number; readonly phaseMs: readonly [number, number] },
): FaultAction[] {
  const majority = Math.floor(servers.length / 2) + 1;
  const actions: FaultAction[] = [];
  for (let atMs = options.startMs; atMs < options.endMs; atMs += random.integer(options.phaseMs[0], options.phaseMs[1])) {
    const talking = drawNodes(random, servers, majority);
    const apart = servers.filter((node) => !talking.includes(node));
    actions.push({ atMs, type: 'heal' }, ...serversApart(atMs, servers, apart));
    if (apart.length > 1) actions.push({ atMs, type: 'cut', from: apart, to: apart });
  }
  return [...actions, { atMs: options.endMs, type: 'heal' }];
}

/** Halves: the first ⌊N/2⌋ servers apart from the rest (a majority on one side). */
export function halves(atMs: number, servers: readonly NodeId[]): FaultAction[] {
  return [{ atMs, type: 'partition', groups: [servers.slice(0, Math.floor(servers.length / 2))] }];
}

/** A majority ring: each server talks only to its two neighbours on a ring (for 5: three of five, a different majority for each). */
export function majorityRing(atMs: number, servers: readonly NodeId[]): FaultAction[] {
  const count = servers.length;
  return servers.flatMap((node, position) =>
    servers
      .filter((_other, otherPosition) => {
        const distance = Math.min((otherPosition - position + count) % count, (position - otherPosition + count) % count);
        return distance > 1;
      })
      .map((other): FaultAction => ({ atMs, type: 'cut', from: [node], to: [other] })),
  );
}

/** A bridge: `bridge` talks to everyone; the others split in two halves that cannot talk to each other. */
export function bridge(atMs: number, servers: readonly NodeId[], bridgeNode: NodeId): FaultAction[] {
  const others = servers.filter((node) => node !== bridgeNode);
  const half = Math.floor(others.length / 2);
  return cutBetween(atMs, others.slice(0, half), others.slice(half));
}

/** Only `node` can win an election: every other pair of servers is cut apart (it is the bridge between all of them). */
export function onlyThroughNode(atMs: number, servers: readonly NodeId[], node: NodeId): FaultAction[] {
  const others = servers.filter((other) => other !== node);
  return others.length < 2 ? [] : [{ atMs, type: 'cut', from: others, to: others }];
}

/** Random partitions of every shape, each healed after `lengthMs`: halves (random), one isolated, a majority ring, a bridge, a one-way cut. */
export function shapedPartitions(
  servers: readonly NodeId[],
  options: { readonly count: readonly [number, number]; readonly withinMs: readonly [number, number]; readonly lengthMs: readonly [number, number] },
): fc.Arbitrary<FaultSchedule> {
  const shape = fc.constantFrom('halves', 'isolate', 'ring', 'bridge', 'one-way');
  const episode = fc.tuple(
    shape,
    fc.noBias(fc.integer({ min: 0, max: servers.length - 1 })),
    fc.noBias(fc.integer({ min: options.withinMs[0], max: options.withinMs[1] })),
    fc.noBias(fc.integer({ min: options.lengthMs[0], max: options.lengthMs[1] })),
  );
  return fc.noBias(fc.array(episode, { minLength: options.count[0], maxLength: options.count[1] })).map((list) =>
    sortSchedule(
      list.flatMap(([kind, offset, atMs, lengthMs]): FaultAction[] => {
        const rotated = servers.map((_node, position) => servers[(position + offset) % servers.length] as NodeId);
        const first = rotated[0] as NodeId;
        const cuts: FaultAction[] =
          kind === 'halves'
            ? halves(atMs, rotated)
            : kind === 'isolate'
              ? [{ atMs, type: 'isolate', node: first }]
              : kind === 'ring'
                ? majorityRing(atMs, rotated)
                : kind === 'bridge'
                  ? bridge(atMs, rotated, first)
                  : [{ atMs, type: 'cut', from: [first], to: rotated.slice(1) }];
        return [...cuts, { atMs: atMs + lengthMs, type: 'heal' }];
      }),
    ),
  );
}

/**
 * n0 leads first, without knowing the code: the other servers are down until `othersBackMs`,
 * and from then on can talk only to n0 until `then` sets the links anew (a heal, a partition), so
 * none of them can gather a majority without it. The lab chooses `othersBackMs` from its timeouts.
 */
export function n0LeadsFirst(servers: readonly NodeId[], othersBackMs: number, then: readonly FaultAction[]): FaultAction[] {
  const others = servers.filter((node) => node !== 0);
  return [
    ...others.map((node): FaultAction => ({ atMs: 0, type: 'crash', node })),
    ...onlyThroughNode(0, servers, 0),
    ...others.map((node): FaultAction => ({ atMs: othersBackMs, type: 'restart', node })),
    ...then,
  ];
}

/** The end of a chaotic phase: links healed, every server restarted, the network as `network` says. */
export function stabilize(atMs: number, servers: readonly NodeId[], network: Partial<NetworkSettings>): FaultAction[] {
  return [{ atMs, type: 'heal' }, ...servers.map((node): FaultAction => ({ atMs, type: 'restart', node })), { atMs, type: 'network', ...network }];
}

/**
 * A slow moment: every message sent from `fromMs` until `untilMs` takes `delayMs` to arrive, and
 * from then on the network is as `after` says. What is sent in the moment arrives long after what
 * is sent just before or after it: a request or a reply that reaches its receiver once the world
 * has moved on (a new leader, a new term or epoch).
 */
export function slowMoment(fromMs: number, untilMs: number, delayMs: number, after: Partial<NetworkSettings>): FaultAction[] {
  return [
    { atMs: fromMs, type: 'network', delay: { kind: 'uniform', minMs: delayMs, maxMs: delayMs } },
    { atMs: untilMs, type: 'network', ...after },
  ];
}

/**
 * When each step of a "late answer" comes, for a leader that is given x at `xMs` (see
 * {@link lateAnswerScenario}): an answer to what it sent while leading one epoch, ballot or term
 * reaches it seconds later, while it leads a newer one with x pending in the same slot.
 */
export interface LateAnswerTimes {
  readonly xMs: number;
  /** Messages sent in a slow moment arrive this much later. */
  readonly slowDelayMs: number;
  /**
   * The first slow moment: the leader's request for x goes out in it (x's call, sent just before,
   * takes 1 to 10 ms), and every server goes down at its end, before a follower's timeout can run out.
   */
  readonly firstSlowMs: readonly [number, number];
  /** The leader comes back alone; n2 and n3 come back once it has tried to lead at least once. */
  readonly n0BackMs: number;
  readonly votersBackMs: number;
  /** n2 goes down before the second slow moment, which would hold back the leader's heartbeats to it long enough for it to try to lead. */
  readonly n2DownMs: number;
  /**
   * The second slow moment starts more than 10 ms (the most a message takes) before n1 comes back,
   * so nothing sent before it reaches n1; n1 is up while the first moment's messages arrive, and
   * answers them in the second.
   */
  readonly secondSlowMs: readonly [number, number];
  readonly n1UpMs: readonly [number, number];
  /** n1's answer has reached the leader by now: everything heals. */
  readonly stableMs: number;
}

/** The times of a late answer for x given at `xMs`; `othersBackMs` is what the leader needs to lead alone first (as in n0LeadsFirst). */
export function lateAnswerTimes(xMs: number, othersBackMs: number): LateAnswerTimes {
  const slowDelayMs = 2_500;
  const firstSlowMs = [xMs + 1, xMs + 15] as const;
  const n0BackMs = xMs + 100;
  const n1UpMs = [firstSlowMs[0] + slowDelayMs - 1, firstSlowMs[1] + slowDelayMs + 5] as const;
  return {
    xMs,
    slowDelayMs,
    firstSlowMs,
    n0BackMs,
    votersBackMs: n0BackMs + othersBackMs,
    n2DownMs: xMs + 2_000,
    secondSlowMs: [firstSlowMs[0] + slowDelayMs - 12, firstSlowMs[1] + slowDelayMs + 10],
    n1UpMs,
    stableMs: n1UpMs[1] + slowDelayMs + 100,
  };
}

/**
 * A late answer, on 5 servers: n0 leads first with n1 and n2 (n3 and n4 are down) and is given x;
 * its request for x (a Store, a P2a) goes out in a slow moment that brings it to n1 seconds later,
 * and every server goes down. n0 comes back alone, then n2 and n3, which can reach only n0: n0
 * leads anew and asks for x again in the same slot. n3 goes down as `request` reaches it (before
 * it takes it), n2 takes it and goes down later: two of five hold x in the new leadership. n1 comes
 * back as the slow request arrives, takes x in n0's first leadership and answers while the network
 * is slow again: its answer reaches n0 seconds later, while n0 still leads anew with x pending. A
 * leader that counted it would have three of five, two in one leadership and one in another.
 * Everything heals at `stableMs`, with `network` from then on.
 */
export function lateAnswerScenario(
  times: LateAnswerTimes,
  servers: readonly NodeId[],
  leaderFirst: readonly FaultAction[],
  request: string,
  network: Partial<NetworkSettings>,
): FaultAction[] {
  const slow = (fromMs: number, untilMs: number) => slowMoment(fromMs, untilMs, times.slowDelayMs, network);
  return [
    ...leaderFirst,
    { atMs: 0, type: 'crash', node: 3 },
    { atMs: 0, type: 'crash', node: 4 },
    ...slow(...times.firstSlowMs),
    ...servers.map((node): FaultAction => ({ atMs: times.firstSlowMs[1], type: 'crash', node })),
    { atMs: times.n0BackMs, type: 'restart', node: 0 },
    { atMs: times.votersBackMs, type: 'restart', node: 2 },
    { atMs: times.votersBackMs, type: 'restart', node: 3 },
    ...onlyThroughNode(times.votersBackMs, servers, 0),
    { atMs: times.votersBackMs + 1, type: 'crash', node: 3, afterEffects: 0, inReactionTo: `message:${request}` },
    { atMs: times.n2DownMs, type: 'crash', node: 2 },
    ...slow(...times.secondSlowMs),
    { atMs: times.n1UpMs[0], type: 'restart', node: 1 },
    { atMs: times.n1UpMs[1], type: 'crash', node: 1 },
    ...stabilize(times.stableMs, servers, network),
  ];
}
