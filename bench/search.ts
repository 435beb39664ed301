import { always, explore, nodeName, type NodeId, type Property, type SearchSettings } from '../framework/testing.ts';
import type { Ballot, Paxos } from '../labs/03-paxos/src/protocol.ts';
import { PaxosNode } from '../solutions/03-paxos/paxos.ts';

const proposerCount = 2;
const acceptorCount = 3;

const compareBallots = (left: Ballot, right: Ballot) => left.round - right.round || left.proposer - right.proposer;

/**
 * The benchmark's own safety properties, written the way a suite writes them: validity,
 * agreement and integrity fold the Learned outputs into a memory (so the memories are part
 * of every state, as in a lab's search test), and the acceptors' promise rule follows their
 * durable writes.
 */
function safety(acceptors: readonly NodeId[], proposed: ReadonlySet<string>): Property<Paxos>[] {
  return [
    always<Paxos, Record<string, string[]>>('validity, agreement and integrity', {
      memory: () => ({}),
      records: ['output'],
      record(learned, event) {
        if (event.kind !== 'output') return undefined;
        const value = event.output.value;
        const who = nodeName(event.node);
        if (!proposed.has(value)) return `${who} learned ${value}, which nobody proposed`;
        for (const [other, values] of Object.entries(learned)) {
          const differing = values.find((earlier) => earlier !== value);
          if (differing !== undefined) return `${other} learned ${differing} but ${who} learned ${value}`;
        }
        const mine = (learned[who] ??= []);
        if (mine.length > 0) return `${who} learned twice: ${[...mine, value].join(', ')}`;
        mine.push(value);
        return undefined;
      },
    }),
    always<Paxos, Record<string, Ballot>>('a promise never decreases', {
      memory: () => ({}),
      records: ['storage'],
      record(promised, event) {
        if (event.kind !== 'storage' || event.key !== 'promised' || !acceptors.includes(event.node)) return undefined;
        const ballot = event.value as Ballot;
        const who = nodeName(event.node);
        const before = promised[who];
        if (before !== undefined && compareBallots(ballot, before) < 0) return `${who}'s promise went down`;
        promised[who] = ballot;
        return undefined;
      },
    }),
  ];
}

/**
 * The search settings: the reference single-decree Paxos with 2 proposers (which learn) and
 * 3 acceptors, each proposer asked to propose its own value, no timers, so the space is pinned.
 */
export function paxosBenchSettings(): SearchSettings<Paxos> {
  const acceptors = Array.from({ length: acceptorCount }, (_unused, index) => index);
  const proposers = Array.from({ length: proposerCount }, (_unused, index) => acceptorCount + index);
  return {
    nodes: [...acceptors, ...proposers].map(() => ({ role: 'server' as const, node: PaxosNode })),
    config: { proposers, acceptors, learners: proposers, retryMs: [50, 100], askEveryMs: 100 },
    inputs: proposers.map((id) => ({ node: id, input: { type: 'Propose' as const, value: `v${id}` } })),
    timers: false,
    properties: safety(acceptors, new Set(proposers.map((id) => `v${id}`))),
  };
}

/**
 * The "search" workload: breadth-first search on `paxosBenchSettings()` until `seconds` pass
 * or the space is exhausted.
 */
export function runSearch(seconds: number): Record<string, unknown> {
  let peakHeapMb = 0;
  const sample = () => {
    peakHeapMb = Math.max(peakHeapMb, process.memoryUsage().heapUsed / 1_048_576);
  };
  const sampler = setInterval(sample, 250);
  try {
    const result = explore({ ...paxosBenchSettings(), maxWallMs: seconds * 1000 });
    sample();
    const { states, transitions, maxDepth, wallMs, statesPerSec } = result.statistics;
    return {
      workload: 'search',
      configuration: 'single-decree Paxos, 2 proposers, 3 acceptors, no timers',
      outcome: result.outcome.kind === 'limit' ? `limit: ${result.outcome.limit}` : result.outcome.kind,
      statesPerSec,
      states,
      transitions,
      depth: maxDepth,
      seconds: Number((wallMs / 1000).toFixed(2)),
      peakHeapMb: Math.round(peakHeapMb),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      node: process.version,
    };
  } finally {
    clearInterval(sampler);
  }
}
