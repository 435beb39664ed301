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

export const sideLeadsItselfName = 'a side cut off elects its own leader';

/**
 * With heartbeats on and no quorum, a side of a partition that cannot hear its leader elects
 * the highest id on its side (the split brain the handout describes): by `byMs`, every live
 * node of `side` follows the highest live id of `side`. Judged once, at the first event at or
 * after `byMs`; a node that leads alone from the start, whose followers never suspect it, would
 * otherwise pass a heal test with one leader it never had to reconcile.
 */
export function sideLeadsItself<P extends Election>(side: readonly NodeId[], cutMs: number, byMs: number): Property<P, Beliefs & { judged: boolean }> {
  return always<P, Beliefs & { judged: boolean }>(sideLeadsItselfName, {
    memory: (cluster) => ({ ...beliefsMemory(cluster), judged: false }),
    records: ['output'],
    record: recordBelief,
    check(cluster, memory) {
      if (memory.judged || cluster.nowMs < byMs) return undefined;
      memory.judged = true;
      // Nobody reported any leader at all: "the highest live id leads" says so, as no progress.
      if (memory.outputs === 0) return undefined;
      let highest: NodeId | undefined;
      for (const id of side) if (!cluster.isCrashed(id) && (highest === undefined || id > highest)) highest = id;
      if (highest === undefined) return undefined;
      for (const id of [highest, ...side.filter((other) => other !== highest)]) {
        if (cluster.isCrashed(id)) continue;
        const leader = beliefOf(cluster, memory, id);
        if (leader === highest) continue;
        return (
          `${nodeName(id)} ${leader === undefined ? 'knows no leader' : `believes ${nodeName(leader)} leads`} at ${cluster.nowMs} ms, though {${side.map(nodeName).join(', ')}} ` +
          `had been cut off from the other nodes since ${cutMs} ms: a side that no longer hears its leader's heartbeats suspects it, and elects ` +
          `its own highest id, ${nodeName(highest)}`
        );
      }
      return undefined;
    },
  });
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
 * messages (Acks are counted apart, and reported). With `nodeCount`, the run's measurements
 * give what it counted as `measured@N` and `acks@N`: the same count the budget judges.
 */
export function electionCost<P extends Election>(fromMs: number, expected: number, formula: string, nodeCount?: number): Property<P, ElectionCount> {
  return budget<P, ElectionCount>(electionCostName, {
    ...(nodeCount === undefined ? {} : { measure: (count: ElectionCount) => ({ [`measured@${nodeCount}`]: count.counted, [`acks@${nodeCount}`]: count.acks }) }),
    memory: () => ({ byType: {}, counted: 0, acks: 0 }),
    records: ['send'],
    record(count, event) {
      // A message a node sends itself never crosses the network, and is not counted (as everywhere in the kit).
      if (event.kind !== 'send' || event.timeMs < fromMs || event.local) return undefined;
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
      return `${parts} = ${count.counted} messages to other nodes (and ${count.acks} Acks, not counted) after ${fromMs} ms; the handout's formula ${formula} gives ${expected}`;
    },
  });
}

export const steadyLeaderName = 'a leader heard from is not suspected';

/** A property that fails at the first Election sent from `fromMs` on, saying why none was due. */
function noElectionFrom<P extends Election>(name: string, fromMs: number, why: string): Property<P> {
  return always<P>(name, {
    memory: () => undefined,
    records: ['send:Election'],
    record(_memory, event) {
      if (event.kind !== 'send' || event.timeMs < fromMs) return undefined;
      return `${nodeName(event.from)} sent an Election at ${event.timeMs} ms, ${why}`;
    },
  });
}

/**
 * With no faults and heartbeats on, once the first election is over (`fromMs`) nobody sends an
 * Election: the leader's heartbeats come every heartbeatMs, well within suspectAfterMs, and a
 * node holds an election only when it has heard none for that long.
 */
export function steadyLeaderNotSuspected<P extends Election>(fromMs: number): Property<P> {
  return noElectionFrom<P>(steadyLeaderName, fromMs, `with no fault in the run and its leader's heartbeats arriving since the first election was over (by ${fromMs} ms)`);
}

export const loneLeaderName = 'a lone leader holds no more elections';

/**
 * Heartbeats off, every other node dead, no fault or suspicion after the survivor's election
 * (`fromMs`, by when it has skipped every dead successor): nobody sends an Election. A node that
 * leads alone has nothing left to elect; one still taking part in its own election swallows
 * a restarted node's candidacy and starts elections of its own every coordinator timeout.
 */
export function loneLeaderStaysSettled<P extends Election>(fromMs: number): Property<P> {
  return noElectionFrom<P>(
    loneLeaderName,
    fromMs,
    `after it had led alone with every other node dead and nothing failing or suspected since (by ${fromMs} ms): ` +
      'a node that leads alone has ended its election, and takes part in no other until one starts',
  );
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
      return `${nodeName(sender)} sent ${aKind} naming itself with hops ${message.hops}: a node that puts its own id in starts at hops 1, and sending it again past a dead successor does not add a hop`;
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
      `so it goes on with hops ${handed.hops + 1}, and with that count still when it is sent again past a dead successor`
    );
  },
});

