import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { SetupError, type LabInfo } from './labs.ts';

/** Where an implementation comes from, and which files it may import. */
export interface ImplementationSource {
  /** How the user named it: `solutions`, `student`, `mutant:<name>` or a path. */
  readonly label: string;
  readonly kind: 'solutions' | 'student' | 'mutant' | 'path';
  readonly entryFile: string;
  /** The folder whose files the implementation may import. */
  readonly root: string;
}

/** The default: the reference solutions where they exist (this repository), else the student's code. */
export function defaultImplementation(lab: LabInfo): string {
  return lab.hasSolutions ? 'solutions' : 'student';
}

/**
 * Resolves `--impl student|solutions|mutant:<name>|<path>` for a lab; `origin` is how the
 * user gave it (`--impl`, or the DISTLAB_IMPL variable under vitest), for the messages.
 */
export function resolveImplementation(lab: LabInfo, choice: string, cwd = process.cwd(), origin = '--impl'): ImplementationSource {
  if (choice === 'solutions') {
    if (!lab.hasSolutions) {
      throw new SetupError(`lab ${lab.id} has no reference solutions here (this is a student handout): use ${origin === '--impl' ? '--impl student' : `${origin}=student`} or a path`);
    }
    return { label: choice, kind: 'solutions', entryFile: join(lab.solutionDirectory, 'index.ts'), root: lab.solutionDirectory };
  }
  if (choice === 'student') {
    const entryFile = join(lab.studentDirectory, 'index.ts');
    if (!existsSync(entryFile)) throw new SetupError(`no ${relative(cwd, entryFile)}: the lab's src/index.ts is missing`);
    return { label: choice, kind: 'student', entryFile, root: lab.studentDirectory };
  }
  if (choice.startsWith('mutant:')) {
    const name = choice.slice('mutant:'.length);
    const entryFile = join(lab.solutionDirectory, 'mutants', `${name}.ts`);
    if (!/^[\w-]+$/.test(name) || !existsSync(entryFile)) throw new SetupError(`lab ${lab.id} has no mutant "${name}"`);
    return { label: choice, kind: 'mutant', entryFile, root: lab.solutionDirectory };
  }
  const path = resolve(cwd, choice);
  if (!existsSync(path)) {
    throw new SetupError(`${origin} ${choice}: no such file or folder. Use student, solutions, mutant:<name>, or the path of a submission folder.`);
  }
  if (statSync(path).isDirectory()) {
    const candidates = ['index.ts', 'src/index.ts', 'index.js', 'src/index.js'].map((file) => join(path, file));
    const entryFile = candidates.find((file) => existsSync(file));
    if (entryFile === undefined) {
      throw new SetupError(`${origin} ${choice}: the folder has no index.ts (nor src/index.ts) exporting the lab's classes`);
    }
    return { label: choice, kind: 'path', entryFile, root: dirname(entryFile) };
  }
  return { label: choice, kind: 'path', entryFile: path, root: dirname(path) };
}

/**
 * The `--impl` option of a command printed for the implementation's author to paste: a
 * submission graded from a folder (a class's, Gradescope's /autograder/submission) is the
 * student's own code in their checkout, `--impl student`, never the grading machine's path.
 * Empty where the lab's default already names it.
 */
export function implementationOption(lab: LabInfo, source: Pick<ImplementationSource, 'kind' | 'label'>): string {
  const name = source.kind === 'path' ? 'student' : source.label;
  return name === defaultImplementation(lab) && name !== 'student' ? '' : ` --impl ${name}`;
}
