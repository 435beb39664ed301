import { explore, exploreInParallel, type NodeId, type SearchSettings, type SearchStatistics } from '../framework/testing.ts';
import { threadCpuMs } from '../framework/_internals/threadCpu.ts';
import { safetyProperties, valueChosen } from '../labs/03-paxos/checks.ts';
import type { Paxos } from '../labs/03-paxos/src/protocol.ts';
import { PaxosNode } from '../solutions/03-paxos/paxos.ts';

const proposerCount = 2;
const acceptorCount = 3;

/**
 * The search settings: the reference single-decree Paxos with 2 proposers (which learn) and
 * 3 acceptors, each proposer asked to propose its own value, no timers, so the space is
 * pinned; lab 3's own properties (every safety property, whose memories are part of each
 * state, and the goal "a value is chosen", checked in every state).
 */
export function paxosBenchSettings(): SearchSettings<Paxos> {
  const acceptors: NodeId[] = Array.from({ length: acceptorCount }, (_unused, index) => index);
  const proposers: NodeId[] = Array.from({ length: proposerCount }, (_unused, index) => acceptorCount + index);
  return {
    nodes: [...acceptors, ...proposers].map(() => ({ role: 'server' as const, node: PaxosNode })),
    config: { proposers, acceptors, learners: proposers, retryMs: [50, 100], askEveryMs: 100 },
    inputs: proposers.map((id) => ({ node: id, input: { type: 'Propose' as const, value: `v${id}` } })),
    timers: false,
    properties: [...safetyProperties({ acceptors, learners: proposers }), valueChosen(acceptors)],
  };
}

/**
 * The "search" workload: breadth-first search on `paxosBenchSettings()` until `seconds` pass,
 * `maxStates` unique states are found, or the space is exhausted, on this thread or on
 * `workers` worker threads. A search finds the same states in the same order on any number
 * of threads, so two runs stopped at the same `maxStates` did the same work: that is how
 * `--workers 1` and `--workers 2` compare fairly, where two runs stopped by the clock reach
 * different depths, whose states cost different amounts to expand. The heap is
 * sampled as the search goes (after each chunk of states expanded), so `peakHeapMb` is the
 * peak (with workers, this thread's and theirs, as they last reported, added up), and
 * `bytesPerState` is the peak's growth over the heap before the search, per unique state.
 *
 * With workers, their threads are started first, by a search one step deep, and kept (as
 * every parallel search keeps them for the next): `workerStartSeconds` is what that took, and
 * the measured search runs on threads already loaded, as every parallel search after a
 * process's first does.
 *
 * Where the kernel counts CPU time per thread (Linux), `threadCpuSeconds` is this thread's
 * (on one thread, the search's; with workers, the coordinator's) and `workerCpuSeconds` each
 * worker's, both for the measured search only. What the process spent beyond them went to
 * V8's own threads: the optimising compiler and the garbage collector.
 */
export async function runSearch(seconds: number, workers = 1, maxStates?: number): Promise<Record<string, unknown>> {
  const settingsFrom = { module: import.meta.url, exportName: 'paxosBenchSettings' };
  let workerStartSeconds: number | undefined;
  if (workers > 1) {
    const startedNs = process.hrtime.bigint();
    await exploreInParallel({ ...paxosBenchSettings(), maxDepth: 1 }, { workers, settingsFrom });
    workerStartSeconds = Number((Number(process.hrtime.bigint() - startedNs) / 1e9).toFixed(2));
  }
  globalThis.gc?.();
  const coordinatorCpuAtStartMs = threadCpuMs();
  const baselineBytes = heapBytes();
  let peakBytes = baselineBytes;
  let progressCalls = 0;
  const settings = {
    ...paxosBenchSettings(),
    maxWallMs: seconds * 1000,
    ...(maxStates === undefined ? {} : { maxStates }),
    onProgress: (statistics: SearchStatistics) => {
      // Sampled after every eighth chunk, not every one: reading the process's memory costs
      // tens of microseconds, which the coordinator of a parallel search pays on its own core.
      if (++progressCalls % 8 !== 0) return;
      peakBytes = Math.max(peakBytes, heapBytes() + (statistics.workerHeapBytes ?? 0));
    },
  };
  const result =
    workers === 1
      ? explore(settings)
      : await exploreInParallel(settings, { workers, settingsFrom });
  peakBytes = Math.max(peakBytes, heapBytes() + (result.statistics.workerHeapBytes ?? 0));
  // This thread's CPU time: on one thread the search's own; with workers, the coordinator's.
  const threadCpuSeconds = (threadCpuMs() - coordinatorCpuAtStartMs) / 1000;
  const { states, transitions, maxDepth, wallMs, statesPerSec, statesByDepth } = result.statistics;
  return {
    workload: 'search',
    configuration: 'single-decree Paxos, 2 proposers, 3 acceptors, no timers',
    outcome: result.outcome.kind === 'limit' ? `limit: ${result.outcome.limit}` : result.outcome.kind,
    workers,
    ...(workerStartSeconds === undefined ? {} : { workerStartSeconds }),
    statesPerSec,
    states,
    transitions,
    depth: maxDepth,
    seconds: Number((wallMs / 1000).toFixed(2)),
    peakHeapMb: Math.round(peakBytes / 1_048_576),
    bytesPerState: states > 0 ? Math.round((peakBytes - baselineBytes) / states) : 0,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(Number.isFinite(threadCpuSeconds) ? { threadCpuSeconds: Number(threadCpuSeconds.toFixed(2)) } : {}),
    ...(result.statistics.workerCpuSeconds === undefined ? {} : { workerCpuSeconds: result.statistics.workerCpuSeconds.map((seconds) => Number(seconds.toFixed(2))) }),
    statesByDepth,
    node: process.version,
  };
}

/** The heap in use, typed arrays' memory included (the frontier and the visited set live there). */
function heapBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