/** The ring's forwarding rules, each under its own name. */
export const ringRules: readonly Property<Ring, RingMemory>[] = [electionsCarryTheLargestId, participantsSwallow, coordinatorGoesOnceAround, hopsCountTheSteps];

// Rules that tie what a node reports, and its heartbeats, to the messages its algorithm
// requires: a leader outcome reached some other way (heartbeats from everyone, a node that
// declares because of what it heard lately, a padded message count) is not bully or ring.
// Each is judged once a node's reaction (to a message, a timer, an input, a start) is over,
// from what it was handed and what it sent and reported in that reaction.

/** One node's reaction in the step being judged. */
interface Reaction {
  readonly step: number;
  readonly node: NodeId;
  readonly timeMs: number;
  /** The message it reacts to, if it reacts to a delivery. */
  readonly handed: { readonly from: NodeId; readonly message: Election['message'] } | null;
  /** It reacts to the test's SuspectLeader. */
  readonly suspected?: true;
  readonly sent: { readonly to: NodeId; readonly message: Election['message'] }[];
  /** The leaders it reported. */
  readonly reported: NodeId[];
}

/** What a node did in its current incarnation, as its messages and outputs show. */
interface NodeRecord {
  /** Its last Leader output (null: none since it started). */
  belief: NodeId | null;
  /** It sent an Election since its last Leader output: it has given up on that leader (bully). */
  electedSinceBelief: boolean;
  /** Per node id: when it last sent that node an Election (bully). */
  readonly electionSentAt: (number | null)[];
  /** Per node id: the step (event) of the reaction in which it last sent that node an Election (bully). */
  readonly electionSentStep: (number | null)[];
  /**
   * Per node id: the step of the reaction in which it was last handed an Ok from that node
   * (bully). Steps, not times: an old Ok handed over in the same ms as a new Election, but
   * before it, does not answer it.
   */
  readonly okHandedStep: (number | null)[];
  /** The same, in ms, for the message. */
  readonly okHandedAt: (number | null)[];
  /** Its last Election: when, and whether an Ack for it came (ring). */
  lastElection: { readonly atMs: number; readonly id: number; acknowledged: boolean } | null;
  /** It sent a Coordinator naming itself (ring): a later one may be that one sent again past a dead successor. */
  announced: boolean;
  /**
   * It holds an election (bully) or is a participant (ring), as its messages show: it sent an
   * Election since it started, declared itself (ring: announced itself or led alone), or
   * followed a Coordinator (bully: from a higher id, for a lower one's it takes over either
   * way; ring: one that reached it with hops at most N).
   */
  electing: boolean;
}

