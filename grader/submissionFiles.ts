import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, opendirSync, readdirSync, readSync, writeFileSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SetupError } from './labs.ts';

// A submission is graded from a copy made of real files only. A symbolic link in it could
// point at the reference solution, the hidden tests or any file the grader can read, so the
// copy refuses links, reads every file without following a link, and never looks outside the
// submission's folder. Only .ts and .js files are copied: a file of another type (a write-up,
// an image, data) is left out, so nothing can import it as text into the reports, and a
// student's notes beside the code cost nothing. A file named like source the grader does not
// take (.tsx, .mjs, index.TS) is refused instead: its author meant it as code.

/** Source files (`.ts`, `.js`) in one submission: far more than a lab needs. */
export const maxSubmissionFiles = 500;
/** Bytes of source files in one submission. */
export const maxSubmissionBytes = 5 * 1024 * 1024;
/** Every name looked at, ignored ones included: bounds the walk itself. */
export const maxSubmissionEntries = 5_000;
/** Folders inside folders, counted from the submission's folder. */
export const maxFolderDepth = 32;
/** Characters in a path inside the submission: its copy must fit under the system's limit too. */
export const maxPathCharacters = 1_000;

/** Names that are left out of the copy without a word: tooling, notes, build leftovers. */
function isIgnored(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    name.startsWith('.') ||
    name === 'node_modules' ||
    name === 'package.json' ||
    name === 'tsconfig.json' ||
    lower.endsWith('.md') ||
    lower.endsWith('.map')
  );
}

function isSourceName(name: string): boolean {
  return name.endsWith('.ts') || name.endsWith('.js');
}

/** Named like TypeScript or JavaScript source in any of their spellings (`.tsx`, `.mjs`, `.TS`, ...). */
function looksLikeSource(name: string): boolean {
  return /\.[mc]?[jt]sx?$/i.test(name);
}

/** A path for a message: control and formatting characters escaped, so a name cannot rewrite the terminal. */
function shown(path: string): string {
  const escaped = path.replace(/[\p{Cc}\p{Cf}]/gu, (character) => `\\u{${(character.codePointAt(0) as number).toString(16)}}`);
  return escaped.length > 300 ? `${escaped.slice(0, 300)}…` : escaped;
}

function describeKind(stats: Stats): string {
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isCharacterDevice()) return 'a character device';
  return 'not a regular file';
}

const megabytes = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

interface SourceFile {
  /** Relative to the submission's folder. */
  readonly path: string;
  readonly bytes: Buffer;
}

/** What the walk has found so far, and what it has used of its bounds. */
interface Walk {
  readonly sourceRoot: string;
  readonly trusted: boolean;
  readonly folders: string[];
  readonly files: SourceFile[];
  totalBytes: number;
  entries: number;
}

/**
 * Copies the submission in `sourceRoot` into `destination` (created if missing; it must be
 * empty): its `.ts` and `.js` files (`.d.ts` included) and the folders that hold them. Leaves
 * out dotfiles and dot-folders, `node_modules`, `package.json`, `tsconfig.json` and every
 * regular file not named like source (`*.md`, `*.txt`, `*.pdf`, images, data). Throws a
 * SetupError that names the file, and copies nothing, when the submission holds a symbolic
 * link (the folder itself and `entryFile` included), a file that is not a regular file, one
 * named like source in a spelling the grader does not take (`.tsx`, `.mjs`, `.TS`), more than {@link maxSubmissionFiles} source files or
 * {@link maxSubmissionBytes} bytes of them. `entryFile` (absolute, or relative to
 * `sourceRoot`) must be one of the files copied.
 *
 * @example
 * const copy = copySubmission('submissions/alice', 'submissions/alice/index.ts', mkdtempSync(join(tmpdir(), 'distlab-')));
 * // copy.root is the fresh folder, copy.entryFile its index.ts
 */
