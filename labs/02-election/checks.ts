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

/**
 * Every live server follows the highest live id: a message naming the first that does not,
 * the highest live node itself first (when it does not lead, that is the heart of it).
 */
function whoDoesNotFollow<P extends Election>(cluster: ClusterView<P>, memory: Beliefs): string | undefined {
  const highest = highestLive(cluster);
  if (memory.outputs === 0) {
    const expected = highest === undefined ? '' : `; the highest live id is ${nodeName(highest)}`;
    return `no progress: no node reported a leader by ${cluster.nowMs} ms${expected}`;
  }
  if (highest === undefined) return undefined;
  const problem = whyNotFollowing(cluster, memory, highest, highest);
  if (problem !== undefined) return problem;
  for (const id of cluster.servers) {
    if (id === highest) continue;
    const other = whyNotFollowing(cluster, memory, id, highest);
    if (other !== undefined) return other;
  }
  return undefined;
}

/** Why live node `id` does not follow `highest`, or undefined when it does (or is down). */
function whyNotFollowing<P extends Election>(cluster: ClusterView<P>, memory: Beliefs, id: NodeId, highest: NodeId): string | undefined {
  if (cluster.isCrashed(id)) return undefined;
  const leader = beliefOf(cluster, memory, id);
  if (leader === highest) return undefined;
  const who = id === highest ? `${nodeName(id)}, the highest live id,` : nodeName(id);
  const expected = id === highest ? '' : `; the highest live id is ${nodeName(highest)}`;
  if (leader === undefined) {
    const before = memory.byNode[id];
    const since = before === null || before === undefined ? '' : ' since it restarted (what it reported before its crash does not count)';
    return `${who} knows no leader${since} at ${cluster.nowMs} ms${expected}`;
  }
  const dead = cluster.isCrashed(leader) ? ', which is dead' : '';
  return `${who} believes ${nodeName(leader)} leads${dead} at ${cluster.nowMs} ms${expected}`;
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

// The ring's forwarding rules (2B), judged from the messages each node is handed and the
// messages it sends in the same reaction: a rule broken is named where it is broken, not
// found later as a wrong leader or a wrong message count.

/** An Election or Coordinator as the rules read it: who it names, and its hops. */
interface RingHop {
  readonly type: 'Election' | 'Coordinator';
  /** The candidate of an Election, the leader of a Coordinator. */
  readonly names: NodeId;
  readonly hops: number;
}

/** The Election or Coordinator a node was handed, and what it sent in that reaction. */
interface Handed extends RingHop {
  readonly node: NodeId;
  readonly step: number;
  /** Whether the node took part in an election when it was handed the message (see below). */
  readonly participant: boolean;
  readonly sent: RingHop[];
}

interface RingMemory {
  handed: Handed | null;
  /**
   * Per node: taking part in an election, as its messages show: it sent an Election and has
   * neither sent nor been handed a Coordinator since (a restart clears it).
   */
  readonly participant: boolean[];
  /**
   * A crash or a network fault happened. A node alone with dead or unreachable successors
   * stops taking part without a message, so from then on the participant flag, read from
   * messages, is no longer sure and the rules that rest on it are not judged.
   */
  faulted: boolean;
}

/** One rule family: what it says about a single send, and about a reaction once it is over. */
interface RingRule {
  /** Judges a send; `handed` is the message the sender is reacting to, if any. */
  sent?(sender: NodeId, message: RingHop, handed: Handed | undefined, nodeCount: number, participantKnown: boolean): string | undefined;
  /** Judges a reaction to a handed message once it is over; `participantKnown`: the flag can be trusted. */
  reacted?(handed: Handed, nodeCount: number, participantKnown: boolean): string | undefined;
}

function ringHop(message: Ring['message']): RingHop | undefined {
  if (message.type === 'Election') return { type: 'Election', names: message.candidate, hops: message.hops };
  if (message.type === 'Coordinator') return { type: 'Coordinator', names: message.leader, hops: message.hops };
  return undefined;
}

function ringRule(name: string, rule: RingRule): Property<Ring, RingMemory> {
  const reacted = rule.reacted;
  return always<Ring, RingMemory>(name, {
    memory: (cluster) => ({ handed: null, participant: cluster.nodeIds.map(() => false), faulted: false }),
    records: ['deliver:Election', 'deliver:Coordinator', 'send:Election', 'send:Coordinator', 'crash', 'restart', 'fault'],
    record(memory, event, cluster) {
      switch (event.kind) {
        case 'crash':
        case 'fault':
          memory.faulted = true;
          return undefined;
        case 'restart':
          memory.participant[event.node] = false;
          return undefined;
        case 'deliver': {
          const hop = ringHop(event.message);
          if (hop === undefined) return undefined;
          const node = event.to;
          memory.handed = { type: hop.type, names: hop.names, hops: hop.hops, node, step: cluster.step, participant: memory.participant[node] === true, sent: [] };
          if (hop.type === 'Coordinator' && hop.hops <= cluster.servers.length && hop.names !== node) memory.participant[node] = false;
          return undefined;
        }
        case 'send': {
          const hop = ringHop(event.message);
          if (hop === undefined) return undefined;
          const sender = event.from;
          const handed = memory.handed !== null && memory.handed.node === sender && memory.handed.step === cluster.step ? memory.handed : undefined;
          handed?.sent.push(hop);
          memory.participant[sender] = hop.type === 'Election';
          return rule.sent?.(sender, hop, handed, cluster.servers.length, !memory.faulted);
        }
        default:
          return undefined;
      }
    },
    // `check` runs after every event; the reaction to the handed message is over when it runs
    // in the step that handed it. Rules about single sends need no check.
    ...(reacted === undefined
      ? {}
      : {
          check(cluster: ClusterView<Ring>, memory: RingMemory): string | undefined {
            const handed = memory.handed;
            if (handed === null || handed.step !== cluster.step) return undefined;
            return reacted(handed, cluster.servers.length, !memory.faulted);
          },
        }),
  });
}

const sentOn = (handed: Handed, type: RingHop['type'], names: NodeId) => handed.sent.some((hop) => hop.type === type && hop.names === names);

export const largestIdName = 'Elections carry the largest id';

/**
 * An Election carries the largest id seen: a node passes on a larger candidate, puts its
 * own id in place of a smaller one (when it takes no part yet), and announces itself when
 * its own id comes back.
 */
export const electionsCarryTheLargestId = ringRule(largestIdName, {
  sent(sender, message) {
    if (message.type !== 'Election' || message.names >= sender) return undefined;
    return (
      `${nodeName(sender)} sent an Election carrying ${nodeName(message.names)} although ${nodeName(sender)} > ${nodeName(message.names)}: ` +
      'a node passes on a larger candidate and puts its own id in place of a smaller one'
    );
  },
  reacted(handed, nodeCount, participantKnown) {
    if (handed.type !== 'Election' || handed.hops > nodeCount) return undefined;
    const node = nodeName(handed.node);
    const candidate = nodeName(handed.names);
    if (handed.names > handed.node && !sentOn(handed, 'Election', handed.names)) {
      return `${node} got an Election carrying ${candidate}, larger than itself, and did not pass it on`;
    }
    if (handed.names === handed.node && !sentOn(handed, 'Coordinator', handed.node)) {
      return `${node} got an Election carrying its own id back and did not announce itself with a Coordinator: no larger id is alive`;
    }
    if (handed.names < handed.node && participantKnown && !handed.participant && !sentOn(handed, 'Election', handed.node)) {
      return `${node} took no part in an election, got one carrying the smaller ${candidate}, and did not send an Election with its own id in its place`;
    }
    return undefined;
  },
});

export const swallowName = 'participants swallow smaller candidates';

/** A participant handed a smaller candidate swallows it: its own, larger, id is already on its way. */
export const participantsSwallow = ringRule(swallowName, {
  sent(sender, message, handed, nodeCount, participantKnown) {
    if (handed === undefined || !participantKnown || !handed.participant || handed.type !== 'Election' || message.type !== 'Election') return undefined;
    if (handed.names >= sender || handed.hops > nodeCount) return undefined;
    return (
      `${nodeName(sender)} already takes part in an election, got one carrying the smaller ${nodeName(handed.names)}, and sent an Election ` +
      `carrying ${nodeName(message.names)}: a participant swallows a smaller candidate`
    );
  },
});

export const coordinatorRoundName = 'the Coordinator goes once around';

/** A Coordinator goes on round the ring, node after node, until it comes back to its leader. */
export const coordinatorGoesOnceAround = ringRule(coordinatorRoundName, {
  sent(sender, message, handed) {
    if (handed?.type !== 'Coordinator' || message.type !== 'Coordinator' || handed.names !== sender || message.names !== sender) return undefined;
    return `${nodeName(sender)} passed its own Coordinator on when it came back: it has been once around the ring, and stops there`;
  },
  reacted(handed, nodeCount) {
    if (handed.type !== 'Coordinator' || handed.hops > nodeCount || handed.names === handed.node) return undefined;
    if (sentOn(handed, 'Coordinator', handed.names)) return undefined;
    const leader = nodeName(handed.names);
    return `${nodeName(handed.node)} got the Coordinator of ${leader} and did not pass it on: it goes round the ring until it comes back to ${leader}`;
  },
});

export const hopsName = 'hops count the steps round the ring';

/**
 * `hops` counts the steps an Election (a Coordinator) has made since its candidate (its
 * leader) was put in: 1 when a node puts its own id in, one more at each node that passes it
 * on. A message handed over with more than N hops has been round the whole ring without
 * coming back to the node it names, which must be dead: it is dropped.
 */
export const hopsCountTheSteps = ringRule(hopsName, {
  sent(sender, message, handed, nodeCount) {
    const kind = message.type;
    const aKind = kind === 'Election' ? 'an Election' : 'a Coordinator';
    const passedOn = handed !== undefined && handed.type === kind && handed.names === message.names;
    if (message.names === sender) {
      // Its own id (a new candidate, an announcement, or one of those sent again past a dead successor).
      if (passedOn || message.hops === 1) return undefined;
      return `${nodeName(sender)} sent ${aKind} naming itself with hops ${message.hops}: a node that puts its own id in starts at hops 1`;
    }
    if (!passedOn) return undefined;
    if (handed.hops > nodeCount) {
      return (
        `${nodeName(sender)} passed on ${aKind} naming ${nodeName(handed.names)} that came with hops ${handed.hops} > N = ${nodeCount}: ` +
        `it has been round the whole ring without reaching ${nodeName(handed.names)}, which must be dead, and is dropped`
      );
    }
    if (message.hops === handed.hops + 1) return undefined;
    return (
      `${nodeName(sender)} passed on ${aKind} naming ${nodeName(handed.names)} with hops ${message.hops}; it came with hops ${handed.hops}, ` +
      `so it goes on with hops ${handed.hops + 1}`
    );
  },
});

/** The ring's forwarding rules, each under its own name. */
export const ringRules: readonly Property<Ring, RingMemory>[] = [electionsCarryTheLargestId, participantsSwallow, coordinatorGoesOnceAround, hopsCountTheSteps];