interface ReactionMemory {
  /** The reactions of the step being judged. */
  reactions: Reaction[];
  readonly nodes: NodeRecord[];
  /** Some node has sent an Election or a Coordinator: an election has been held. */
  elected: boolean;
  /** A rule's failure found before any election was held, to be reported once one is (see suspicionStartsAnElection). */
  pending: string | null;
}

const freshRecord = (nodeCount: number): NodeRecord => ({
  belief: null,
  electedSinceBelief: false,
  electionSentAt: Array.from({ length: nodeCount }, () => null),
  electionSentStep: Array.from({ length: nodeCount }, () => null),
  okHandedStep: Array.from({ length: nodeCount }, () => null),
  okHandedAt: Array.from({ length: nodeCount }, () => null),
  lastElection: null,
  announced: false,
  electing: false,
});

/** Judges a reaction once it is over: `before`, what its node did before it. */
type ReactionJudge = (reaction: Reaction, before: NodeRecord, cluster: ClusterView<Election>, memory: ReactionMemory) => string | undefined;

/** Folds a reaction into what its node did. */
function fold(record: NodeRecord, reaction: Reaction): void {
  const handed = reaction.handed;
  if (handed?.message.type === 'Ok') {
    record.okHandedAt[handed.from] = reaction.timeMs;
    record.okHandedStep[handed.from] = reaction.step;
  }
  if (handed?.message.type === 'Ack' && record.lastElection?.id === handed.message.id) record.lastElection.acknowledged = true;
  if (handed?.message.type === 'Coordinator') {
    const message = handed.message;
    const nodeCount = record.electionSentAt.length;
    // Bully: a higher id's Coordinator ends the election; ring: any that is not dropped (hops at most N) and names another node.
    if ('leader' in message ? message.leader !== reaction.node && message.hops <= nodeCount : handed.from > reaction.node) record.electing = false;
  }
  for (const { message } of reaction.sent) {
    if (message.type === 'Coordinator' && (!('leader' in message) || message.leader === reaction.node)) record.electing = false;
  }
  if (reaction.reported.includes(reaction.node)) record.electing = false;
  for (const { to, message } of reaction.sent) {
    if (message.type === 'Election') {
      record.electing = true;
      record.electionSentAt[to] = reaction.timeMs;
      record.electionSentStep[to] = reaction.step;
      record.electedSinceBelief = true;
      if ('id' in message) record.lastElection = { atMs: reaction.timeMs, id: message.id, acknowledged: false };
    }
    if (message.type === 'Coordinator' && 'leader' in message && message.leader === reaction.node) record.announced = true;
  }
  const last = reaction.reported.at(-1);
  if (last !== undefined) {
    record.belief = last;
    record.electedSinceBelief = false;
  }
}