export function copySubmission(
  sourceRoot: string,
  entryFile: string,
  destination: string,
  /** The kit's own code (the reference, its mutants): a hard link someone made to it elsewhere takes nothing from anyone. */
  trusted = false,
): { root: string; entryFile: string } {
  const rootStats = lstatOrUndefined(sourceRoot);
  if (rootStats === undefined) throw new SetupError(`the submission folder ${shown(sourceRoot)} does not exist: give the path of the folder that holds index.ts`);
  if (rootStats.isSymbolicLink()) {
    throw new SetupError(`the submission folder ${shown(sourceRoot)} is a symbolic link: give the path of the folder itself, not of a link to it`);
  }
  if (!rootStats.isDirectory()) throw new SetupError(`${shown(sourceRoot)} is not a folder: give the path of the folder that holds the submission`);

  const entryPath = relative(resolve(sourceRoot), resolve(sourceRoot, entryFile));
  if (entryPath === '' || entryPath === '..' || entryPath.startsWith(`..${sep}`) || isAbsolute(entryPath)) {
    throw new SetupError(`the entry file ${shown(entryFile)} is not inside the submission folder ${shown(sourceRoot)}`);
  }

  const walk: Walk = { sourceRoot, folders: [], files: [], totalBytes: 0, entries: 0, trusted };
  walkFolder(walk, '', 0);

  if (!walk.files.some((file) => file.path === entryPath)) {
    const inIgnored = entryPath.split(sep).some(isIgnored);
    throw new SetupError(
      inIgnored
        ? `the entry file ${shown(join(sourceRoot, entryPath))} is in a place the grader leaves out (a dot-folder, node_modules, or a name it ignores): move it into the submission's own folders`
        : `the entry file ${shown(join(sourceRoot, entryPath))} does not exist: the submission needs it to export the lab's classes`,
    );
  }

  mkdirSync(destination, { recursive: true });
  if (readdirSync(destination).length > 0) throw new Error(`the copy of a submission needs an empty folder, and ${destination} is not empty`);
  for (const folder of walk.folders) mkdirSync(join(destination, folder));
  // 'wx': a file that is somehow there already is an error, never overwritten through a link.
  for (const file of walk.files) writeFileSync(join(destination, file.path), file.bytes, { flag: 'wx' });
  return { root: destination, entryFile: join(destination, entryPath) };
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The names in a folder, sorted, read one at a time so that a huge folder stops at the bound.
 * Names are read as bytes: one that is not UTF-8 text could not be opened again by the text
 * it decodes to (each bad byte becomes U+FFFD), so it is refused unless it is left out anyway.
 */
function namesIn(walk: Walk, folder: string): string[] {
  const names: string[] = [];
  // Node reads the names as Buffers with encoding 'buffer', which its types for opendir leave out.
  const directory = opendirSync(join(walk.sourceRoot, folder), { encoding: 'buffer' as BufferEncoding });
  try {
    for (let entry = directory.readSync(); entry !== null; entry = directory.readSync()) {
      if (++walk.entries > maxSubmissionEntries) {
        throw new SetupError(
          `the submission folder ${shown(walk.sourceRoot)} holds more than ${maxSubmissionEntries} files and folders: give a folder with only the submission's sources`,
        );
      }
      const bytes = entry.name as unknown as Buffer;
      const name = bytes.toString('utf8');
      if (!isIgnored(name) && !Buffer.from(name, 'utf8').equals(bytes)) {
        throw new SetupError(
          `${shown(join(walk.sourceRoot, folder, name))} has a name that is not UTF-8 text (shown with \u{fffd} for each byte that is not): rename it, or remove it from the submission`,
        );
      }
      names.push(name);
    }
  } finally {
    directory.closeSync();
  }
  return names.sort();
}

/** The walk's file-system errors (a name too long, a file gone meanwhile, no permission) as a message that names the file. */
function unreadable(error: unknown, full: string): never {
  if (error instanceof SetupError) throw error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENAMETOOLONG' ? 'its path is longer than the system allows' :
    code === 'ENOENT' ? 'it disappeared while the submission was being copied' :
    code === 'EACCES' || code === 'EPERM' ? 'the grader is not allowed to read it' :
    `reading it failed (${typeof code === 'string' ? code : 'unknown error'})`;
  throw new SetupError(`${shown(full)} could not be copied: ${why}. Give a submission folder whose files can all be read, with short paths`);
}

function walkFolder(walk: Walk, folder: string, depth: number): void {
  let names: string[];
  try {
    names = namesIn(walk, folder);
  } catch (error) {
    unreadable(error, join(walk.sourceRoot, folder));
  }
  for (const name of names) {
    if (isIgnored(name)) continue;
    const path = folder === '' ? name : join(folder, name);
    const full = join(walk.sourceRoot, path);
    if (path.length > maxPathCharacters) {
      throw new SetupError(`${shown(full)} is more than ${maxPathCharacters} characters long, counted from the submission's folder: shorten the names of its folders`);
    }
    let stats: Stats;
    try {
      stats = lstatSync(full);
    } catch (error) {
      unreadable(error, full);
    }
    if (stats.isSymbolicLink()) {
      throw new SetupError(
        `${shown(full)} is a symbolic link, and a submission must be made of real files: replace the link with a copy of what it points to, if that belongs to the submission`,
      );
    }
    if (stats.isDirectory()) {
      if (depth + 1 > maxFolderDepth) throw new SetupError(`${shown(full)} is nested more than ${maxFolderDepth} folders deep: flatten the submission's folders`);
      walk.folders.push(path);
      walkFolder(walk, path, depth + 1);
      continue;
    }
    if (!stats.isFile()) throw new SetupError(`${shown(full)} is ${describeKind(stats)}, not a source file: remove it from the submission`);
    if (!isSourceName(name)) {
      // A write-up, an image, data: not code, and left out of the copy.
      if (!looksLikeSource(name)) continue;
      throw new SetupError(
        `${shown(full)} is named like source but is not a .ts or .js file, the only source the grader takes: rename it to .ts or .js, or remove it if it is not part of the submission`,
      );
    }
    if (walk.files.length + 1 > maxSubmissionFiles) {
      throw new SetupError(
        `the submission folder ${shown(walk.sourceRoot)} holds more than ${maxSubmissionFiles} .ts and .js files: remove those it does not need (build output, copies)`,
      );
    }
    let bytes: Buffer;
    try {
      bytes = readRegularFile(full, maxSubmissionBytes - walk.totalBytes, walk.sourceRoot, walk.trusted);
    } catch (error) {
      unreadable(error, full);
    }
    walk.totalBytes += bytes.length;
    walk.files.push({ path, bytes });
  }
}

function overBudget(sourceRoot: string): SetupError {
  return new SetupError(
    `the .ts and .js files in ${shown(sourceRoot)} add up to more than ${megabytes(maxSubmissionBytes)}, the limit for a submission: remove those it does not need (build output, bundled libraries)`,
  );
}

/**
 * Reads a file that was a regular file when listed, refusing to follow a link or to wait on
 * a pipe should it have been replaced since, and reading at most `budgetBytes`.
 */
function readRegularFile(path: string, budgetBytes: number, sourceRoot: string, trusted: boolean): Buffer {
  // O_NOFOLLOW and O_NONBLOCK are 0 where the platform lacks them; the lstat before still holds.
  let descriptor: number;
  try {
    descriptor = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
    throw new SetupError(`${shown(path)} became a symbolic link while it was copied: a submission must be made of real files`);
  }
  try {
    const stats = fstatSync(descriptor);
    if (!stats.isFile()) throw new SetupError(`${shown(path)} is ${describeKind(stats)}, not a source file: remove it from the submission`);
    // A file with another name elsewhere (a hard link) may be anyone's file, a solution's say,
    // as a symbolic link may: a submission's files are its own.
    if (stats.nlink > 1 && !trusted) {
      throw new SetupError(
        `${shown(path)} is a hard link (the same file has ${stats.nlink} names), and a submission must be made of files of its own: replace it with a copy`,
      );
    }
    if (stats.size > budgetBytes) throw overBudget(sourceRoot);
    const bytes = Buffer.alloc(stats.size);
    let filled = 0;
    while (filled < bytes.length) {
      const count = readSync(descriptor, bytes, filled, bytes.length - filled, filled);
      if (count === 0) break;
      filled += count;
    }
    return bytes.subarray(0, filled);
  } finally {
    closeSync(descriptor);
  }
}
