// A submission that reads the clock to tell a run from a search: the model checker has no
// clock, so a node could follow the protocol while this.now() throws and run a bug once it
// reads past a second, in every run. The labs with search tests give no clock in runs either,
// so such a node follows the protocol everywhere, and its grades are those of the protocol.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';
import { changedCopy } from '../labs/cheatFolders.ts';

const limits = { memoryMb: 512, timeoutMs: 120_000 };

const scratchFolders: string[] = [];
afterAll(() => {
  for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
});

/**
 * Lab 6's reference, whose new leader skips the recovery walk (the mutant leader-skips-read)
 * once this.now() reads a second or more, and walks as it should where the clock throws.
 */
function skipsTheWalkLate(): string {
  return changedCopy(
    join(projectRoot, 'solutions', '06-paxoslog'),
    'server.ts',
    [
      [
        '  protected startRecovery(lastUsed: number): void {\n',
        `  protected startRecovery(lastUsed: number): void {
    let late = false;
    try {
      late = this.now() >= 1000;
    } catch {
      late = false;
    }
    if (late) {
      for (let slot = this.nextToExecute; slot <= lastUsed; slot++) {
        if (this.role !== 'leader') return;
        const held = this.record(slot);
        if (!held.finalized) this.store(slot, held.operation);
      }
      return;
    }
`,
      ],
    ],
    scratchFolders,
  );
}

describe('a node that reads the clock to tell a run from a search', () => {
  it('runs no bug in a run of lab 6, which gives no clock: the runs that catch the bug without it pass, as the searches do', async () => {
    // With a clock in runs, this node failed 6.5 and 6.7 on "an operation stored by a majority is kept" and passed 6.S3.
    const report = await grade({ lab: 'paxoslog', implementation: skipsTheWalkLate(), tests: ['6.5', '6.7', '6.S3'], limits, typecheck: false, jobs: 2 });
    expect(report.tests.map((test) => [test.number, test.status])).toEqual([
      ['6.5', 'passed'],
      ['6.7', 'passed'],
      ['6.S3', 'passed'],
    ]);
  }, 300_000);
});
