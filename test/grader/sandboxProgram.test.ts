// The child's program of a lab (its runtime and suite) holds nothing of a submission, so the
// grader builds it once per process for every submission it grades, and builds it again when
// a file it was made from changes (a suite edited while `npm run watch` runs).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleImplementation } from '../../grader/bundle.ts';
import { resolveImplementation } from '../../grader/implementation.ts';
import { findLab, type LabInfo } from '../../grader/labs.ts';
import { Sandbox } from '../../grader/isolation.ts';

const folder = mkdtempSync(join(tmpdir(), 'distlab-program-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const pingpong = findLab('pingpong');
/** Lab 0 with a suite of its own, which keeps the first `count` tests of the real one. */
const suiteFile = join(folder, 'suite.ts');
function writeSuite(count: number, modifiedMs: number): void {
  writeFileSync(
    suiteFile,
    `import suite from ${JSON.stringify(pingpong.suiteFile)};\n` +
      `export default { ...suite, tests: suite.tests.slice(0, ${count}).map((test) => ({ ...test, name: test.name + ' (first ${count})' })) };\n`,
  );
  // A time of its own: a file system whose clock counts whole seconds would not tell two writes apart.
  utimesSync(suiteFile, modifiedMs / 1000, modifiedMs / 1000);
}
const lab: LabInfo = { ...pingpong, suiteFile, hiddenTestsFile: undefined };

let bundles = 0;
async function bundle(implementation: string): Promise<{ program: string; submission: string }> {
  const output = join(folder, `bundle-${++bundles}`);
  mkdirSync(output);
  const files = await bundleImplementation(lab, resolveImplementation(lab, implementation), output, 'child');
  return { program: readFileSync(files.child, 'utf8'), submission: readFileSync(files.realmSubmission, 'utf8') };
}

describe("a lab's child program", () => {
  it('is the same for every submission, holds no source map, and is built again when its suite changes', async () => {
    writeSuite(2, Date.UTC(2026, 0, 1));
    const reference = await bundle('solutions');
    const stub = await bundle('student');
    expect(reference.program).toContain('(first 2)');
    expect(stub.program).toBe(reference.program);
    expect(stub.submission).not.toBe(reference.submission);
    expect(reference.program).not.toContain('sourceMappingURL');

    writeSuite(3, Date.UTC(2026, 0, 2));
    const edited = await bundle('solutions');
    expect(edited.program).toContain('(first 3)');
    expect(edited.program).not.toContain('(first 2)');
  });

  it('finds the realm of the submission beside itself, in each sandbox', async () => {
    writeSuite(1, Date.UTC(2026, 0, 3));
    const sandboxes = await Promise.all(['solutions', 'student'].map((implementation) => Sandbox.create(lab, resolveImplementation(lab, implementation))));
    try {
      const [passed, failed] = await Promise.all(sandboxes.map((sandbox) => sandbox.run('0.1', [1], { shrinkBudget: 0 })));
      expect(passed?.status).toBe('passed');
      expect(failed?.status).toBe('failed');
    } finally {
      for (const sandbox of sandboxes) sandbox.dispose();
    }
  });
});
