// `npx tsx bench/classGrading.ts [--lab mutex] [-- <grade options>]`
//
// Builds a class of 30 submissions of mixed quality in a temporary folder, as course sites
// export them (nested folders, a whole repository, a macOS zip's leftovers, two copies of the
// lab in one submission): the reference solution, its mutants, the stub, parts of the
// reference in the stub, a compile error, a type error, an endless loop and a crash. Grades
// it with `npm run grade -- <lab> --class`, prints the wall time and the gradebook's path,
// and checks each row against what its submission deserves. Options after `--` go to the
// grade command (`-- --jobs 2`, `-- --timeout 30`). Exit code 0 when every row is as expected
// and the class took under 10 minutes.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClassRow } from '../grader/classGrading.ts';
import { findLab, projectRoot, type LabInfo } from '../grader/labs.ts';

const classSize = 30;
/** What the class must take at most, on a 2-core machine. */
const wallLimitMs = 10 * 60 * 1000;

/** What a submission is, and so what its row must say. */
type Kind = 'reference' | 'mutant' | 'stub' | 'partial' | 'compile error' | 'type error' | 'endless loop' | 'crash';

/** How a submission's files sit in its folder. */
type Layout = 'flat' | 'course site' | 'whole repository' | 'macOS zip' | 'two copies';

const layouts: readonly Layout[] = ['course site', 'flat', 'whole repository', 'macOS zip', 'two copies'];

/** The broken submissions of each lab the bench knows: index files with one mistake each. */
const brokenSubmissions: Readonly<Record<string, { readonly folder: string; readonly beside: readonly string[]; readonly files: Readonly<Record<'endless loop' | 'crash' | 'compile error' | 'type error', string>> }>> = {
  '00-pingpong': {
    folder: 'test/fixtures/pingpong',
    beside: ['base.ts'],
    files: { 'endless loop': 'infinite-loop.ts', crash: 'rejection.ts', 'compile error': 'syntax-error.ts', 'type error': 'type-error.ts' },
  },
  '01-mutex': {
    folder: 'test/fixtures/mutex',
    beside: [],
    files: { 'endless loop': 'endless-loop.ts', crash: 'crash.ts', 'compile error': 'syntax-error.ts', 'type error': 'type-error.ts' },
  },
};

const firstNames = [
  'Ada', 'Barbara', 'Charles', 'Dana', 'Edsger', 'Frances', 'Grace', 'Hedy', 'Ivan', 'Jean', 'Ken', 'Leslie', 'Margaret', 'Niklaus',
  'Ole', 'Peter', 'Radia', 'Sophie', 'Tony', 'Ursula', 'Vint', 'Whitfield', 'Xavier', 'Yukihiro', 'Zhang', 'Alan', 'Butler', 'Cynthia',
  'Donald', 'Elaine',
];

interface Submission {
  readonly name: string;
  readonly kind: Kind;
  readonly layout: Layout;
  /** The files of the submission's source folder: name to text. */
  readonly files: ReadonlyMap<string, string>;
}

