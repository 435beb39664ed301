// A submission is graded from a copy of its real source files: links, and files of any
// other kind or name, are refused with a message that names the file and says what to do.
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SetupError } from '../../grader/labs.ts';
import { findEntryFile } from '../../grader/implementation.ts';
import { findLab } from '../../grader/labs.ts';
import { copySubmission, maxPathCharacters, maxSubmissionBytes, maxSubmissionFiles } from '../../grader/submissionFiles.ts';

let scratch: string;
let submission: string;
let destination: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'distlab-submission-'));
  submission = join(scratch, 'alice');
  destination = join(scratch, 'copy');
  mkdirSync(submission);
});

afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function write(path: string, text = 'export {};\n'): void {
  const full = join(submission, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
}

/** Every file and folder under `root`, relative to it, sorted. */
function listing(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((path) => relative(root, join(root, path)))
    .sort();
}

function refusal(entry = 'index.ts'): SetupError {
  try {
    copySubmission(submission, join(submission, entry), destination);
  } catch (error) {
    expect(error).toBeInstanceOf(SetupError);
    // Nothing is copied when the submission is refused.
    expect(existsSync(destination)).toBe(false);
    return error as SetupError;
  }
  throw new Error('the submission was copied');
}

describe('copySubmission', () => {
  it('copies the source files of a plain folder and leaves out tooling and notes', () => {
    write('index.ts', "export { PingServer } from './server.ts';\nexport { PingClient } from './lib/client.js';\n");
    write('server.ts', 'export class PingServer {}\n');
    write('lib/client.js', 'export class PingClient {}\n');
    write('lib/types.d.ts', 'export type Seq = number;\n');
    write('README.md', '# notes\n');
    write('package.json', '{}');
    write('tsconfig.json', '{}');
    write('lib/client.js.map', '{}');
    write('.git/config', '[core]');
    write('.DS_Store', 'binary');
    write('node_modules/left-pad/index.js', 'module.exports = 1;');
    write('node_modules/.bin/notes.txt', 'not looked at');
    symlinkSync('/etc/passwd', join(submission, 'NOTES.md'));

    const copy = copySubmission(submission, 'index.ts', destination);

    expect(copy).toEqual({ root: destination, entryFile: join(destination, 'index.ts') });
    expect(listing(destination)).toEqual(['index.ts', 'lib', join('lib', 'client.js'), join('lib', 'types.d.ts'), 'server.ts']);
    expect(readFileSync(copy.entryFile, 'utf8')).toBe(readFileSync(join(submission, 'index.ts'), 'utf8'));
    expect(readFileSync(join(destination, 'lib', 'client.js'), 'utf8')).toBe('export class PingClient {}\n');
  });

  it('refuses an index.ts that is a symbolic link', () => {
    const solutions = join(scratch, 'solutions');
    mkdirSync(solutions);
    writeFileSync(join(solutions, 'index.ts'), 'export class PingServer {}\n');
    symlinkSync(join(solutions, 'index.ts'), join(submission, 'index.ts'));
    expect(refusal().message).toBe(
      `${join(submission, 'index.ts')} is a symbolic link, and a submission must be made of real files: replace the link with a copy of what it points to, if that belongs to the submission`,
    );
  });

  it('refuses a folder that is a symbolic link', () => {
    write('index.ts');
    const solutions = join(scratch, 'solutions');
    mkdirSync(solutions);
    writeFileSync(join(solutions, 'server.ts'), 'export class PingServer {}\n');
    symlinkSync(solutions, join(submission, 'lib'), 'dir');
    expect(refusal().message).toMatch(new RegExp(`^${escape(join(submission, 'lib'))} is a symbolic link`));
  });

  it('refuses a link to /etc/passwd named x.ts, and a dangling link', () => {
    write('index.ts');
    symlinkSync('/etc/passwd', join(submission, 'x.ts'));
    expect(refusal().message).toMatch(new RegExp(`^${escape(join(submission, 'x.ts'))} is a symbolic link`));
    rmSync(join(submission, 'x.ts'));
    symlinkSync(join(scratch, 'nowhere'), join(submission, 'gone.ts'));
    expect(refusal().message).toMatch(/gone\.ts is a symbolic link/);
  });

  it("refuses a source file that is a hard link (anyone's file, under a second name), unless it is the kit's own code", () => {
    write('index.ts');
    writeFileSync(join(scratch, 'solution.ts'), 'export const answer = 42;\n');
    linkSync(join(scratch, 'solution.ts'), join(submission, 'lib.ts'));
    expect(() => copySubmission(submission, 'index.ts', destination)).toThrow(
      new SetupError(`${join(submission, 'lib.ts')} is a hard link (the same file has 2 names), and a submission must be made of files of its own: replace it with a copy`),
    );
    // The reference or a mutant that someone linked to from elsewhere is still the kit's own.
    const copy = copySubmission(submission, 'index.ts', destination, true);
    expect(readFileSync(join(copy.root, 'lib.ts'), 'utf8')).toBe('export const answer = 42;\n');
  });

  it('refuses a submission folder that is itself a link', () => {
    write('index.ts');
    const link = join(scratch, 'link');
    symlinkSync(submission, link, 'dir');
    expect(() => copySubmission(link, 'index.ts', destination)).toThrow(
      new SetupError(`the submission folder ${link} is a symbolic link: give the path of the folder itself, not of a link to it`),
    );
  });

  it('refuses files named like source that are not .ts or .js', () => {
    write('index.ts');
    for (const name of ['module.mjs', 'index.TS', 'view.tsx', 'old.cjs']) {
      write(name, 'text');
      expect(refusal().message).toBe(
        `${join(submission, name)} is named like source but is not a .ts or .js file, the only source the grader takes: rename it to .ts or .js, or remove it if it is not part of the submission`,
      );
      rmSync(join(submission, name));
    }
  });

  it('leaves out files that are not source (a write-up, data, an image), so that nothing can import them', () => {
    write('index.ts');
    for (const name of ['README.txt', 'data.json', 'report.pdf', 'notes/diagram.png', 'secret.TXT']) write(name, 'text');
    const copy = copySubmission(submission, 'index.ts', destination);
    expect(readdirSync(copy.root, { recursive: true }).map(String).sort()).toEqual(['index.ts', 'notes']);
  });

  it('refuses a named pipe without opening it', (context) => {
    write('index.ts');
    try {
      execFileSync('mkfifo', [join(submission, 'pipe.ts')]);
    } catch {
      context.skip();
    }
    expect(refusal().message).toBe(`${join(submission, 'pipe.ts')} is a named pipe (FIFO), not a source file: remove it from the submission`);
  });

  it(`refuses more than ${maxSubmissionFiles} source files`, () => {
    write('index.ts');
    for (let index = 0; index < maxSubmissionFiles; index++) write(`generated/file${index}.ts`);
    expect(refusal().message).toBe(
      `the submission folder ${submission} holds more than ${maxSubmissionFiles} .ts and .js files: remove those it does not need (build output, copies)`,
    );
  });

  it('refuses sources that add up to more than 5 MB', () => {
    write('index.ts');
    const megabyte = `// ${'x'.repeat(1024 * 1024)}\n`;
    for (let index = 0; index * megabyte.length <= maxSubmissionBytes; index++) write(`big${index}.ts`, megabyte);
    expect(refusal().message).toBe(
      `the .ts and .js files in ${submission} add up to more than 5 MB, the limit for a submission: remove those it does not need (build output, bundled libraries)`,
    );
  });

  it('refuses an entry file that is missing, outside the folder, or in a place it leaves out', () => {
    write('server.ts');
    expect(refusal('index.ts').message).toBe(`the entry file ${join(submission, 'index.ts')} does not exist: the submission needs it to export the lab's classes`);
    writeFileSync(join(scratch, 'outside.ts'), 'export {};\n');
    expect(refusal('../outside.ts').message).toBe(`the entry file ${join(scratch, 'outside.ts')} is not inside the submission folder ${submission}`);
    write('node_modules/index.ts');
    expect(refusal('node_modules/index.ts').message).toMatch(/is in a place the grader leaves out/);
  });

  it('shows control characters in a file name escaped', () => {
    write('index.ts');
    write('\u001b[2J\u202eevil.mjs', 'text');
    const message = refusal().message;
    expect(message).toContain('\\u{1b}[2J\\u{202e}evil.mjs is named like source but is not a .ts or .js file');
    expect(message).not.toContain('\u001b');
    expect(message).not.toContain('\u202e');
  });

  it('refuses a file whose name is not UTF-8 text, and leaves out a dotfile whatever its name', () => {
    write('index.ts');
    // A name of raw bytes: 0xff is never part of UTF-8.
    writeFileSync(Buffer.concat([Buffer.from(`${submission}/.notes`), Buffer.from([0xff])]), 'ignored');
    expect(copySubmission(submission, 'index.ts', destination).entryFile).toBe(join(destination, 'index.ts'));
    rmSync(destination, { recursive: true });
    writeFileSync(Buffer.concat([Buffer.from(`${submission}/helper`), Buffer.from([0xff]), Buffer.from('.ts')]), 'export {};\n');
    expect(refusal().message).toBe(
      `${join(submission, 'helper\u{fffd}.ts')} has a name that is not UTF-8 text (shown with \u{fffd} for each byte that is not): rename it, or remove it from the submission`,
    );
  });

  it(`refuses a path longer than ${maxPathCharacters} characters, and one longer than the system allows, naming it`, () => {
    write('index.ts');
    const folder = 'd'.repeat(200);
    // Five folders of 200 characters: the system opens it, the copy would not fit everywhere.
    write(`${Array.from({ length: 5 }, () => folder).join('/')}/deep.ts`);
    expect(refusal().message).toMatch(new RegExp(`^${escape(join(submission, folder))}.*… is more than ${maxPathCharacters} characters long, counted from the submission's folder: shorten the names of its folders$`));
    rmSync(join(submission, folder), { recursive: true });
    // Twenty folders of 250 characters: past the system's limit on a path (4,096 bytes on Linux), made one step at a time.
    const name = 'e'.repeat(250);
    execFileSync('bash', ['-c', `for level in $(seq 20); do mkdir ${name} && cd ${name}; done && echo 'export {};' > deep.ts`], { cwd: submission });
    try {
      expect(refusal().message).toMatch(/ is more than 1000 characters long/);
      // The search for the entry file does not go down that far, and still finds index.ts.
      expect(findEntryFile(findLab('pingpong'), submission).relativePath).toBe('index.ts');
    } finally {
      // Node's rmSync gives up on a path this long; rm walks it folder by folder.
      execFileSync('rm', ['-rf', name], { cwd: submission });
    }
  });

  it('copies only into an empty folder', () => {
    write('index.ts');
    mkdirSync(destination);
    writeFileSync(join(destination, 'index.ts'), 'export const stale = 1;\n');
    expect(() => copySubmission(submission, 'index.ts', destination)).toThrow(/needs an empty folder/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
