// The grader's type check of a submission knows what the submission's realm gives it: the
// language's own globals and a console, nothing of Node's. It reads nothing a student's own
// checkout would not give them, and it cannot keep the grader waiting.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../grader/labs.ts';
import { typeErrorsOf } from '../../grader/typecheck.ts';

const folder = (name: string) => join(projectRoot, 'test', 'fixtures', 'alternatives', name);
const scratch = mkdtempSync(join(tmpdir(), 'distlab-typecheck-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the type check of a submission', () => {
  it('finds no error in correct code that prints with console.log', async () => {
    const root = folder('mutex-maps');
    expect(await typeErrorsOf({ entryFile: join(root, 'index.ts'), root })).toEqual([]);
  });

  it('still reports what the realm does not have, like process', async () => {
    const root = join(projectRoot, 'test', 'fixtures', 'hostile', 'global-process');
    const errors = await typeErrorsOf({ entryFile: join(root, 'index.ts'), root });
    expect(errors.some((error) => /Cannot find name 'process'/.test(error))).toBe(true);
  });

  it('does not read the reference solution, the hidden tests or another folder, whatever the submission imports', async () => {
    const root = join(scratch, 'peeks');
    mkdirSync(root);
    const solution = join(projectRoot, 'solutions', '03-paxos', 'paxos.ts');
    const hidden = join(projectRoot, 'labs', '03-paxos', 'hidden.ts');
    writeFileSync(
      join(root, 'index.ts'),
      [
        `import type { PaxosNode as Reference } from '${solution}';`,
        `import type * as Hidden from '${hidden}';`,
        "import type { Node } from 'distlab';",
        // A lab's stub, which every student has, is read too.
        `import type { Paxos } from '${join(projectRoot, 'labs', '03-paxos', 'src', 'protocol.ts')}';`,
        "export const message: Paxos['message'] | undefined = undefined;",
        // Errors that would print the types, were they read.
        'const reference: number = null as unknown as Reference;',
        'const hidden: number = null as unknown as typeof Hidden;',
        'export const node: Node | undefined = undefined;',
        'export { reference, hidden };',
        '',
      ].join('\n'),
    );
    const errors = await typeErrorsOf({ entryFile: join(root, 'index.ts'), root });
    expect(errors.filter((error) => /Cannot find module/.test(error))).toHaveLength(2);
    expect(errors.join('\n')).not.toMatch(/protocol\.ts/);
    // The framework a student has is read: Node resolves.
    expect(errors.join('\n')).not.toMatch(/'distlab'/);
    // Nothing of what the solution declares shows.
    expect(errors.join('\n')).not.toMatch(/valueToPropose|onPromise|outranks|hiddenTests/);
  });

  it('is stopped past its time limit, and says so in one line', async () => {
    const root = folder('mutex-maps');
    // A millisecond: the type checker's process has not even started by then.
    expect(await typeErrorsOf({ entryFile: join(root, 'index.ts'), root }, 1)).toEqual([
      '(the type check was stopped: it took longer than 0.001 s; grading went on without it)',
    ]);
  });

  it('does not follow a link in the submission, made after the grader refused links', async () => {
    const root = join(scratch, 'links');
    mkdirSync(root);
    symlinkSync(join(projectRoot, 'solutions', '03-paxos', 'paxos.ts'), join(root, 'reference.ts'));
    writeFileSync(join(root, 'index.ts'), "import type { PaxosNode } from './reference.ts';\nexport const node: number = null as unknown as PaxosNode;\n");
    const errors = await typeErrorsOf({ entryFile: join(root, 'index.ts'), root });
    expect(errors.filter((error) => /Cannot find module '\.\/reference\.ts'/.test(error))).toHaveLength(1);
    expect(errors.join('\n')).not.toMatch(/valueToPropose|onPromise|outranks/);
  });
});