/** Points a file's imports of the repository's solution and protocol at its neighbours in one folder. */
function pointImportsBeside(lab: LabInfo, text: string): string {
  return text
    .replace(new RegExp(`(['"])(?:\\.\\./)+labs/${lab.id}/src/protocol\\.ts\\1`, 'g'), "$1./protocol.ts$1")
    .replace(new RegExp(`(['"])(?:\\.\\./)+solutions/${lab.id}/([\\w-]+\\.ts)\\1`, 'g'), '$1./$2$1')
    .replace(/(['"])\.\.\/([\w-]+\.ts)\1/g, '$1./$2$1');
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).filter((name) => name.endsWith('.ts')).sort();
}

/** The lab's src/ as handed out: the stub. */
function stubFiles(lab: LabInfo): Map<string, string> {
  return new Map(sourceFiles(lab.studentDirectory).map((name) => [name, readFileSync(join(lab.studentDirectory, name), 'utf8')]));
}

/** The reference solution's files, laid out like src/ (its protocol.ts beside them). */
function referenceFiles(lab: LabInfo): Map<string, string> {
  const files = new Map([['protocol.ts', readFileSync(join(lab.studentDirectory, 'protocol.ts'), 'utf8')]]);
  for (const name of sourceFiles(lab.solutionDirectory).filter((file) => file !== 'mutants.ts')) {
    files.set(name, pointImportsBeside(lab, readFileSync(join(lab.solutionDirectory, name), 'utf8')));
  }
  return files;
}

/** The reference's files with `index` (a mutant, a broken fixture) as index.ts, and the fixture's helpers beside it. */
function withIndex(lab: LabInfo, index: string, beside: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  return new Map([...referenceFiles(lab), ...beside, ['index.ts', pointImportsBeside(lab, index)]]);
}

function planClass(lab: LabInfo): Omit<Submission, 'name' | 'layout'>[] {
  const broken = brokenSubmissions[lab.id];
  if (broken === undefined) throw new Error(`no broken submissions for ${lab.id} here: use --lab ${Object.keys(brokenSubmissions).map((id) => id.slice(3)).join(' or --lab ')}`);
  const planned: Omit<Submission, 'name' | 'layout'>[] = [];
  const beside = new Map(broken.beside.map((name) => [name, readFileSync(join(projectRoot, broken.folder, name), 'utf8')]));
  for (const [kind, file] of Object.entries(broken.files) as [Kind, string][]) {
    planned.push({ kind, files: withIndex(lab, readFileSync(join(projectRoot, broken.folder, file), 'utf8'), beside) });
  }
  planned.push({ kind: 'stub', files: stubFiles(lab) }, { kind: 'stub', files: stubFiles(lab) });
  const mutants = join(lab.solutionDirectory, 'mutants');
  for (const name of sourceFiles(mutants)) planned.push({ kind: 'mutant', files: withIndex(lab, readFileSync(join(mutants, name), 'utf8')) });
  // A student who finished some parts: the stub with one of the reference's files in it, and
  // the reference's files that one imports (Ricart and Agrawala's uses Lamport's order).
  const reference = referenceFiles(lab);
  const withImports = (name: string, files: Map<string, string>) => {
    files.set(name, reference.get(name) as string);
    for (const match of (reference.get(name) as string).matchAll(/from '\.\/([\w-]+\.ts)'/g)) {
      const imported = match[1] as string;
      if (imported !== 'protocol.ts' && reference.has(imported)) files.set(imported, reference.get(imported) as string);
    }
    return files;
  };
  for (const name of sourceFiles(lab.studentDirectory).filter((file) => file !== 'index.ts' && file !== 'protocol.ts')) {
    planned.push({ kind: 'partial', files: withImports(name, stubFiles(lab)) });
  }
  while (planned.length < classSize) planned.push({ kind: 'reference', files: referenceFiles(lab) });
  return planned.slice(0, classSize);
}

function writeFiles(folder: string, files: ReadonlyMap<string, string>): void {
  mkdirSync(folder, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(folder, name), text);
}

/** Writes a submission as its layout has it; returns where its graded index.ts is, relative to its folder. */
function writeSubmission(lab: LabInfo, classFolder: string, submission: Submission): string {
  const root = join(classFolder, submission.name);
  const labFolder = `lab${Number(lab.id.slice(0, 2))}`;
  switch (submission.layout) {
    case 'flat':
      writeFiles(root, submission.files);
      return 'index.ts';
    case 'course site':
      writeFiles(join(root, labFolder, 'src'), submission.files);
      writeFileSync(join(root, labFolder, 'README.txt'), 'my notes\n');
      return `${labFolder}/src/index.ts`;
    case 'whole repository': {
      const repository = join(root, 'distlab-main');
      writeFiles(join(repository, 'labs', lab.id, 'src'), submission.files);
      writeFiles(join(repository, 'framework'), new Map([['index.ts', '// the framework: not graded\nexport {};\n']]));
      writeFiles(join(repository, 'labs', '99-other', 'src'), new Map([['index.ts', '// another lab: not graded\nexport {};\n']]));
      return `distlab-main/labs/${lab.id}/src/index.ts`;
    }
    case 'macOS zip':
      writeFiles(join(root, 'submission', 'src'), submission.files);
      writeFiles(join(root, '__MACOSX', 'submission', 'src'), new Map([['._index.ts', '\u0000\u0005\u0016\u0007']]));
      return 'submission/src/index.ts';
    case 'two copies':
      writeFiles(join(root, labFolder, 'src'), submission.files);
      writeFiles(join(root, `${labFolder}-old`, 'src'), stubFiles(lab));
      return `${labFolder}/src/index.ts`;
  }
}

/** What the row of a submission of this kind must say, or why it does not. */
function unexpected(kind: Kind, row: ClassRow, entry: string): string | undefined {
  if (row.entry !== entry) return `graded ${String(row.entry)}, not ${entry}`;
  const graded = row.status === 'graded';
  switch (kind) {
    case 'reference':
      return graded && row.score === row.maxScore ? undefined : 'the reference solution must score full marks';
    case 'stub':
      return graded && row.score === 0 ? undefined : 'the stub must score 0';
    case 'mutant':
      return graded && row.score < row.maxScore ? undefined : 'a mutant must lose points';
    case 'partial':
      return graded && row.score > 0 && row.score < row.maxScore ? undefined : 'a partial solution must score some points, not all';
    case 'compile error':
      return row.status === 'setup error' && /index\.ts:\d+:\d+/.test(row.reason ?? '') ? undefined : 'a compile error is a setup error naming the file and line';
    case 'type error':
      return graded && (row.errors?.length ?? 0) > 0 ? undefined : 'a type error is graded, with the error in the row';
    case 'endless loop':
      return graded && row.timedOut > 0 ? undefined : 'an endless loop must time out';
    case 'crash':
      return graded && row.crashed > 0 ? undefined : 'a crash must crash tests';
  }
}

/**
 * Processor seconds used by this process's children that have ended, all their own children
 * included (Linux's /proc/self/stat, in clock ticks of 1/100 s); undefined elsewhere. On a
 * machine others use too, it says what the grading cost where wall time cannot.
 */
function childrenProcessorSeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
    // After the command's name: state is field 3, cutime field 16 and cstime field 17.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');

async function main(): Promise<number> {
  const separator = process.argv.indexOf('--');
  const own = separator < 0 ? process.argv.slice(2) : process.argv.slice(2, separator);
  const forwarded = separator < 0 ? [] : process.argv.slice(separator + 1);
  const { values } = parseArgs({ args: own, options: { lab: { type: 'string', default: 'mutex' } } });
  const lab = findLab(values.lab);
  const workFolder = mkdtempSync(join(tmpdir(), 'distlab-class-bench-'));
  const classFolder = join(workFolder, 'submissions');
  const outputFolder = join(workFolder, 'reports');
  const submissions = planClass(lab).map(
    (planned, index): Submission => ({
      ...planned,
      name: `${firstNames[index % firstNames.length] as string} Student_${1000 + index * 37}`,
      layout: layouts[index % layouts.length] as Layout,
    }),
  );
  const entries = new Map(submissions.map((submission) => [submission.name, writeSubmission(lab, classFolder, submission)]));
  process.stdout.write(
    `A class of ${submissions.length} for ${lab.id} in ${classFolder}: ${[...new Set(submissions.map((submission) => submission.kind))]
      .map((kind) => `${submissions.filter((submission) => submission.kind === kind).length} ${kind}`)
      .join(', ')}. ${availableParallelism()} cores.\n`,
  );

  const command = ['--import', 'tsx', join(projectRoot, 'grader', 'cli.ts'), lab.shortName, '--class', classFolder, '--report', 'json,html', '--out', outputFolder, ...forwarded];
  process.stdout.write(`$ npm run grade -- ${command.slice(3).join(' ')}\n`);
  const loadBefore = load();
  const processorBefore = childrenProcessorSeconds();
  const startedMs = performance.now();
  const exitCode = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, command, { cwd: projectRoot, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code));
  });
  const wallMs = performance.now() - startedMs;
  const processorAfter = childrenProcessorSeconds();
  const processor = processorBefore !== undefined && processorAfter !== undefined ? ` using ${(processorAfter - processorBefore).toFixed(0)} s of processor time` : '';

  const rows = (JSON.parse(readFileSync(join(outputFolder, 'class.json'), 'utf8')) as { submissions: ClassRow[] }).submissions;
  let wrong = 0;
  process.stdout.write('\n');
  for (const submission of submissions) {
    const row = rows.find((candidate) => candidate.submission === submission.name);
    const problem = row === undefined ? 'no row in the gradebook' : unexpected(submission.kind, row, entries.get(submission.name) as string);
    if (problem !== undefined) wrong += 1;
    const result = row === undefined ? '-' : `${row.status} ${row.score}/${row.maxScore}`;
    process.stdout.write(`  ${submission.name.padEnd(24)} ${submission.kind.padEnd(14)} ${submission.layout.padEnd(17)} ${result.padEnd(18)} ${problem === undefined ? 'as expected' : `UNEXPECTED: ${problem}`}\n`);
  }
  const minutes = Math.floor(wallMs / 60_000);
  const seconds = ((wallMs - minutes * 60_000) / 1000).toFixed(1);
  process.stdout.write(
    `\nwall time: ${minutes} min ${seconds} s for ${submissions.length} submissions (${wallMs <= wallLimitMs ? 'under' : 'OVER'} 10 minutes) on ${availableParallelism()} cores${processor}; ` +
      `load average ${loadBefore} before, ${load()} after; grade exited with ${String(exitCode)}\n` +
      `gradebook: ${join(outputFolder, 'class.csv')}\nsummary: ${join(outputFolder, 'class.html')}\n` +
      `${wrong === 0 ? 'every row as expected' : `${wrong} rows not as expected`}\n`,
  );
  return wrong === 0 && wallMs <= wallLimitMs ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench/classGrading.ts: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);

