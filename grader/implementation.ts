import { existsSync, lstatSync, opendirSync, readdirSync, statSync, type Dir } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { listLabs, SetupError, type LabInfo } from './labs.ts';
import { maxFolderDepth, maxPathCharacters, maxSubmissionEntries } from './submissionFiles.ts';

/** Where an implementation comes from, and which files it may import. */
export interface ImplementationSource {
  /** How the user named it: `solutions`, `student`, `mutant:<name>` or a path. */
  readonly label: string;
  readonly kind: 'solutions' | 'student' | 'mutant' | 'path';
  readonly entryFile: string;
  /** The folder whose files the implementation may import. */
  readonly root: string;
  /**
   * How printed commands (replays, re-runs) name it, where that differs from `label`: a class's
   * or Gradescope's submission is the student's own code in their checkout, `student`.
   */
  readonly commandName?: string;
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
    const choices = lab.hasSolutions ? 'student, solutions, mutant:<name>' : 'student';
    throw new SetupError(`${origin} ${choice}: no such file or folder. Use ${choices}, or the path of a submission folder.`);
  }
  if (lstatSync(path).isSymbolicLink() && statSync(path).isDirectory()) {
    throw new SetupError(`${origin} ${choice} is a symbolic link: give the path of the submission's folder itself, not of a link to it`);
  }
  if (statSync(path).isDirectory()) {
    const found = findEntryFile(lab, path, `${origin} ${choice}`);
    return { label: choice, kind: 'path', entryFile: found.entryFile, root: dirname(found.entryFile) };
  }
  return { label: choice, kind: 'path', entryFile: path, root: dirname(path) };
}

/**
 * The `--impl` option of a command printed for whoever will paste it: the implementation as
 * given (a path as typed, quoted where the shell needs it), or its `commandName` — `student`
 * for a class's or Gradescope's submission, never the grading machine's path. Empty where the
 * lab's default already names it.
 */
