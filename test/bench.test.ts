// The benchmark command's contract (its figures are measured by running it, never asserted here).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseArguments, UsageError } from '../bench/arguments.ts';

const execute = promisify(execFile);

async function bench(...args: string[]) {
  try {
    const { stdout } = await execute(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args]);
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run bench', () => {
  it('prints one JSON line with the rate, and the same simulated end time for the same seed', async () => {
    const first = await bench('--deliveries', '20000', '--seed', '3');
    const second = await bench('--deliveries', '20000', '--seed', '3');
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(report).toMatchObject({ workload: 'flood', nodes: 5, initial: 10, deliveries: 20000, seed: 3, deterministic: true });
    expect(report.deliveriesPerSec).toBeGreaterThan(0);
    expect((JSON.parse(second.stdout) as Record<string, unknown>).simulatedMs).toBe(report.simulatedMs);
  });

  it('--isolated runs the nodes in a realm of their own, to the same simulated end as in this realm', async () => {
    const here = await bench('--deliveries', '5000', '--seed', '4');
    const isolated = await bench('--deliveries', '5000', '--seed', '4', '--isolated');
    expect(isolated.code).toBe(0);
    const report = JSON.parse(isolated.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ workload: 'flood', isolated: true, deliveries: 5000, deterministic: true });
    expect(report.simulatedMs).toBe((JSON.parse(here.stdout) as Record<string, unknown>).simulatedMs);
  });

  it('--compare runs the bare loop in bench/ (nothing outside the repository) and reports the ratio', async () => {
    const run = await bench('--deliveries', '20000', '--seed', '3', '--compare');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report.bare).toBeUndefined();
    expect(report.bareDeliveriesPerSec).toBeGreaterThan(0);
    expect(report.ratio).toBeGreaterThan(0);
  });

  it('scaling runs the comparison at 5, 20, 100, 500 and 1,000 nodes: a line a size, then the table', async () => {
    const run = await bench('scaling', '--deliveries', '3000', '--initial', '2', '--seed', '5');
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(6);
    const sizes = lines.slice(0, 5);
    expect(sizes.map((line) => line.nodes)).toEqual([5, 20, 100, 500, 1000]);
    for (const line of sizes) {
      expect(line).toMatchObject({ workload: 'flood', initial: 2, deliveries: 3000, deterministic: true });
      expect(line.ratio).toBeGreaterThan(0);
    }
    const table = lines[5] as { workload: string; deterministic: boolean; table: { nodes: number; ratio: number }[] };
    expect(table.workload).toBe('scaling');
    expect(table.deterministic).toBe(true);
    expect(table.table.map((row) => [row.nodes, row.ratio])).toEqual(sizes.map((line) => [line.nodes, line.ratio]));
    const refused = await bench('scaling', '--nodes', '5');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/the scaling workload runs 5, 20, 100, 500, 1000 nodes; --nodes is for flood/);
  });

  it('the bare loop runs the same workload deterministically and prints the same fields', async () => {
    const run = async () => JSON.parse((await execute(process.execPath, ['bench/bareLoop.mjs', '--nodes', '7', '--deliveries', '30000', '--seed', '9'])).stdout) as Record<string, unknown>;
    const first = await run();
    const second = await run();
    expect(first).toMatchObject({ workload: 'flood', nodes: 7, initial: 10, deliveries: 30000 });
    expect(Object.keys(first).sort()).toEqual(['deliveries', 'deliveriesPerSec', 'initial', 'nodes', 'seconds', 'simulatedMs', 'workload']);
    expect(second.simulatedMs).toBe(first.simulatedMs);
    // Each message waits 1 to 10 ms (5.5 on average) and 70 are in flight: 30,000 deliveries
    // take about 30,000 / 70 × 5.5 ≈ 2,360 simulated ms.
    expect(first.simulatedMs).toBeGreaterThan(2_200);
    expect(first.simulatedMs).toBeLessThan(2_500);
  });

  it('search prints one JSON line with the configuration, the states found and the rate', async () => {
    const run = await bench('search', '--seconds', '1');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(report).toMatchObject({ workload: 'search', configuration: 'single-decree Paxos, 2 proposers, 3 acceptors, no timers' });
    expect(report.states).toBeGreaterThan(0);
    expect(report.statesPerSec).toBeGreaterThan(0);
    expect(report.bytesPerState).toBeGreaterThan(0);
  });

  it('search --workers 2 expands the states on two worker threads and says so', async () => {
    const run = await bench('search', '--seconds', '2', '--workers', '2');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout.trim()) as Record<string, unknown>;
    expect(report).toMatchObject({ workload: 'search', workers: 2 });
    expect(report.states).toBeGreaterThan(0);
    // The threads are started before the measured search, and what that took is reported apart.
    expect(report.workerStartSeconds).toBeGreaterThan(0);
    // The kernel's count of each thread's CPU time (Linux, where this runs): each worker's, and the coordinator's.
    expect(report.workerCpuSeconds).toEqual([expect.any(Number), expect.any(Number)]);
    expect((report.workerCpuSeconds as number[]).every((seconds) => seconds > 0)).toBe(true);
    expect(report.threadCpuSeconds).toEqual(expect.any(Number));
  });

  it('search --states stops every run at the same states, so one thread and two workers compare the same work', async () => {
    const [one, two] = await Promise.all([bench('search', '--states', '20000'), bench('search', '--states', '20000', '--workers', '2')]);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    const oneThread = JSON.parse(one.stdout.trim()) as Record<string, unknown>;
    const twoWorkers = JSON.parse(two.stdout.trim()) as Record<string, unknown>;
    expect(oneThread).toMatchObject({ outcome: 'limit: states', states: 20000, workers: 1 });
    expect(twoWorkers).toMatchObject({ outcome: 'limit: states', states: 20000, workers: 2 });
    expect(twoWorkers.transitions).toBe(oneThread.transitions);
    expect(twoWorkers.statesByDepth).toEqual(oneThread.statesByDepth);
  });

  it.each([
    [['--deliveries', 'lots'], /--deliveries must be an integer/],
    [['teleport'], /unknown workload "teleport"/],
  ])('rejects %j with exit code 2 and the usage', async (args, message) => {
    const run = await bench(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/usage: npm run bench --/);
  });

  // The same check as above, on the command lines each workload refuses, without a process each.
  it.each([
    [['--frobnicate', '1'], /unknown option --frobnicate/],
    [['search', '--nodes', '3'], /the search workload takes only --seconds/],
    [['search', '--isolated'], /the search workload takes only --seconds/],
    [['--seconds', '5'], /--seconds is for the search workload/],
    [['search', '--workers', '0'], /--workers must be a whole number of worker threads from 1 to 64/],
    [['--workers', '2'], /--workers is for the search workload/],
    [['search', '--states', '0'], /--states must be a whole number of states from 1/],
    [['--states', '1000'], /--states is for the search workload/],
    [['suite'], /the suite workload takes one lab/],
    [['suite', 'raft', '--part', ','], /--part needs the names of parts/],
  ])('refuses %j, saying why', (args, message) => {
    expect(() => parseArguments(args)).toThrow(UsageError);
    expect(() => parseArguments(args)).toThrow(message);
  });

  it('suite <lab> runs every seed of every test on the reference and reports simulated seconds per wall second', async () => {
    const run = await bench('suite', 'pingpong');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { lab: string; tests: number; seeds: number; seedsPassed: number; simulatedSeconds: number; simulatedSecondsPerWallSecond: number; perTest: { number: string }[] };
    expect(report.lab).toBe('00-pingpong');
    // Hidden tests count: test 0.7 lives in labs/00-pingpong/hidden.ts.
    expect(report.perTest.map((test) => test.number)).toContain('0.7');
    expect(report.seedsPassed).toBe(report.seeds);
    expect(report.simulatedSeconds).toBeGreaterThan(0);
    expect(report.simulatedSecondsPerWallSecond).toBeGreaterThan(0);
  });

  it('suite --part runs only the tests of the parts named, and names the parts a lab has when one is unknown', async () => {
    const run = await bench('suite', 'mutex', '--part', 'A,C');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { parts: string[]; seeds: number; seedsPassed: number; perTest: { number: string }[] };
    expect(report.parts).toEqual(['A', 'C']);
    const numbers = report.perTest.map((test) => test.number);
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers.every((number) => number.startsWith('1A.') || number.startsWith('1C.'))).toBe(true);
    expect(numbers.some((number) => number.startsWith('1C.'))).toBe(true);
    expect(report.seedsPassed).toBe(report.seeds);
    const unknown = await bench('suite', 'mutex', '--part', 'Q');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe('bench: lab 01-mutex has no part Q; its parts are A, B, C, D');
    const empty = await bench('suite', 'mutex', '--part', ',');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--part needs the names of parts');
  });

  it('suite needs a lab, and says how to name one', async () => {
    const run = await bench('suite');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('npm run bench -- suite raft');
    const unknown = await bench('suite', 'tetris');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/^bench: unknown lab "tetris"\. Known labs: .*05-raft \(raft\)/);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
  });
});
