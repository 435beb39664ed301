import { explore } from '../framework/index.ts';
import { paxosSearch } from '../labs/03-paxos/search.ts';
import { PaxosNode } from '../solutions/03-paxos/paxos.ts';

/**
 * The "search" workload: breadth-first search on the reference single-decree Paxos with 2
 * proposers and 3 acceptors, invariants validity, agreement and integrity (and the
 * acceptors' promise rules), fixed proposal values and no timers, so the space is pinned.
 * It runs until `seconds` pass or the space is exhausted.
 */
export function runSearch(seconds: number): Record<string, unknown> {
  let peakHeapMb = 0;
  const sample = () => {
    peakHeapMb = Math.max(peakHeapMb, process.memoryUsage().heapUsed / 1_048_576);
  };
  const sampler = setInterval(sample, 250);
  try {
    const result = explore({ ...paxosSearch(PaxosNode, { proposers: 2, acceptors: 3 }), maxWallMs: seconds * 1000 });
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
