// The scenario files (labs/<lab>/scenarios.json): named runs of a lab's tests on its reference
// solution, with the trace each must produce. A scenario is what a replay code holds (test,
// seed, fault schedule; a search path for a search test), so a change that would make
// students' replay codes show something else shows here first, as a diff.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { FaultSchedule } from '../../framework/faults.ts';
import type { SearchEvent } from '../../framework/search.ts';
import type { SimulationResult } from '../../framework/simulation.ts';
import { runSeed, type LabSuite } from '../../framework/suite.ts';
import { formatTraceEvent, serializeTrace, type TraceEvent } from '../../framework/trace.ts';
import type { Protocol } from '../../framework/types.ts';

/** The first lines of a trace a scenario keeps; the outcome line then speaks for the rest. */
export const traceLinesMax = 150;

export interface Scenario {
  readonly name: string;
  /** A test number of the lab's suite. */
  readonly test: string;
  readonly seed: number;
  /** A run test's fault schedule, as a replay code carries it. */
  readonly schedule?: FaultSchedule;
  /** A search test's path, as a replay code carries it. */
  readonly path?: readonly SearchEvent[];
  /** Expected: the first `traceLinesMax` lines of the trace, as `formatTraceEvent` writes them. */
  readonly trace?: readonly string[];
  /** Expected: how the run or replay ended, with a digest of the whole trace. */
  readonly outcome?: string;
}

export interface ScenarioFile {
  readonly lab: string;
  readonly about?: string;
  readonly scenarios: readonly Scenario[];
}

