// Lab 2's properties. They read what each node reported (its Leader outputs, folded from the
// history), which nodes are up, and the messages sent; never a node's private fields, and
// never a list or a config a node was handed: the cluster's ids come from the cluster view.
import { always, budget, eventually, nodeName, type ClusterView, type HistoryEvent, type NodeId, type Property } from 'distlab/testing';
import type { Bully, Ring } from './src/protocol.ts';

type Election = Bully | Ring;

/** A node's last Leader output, and the incarnation that reported it. */
interface Belief {
  readonly leader: NodeId;
  readonly incarnation: number;
}

/** What the nodes reported: per node id, its last Leader output (null: none yet). */
interface Beliefs {
  readonly byNode: (Belief | null)[];
  outputs: number;
}

const beliefsMemory = (cluster: { readonly nodeIds: readonly NodeId[] }): Beliefs => ({
  byNode: cluster.nodeIds.map(() => null),
  outputs: 0,
});

function recordBelief<P extends Election>(memory: Beliefs, event: HistoryEvent<P>): undefined {
  if (event.kind !== 'output') return undefined;
  memory.byNode[event.node] = { leader: event.output.leader, incarnation: event.incarnation };
  memory.outputs++;
  return undefined;
}

/**
 * Who `node` believes leads now: its last Leader output since it last (re)started. A crash
 * wipes a belief: the restarted node must learn the leader again.
 */
function beliefOf<P extends Election>(cluster: ClusterView<P>, memory: Beliefs, node: NodeId): NodeId | undefined {
  const belief = memory.byNode[node];
  if (belief === null || belief === undefined || belief.incarnation !== cluster.incarnation(node)) return undefined;
  return belief.leader;
}

function highestLive<P extends Election>(cluster: ClusterView<P>): NodeId | undefined {
  let highest: NodeId | undefined;
  for (const id of cluster.servers) if (!cluster.isCrashed(id) && (highest === undefined || id > highest)) highest = id;
  return highest;
}

/** Every live server follows the highest live id: a message naming the first that does not. */
function whoDoesNotFollow<P extends Election>(cluster: ClusterView<P>, memory: Beliefs): string | undefined {
  if (memory.outputs === 0) return `no progress: no node reported a leader by ${cluster.nowMs} ms`;
  const highest = highestLive(cluster);
  if (highest === undefined) return undefined;
  for (const id of cluster.servers) {
    if (cluster.isCrashed(id)) continue;
    const leader = beliefOf(cluster, memory, id);
    if (leader === undefined) return `${nodeName(id)} knows no leader at ${cluster.nowMs} ms; the highest live id is ${nodeName(highest)}`;
    if (leader === highest) continue;
    const dead = cluster.isCrashed(leader) ? ', which is dead' : '';
    return `${nodeName(id)} believes ${nodeName(leader)} leads${dead} at ${cluster.nowMs} ms; the highest live id is ${nodeName(highest)}`;
  }
  return undefined;
}

/** "the start" or "the last fault (at 1000 ms)": where the bound T is counted from. */
function since<P extends Election>(cluster: ClusterView<P>): string {
  return cluster.lastFaultMs === 0 ? 'the start' : `the last fault (at ${cluster.lastFaultMs} ms)`;
}

export const highestLiveLeadsName = 'the highest live id leads';

/**
 * "The highest live id leads": within `boundMs` (T) of the last fault or heal (or of the
 * start), every live node follows the highest live id, and goes on following it until the
 * next fault. One claim, judged at three kinds of moments: at the deadline (`eventually`
 * with `withinMs`), after every event from then on (`always`), and when the run ends (for
 * runs in which nothing happens after the deadline).
 */
export function highestLiveLeads<P extends Election>(boundMs: number): Property<P, Beliefs>[] {
  const records = ['output'] as const;
  return [
    always<P, Beliefs>(highestLiveLeadsName, {
      memory: beliefsMemory,
      records,
      record: recordBelief,
      check(cluster, memory) {
        if (cluster.nowMs < cluster.lastFaultMs + boundMs) return undefined;
        const problem = whoDoesNotFollow(cluster, memory);
        return problem === undefined ? undefined : `${problem}, at least T = ${boundMs} ms after ${since(cluster)}`;
      },
    }),
    eventually<P, Beliefs>(highestLiveLeadsName, { memory: beliefsMemory, records, record: recordBelief, check: whoDoesNotFollow }, { withinMs: boundMs }),
    eventually<P, Beliefs>(highestLiveLeadsName, {
      memory: beliefsMemory,
      records,
      record: recordBelief,
      check(cluster, memory) {
        const problem = whoDoesNotFollow(cluster, memory);
        return problem === undefined ? undefined : `${problem}, when the run ends`;
      },
    }),
  ];
}

export const oneLeaderName = 'one leader';

/** From `boundMs` after the last fault on, all live nodes that know a leader know the same one. */
export function oneLeader<P extends Election>(boundMs: number): Property<P, Beliefs> {
  return always<P, Beliefs>(oneLeaderName, {
    memory: beliefsMemory,
    records: ['output'],
    record: recordBelief,
    check(cluster, memory) {
      if (cluster.nowMs < cluster.lastFaultMs + boundMs) return undefined;
      const byLeader = new Map<NodeId, NodeId[]>();
      for (const id of cluster.servers) {
        if (cluster.isCrashed(id)) continue;
        const leader = beliefOf(cluster, memory, id);
        if (leader === undefined) continue;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), id]);
      }
      if (byLeader.size <= 1) return undefined;
      const camps = [...byLeader].map(([leader, followers]) => `${followers.map(nodeName).join(', ')} follow ${nodeName(leader)}`);
      return `two leaders at ${cluster.nowMs} ms: ${camps.join('; ')}`;
    },
  });
}

/** The message types that count towards an election's cost. */
const countedTypes: readonly string[] = ['Election', 'Ok', 'Coordinator'];

/** Messages sent from the election's start on, per type. */
interface ElectionCount {
  readonly byType: Record<string, number>;
  counted: number;
  acks: number;
}

export const electionCostName = 'election messages';

/**
 * Budget: the election after `fromMs` costs exactly `expected` Election, Ok and Coordinator
 * messages (Acks are counted apart, and reported).
 */
export function electionCost<P extends Election>(fromMs: number, expected: number, formula: string): Property<P, ElectionCount> {
  return budget<P, ElectionCount>(electionCostName, {
    memory: () => ({ byType: {}, counted: 0, acks: 0 }),
    records: ['send'],
    record(count, event) {
      if (event.kind !== 'send' || event.timeMs < fromMs) return undefined;
      const type = event.message.type;
      if (countedTypes.includes(type)) {
        count.byType[type] = (count.byType[type] ?? 0) + 1;
        count.counted++;
      }
      if (type === 'Ack') count.acks++;
      return undefined;
    },
    check(_cluster, count) {
      if (count.counted === expected) return undefined;
      const parts = Object.entries(count.byType).map(([type, sent]) => `${sent} ${type}`).join(' + ') || 'none';
      return `${parts} = ${count.counted} messages (and ${count.acks} Acks, not counted) after ${fromMs} ms; the handout's formula ${formula} gives ${expected}`;
    },
  });
}
