// The grader's type check of a submission knows what the submission's realm gives it: the
// language's own globals and a console, nothing of Node's.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../grader/labs.ts';
import { typeErrorsOf } from '../../grader/typecheck.ts';

const folder = (name: string) => join(projectRoot, 'test', 'fixtures', 'alternatives', name);

describe('the type check of a submission', () => {
  it('finds no error in correct code that prints with console.log', () => {
    const root = folder('mutex-maps');
    expect(typeErrorsOf({ label: root, kind: 'path', entryFile: join(root, 'index.ts'), root })).toEqual([]);
  });

  it('still reports what the realm does not have, like process', () => {
    const root = join(projectRoot, 'test', 'fixtures', 'hostile', 'global-process');
    const errors = typeErrorsOf({ label: root, kind: 'path', entryFile: join(root, 'index.ts'), root });
    expect(errors.some((error) => /Cannot find name 'process'/.test(error))).toBe(true);
  });
});