function reactionRule<P extends Election>(name: string, judge: ReactionJudge): Property<P, ReactionMemory> {
  /** The reaction of `node` in this step, begun if it is the node's first event in it. */
  const reactionOf = (memory: ReactionMemory, step: number, node: NodeId, timeMs: number): Reaction => {
    const found = memory.reactions.find((reaction) => reaction.step === step && reaction.node === node);
    if (found !== undefined) return found;
    const reaction: Reaction = { step, node, timeMs, handed: null, sent: [], reported: [] };
    memory.reactions.push(reaction);
    return reaction;
  };
  return always<P, ReactionMemory>(name, {
    memory: (cluster) => ({ reactions: [], nodes: cluster.nodeIds.map(() => freshRecord(cluster.nodeIds.length)), elected: false, pending: null }),
    records: ['deliver', 'send', 'output', 'input', 'crash', 'restart'],
    record(memory, event, cluster) {
      switch (event.kind) {
        case 'crash':
        case 'restart':
          memory.nodes[event.node] = freshRecord(cluster.nodeIds.length);
          memory.reactions = memory.reactions.filter((reaction) => reaction.node !== event.node);
          return undefined;
        case 'deliver':
          memory.reactions = memory.reactions.filter((reaction) => reaction.node !== event.to);
          memory.reactions.push({ step: cluster.step, node: event.to, timeMs: event.timeMs, handed: { from: event.from, message: event.message }, sent: [], reported: [] });
          return undefined;
        case 'send':
          reactionOf(memory, cluster.step, event.from, event.timeMs).sent.push({ to: event.to, message: event.message });
          if (event.message.type === 'Election' || event.message.type === 'Coordinator') memory.elected = true;
          return undefined;
        case 'output':
          reactionOf(memory, cluster.step, event.node, event.timeMs).reported.push(event.output.leader);
          return undefined;
        case 'input': {
          memory.reactions = memory.reactions.filter((reaction) => reaction.node !== event.node);
          memory.reactions.push({ step: cluster.step, node: event.node, timeMs: event.timeMs, handed: null, suspected: true, sent: [], reported: [] });
          return undefined;
        }
        default:
          return undefined;
      }
    },
    // `check` runs after every event: a reaction recorded in this step is over.
    check(cluster, memory) {
      const over = memory.reactions.filter((reaction) => reaction.step <= cluster.step);
      if (over.length === 0) return undefined;
      memory.reactions = memory.reactions.filter((reaction) => reaction.step > cluster.step);
      let problem: string | undefined;
      for (const reaction of over) {
        const record = memory.nodes[reaction.node];
        if (record === undefined) continue;
        problem ??= judge(reaction, record, cluster as unknown as ClusterView<Election>, memory);
        fold(record, reaction);
      }
      return problem;
    },
  });
}

const sentTo = (reaction: Reaction, type: string) => reaction.sent.filter((sent) => sent.message.type === type).map((sent) => sent.to);

export const heartbeatsName = 'heartbeats come from the leader';

/**
 * Only a node that leads sends heartbeats, and only when the test turns them on: they are how
 * a leader keeps its followers, not how the nodes find out who is alive.
 */
export function heartbeatsComeFromTheLeader<P extends Election>(heartbeats: boolean): Property<P, ReactionMemory> {
  return reactionRule<P>(heartbeatsName, (reaction, before) => {
    if (!reaction.sent.some((sent) => sent.message.type === 'Heartbeat')) return undefined;
    const node = nodeName(reaction.node);
    if (!heartbeats) return `${node} sent a Heartbeat at ${reaction.timeMs} ms although heartbeats are off (heartbeatMs is null)`;
    const belief = reaction.reported.at(-1) ?? before.belief;
    if (belief === reaction.node) return undefined;
    const believes = belief === null ? 'knows no leader' : `follows ${nodeName(belief)}`;
    return `${node} sent a Heartbeat at ${reaction.timeMs} ms but ${believes}: only the leader sends heartbeats`;
  });
}

export const leaderHeartbeatsName = 'a leader sends heartbeats';

/** Per node: whether its last Leader output names itself, and when it last sent each other node a Heartbeat (or declared). */
interface Beating {
  leading: boolean;
  lastBeatMs: number[];
}

/**
 * Runs only, with heartbeats on: a node whose last Leader output names itself sends every other
 * node a Heartbeat at least every `withinMs` (the suspicion timeout) while it is up; a
 * Coordinator it sends, declaring itself again, counts as one. A leader whose heartbeats stop is suspected by nodes that hear no
 * other sign of it, and a cluster that lets it lead anyway is electing on something other than
 * the messages.
 */
