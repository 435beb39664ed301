import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, parse, resolve, sep } from 'node:path';
import { SetupError } from '../labs.ts';

function codeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/**
 * Makes the folder reports go to, with the folders above it, and proves a file can be written
 * there by writing and removing one; throws a {@link SetupError} in one sentence otherwise.
 * Call it before grading, so that a bad `--out` fails at once and not after an hour.
 *
 * The folders are made one at a time: Node's recursive mkdir never returns where a folder's
 * parent exists but making the folder answers "no such file" (anything under /proc), which is
 * how `--out /proc/x` used to hang after grading.
 */
export function prepareOutputFolder(folder: string): string {
  const path = resolve(folder);
  const cannot = (what: string) => new SetupError(`--out ${folder}: ${what}; give a folder you can write to`);
  let current = parse(path).root;
  for (const part of path.slice(current.length).split(sep).filter(Boolean)) {
    current = join(current, part);
    try {
      mkdirSync(current);
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw cannot(`cannot create the folder ${current} (${codeOf(error)})`);
      let isFolder: boolean;
      try {
        isFolder = statSync(current).isDirectory();
      } catch (statError) {
        throw cannot(`cannot read ${current} (${codeOf(statError)})`);
      }
      if (!isFolder) throw cannot(`${current} is a file, not a folder`);
    }
  }
  // Created exclusively under a fresh name: never opens an existing file, a link or a pipe.
  const probe = join(path, `.distlab-write-check-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(probe, 'distlab\n', { flag: 'wx' });
  } catch (error) {
    throw cannot(`cannot write files in ${path} (${codeOf(error)})`);
  }
  rmSync(probe, { force: true });
  return path;
}

/**
 * Writes a report file whole or not at all: into a fresh file next to it, then renamed over
 * it. A reader never sees half a report, and an existing pipe or link in its place is
 * replaced rather than opened (writing to a pipe nobody reads would block forever).
 */
export function writeReportFile(file: string, text: string): string {
  const temporary = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  try {
    writeFileSync(temporary, text, { flag: 'wx' });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return file;
}
