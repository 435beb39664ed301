import { spawn } from 'node:child_process';
import { join, relative, resolve, sep } from 'node:path';
import { projectRoot } from './labs.ts';

const childFile = join(projectRoot, 'grader', 'typecheckChild.mjs');

/** How long a type check may take before it is stopped: far more than any lab's code needs. */
export const typecheckTimeoutMs = 60_000;
/** The type checker's heap: a lab's code needs about 200 MB. */
const typecheckHeapMb = 1_024;
/** What the type checker may print: 500 errors of a few hundred characters each. */
const maxOutputBytes = 4 * 1024 * 1024;

interface TypeError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** The files to check: `root` is the submission's folder, `entryFile` inside it. */
export interface CheckedFiles {
  readonly root: string;
  readonly entryFile: string;
}

/**
 * Type errors in an implementation's own files, one line each (`file:line:col message`).
 * They are reported with the grade; they do not stop grading, since the code still runs.
 *
 * The check runs in a process of its own (./typecheckChild.mjs) with a heap and a time limit,
 * since a submission's types can make the compiler run long or grow without bound; past
 * either, the list holds one line that says so. It reads only the submission's own files (no
 * link), the framework, the labs' stubs and installed packages: a type imported from
 * anywhere else does not exist.
 */
export async function typeErrorsOf(files: CheckedFiles, timeoutMs = typecheckTimeoutMs): Promise<string[]> {
  const root = resolve(files.root);
  const shown = (file: string) => relative(process.cwd(), file) || file;
  const child = spawn(process.execPath, [`--max-old-space-size=${typecheckHeapMb}`, childFile], { stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let bytes = 0;
  let overflowed = false;
  let timedOut = false;
  child.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > maxOutputBytes) {
      overflowed = true;
      child.kill('SIGKILL');
    } else chunks.push(chunk);
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 2_000) stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  child.stdin.on('error', () => {});
  child.stdin.end(JSON.stringify({ entryFile: resolve(files.entryFile), root: root + sep, projectRoot }));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.on('close', (code, signal) => done({ code, signal }));
    child.on('error', () => done({ code: null, signal: null }));
  });
  clearTimeout(timer);
  const stopped = (why: string) => [`(the type check was stopped: ${why}; grading went on without it)`];
  if (timedOut) return stopped(`it took longer than ${timeoutMs / 1000} s`);
  if (overflowed) return stopped('it printed more than the grader reads');
  if (exit.code !== 0) {
    const outOfMemory = /heap out of memory|Allocation failed/i.test(stderr);
    return stopped(outOfMemory ? `it needed more than ${typecheckHeapMb} MB` : `the type checker failed (exit ${exit.code ?? exit.signal ?? 'unknown'})`);
  }
  let parsed: { errors: TypeError[]; more: number };
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { errors: TypeError[]; more: number };
  } catch {
    return stopped('the type checker gave no answer the grader could read');
  }
  const lines = parsed.errors.map((error) => `${shown(error.file)}:${error.line}:${error.column} ${error.message}`);
  if (parsed.more > 0) lines.push(`… and ${parsed.more} more type errors`);
  return lines;
}