export function leaderSendsHeartbeats<P extends Election>(withinMs: number): Property<P, Beating[]> {
  return always<P, Beating[]>(leaderHeartbeatsName, {
    memory: (cluster) => cluster.nodeIds.map(() => ({ leading: false, lastBeatMs: cluster.nodeIds.map(() => 0) })),
    records: ['send', 'output', 'crash', 'restart'],
    record(beating, event) {
      if (event.kind === 'crash' || event.kind === 'restart') {
        const node = beating[event.node];
        if (node !== undefined) node.leading = false;
        return undefined;
      }
      if (event.kind === 'output') {
        const node = beating[event.node];
        if (node === undefined) return undefined;
        node.leading = event.output.leader === event.node;
        if (node.leading) node.lastBeatMs = node.lastBeatMs.map(() => event.timeMs);
        return undefined;
      }
      // A Coordinator it sends (declaring itself again) tells the receiver as much as a Heartbeat.
      if (event.kind === 'send' && (event.message.type === 'Heartbeat' || event.message.type === 'Coordinator') && event.to !== event.from) {
        const node = beating[event.from];
        if (node !== undefined && node.leading) node.lastBeatMs[event.to] = event.timeMs;
      }
      return undefined;
    },
    check(cluster, beating) {
      for (const [leader, node] of beating.entries()) {
        if (!node.leading || cluster.isCrashed(leader)) continue;
        for (const [other, lastMs] of node.lastBeatMs.entries()) {
          if (other === leader || cluster.nowMs - lastMs <= withinMs) continue;
          return (
            `${nodeName(leader)} leads (its last Leader output names itself) but sent ${nodeName(other)} no Heartbeat (nor Coordinator) from ${lastMs} ms to ${cluster.nowMs} ms: ` +
            `a leader sends Heartbeat to every other node every heartbeatMs, and its followers suspect it after ${withinMs} ms without one`
          );
        }
      }
      return undefined;
    },
  });
}

export const learnedName = 'a leader is learned from the election';

/**
 * A node reports another node as leader only when handed that node's Coordinator (bully: or a
 * Heartbeat from a node higher than itself); it reports itself only as it announces itself:
 * bully, with a Coordinator to every other node; ring, with its Coordinator, or alone when its
 * last Election went unacknowledged for 2D.
 */
export function leaderLearnedFromTheElection<P extends Election>(part: 'A' | 'B', maxDelayMs: number): Property<P, ReactionMemory> {
  return reactionRule<P>(learnedName, (reaction, before, cluster) => {
    const node = reaction.node;
    const handed = reaction.handed;
    for (const leader of reaction.reported) {
      if (leader !== node) {
        const fromCoordinator =
          handed?.message.type === 'Coordinator' && (part === 'A' ? handed.from === leader : 'leader' in handed.message && handed.message.leader === leader);
        // A heartbeat is followed only from a node higher than the leader the node still believes in (not one it gave up on by holding an election).
        const believed = before.electedSinceBelief ? null : before.belief;
        const fromHeartbeat = part === 'A' && handed?.message.type === 'Heartbeat' && handed.from === leader && leader > node && (believed === null || leader > believed);
        if (fromCoordinator || fromHeartbeat) continue;
        if (part === 'A' && handed?.message.type === 'Heartbeat' && handed.from === leader && leader > node && believed !== null) {
          if (believed === leader) {
            return (
              `${nodeName(node)} reported ${nodeName(leader)} as leader again at ${reaction.timeMs} ms, on its Heartbeat, though ${nodeName(leader)} already was its leader: ` +
              'a node reports a leader when it learns of a new one'
            );
          }
          return (
            `${nodeName(node)} followed ${nodeName(leader)} at ${reaction.timeMs} ms on its Heartbeat, though its leader was ${nodeName(believed)}, higher: ` +
            'a Heartbeat from a node that is not your leader is followed only if that node is higher than you and than your leader'
          );
        }
        const how = part === 'A' ? `its Coordinator, or a Heartbeat from ${nodeName(leader)} > ${nodeName(node)}` : 'a Coordinator naming it';
        return `${nodeName(node)} reported ${nodeName(leader)} as leader at ${reaction.timeMs} ms without being handed ${how}`;
      }
      if (part === 'A') {
        const told = sentTo(reaction, 'Coordinator');
        const untold = cluster.servers.filter((id) => id !== node && !told.includes(id));
        if (untold.length === 0 || cluster.isCrashed(node)) continue;
        return `${nodeName(node)} reported itself as leader at ${reaction.timeMs} ms without sending Coordinator to ${untold.map(nodeName).join(', ')}: the winner tells every other node`;
      }
      const announces = reaction.sent.some((sent) => sent.message.type === 'Coordinator' && 'leader' in sent.message && sent.message.leader === node);
      if (announces) continue;
      const last = before.lastElection;
      const handedAck = handed?.message.type === 'Ack' && last !== null && handed.message.id === last.id;
      const alone = last !== null && !last.acknowledged && !handedAck && !reaction.sent.some((sent) => sent.message.type === 'Election') && reaction.timeMs - last.atMs >= 2 * maxDelayMs;
      if (alone) continue;
      return (
        `${nodeName(node)} reported itself as leader at ${reaction.timeMs} ms without announcing itself with a Coordinator: a ring node leads when its own ` +
        'Election comes back, or alone when its Election found every other node dead'
      );
    }
    return undefined;
  });
}

