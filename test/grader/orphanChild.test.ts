// A grader killed by a signal it cannot handle leaves no child behind, even while a submission's
// handler loops for ever on the child's main thread (where the grader's own stall limit would
// have ended it): the kernel sends the child a parent-death signal, or, where the grader cannot
// ask for one, a thread of the child's own watches its parent. Both ways are tested here.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../grader/labs.ts';

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const tasks = join('/proc', String(pid), 'task');
  if (!existsSync(tasks)) return [];
  return readdirSync(tasks).flatMap((task) => {
    try {
      return readFileSync(join(tasks, task, 'children'), 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

const alive = (pid: number) => existsSync(join('/proc', String(pid))) && !/\) Z /.test(readFileSync(join('/proc', String(pid), 'stat'), 'utf8'));

describe.skipIf(process.platform !== 'linux')('a grader killed while a submission loops', () => {
  it.each([
    ['the kernel ends it', undefined],
    ['its own thread ends it', 'thread'],
  ])('leaves no child spinning: %s', async (_way, watch) => {
    const folder = mkdtempSync(join(tmpdir(), 'distlab-orphan-'));
    const script = join(folder, 'grader.mts');
    // A grader replaying the test whose seed sends the fixture's server into its loop, with
    // limits far beyond the test's own: only its death can end the child here.
    writeFileSync(
      script,
      [
        `import { resolveImplementation } from ${JSON.stringify(join(projectRoot, 'grader', 'implementation.ts'))};`,
        `import { Sandbox } from ${JSON.stringify(join(projectRoot, 'grader', 'isolation.ts'))};`,
        `import { findLab } from ${JSON.stringify(join(projectRoot, 'grader', 'labs.ts'))};`,
        "const lab = findLab('pingpong');",
        `const sandbox = await Sandbox.create(lab, resolveImplementation(lab, ${JSON.stringify(join(projectRoot, 'test', 'fixtures', 'pingpong', 'infinite-loop.ts'))}), { timeoutMs: 600_000, memoryMb: 512, stallMs: 600_000 });`,
        "void sandbox.replay('0.3', 1, []);",
        "process.stdout.write('replaying\\n');",
        'setInterval(() => undefined, 1_000);',
      ].join('\n'),
    );
    const env = { ...process.env };
    delete env.DISTLAB_CHILD_WATCH;
    if (watch !== undefined) env.DISTLAB_CHILD_WATCH = watch;
    const grader = spawn(process.execPath, ['--import', 'tsx', script], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        grader.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('replaying')) resolve();
        });
        grader.on('exit', () => reject(new Error('the grader ended before its replay began')));
      });
      const pid = grader.pid as number;
      let children: number[] = [];
      for (let attempt = 0; attempt < 100 && children.length === 0; attempt++) {
        children = childrenOf(pid).filter((child) => readFileSync(join('/proc', String(child), 'cmdline'), 'utf8').includes('child.mjs'));
        if (children.length === 0) await sleep(100);
      }
      expect(children).toHaveLength(1);
      const child = children[0] as number;
      grader.kill('SIGKILL');
      // The thread looks twice a second, the kernel at once; a minute is far more than either needs on any machine.
      for (let attempt = 0; attempt < 600 && alive(child); attempt++) await sleep(100);
      expect(alive(child), 'the child ended after its grader was killed').toBe(false);
    } finally {
      grader.kill('SIGKILL');
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);
});
