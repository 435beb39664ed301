// The staff's soak command: the reference solution on many seeds of every randomized test.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const execute = promisify(execFile);

async function soak(...args: string[]) {
  try {
    const { stdout, stderr } = await execute(process.execPath, ['--import', 'tsx', 'grader/soak.ts', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run soak', () => {
  it('runs the reference solution on every seed asked for and says how many passed', async () => {
    const run = await soak('paxos', '--seeds', '3', '--test', '3.3,3.S2,3.S3');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  3.3  3/3 seeds passed');
    expect(run.stdout).toContain('  3.S2  skipped: a breadth-first search, the same on every seed');
    expect(run.stdout).toContain('  3.S3  3/3 seeds passed');
    expect(run.stdout).toMatch(/every seed passed\n$/);
  });

  it('refuses an unknown lab, an unknown test and a bad seed count with exit code 2', async () => {
    const noLab = await soak('nosuchlab');
    expect(noLab.code).toBe(2);
    expect(noLab.stderr).toMatch(/^soak: .*nosuchlab.*\n$/s);
    expect(noLab.stderr).not.toMatch(/\n\s+at /);
    const unknown = await soak('pingpong', '--test', '9.9');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown test in 9\.9; lab 00-pingpong has 0\.1/);
    const badSeeds = await soak('pingpong', '--seeds', 'many');
    expect(badSeeds.code).toBe(2);
    expect(badSeeds.stderr).toMatch(/--seeds must be a whole number/);
  });
});