export const declaresName = 'a node declares itself only when no higher id answers';

/**
 * Bully: a Coordinator goes out only from a node that sent an Election to every higher id at
 * least 2D earlier (a request and its answer take at most 2D) and was handed no Ok since: after
 * that Election in the order of events, not merely in the same ms.
 */
export function declaresWhenNoHigherAnswers(maxDelayMs: number): Property<Bully, ReactionMemory> {
  return reactionRule<Bully>(declaresName, (reaction, before, cluster) => {
    if (!reaction.sent.some((sent) => sent.message.type === 'Coordinator')) return undefined;
    const node = reaction.node;
    for (const higher of cluster.servers) {
      if (higher <= node) continue;
      const electionAt = before.electionSentAt[higher] ?? null;
      const sender = `${nodeName(node)} sent Coordinator at ${reaction.timeMs} ms`;
      if (electionAt === null) return `${sender} but never sent an Election to the higher ${nodeName(higher)} since it started`;
      if (reaction.timeMs - electionAt < 2 * maxDelayMs) {
        return `${sender} only ${reaction.timeMs - electionAt} ms after its Election to ${nodeName(higher)}: an answer may take 2D = ${2 * maxDelayMs} ms`;
      }
      const okAt = before.okHandedAt[higher] ?? null;
      const okStep = before.okHandedStep[higher] ?? null;
      const electionStep = before.electionSentStep[higher] ?? null;
      // An Ok handed over in the reaction that sent the Election came before it: it answers an older one.
      if (okAt !== null && okStep !== null && electionStep !== null && okStep > electionStep) {
        return `${sender} although ${nodeName(higher)} answered its Election (sent at ${electionAt} ms) with Ok at ${okAt} ms: a higher id is alive and takes over`;
      }
    }
    return undefined;
  });
}

export const answersName = 'a higher id answers Ok';

/** Bully: a node handed an Election from a lower id answers it with Ok. */
export const answersElections = reactionRule<Bully>(answersName, (reaction) => {
  const handed = reaction.handed;
  if (handed?.message.type !== 'Election' || handed.from >= reaction.node) return undefined;
  if (sentTo(reaction, 'Ok').includes(handed.from)) return undefined;
  return `${nodeName(reaction.node)} was handed an Election from the lower ${nodeName(handed.from)} at ${reaction.timeMs} ms and did not answer Ok`;
});

export const suspicionName = 'a suspicion starts an election';

/**
 * A node told SuspectLeader that holds no election (bully) or is no participant (ring) starts
 * one in that reaction: it sends an Election (bully: or, with no higher id, declares itself).
 * Without it, a node can sit out every election the tests ask for, and still score wherever
 * another node's election comes out the same. A failure found before any node has sent an
 * Election or a Coordinator is reported once one does: where none ever does, nothing was
 * elected at all, and "no progress" says so (a do-nothing stub fails for lack of progress).
 */
