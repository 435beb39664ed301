// `npm run handout -- --out DIR [--labs 0,mutex,...]`: writes the student repository of a
// course — the framework, the grader, each chosen lab's stubs, visible suite and handout, the
// student docs, and a package of its own whose scripts grade the student's code — and none of
// what stays with staff: reference solutions, mutants, hidden tests, golden traces of the
// reference, staff tools, the repository's own tests and benchmark.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findLab, listLabs, projectRoot, SetupError, type LabInfo } from './labs.ts';
import { someFiles, uncommittedStubChanges } from './stubChanges.ts';

export interface HandoutOptions {
  /** Where the handout goes: a folder that does not exist yet, or an empty one. */
  readonly outputDirectory: string;
  /** The labs to include, by name, number or folder (default: every lab). */
  readonly labs?: readonly string[];
  /**
   * Copy each lab's hidden tests (`labs/<lab>/hidden.ts`) too: for a grading machine (the
   * Gradescope bundle), never for students.
   */
  readonly withHiddenTests?: boolean;
}

export interface Handout {
  /** The labs of the handout, as found in the written folder (their paths are in it). */
  readonly labs: readonly LabInfo[];
  /** Every file written, relative to the handout's root, in order. */
  readonly files: readonly string[];
  /**
   * What stayed behind, relative to the repository's root: its folders and files that the
   * handout has no copy of, and each chosen lab's staff files with why.
   */
  readonly leftOut: readonly string[];
}

const templates = fileURLToPath(new URL('./handout/', import.meta.url));

/** The package scripts a student gets (each kept only where what it runs is in the handout). */
const studentScripts = ['test', 'typecheck', 'lint', 'grade', 'watch', 'check-history'] as const;

/** Files of grader/ that serve staff only: building handouts and bundles, soaking the reference. */
const staffGraderEntries = new Set(['handout.ts', 'handout', 'soak.ts', 'autograder.ts', 'autograder']);

/** The documents written for students (and the report schema, which the grader reads). */
const studentDocuments = ['framework.md', 'grading.md', 'report-schema.json'];

/** A file that imports or names the reference solutions: a staff tool, never in a handout. */
const namesSolutions = /\bsolutions\//;

