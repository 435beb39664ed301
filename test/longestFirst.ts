// The order in which `npm test` starts its test files: the longest first. On a fresh checkout
// vitest knows no durations and starts files in the order it found them, which puts each lab's
// whole suite (minutes each) last, where one worker can be left running it alone while the
// other has nothing to do. Where vitest has durations from an earlier run, it uses them.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * How long a file takes, roughly, where no earlier run says: a lab's suite under the grader
 * (every graded test, then the staff checks), then the grading of other implementations of a
 * lab, then the rest by size.
 */
function expectedWeight(file: string): number {
  const sizeOf = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  const size = sizeOf(file);
  // A lab's suite file is one line: its tests are in the lab's other modules, whose size says how many there are.
  if (/\/labs\/[^/]+\/[^/]+\.test\.ts$/.test(file) && !file.endsWith('/search.test.ts')) {
    const folder = dirname(file);
    const modules = readdirSync(folder).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    return 3e9 + modules.reduce((total, name) => total + sizeOf(join(folder, name)), 0);
  }
  if (/\/test\/labs\/[^/]*(Alternative|Second)\.test\.ts$/.test(file)) return 2e9 + size;
  return size;
}

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const known = files.every((file) => this.ctx.cache.getFileTestResults(`${file.project.name}:${relative(this.ctx.config.root, file.moduleId)}`) !== undefined);
    if (known) return super.sort(files);
    return [...files].sort((a, b) => expectedWeight(b.moduleId) - expectedWeight(a.moduleId));
  }
}