export const suspicionStartsAnElection = reactionRule<Election>(suspicionName, (reaction, before, _cluster, memory) => {
  const found = memory.pending;
  if (found !== null && memory.elected) return found;
  if (reaction.suspected !== true || before.electing) return undefined;
  if (reaction.sent.some((sent) => sent.message.type === 'Election' || (sent.message.type === 'Coordinator' && !('leader' in sent.message)))) return undefined;
  const problem =
    `${nodeName(reaction.node)} was told SuspectLeader at ${reaction.timeMs} ms while it held no election, and sent no Election in that reaction: ` +
    'a node told to suspect its leader holds an election (bully: Elections to every higher id, or a declaration when none is higher; ring: its own Election), whoever it follows';
  if (memory.elected) return problem;
  memory.pending ??= problem;
  return undefined;
});

export const okAnswersName = 'an Ok answers an Election';

/**
 * Bully: an Ok goes out only in a reaction to an Election, to that Election's sender. An Ok
 * tells its receiver that a higher id is alive and takes over; sent unasked, it would be a
 * channel of its own for telling who is alive, which the algorithm does not have.
 */
export const okAnswersAnElection = reactionRule<Bully>(okAnswersName, (reaction) => {
  const handed = reaction.handed;
  const answered = handed?.message.type === 'Election' ? handed.from : undefined;
  const stray = sentTo(reaction, 'Ok').find((to) => to !== answered);
  if (stray === undefined) return undefined;
  const reason = answered === undefined ? 'in a reaction to no Election' : `in its reaction to an Election from ${nodeName(answered)}`;
  return `${nodeName(reaction.node)} sent Ok to ${nodeName(stray)} at ${reaction.timeMs} ms ${reason}: an Ok answers the Election the node was handed, and goes to its sender only`;
});

export const acknowledgesName = 'every ring message is acknowledged';

/**
 * Ring: a node handed an Election or a Coordinator answers it with an Ack of its number, in its
 * reaction to it, whatever it then does with it (a message it drops included): an Ack that
 * does not come makes its sender take it for dead.
 */
export const acknowledgesRingMessages = reactionRule<Ring>(acknowledgesName, (reaction) => {
  const handed = reaction.handed;
  if (handed === null || (handed.message.type !== 'Election' && handed.message.type !== 'Coordinator') || !('id' in handed.message)) return undefined;
  const id = handed.message.id;
  if (reaction.sent.some((sent) => sent.to === handed.from && sent.message.type === 'Ack' && 'id' in sent.message && sent.message.id === id)) return undefined;
  return (
    `${nodeName(reaction.node)} was handed ${handed.message.type} ${id} from ${nodeName(handed.from)} at ${reaction.timeMs} ms and sent no Ack ${id} back in its reaction: ` +
    'acknowledge every Election and Coordinator at once, also one you drop, or its sender takes you for dead'
  );
});

export const ackAnswersName = 'an Ack answers a ring message';

/**
 * Ring: an Ack goes out only in a reaction to an Election or a Coordinator, to its sender, with
 * its number. An Ack tells its receiver that its successor is alive; sent unasked, it would be
 * a channel of its own for telling who is alive, which the algorithm does not have.
 */
export const ackAnswersARingMessage = reactionRule<Ring>(ackAnswersName, (reaction) => {
  const handed = reaction.handed;
  const message = handed?.message;
  const answered = message !== undefined && (message.type === 'Election' || message.type === 'Coordinator') && 'id' in message ? message.id : undefined;
  for (const { to, message: sent } of reaction.sent) {
    if (sent.type !== 'Ack' || !('id' in sent)) continue;
    if (answered !== undefined && to === handed?.from && sent.id === answered) continue;
    const reason = answered === undefined ? 'in a reaction to no Election or Coordinator' : `in its reaction to ${message?.type ?? ''} ${answered} from ${nodeName(handed?.from ?? to)}`;
    return (
      `${nodeName(reaction.node)} sent Ack ${sent.id} to ${nodeName(to)} at ${reaction.timeMs} ms ${reason}: ` +
      'an Ack answers the Election or Coordinator the node was handed, goes to its sender, and carries its id'
    );
  }
  return undefined;
});

