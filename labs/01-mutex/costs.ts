// Measures lab 1's message costs on the reference solutions for N = 2..9 and writes the
// table into the handout: `npm run costs` (or `-- --check` to fail when it is out of date).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runSeed, type Protocol, type SimulationResult, type SuiteTest } from 'distlab/testing';
import * as solutions from '../../solutions/01-mutex/index.ts';
import { clusterSize, suite, type MutexImplementation } from './suite.ts';

const handout = fileURLToPath(new URL('./README.md', import.meta.url));
const start = '<!-- costs:start -->';
const end = '<!-- costs:end -->';

function testNumbered(number: string): SuiteTest<MutexImplementation> {
  const test = suite.tests.find((candidate) => candidate.number === number);
  if (test === undefined) throw new Error(`no test ${number}`);
  return test;
}

/** The run of `number` whose cluster has `nodeCount` nodes. */
function runWith(number: string, nodeCount: number, smallest = 2): SimulationResult<Protocol> {
  const seed = nodeCount - smallest + 1;
  if (clusterSize(seed, smallest) !== nodeCount) throw new Error(`seed ${seed} does not give ${nodeCount} nodes`);
  const prepared = testNumbered(number).prepare(solutions, seed);
  if (prepared.kind !== 'run') throw new Error(`test ${number} is not a run`);
  // The seed string the grader gives this run, so the table shows the grader's own runs.
  return prepared.simulate(runSeed(suite.lab, number, seed), [], 'full');
}

const perEntry = (result: SimulationResult<Protocol>) => result.counters.messagesSent / result.outputs.length;

/** The most token passes any node waited between its Acquire and its Enter. */
function maximumTokenHops(result: SimulationResult<Protocol>): number {
  let passes = 0;
  let most = 0;
  const atAcquire = new Map<number, number>();
  for (const event of result.trace) {
    if (event.kind === 'send' && event.label === 'Token') passes++;
    if (event.kind === 'input' && event.label === 'Acquire') atAcquire.set(event.node, passes);
    if (event.kind === 'output' && event.label === 'Enter') most = Math.max(most, passes - (atAcquire.get(event.node) ?? passes));
  }
  return most;
}

export function costTable(): string {
  const rows = ['| N | centralized (3) | token ring: most hops to a grant (N−1) | Lamport (3(N−1)) | Ricart–Agrawala (2(N−1)) |', '| ---: | ---: | ---: | ---: | ---: |'];
  for (let nodeCount = 2; nodeCount <= 9; nodeCount++) {
    const cells = [
      `${perEntry(runWith('1A.5', nodeCount))} (3)`,
      `${maximumTokenHops(runWith('1B.4', nodeCount))} (${nodeCount - 1})`,
      `${perEntry(runWith('1C.6', nodeCount))} (${3 * (nodeCount - 1)})`,
      `${perEntry(runWith('1D.6', nodeCount))} (${2 * (nodeCount - 1)})`,
    ];
    rows.push(`| ${nodeCount} | ${cells.join(' | ')} |`);
  }
  return rows.join('\n');
}

function withTable(text: string, table: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${handout} has no ${start} ... ${end} markers`);
  return `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const current = readFileSync(handout, 'utf8');
  const updated = withTable(current, costTable());
  if (process.argv.includes('--check')) {
    if (updated !== current) {
      process.stderr.write('labs/01-mutex/README.md: the cost table is out of date; run npm run costs\n');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(handout, updated);
    process.stdout.write(`${costTable()}\n`);
  }
}

export { withTable, handout };