/** Fills `{{name}}` with values, and keeps `{{#flag}}...{{/flag}}` blocks only where the flag is on. */
function fillTemplate(template: string, values: Readonly<Record<string, string>>, flags: Readonly<Record<string, boolean>> = {}): string {
  const blocks = template.replace(/\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_whole, flag: string, body: string) => {
    if (!(flag in flags)) throw new Error(`template flag ${flag} has no value`);
    return flags[flag] ? body : '';
  });
  return blocks.replace(/\{\{(\w+)\}\}/g, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template field ${name} has no value`);
    return value;
  });
}

function readTemplate(name: string): string {
  return readFileSync(join(templates, name), 'utf8');
}

/** Refuses a folder that has anything in it: a handout never mixes with, or overwrites, other files. */
function checkOutputDirectory(outputDirectory: string, sourceRoot: string): void {
  if (existsSync(outputDirectory)) {
    if (!statSync(outputDirectory).isDirectory()) throw new SetupError(`--out ${outputDirectory} is a file: name a new or empty folder`);
    if (readdirSync(outputDirectory).length > 0) {
      throw new SetupError(`--out ${outputDirectory} is not empty: name a new or empty folder (a handout never overwrites files)`);
    }
  }
  for (const copied of ['framework', 'grader', 'labs', 'docs']) {
    const folder = join(sourceRoot, copied);
    if (outputDirectory === folder || outputDirectory.startsWith(folder + sep)) {
      throw new SetupError(`--out ${outputDirectory} is inside ${copied}/, which the handout copies: name a folder elsewhere`);
    }
  }
}

/** The chosen labs, in the repository's order, each named once. */
function chooseLabs(names: readonly string[] | undefined, sourceRoot: string): LabInfo[] {
  const all = listLabs(sourceRoot);
  if (all.length === 0) throw new SetupError(`no labs under ${join(sourceRoot, 'labs')}`);
  if (names === undefined) return all;
  if (names.length === 0) throw new SetupError('--labs needs at least one lab');
  const chosen = new Set(names.map((name) => findLab(name, sourceRoot).id));
  return all.filter((lab) => chosen.has(lab.id));
}

/**
 * Refuses stub folders with changes not committed, in a git checkout: a handout gives
 * students each lab's `src/` as the checkout has it, and a stub someone worked in (staff trying
 * a lab, as the README invites) would hand out their code.
 */
export function checkStubsCommitted(sourceRoot: string, labIds: readonly string[]): void {
  const changed = uncommittedStubChanges(sourceRoot, labIds);
  if (changed.length === 0) return;
  throw new SetupError(
    `the stubs have changes that are not committed (${someFiles(changed)}), and a handout copies them as they are. ` +
      'If they are your own work on a lab, put them aside (git stash) and make the handout again; ' +
      'if they are the stubs you mean to hand out, commit them first.',
  );
}

/**
 * Writes a student handout of the chosen labs into `outputDirectory`. Throws a SetupError for
 * an output folder that is not empty or an unknown lab, before writing anything. The handout
 * is written beside the folder and moved into place whole: a failure leaves no half of one.
 */
export function writeHandout(options: HandoutOptions): Handout {
  const sourceRoot = projectRoot;
  const outputDirectory = resolve(options.outputDirectory);
  checkOutputDirectory(outputDirectory, sourceRoot);
  const labs = chooseLabs(options.labs, sourceRoot);
  checkStubsCommitted(
    sourceRoot,
    labs.map((lab) => lab.id),
  );
  mkdirSync(dirname(outputDirectory), { recursive: true });
  const staging = `${join(dirname(outputDirectory), `.${basename(outputDirectory)}`)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(staging);
  try {
    const { files, leftOut } = fillHandout(staging, sourceRoot, labs, options.withHiddenTests === true);
    // Checked empty above; a file that arrived since makes this fail rather than mix in.
    if (existsSync(outputDirectory)) rmdirSync(outputDirectory);
    renameSync(staging, outputDirectory);
    return { labs: listLabs(outputDirectory), files, leftOut };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Writes the handout's files into `outputDirectory`; returns them, and what stayed behind. */
function fillHandout(outputDirectory: string, sourceRoot: string, labs: readonly LabInfo[], withHiddenTests: boolean): Pick<Handout, 'files' | 'leftOut'> {
  const files: string[] = [];
  const leftOut: string[] = [];
  const write = (path: string, contents: string) => {
    const target = join(outputDirectory, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, contents);
    files.push(path);
  };
  const copy = (path: string, to = path) => {
    const target = join(outputDirectory, to);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(sourceRoot, path), target);
    files.push(to);
  };
  /** Copies a folder's regular files, recursively, except the entries `keep` refuses. */
  const copyFolder = (path: string, keep: (entry: string) => boolean = () => true) => {
    for (const entry of readdirSync(join(sourceRoot, path), { withFileTypes: true }).sort((left, right) => left.name.localeCompare(right.name))) {
      const entryPath = join(path, entry.name);
      if (!keep(entry.name)) continue;
      if (entry.isDirectory()) copyFolder(entryPath);
      else if (entry.isFile()) copy(entryPath);
    }
  };

  copyFolder('framework');
  copyFolder('grader', (entry) => !staffGraderEntries.has(entry));
  for (const document of studentDocuments) copy(join('docs', document));
  // The pictures the student docs show (the trace viewer's screenshot).
  if (existsSync(join(sourceRoot, 'docs', 'images'))) copyFolder(join('docs', 'images'));

  for (const lab of labs) {
    const folder = join('labs', lab.id);
    copyFolder(folder, (entry) => {
      const path = join(folder, entry);
      const staffOnly =
        entry === 'hidden.ts' && !withHiddenTests
          ? 'the hidden tests'
          : entry === 'scenarios.json'
            ? 'golden traces of the reference solution'
            : entry.endsWith('.test.ts')
              ? 'a staff test (the handout has its own)'
              : entry.endsWith('.ts') && entry !== 'src' && statSync(join(sourceRoot, path)).isFile() && namesSolutions.test(readFileSync(join(sourceRoot, path), 'utf8'))
                ? 'a staff tool that uses the reference solution'
                : undefined;
      if (staffOnly !== undefined) leftOut.push(`${path}: ${staffOnly}`);
      return staffOnly === undefined;
    });
    write(join(folder, `${lab.shortName}.test.ts`), labTestFile(lab));
  }

  const hasLint = existsSync(join(sourceRoot, 'eslint.config.js'));
  if (hasLint) write('eslint.config.js', studentLintConfig(readFileSync(join(sourceRoot, 'eslint.config.js'), 'utf8')));
  write('package.json', studentPackage(sourceRoot, outputDirectory));
  copy('package-lock.json');
  write('tsconfig.json', studentTypeScriptConfig(sourceRoot));
  write('vitest.config.ts', readTemplate('vitest.config.ts'));
  copy('.nvmrc');
  if (existsSync(join(sourceRoot, '.npmrc'))) copy('.npmrc');
  write('.gitignore', readTemplate('gitignore'));
  const hasLaunchConfiguration = existsSync(join(sourceRoot, '.vscode', 'launch.json'));
  if (hasLaunchConfiguration) write(join('.vscode', 'launch.json'), studentLaunchConfiguration(readFileSync(join(sourceRoot, '.vscode', 'launch.json'), 'utf8'), labs));
  write(join('.github', 'workflows', 'grade.yml'), fillTemplate(readTemplate('grade.yml'), { labs: labs.map((lab) => lab.shortName).join(', ') }));
  write(
    'README.md',
    studentReadme(labs, {
      nodeVersion: readFileSync(join(sourceRoot, '.nvmrc'), 'utf8').trim(),
      lint: hasLint,
      watch: existsSync(join(outputDirectory, 'grader', 'watch.ts')),
      launch: hasLaunchConfiguration,
    }),
  );

  return { files, leftOut: [...notCopied(sourceRoot, files), ...leftOut] };
}

/** What a checkout holds besides its sources: never part of a handout, and not worth listing as left out. */
const localState = new Set(['.git', '.distlab', 'node_modules', 'reports']);

/**
 * The entries of the repository's root, docs/ and grader/ that have no copy in the handout
 * (a folder with a slash), so that the summary shows what stays with staff.
 */
function notCopied(sourceRoot: string, files: readonly string[]): string[] {
  const copied = new Set(files.flatMap((file) => file.split(sep).map((_part, index, parts) => parts.slice(0, index + 1).join('/'))));
  return ['.', 'docs', 'grader'].flatMap((folder) =>
    readdirSync(join(sourceRoot, folder), { withFileTypes: true })
      .filter((entry) => !localState.has(entry.name))
      .map((entry) => ({ path: folder === '.' ? entry.name : `${folder}/${entry.name}`, isFolder: entry.isDirectory() }))
      .filter(({ path }) => !copied.has(path))
      .map(({ path, isFolder }) => (isFolder ? `${path}/` : path))
      .sort(),
  );
}

/** The handout's files in a few lines: its labs, its folders, its documents, its root files. */
function summarize(files: readonly string[]): string[] {
  const groups = new Map<string, Set<string>>([['labs', new Set()], ['folders', new Set()], ['documents', new Set()], ['root', new Set()]]);
  for (const file of files) {
    const parts = file.split(sep);
    const [top] = parts;
    if (top === 'labs') groups.get('labs')?.add(`labs/${parts[1]}/`);
    else if (top === 'docs') groups.get('documents')?.add(parts.join('/'));
    else if (parts.length > 1 && !top?.startsWith('.')) groups.get('folders')?.add(`${top}/`);
    else groups.get('root')?.add(parts.join('/'));
  }
  return [...groups.values()].filter((group) => group.size > 0).map((group) => [...group].join(', '));
}

/** A lab's test file in the handout: its visible graded tests on the student's code. */
function labTestFile(lab: LabInfo): string {
  return [
    `// \`npm test -- labs/${lab.id}\`: this lab's tests on your code in src/, the same tests and seeds as`,
    `// \`npm run grade -- ${lab.shortName}\`.`,
    "import { describeLab } from '../../grader/vitest.ts';",
    '',
    `await describeLab(${JSON.stringify(lab.id)});`,
    '',
  ].join('\n');
}

/**
 * The package manifest: the repository's own, with the same dependencies (so that its
 * package-lock.json installs with `npm ci`) and only the scripts a student runs whose files
 * the handout has.
 */
function studentPackage(sourceRoot: string, outputDirectory: string): string {
  const manifest = JSON.parse(readFileSync(join(sourceRoot, 'package.json'), 'utf8')) as Record<string, unknown> & { scripts?: Record<string, string> };
  const scripts: Record<string, string> = {};
  for (const name of studentScripts) {
    const command = manifest.scripts?.[name];
    if (command === undefined) continue;
    const files = command.match(/[\w./-]+\.(?:ts|mjs|js)\b/g) ?? [];
    if (files.some((file) => !existsSync(join(outputDirectory, file)))) continue;
    if (name === 'lint' && !existsSync(join(outputDirectory, 'eslint.config.js'))) continue;
    scripts[name] = command;
  }
  return `${JSON.stringify({ ...manifest, description: 'Distributed systems labs: your code, its tests and the grader', scripts }, null, 2)}\n`;
}

/** The TypeScript configuration: the repository's options, over the folders the handout has. */
function studentTypeScriptConfig(sourceRoot: string): string {
  const config = JSON.parse(readFileSync(join(sourceRoot, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
  return `${JSON.stringify({ ...config, include: ['framework', 'labs', 'grader', '*.ts'], exclude: ['node_modules', 'reports'] }, null, 2)}\n`;
}

/** VS Code's launch configuration, whose pick of a lab offers only the handout's labs. */
function studentLaunchConfiguration(text: string, labs: readonly LabInfo[]): string {
  let configuration: { inputs?: { id?: unknown; options?: unknown; default?: unknown }[] };
  try {
    configuration = JSON.parse(text) as typeof configuration;
  } catch {
    // Comments or trailing commas (VS Code allows them): kept as written.
    return text;
  }
  const names = labs.map((lab) => lab.shortName);
  for (const input of configuration.inputs ?? []) {
    if (input.id !== 'lab' || !Array.isArray(input.options)) continue;
    input.options = input.options.filter((option) => names.includes(String(option)));
    if (!names.includes(String(input.default))) input.default = names[0];
  }
  return `${JSON.stringify(configuration, null, 2)}\n`;
}

/** The repository's ESLint configuration, without its rules' reach into folders a handout lacks. */
function studentLintConfig(config: string): string {
  return config.replace(/,\s*'solutions\/\*\*\/\*\.ts'/g, '');
}

function studentReadme(labs: readonly LabInfo[], flags: { nodeVersion: string; lint: boolean; watch: boolean; launch: boolean }): string {
  const first = labs[0] as LabInfo;
  const titleOf = (lab: LabInfo) => /^#\s+(.+)$/m.exec(readFileSync(join(lab.directory, 'README.md'), 'utf8'))?.[1]?.trim() ?? lab.id;
  const labTable = labs
    .map((lab) => `| [${titleOf(lab)}](labs/${lab.id}/README.md) | \`labs/${lab.id}/src/\` | \`npm run grade -- ${lab.shortName}\` |`)
    .join('\n');
  const commands = [
    [`npm ci && npm run grade -- ${first.shortName}`, `install, then grade your code for ${titleOf(first).replace(/:.*$/, '')}`],
    ['npm test', "run your code's tests for every lab, under vitest"],
  ];
  const width = Math.max(...commands.map(([command]) => (command as string).length));
  const quickStart = commands.map(([command, comment]) => `${(command as string).padEnd(width)}    # ${comment as string}`).join('\n');
  return fillTemplate(
    readTemplate('README.md'),
    {
      nodeVersion: flags.nodeVersion,
      quickStart,
      labTable,
      firstLab: first.shortName,
      firstLabNumber: String(Number(first.id.slice(0, 2))),
      firstLabFolder: first.id,
    },
    { lint: flags.lint, watch: flags.watch, launch: flags.launch },
  );
}

const usage = `Usage: npm run handout -- --out <dir> [--labs <lab,lab,...>]

Writes a student repository: the framework, the grader, each lab's stubs, visible tests and
handout, the student docs, a README, a GitHub Actions workflow that grades on push, and a
package whose scripts grade the student's code. No solutions, mutants or hidden tests.

  --out <dir>       a new or empty folder
  --labs <labs>     the labs to include, by name, number or folder (default: all)
  -h, --help        this help`;

function main(argv: readonly string[]): number {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { out: { type: 'string' }, labs: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? '';
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
    const reason = unknown !== undefined ? `unknown option ${unknown}: the options are --out <dir>, --labs <labs> and --help` : message.replace(/\.$/, '');
    process.stderr.write(`distlab handout: ${reason}. See --help.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  try {
    if (positionals.length > 0) throw new SetupError(`unexpected ${positionals.join(' ')}: give the folder with --out <dir>. See --help.`);
    if (values.out === undefined || values.out.trim() === '') throw new SetupError('where to? Give the folder with --out <dir>. See --help.');
    const labs = values.labs?.split(',').map((name) => name.trim()).filter((name) => name !== '');
    const handout = writeHandout({ outputDirectory: values.out, ...(labs !== undefined ? { labs } : {}) });
    const shortPath = relative(process.cwd(), resolve(values.out));
    const where = shortPath === '' ? '.' : shortPath.startsWith('..') ? resolve(values.out) : shortPath;
    const first = handout.labs[0] as LabInfo;
    process.stdout.write(
      [
        `Wrote a student handout to ${where} (${handout.files.length} files):`,
        ...summarize(handout.files).map((line) => `  ${line}`),
        'Left out, as staff only:',
        ...handout.leftOut.map((line) => `  ${line}`),
        '',
        'Next:',
        `  cd ${where} && npm ci`,
        `  npm run grade -- ${first.shortName}`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    process.stderr.write(`distlab handout: ${error.message}\n`);
    return 2;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