export const announcesName = 'a node announces itself only when its own Election came back';

/**
 * Ring: a Coordinator naming its sender goes out in the reaction to the sender's own Election
 * coming back (within N hops), or later as that announcement sent again past a dead successor.
 */
export const announcesWhenItsElectionCameBack = reactionRule<Ring>(announcesName, (reaction, before, cluster) => {
  const node = reaction.node;
  const own = reaction.sent.some((sent) => sent.message.type === 'Coordinator' && 'leader' in sent.message && sent.message.leader === node);
  if (!own) return undefined;
  const handed = reaction.handed;
  const message = handed?.message;
  if (message?.type === 'Election' && 'candidate' in message && message.candidate === node && message.hops <= cluster.servers.length) return undefined;
  if (handed === null && before.announced) return undefined;
  return `${nodeName(node)} sent a Coordinator naming itself at ${reaction.timeMs} ms without its own Election coming back to it`;
});

/** A ring message its receiver has not acknowledged yet. */
interface Unacknowledged {
  readonly atMs: number;
  readonly id: number;
}

interface SuccessorMemory {
  readonly unacknowledged: Unacknowledged[][][];
}

export const successorName = 'ring messages go to the next live node';

/**
 * Ring: an Election or a Coordinator goes to the sender's successor; to a node further round
 * (the sender itself, once every other node was skipped) only once the node just before that one was sent a ring message at least 2D earlier (a
 * message and its Ack take at most 2D) that it has not acknowledged: it was skipped as dead.
 */
export function ringMessagesGoToTheSuccessor(maxDelayMs: number): Property<Ring, SuccessorMemory> {
  return always<Ring, SuccessorMemory>(successorName, {
    // Per sender, per receiver: the ring messages not acknowledged yet, in the sender's current incarnation.
    memory: (cluster) => ({ unacknowledged: cluster.nodeIds.map(() => cluster.nodeIds.map(() => [])) }),
    records: ['send:Election', 'send:Coordinator', 'deliver:Ack', 'crash', 'restart'],
    record(memory, event, cluster) {
      if (event.kind === 'crash' || event.kind === 'restart') {
        const row = memory.unacknowledged[event.node];
        if (row !== undefined) for (const list of row) list.length = 0;
        return undefined;
      }
      if (event.kind === 'deliver') {
        const list = memory.unacknowledged[event.to]?.[event.from];
        const message = event.message;
        if (list !== undefined && message.type === 'Ack') {
          const index = list.findIndex((sent) => sent.id === message.id);
          if (index >= 0) list.splice(index, 1);
        }
        return undefined;
      }
      if (event.kind !== 'send' || (event.message.type !== 'Election' && event.message.type !== 'Coordinator')) return undefined;
      const ring = cluster.servers;
      const from = event.from;
      const row = memory.unacknowledged[from];
      if (row === undefined) return undefined;
      const distance = (ring.indexOf(event.to) - ring.indexOf(from) + ring.length) % ring.length;
      const before = ring[(ring.indexOf(event.to) - 1 + ring.length) % ring.length] as NodeId;
      const skipped = (row[before] ?? []).some((sent) => event.timeMs - sent.atMs >= 2 * maxDelayMs);
      row[event.to]?.push({ atMs: event.timeMs, id: event.message.id });
      if (distance === 1) return undefined;
      const kind = event.message.type === 'Election' ? 'an Election' : 'a Coordinator';
      // Past every other node, the next live node is the sender itself: a send to oneself is delivered locally.
      if (skipped) return undefined;
      return (
        `${nodeName(from)} sent ${kind} to ${distance === 0 ? 'itself' : `${nodeName(event.to)}, ${distance} places round the ring,`} at ${event.timeMs} ms without having sent ` +
        `${nodeName(before)} a ring message at least 2D = ${2 * maxDelayMs} ms earlier that it did not acknowledge: a node is skipped only as dead`
      );
    },
  });
}