export function scenarioPath(lab: string): string {
  return new URL(`../../labs/${lab}/scenarios.json`, import.meta.url).pathname;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isSchedule(value: unknown): value is FaultSchedule {
  return Array.isArray(value) && value.every((action) => isRecord(action) && typeof action.atMs === 'number' && typeof action.type === 'string');
}

function isPath(value: unknown): value is SearchEvent[] {
  return Array.isArray(value) && value.every((event) => isRecord(event) && typeof event.kind === 'string');
}

/** Reads and checks a scenario file; throws a message that names the file and the problem. */
export function readScenarioFile(lab: string): ScenarioFile {
  const path = scenarioPath(lab);
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const where = `labs/${lab}/scenarios.json`;
  if (!isRecord(parsed) || parsed.lab !== lab || !Array.isArray(parsed.scenarios)) {
    throw new Error(`${where}: expected { "lab": "${lab}", "scenarios": [...] }`);
  }
  const names = new Set<string>();
  const scenarios = parsed.scenarios.map((entry: unknown, index): Scenario => {
    if (!isRecord(entry) || typeof entry.name !== 'string' || typeof entry.test !== 'string' || typeof entry.seed !== 'number') {
      throw new Error(`${where}: scenario ${index} needs a name, a test number and a seed`);
    }
    if (names.has(entry.name)) throw new Error(`${where}: two scenarios are named "${entry.name}"`);
    names.add(entry.name);
    if (entry.schedule !== undefined && !isSchedule(entry.schedule)) throw new Error(`${where}: scenario "${entry.name}": schedule is not a fault schedule`);
    if (entry.path !== undefined && !isPath(entry.path)) throw new Error(`${where}: scenario "${entry.name}": path is not a list of search events`);
    if (entry.trace !== undefined && !isStringArray(entry.trace)) throw new Error(`${where}: scenario "${entry.name}": trace is not a list of lines`);
    if (entry.outcome !== undefined && typeof entry.outcome !== 'string') throw new Error(`${where}: scenario "${entry.name}": outcome is not a line`);
    return {
      name: entry.name,
      test: entry.test,
      seed: entry.seed,
      ...(entry.schedule === undefined ? {} : { schedule: entry.schedule }),
      ...(entry.path === undefined ? {} : { path: entry.path }),
      ...(entry.trace === undefined ? {} : { trace: entry.trace }),
      ...(entry.outcome === undefined ? {} : { outcome: entry.outcome }),
    };
  });
  return { lab, ...(typeof parsed.about === 'string' ? { about: parsed.about } : {}), scenarios };
}

/** A list as JSON with one item per line. */
function listLines(items: readonly unknown[], indent: string): string {
  if (items.length === 0) return '[]';
  return `[\n${items.map((item) => `${indent}  ${JSON.stringify(item)}`).join(',\n')}\n${indent}]`;
}

/**
 * Writes a scenario file with one fault, search event or trace line per line of JSON, so that
 * a diff of the file is a diff of the traces.
 */
export function writeScenarioFile(file: ScenarioFile): void {
  const indent = '      ';
  const scenarios = file.scenarios.map((scenario) => {
    const fields = Object.entries(scenario).map(([key, value]) => {
      const text = Array.isArray(value) ? listLines(value, indent) : JSON.stringify(value);
      return `${indent}${JSON.stringify(key)}: ${text}`;
    });
    return `    {\n${fields.join(',\n')}\n    }`;
  });
  const header = [`  "lab": ${JSON.stringify(file.lab)}`, ...(file.about === undefined ? [] : [`  "about": ${JSON.stringify(file.about)}`])];
  writeFileSync(scenarioPath(file.lab), `{\n${header.join(',\n')},\n  "scenarios": [\n${scenarios.join(',\n')}\n  ]\n}\n`);
}

/** What a scenario produced: its trace lines and its outcome line. */
export interface Played {
  readonly trace: string[];
  readonly outcome: string;
}

function digest(trace: readonly TraceEvent[]): string {
  return createHash('sha256').update(serializeTrace(trace)).digest('hex').slice(0, 16);
}

function head(trace: readonly TraceEvent[]): string[] {
  return trace.slice(0, traceLinesMax).map(formatTraceEvent);
}

const firstLine = (text: string) => text.split('\n')[0] ?? '';

function runOutcome(result: SimulationResult<Protocol>): string {
  const counters = result.counters;
  const verdict =
    result.failure === undefined
      ? `passed (${result.endReason})`
      : `failed: ${result.failure.kind} of "${result.failure.property}" at step ${result.failure.step} (${result.failure.timeMs} ms): ${firstLine(result.failure.message)}`;
  return (
    `${verdict}; ${result.steps} steps, ended at ${result.endTimeMs} ms; ` +
    `${counters.messagesSent} sent, ${counters.messagesDelivered} delivered, ${counters.messagesDropped} dropped, ${counters.messagesDuplicated} duplicated; ` +
    `${result.outputs.length} outputs; ${result.traceLength} trace events, digest ${digest(result.trace)}`
  );
}

/** Runs one scenario of `suite` on `implementation`. */
export function playScenario<I>(suite: LabSuite<I>, implementation: I, scenario: Scenario): Played {
  const test = suite.tests.find((candidate) => candidate.number === scenario.test);
  if (test === undefined) throw new Error(`scenario "${scenario.name}": lab ${suite.lab} has no test ${scenario.test}`);
  const prepared = test.prepare(implementation, scenario.seed);
  const seed = runSeed(suite.lab, test.number, scenario.seed);
  if (prepared.kind === 'run') {
    if (scenario.path !== undefined) throw new Error(`scenario "${scenario.name}": test ${test.number} is a run test; give a schedule, not a path`);
    const result = prepared.simulate(seed, scenario.schedule ?? [], 'full');
    return { trace: head(result.trace), outcome: runOutcome(result) };
  }
  if (scenario.path === undefined) throw new Error(`scenario "${scenario.name}": test ${test.number} is a search test; give the path to replay`);
  const replay = prepared.replay(seed, scenario.path);
  const verdict = replay.violation === undefined ? 'no violation' : `violation of "${replay.violation.property}": ${firstLine(replay.violation.message)}`;
  return {
    trace: head(replay.trace),
    outcome: `${verdict}; ${scenario.path.length} events replayed; ${replay.trace.length} trace events, digest ${digest(replay.trace)}`,
  };
}
