// `npm run bench [-- [workload] [--nodes N] [--initial K] [--deliveries D] [--seed S] [--compare] [--isolated]]`
//
// Runs a workload through the whole framework and prints one JSON line. The options are
// those of bench/bareLoop.mjs (the barest event loop, the floor for simulator
// overhead); `--compare` also runs that loop with the same options and reports the ratio;
// `--isolated` runs the nodes in a realm of their own, as the grader runs a submission.
// `scaling` runs the flood comparison at each of `scalingNodeCounts`, one JSON line a size.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { NodeClass } from '../framework/testing.ts';
import { RealmProgram } from '../framework/_internals/realm.ts';
import { buildRealmCode } from '../grader/realmBundle.ts';
import { numericOptions, parseArguments, scalingNodeCounts, usage, UsageError, type Arguments } from './arguments.ts';
import { runFlood, type FloodOptions } from './flood.ts';
import type { Flood } from './floodNode.ts';
import { runSearch } from './search.ts';
import { runLinearizability } from './linearizability.ts';
import { runLabSuite } from './labSuite.ts';
import { runViewerBench } from './viewer.ts';
import { SetupError } from '../grader/labs.ts';

/** Measured runs per side; the median is reported. */
const measuredRuns = 5;
/** Deliveries of the warm-up run (fewer when the measured runs are smaller). */
const warmUpDeliveries = 1_000_000;
const bareLoopPath = fileURLToPath(new URL('./bareLoop.mjs', import.meta.url));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

interface FloodRun {
  readonly seconds: number;
  readonly simulatedMs: number;
  readonly fingerprint: string;
}

/** One framework run; a run that fails or stops short is an error, not a figure. */
function frameworkRun(options: FloodOptions, node: NodeClass<Flood> | undefined): FloodRun {
  const { result, seconds } = runFlood(options, node);
  const delivered = result.counters.messagesDelivered;
  if (!result.passed || result.endReason !== 'stopped' || delivered !== options.deliveries) {
    const why = result.failure ? `${result.failure.property}: ${result.failure.message}` : `ended by ${result.endReason}`;
    throw new Error(`the flood run delivered ${delivered} of ${options.deliveries} messages (${why})`);
  }
  const { messagesSent, bytesSent, receivedByNode } = result.counters;
  const fingerprint = [result.endTimeMs, result.steps, messagesSent, bytesSent, ...receivedByNode].join(',');
  return { seconds, simulatedMs: result.endTimeMs, fingerprint };
}

interface BareRun {
  readonly seconds: number;
  readonly deliveriesPerSec: number;
}

/**
 * One run of the bare loop in a fresh `node` process, after a warm-up run in that process as
 * long as the framework's; its own timing covers only the measured run.
 */
function bareRun(options: FloodOptions, warmUp: number): BareRun {
  const args = [...numericOptions.flatMap((option) => [`--${option.name}`, String(options[option.name])]), '--warm-up', String(warmUp)];
  const child = spawnSync(process.execPath, [bareLoopPath, ...args], { encoding: 'utf8' });
  if (child.error !== undefined) throw child.error;
  if (child.status !== 0) throw new Error(`${bareLoopPath} exited with ${child.status ?? child.signal}: ${child.stderr.trim()}`);
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  const report = JSON.parse(line) as { seconds?: unknown; deliveriesPerSec?: unknown; deliveries?: unknown };
  if (typeof report.seconds !== 'number' || typeof report.deliveriesPerSec !== 'number') {
    throw new Error(`unexpected output from ${bareLoopPath}: ${line}`);
  }
  if (report.deliveries !== options.deliveries) {
    throw new Error(`${bareLoopPath} delivered ${String(report.deliveries)} of ${options.deliveries} messages`);
  }
  return { seconds: report.seconds, deliveriesPerSec: report.deliveriesPerSec };
}

/** The flood node's stand-in, for a copy of it in a realm of its own. */
async function isolatedFloodNode(): Promise<NodeClass<Flood>> {
  const root = fileURLToPath(new URL('.', import.meta.url));
  const program = new RealmProgram(await buildRealmCode({ label: 'bench/floodNode.ts', entryFile: join(root, 'floodNode.ts'), root }));
  if (program.classes.FloodNode === undefined) throw new Error('bench/floodNode.ts does not export FloodNode');
  return program.nodeClass<Flood>('FloodNode');
}