export function implementationOption(lab: LabInfo, source: Pick<ImplementationSource, 'label' | 'commandName'>): string {
  const name = source.commandName ?? source.label;
  if (name === defaultImplementation(lab) && name !== 'student') return '';
  return ` --impl ${/^[\w./:@%+=,-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`}`;
}

// ---------------------------------------------------------------------------------------------
// Finding a submission's index.ts. Exports from Gradescope and course sites nest a student's
// files in folders of their own (`Dana Smith_123/lab1/src/index.ts`), and some students hand in
// their whole repository (`labs/01-mutex/src/index.ts`, next to `framework/index.ts`).

/** Folders never looked into: tooling, dependencies, and the resource forks of macOS zip files. */
function isSkippedFolder(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules' || name === '__MACOSX';
}

/** An index.ts (or index.js) found in a submission's folder. */
interface Candidate {
  /** Relative to the submission's folder, with `/` between folders. */
  readonly path: string;
  /** Folders between the submission's folder and the file. */
  readonly depth: number;
  /** How many of the lab's own source file names (protocol.ts, server.ts, ...) sit beside it. */
  readonly likeness: number;
}

/** Where a submission's entry file is, and what else looked like one. */
export interface EntryDiscovery {
  readonly entryFile: string;
  /** The entry file, relative to the submission's folder (`lab1/src/index.ts`). */
  readonly relativePath: string;
  /**
   * Set when the submission holds other index files that are not graded (they are outside the
   * entry file's folder): what was chosen and why, in one line. Empty when nothing else was found.
   */
  readonly note: string;
}

/** The names of the lab's own source files (the stub's, index.ts left out): what a copy of its src/ holds. */
function labFileNames(lab: LabInfo): Set<string> {
  try {
    return new Set(readdirSync(lab.studentDirectory).filter((name) => /\.(ts|js)$/.test(name) && !/^index\.(ts|js)$/.test(name)));
  } catch {
    return new Set();
  }
}

/**
 * Every index.ts and index.js in `folder`, breadth first, without following a link (a link
 * named index.ts is listed, so that the copy refuses it by name), bounded like the copy of a
 * submission: at most {@link maxSubmissionEntries} names, {@link maxFolderDepth} folders deep.
 */
function listCandidates(lab: LabInfo, folder: string, described: string): { typescript: Candidate[]; javascript: Candidate[] } {
  const labNames = labFileNames(lab);
  const typescript: Candidate[] = [];
  const javascript: Candidate[] = [];
  let entries = 0;
  let level: string[] = [''];
  for (let depth = 0; level.length > 0 && depth <= maxFolderDepth; depth++) {
    const next: string[] = [];
    for (const relativeFolder of level) {
      const names: { name: string; folder: boolean; file: boolean }[] = [];
      let directory: Dir;
      try {
        directory = opendirSync(join(folder, relativeFolder));
      } catch (error) {
        if (relativeFolder === '') throw new SetupError(`${described}: the folder cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}): give a folder the grader may read`);
        // A folder that cannot be opened (a path too long, a name that is not UTF-8) holds no
        // entry file to find; the copy of the submission names it if it is part of what is graded.
        continue;
      }
      try {
        for (let entry = directory.readSync(); entry !== null; entry = directory.readSync()) {
          if (++entries > maxSubmissionEntries) {
            throw new SetupError(`${described}: the folder holds more than ${maxSubmissionEntries} files and folders: give a folder with only the submission in it`);
          }
          names.push({ name: entry.name, folder: entry.isDirectory(), file: entry.isFile() || entry.isSymbolicLink() });
        }
      } finally {
        directory.closeSync();
      }
      names.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
      const likeness = names.filter((entry) => entry.file && labNames.has(entry.name)).length;
      for (const entry of names) {
        const path = relativeFolder === '' ? entry.name : `${relativeFolder}/${entry.name}`;
        if (entry.folder && !isSkippedFolder(entry.name) && path.length <= maxPathCharacters) next.push(path);
        else if (entry.file && entry.name === 'index.ts') typescript.push({ path, depth, likeness });
        else if (entry.file && entry.name === 'index.js') javascript.push({ path, depth, likeness });
      }
    }
    level = next;
  }
  return { typescript, javascript };
}

/** The folder of a candidate's file (`''` for the submission's own folder). */
function folderOf(candidate: Candidate): string {
  const cut = candidate.path.lastIndexOf('/');
  return cut < 0 ? '' : candidate.path.slice(0, cut);
}

function isWithin(path: string, folder: string): boolean {
  return folder === '' || path.startsWith(`${folder}/`);
}

/** A folder named like a copy set aside (`lab1-old`, `backup`, `Copy of lab1`): not what a student means to hand in. */
function isSetAside(candidate: Candidate): boolean {
  return /(^|[^a-z])(old|backup|bak|copy|orig|original|previous|unused|archive)([^a-z]|$)/i.test(folderOf(candidate));
}

function inSourceFolder(candidate: Candidate): boolean {
  return /(^|\/)src$/.test(folderOf(candidate));
}

/**
 * Better first: not in a folder set aside, then shallower, then more like the lab's src/, then
 * in a folder named src, then by name.
 */
function compareCandidates(left: Candidate, right: Candidate): number {
  const inSource = (candidate: Candidate) => (inSourceFolder(candidate) ? 0 : 1);
  const setAside = (candidate: Candidate) => (isSetAside(candidate) ? 1 : 0);
  return (
    setAside(left) - setAside(right) ||
    left.depth - right.depth ||
    right.likeness - left.likeness ||
    inSource(left) - inSource(right) ||
    (left.path < right.path ? -1 : left.path > right.path ? 1 : 0)
  );
}

function listed(paths: readonly string[]): string {
  const shown = paths.slice(0, 3).join(', ');
  return paths.length > 3 ? `${shown} and ${paths.length - 3} more` : shown;
}

/**
 * Finds the entry file of the submission in `folder`, at any depth: its `index.ts` (an
 * `index.js` only where it has no index.ts). Where several exist:
 *
 * 1. one at `labs/<lab>/src/index.ts` (a copy of the whole repository) wins;
 * 2. otherwise one outside folders named like copies set aside (`lab1-old`, `backup`,
 *    `Copy of lab1`), then the shallowest, and among equally shallow ones the one whose
 *    folder holds the most of the lab's own file names (`protocol.ts`, `server.ts`, ...),
 *    then one in a folder named `src`, then the first by name.
 *
 * Index files inside the chosen file's folder are part of what is graded. Others are not,
 * and the `note` names them (and says when the choice was a tie). Links are never followed.
 * `described` starts the messages (`--impl path/to/folder`).
 *
 * @example
 * findEntryFile(findLab('mutex'), 'class/Dana Smith_123', 'Dana Smith_123').relativePath
 * // 'lab1/src/index.ts'
 */
export function findEntryFile(lab: LabInfo, folder: string, described: string = folder): EntryDiscovery {
  const root = resolve(folder);
  const { typescript, javascript } = listCandidates(lab, root, described);
  const candidates = typescript.length > 0 ? typescript : javascript;
  if (candidates.length === 0) {
    const archives = readdirSync(root).filter((name) => /\.(zip|tar|tgz|tar\.gz|7z|rar)$/i.test(name));
    throw new SetupError(
      archives.length > 0
        ? `${described}: no index.ts in the folder, only the archive ${listed(archives)}: unpack it into the folder`
        : `${described}: no index.ts in the folder or in any folder inside it: the submission needs one that exports the lab's classes, like labs/${lab.id}/src/index.ts`,
    );
  }
  const inRepository = candidates.filter((candidate) => `/${candidate.path}`.endsWith(`/labs/${lab.id}/src/${candidate.path.slice(candidate.path.lastIndexOf('/') + 1)}`));
  const ranked = [...(inRepository.length > 0 ? inRepository : candidates)].sort(compareCandidates);
  const chosen = ranked[0] as Candidate;
  const entryFile = join(root, ...chosen.path.split('/'));
  const outside = ranked.filter((candidate) => !isWithin(candidate.path, folderOf(chosen)));
  // An index.ts below the chosen one, beside more of the lab's files than it: most likely the
  // one the student meant (a stray copy of the stub's index.ts left above their src/).
  const below = ranked.filter((candidate) => candidate !== chosen && isWithin(candidate.path, folderOf(chosen)) && candidate.likeness > chosen.likeness);
  if (inRepository.length === 0 && outside.length === 0 && below.length > 0) {
    return {
      entryFile,
      relativePath: chosen.path,
      note:
        `graded ${chosen.path}, the shallowest, not ${listed(below.map((candidate) => candidate.path))}, which is beside more of labs/${lab.id}/src's file names ` +
        `but inside its folder, so graded only as far as ${chosen.path} imports it (leave only the one to grade in the submission)`,
    };
  }
  if (inRepository.length > 0 || outside.length === 0) return { entryFile, relativePath: chosen.path, note: '' };
  const rival = outside[0] as Candidate;
  const why =
    isSetAside(rival) && !isSetAside(chosen)
      ? 'the others are in folders named like copies set aside'
      : rival.depth > chosen.depth
      ? 'the shallowest'
      : rival.likeness < chosen.likeness
        ? `the one beside the most of labs/${lab.id}/src's file names`
        : inSourceFolder(chosen) && !inSourceFolder(rival)
          ? 'the one in a src folder'
          : 'the first by name of several that look equally right';
  return {
    entryFile,
    relativePath: chosen.path,
    note: `graded ${chosen.path}, not ${listed(outside.map((candidate) => candidate.path))} (${why}; leave only the one to grade in the submission)`,
  };
}

/**
 * The --impl choices this checkout offers: the reference solution and its mutants only where
 * some lab has them (not in a student's handout, where the student's code is the default).
 */
export function implementationChoices(indent: number): string {
  const withSolutions = listLabs().some((lab) => lab.hasSolutions);
  return [
    `student    your code in labs/<lab>/src${withSolutions ? '' : ' (the default)'}`,
    ...(withSolutions ? ['solutions  the reference solution (the default here)', "mutant:<name>  a deliberately broken solution (one of the lab's mutants)"] : []),
    '<path>     a submission: a folder with index.ts, or a file',
  ].join(`\n${' '.repeat(indent)}`);
}
