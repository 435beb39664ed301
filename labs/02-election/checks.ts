// Lab 2's properties. They read the Leader outputs (what each node believes), which nodes
// are alive, and the messages sent; never a node's private fields.
import { nodeName, type NodeId, type Property, type World } from 'distlab/testing';
import type { Bully, Ring } from './src/protocol.ts';

type Election = Bully | Ring;

/** What each node believes now: its last Leader output since it last (re)started. */
function beliefsReader<P extends Election>(): (world: World<P>) => Map<NodeId, NodeId> {
  let seen = 0;
  const beliefs = new Map<NodeId, { leader: NodeId; holder: object | undefined }>();
  return (world) => {
    for (; seen < world.outputs.length; seen++) {
      const record = world.outputs[seen]!;
      beliefs.set(record.node, { leader: record.output.leader, holder: world.node(record.node) });
    }
    const current = new Map<NodeId, NodeId>();
    for (const id of world.servers) {
      const belief = beliefs.get(id);
      const holder = world.node(id);
      // A crash wipes a belief: the restarted node is a new object and must learn again.
      if (belief !== undefined && holder !== undefined && belief.holder === holder) current.set(id, belief.leader);
    }
    return current;
  };
}

function highestLive<P extends Election>(world: World<P>): NodeId | undefined {
  const live = world.servers.filter((id) => !world.isCrashed(id));
  return live.length === 0 ? undefined : Math.max(...live);
}

/**
 * From `settledAtMs` on (the last fault plus the bound T), every live node believes the
 * highest live id leads; checked after every event, and at the end.
 */
export function highestLiveLeads<P extends Election>(settledAtMs: number): Property<P> {
  const read = beliefsReader<P>();
  const check = (world: World<P>): string | undefined => {
    const beliefs = read(world);
    if (world.nowMs < settledAtMs) return undefined;
    if (world.outputs.length === 0) return `no progress: no node reported a leader by ${world.nowMs} ms`;
    const highest = highestLive(world);
    if (highest === undefined) return undefined;
    for (const id of world.servers) {
      if (world.isCrashed(id)) continue;
      const leader = beliefs.get(id);
      if (leader === undefined) return `${nodeName(id)} knows no leader at ${world.nowMs} ms; the highest live id is ${nodeName(highest)}`;
      if (leader === highest) continue;
      const dead = world.isCrashed(leader) ? ', which is dead' : '';
      return `${nodeName(id)} believes ${nodeName(leader)} leads${dead} at ${world.nowMs} ms; the highest live id is ${nodeName(highest)}`;
    }
    return undefined;
  };
  return { name: 'the highest live id leads', kind: 'always', check };
}

/** At the end of the run, the highest live id leads (for runs that end right at the bound). */
export function highestLiveLeadsAtTheEnd<P extends Election>(): Property<P> {
  const always = highestLiveLeads<P>(0);
  return { name: 'the highest live id leads', kind: 'eventually', check: (world) => always.check(world) };
}

/** From `fromMs` on, all live nodes that know a leader know the same one. */
export function oneLeader<P extends Election>(fromMs: number): Property<P> {
  const read = beliefsReader<P>();
  return {
    name: 'one leader',
    kind: 'always',
    check(world) {
      const beliefs = read(world);
      if (world.nowMs < fromMs) return undefined;
      const byLeader = new Map<NodeId, NodeId[]>();
      for (const [id, leader] of beliefs) {
        if (world.isCrashed(id)) continue;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), id]);
      }
      if (byLeader.size <= 1) return undefined;
      const camps = [...byLeader].map(([leader, followers]) => `${followers.map(nodeName).join(', ')} follow ${nodeName(leader)}`);
      return `two leaders at ${world.nowMs} ms: ${camps.join('; ')}`;
    },
  };
}

/** The message types that count towards an election's cost. */
const countedTypes = new Set(['Election', 'Ok', 'Coordinator']);

export interface ElectionCount {
  readonly counted: number;
  readonly byType: Record<string, number>;
  readonly acks: number;
}

/** Counts Election, Ok and Coordinator messages sent from `fromMs` on (Acks separately). */
export function countElectionMessages<P extends Election>(fromMs: number, counts: { current?: ElectionCount }): Property<P> {
  const byType: Record<string, number> = {};
  let acks = 0;
  return {
    name: 'election messages counted',
    kind: 'always',
    check: () => undefined,
    observeMessage(event) {
      if (event.kind !== 'send' || event.timeMs < fromMs) return undefined;
      const type = event.message.type;
      if (countedTypes.has(type)) byType[type] = (byType[type] ?? 0) + 1;
      if (type === 'Ack') acks++;
      counts.current = { counted: Object.values(byType).reduce((sum, count) => sum + count, 0), byType: { ...byType }, acks };
      return undefined;
    },
  };
}

/** Budget: the election after `fromMs` costs exactly `expected` Election, Ok and Coordinator messages. */
export function electionCost<P extends Election>(fromMs: number, expected: number, formula: string): Property<P> {
  const counts: { current?: ElectionCount } = {};
  const counter = countElectionMessages<P>(fromMs, counts);
  return {
    name: 'election messages',
    kind: 'eventually',
    check: () => {
      const current = counts.current ?? { counted: 0, byType: {}, acks: 0 };
      if (current.counted === expected) return undefined;
      const parts = Object.entries(current.byType).map(([type, count]) => `${count} ${type}`).join(' + ') || 'none';
      return `${parts} = ${current.counted} messages (and ${current.acks} Acks, not counted) after ${fromMs} ms; the handout's formula ${formula} gives ${expected}`;
    },
    observeMessage: (event, world) => counter.observeMessage?.(event, world),
  };
}