function benchFlood(options: FloodOptions, compare: boolean, node: NodeClass<Flood> | undefined): Record<string, unknown> {
  const warmUp = Math.min(options.deliveries, warmUpDeliveries);
  frameworkRun({ ...options, deliveries: warmUp }, node);
  const bareAvailable = compare && existsSync(bareLoopPath);
  const runs: FloodRun[] = [];
  const bareRuns: BareRun[] = [];
  for (let index = 0; index < measuredRuns; index++) {
    runs.push(frameworkRun(options, node));
    if (bareAvailable) bareRuns.push(bareRun(options, warmUp));
  }
  const fingerprints = new Set(runs.map((run) => run.fingerprint));
  const deterministic = fingerprints.size === 1;
  const seconds = median(runs.map((run) => run.seconds));
  const deliveriesPerSec = Math.round(options.deliveries / seconds);
  const report: Record<string, unknown> = {
    workload: 'flood',
    isolated: node !== undefined,
    nodes: options.nodes,
    initial: options.initial,
    deliveries: options.deliveries,
    seed: options.seed,
    simulatedMs: (runs[0] as FloodRun).simulatedMs,
    deterministic,
    seconds: round(seconds, 4),
    deliveriesPerSec,
    runs: measuredRuns,
    statistic: 'median',
    warmUpDeliveries: warmUp,
    peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
    node: process.version,
  };
  if (compare) {
    if (bareAvailable) {
      const bareSeconds = median(bareRuns.map((run) => run.seconds));
      const bareDeliveriesPerSec = Math.round(options.deliveries / bareSeconds);
      report.bareDeliveriesPerSec = bareDeliveriesPerSec;
      report.ratio = round(deliveriesPerSec / bareDeliveriesPerSec, 3);
    } else {
      report.bare = 'not found';
      report.barePath = bareLoopPath;
    }
  }
  if (!deterministic) {
    report.error = `runs with the same seed differed: ${[...fingerprints].join(' | ')}`;
  }
  return report;
}

/** The flood comparison at each size of the scaling table: a line a size as it is measured, then the table. */
function benchScaling(options: FloodOptions, node: NodeClass<Flood> | undefined): Record<string, unknown> {
  const reports = scalingNodeCounts.map((nodes) => {
    const report = benchFlood({ ...options, nodes }, true, node);
    console.log(JSON.stringify(report));
    return report;
  });
  const failed = reports.filter((report) => report.error !== undefined || report.deterministic === false);
  return {
    workload: 'scaling',
    isolated: node !== undefined,
    deliveries: options.deliveries,
    deterministic: reports.every((report) => report.deterministic === true),
    table: reports.map((report) => ({
      nodes: report.nodes,
      deliveriesPerSec: report.deliveriesPerSec,
      bareDeliveriesPerSec: report.bareDeliveriesPerSec,
      ratio: report.ratio,
    })),
    ...(failed.length > 0 ? { error: `${failed.length} of ${reports.length} sizes failed: see their lines` } : {}),
    node: process.version,
  };
}

const workloads = new Map<string, (parsed: Arguments) => Promise<Record<string, unknown>> | Record<string, unknown>>([
  ['flood', async (parsed) => benchFlood(parsed.options, parsed.compare, parsed.isolated ? await isolatedFloodNode() : undefined)],
  ['scaling', async (parsed) => benchScaling(parsed.options, parsed.isolated ? await isolatedFloodNode() : undefined)],
  ['search', (parsed) => runSearch(parsed.seconds, parsed.workers, parsed.states)],
  ['linearizability', () => runLinearizability()],
  ['suite', (parsed) => runLabSuite(parsed.lab ?? '', parsed.graded, parsed.parts)],
  ['viewer', () => runViewerBench()],
]);

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  let parsed: Arguments;
  try {
    parsed = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench: ${error.message}\n${usage}`);
    return 2;
  }
  const workload = workloads.get(parsed.workload);
  if (workload === undefined) {
    console.error(`bench: unknown workload ${JSON.stringify(parsed.workload)}; known workloads: ${[...workloads.keys()].join(', ')}\n${usage}`);
    return 2;
  }
  let report: Record<string, unknown>;
  try {
    report = await workload(parsed);
  } catch (error) {
    // A lab that does not exist, or has no reference here: the grader's own message, without a stack.
    if (!(error instanceof SetupError)) throw error;
    console.error(`bench: ${error.message}`);
    return 2;
  }
  console.log(JSON.stringify(report));
  return report.deterministic === false || report.error !== undefined ? 1 : 0;
}

process.exitCode = await main();
