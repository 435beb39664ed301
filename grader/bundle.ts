import type { BuildFailure, Message, Plugin } from 'esbuild';
import { buildAlone } from './bundler.ts';
import { statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type ImplementationSource } from './implementation.ts';
import { projectRoot, SetupError, type LabInfo } from './labs.ts';
import { buildRealmCode } from './realmBundle.ts';

const frameworkEntry = join(projectRoot, 'framework', 'index.ts');
const testingEntry = join(projectRoot, 'framework', 'testing.ts');
const childRuntime = join(projectRoot, 'grader', 'child.ts');
const hiddenTestsModule = join(projectRoot, 'grader', 'hiddenTests.ts');

function formatMessage(message: Message): string {
  const location = message.location;
  if (!location) return message.text;
  return `${relative(process.cwd(), location.file) || location.file}:${location.line}:${location.column + 1}: ${message.text}\n    ${location.lineText}`;
}

/** The files of a sandbox: the child's own program, and the two scripts of the submission's realm. */
export interface SandboxFiles {
  readonly child: string;
  readonly realmHost: string;
  readonly realmSubmission: string;
  readonly realmSubmissionMap: string;
}

/** The realm's scripts, beside the child's program, which finds them there. */
const realmFileNames = { host: 'realm-host.js', submission: 'realm-submission.js', submissionMap: 'realm-submission.js.map' } as const;

/** A child's program as built, and the modification time of every file it was built from. */
interface BuiltProgram {
  readonly text: string;
  readonly inputModifiedMs: ReadonlyMap<string, number>;
}

/**
 * The child's program of each lab (keyed by its suite and hidden tests), built once per process:
 * it holds nothing of a submission, so a class or a test file that grades many submissions
 * bundles the suite once rather than once for each.
 */
const builtPrograms = new Map<string, Promise<BuiltProgram>>();

function modifiedMs(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Whether every file the program was built from is as it was then (a suite edited while `npm run watch` runs, say). */
function upToDate(program: BuiltProgram): boolean {
  for (const [file, modified] of program.inputModifiedMs) if (modifiedMs(file) !== modified) return false;
  return true;
}

async function childProgram(lab: LabInfo): Promise<BuiltProgram> {
  const key = `${lab.suiteFile}\0${lab.hiddenTestsFile ?? ''}`;
  const cached = builtPrograms.get(key);
  if (cached !== undefined) {
    const program = await cached.catch(() => undefined);
    if (program !== undefined && upToDate(program)) return program;
  }
  const building = buildChildProgram(lab);
  builtPrograms.set(key, building);
  // A failed build is not kept: the next submission tries again (after the suite is fixed, say).
  building.catch(() => {
    if (builtPrograms.get(key) === building) builtPrograms.delete(key);
  });
  return building;
}

async function buildChildProgram(lab: LabInfo): Promise<BuiltProgram> {
  const realmFile = (name: string) => `new URL(${JSON.stringify(name)}, import.meta.url)`;
  const entry = [
    `import { serve } from ${JSON.stringify(childRuntime)};`,
    `import suite from ${JSON.stringify(lab.suiteFile)};`,
    `import { withHiddenTests } from ${JSON.stringify(hiddenTestsModule)};`,
    ...(lab.hiddenTestsFile !== undefined ? [`import { hiddenTests } from ${JSON.stringify(lab.hiddenTestsFile)};`] : ['const hiddenTests = [];']),
    `serve(withHiddenTests(suite, hiddenTests), { host: ${realmFile(realmFileNames.host)}, submission: ${realmFile(realmFileNames.submission)}, submissionMap: ${realmFile(realmFileNames.submissionMap)} });`,
  ].join('\n');
  const workingFolder = process.cwd();
  const result = await buildAlone({
    stdin: { contents: entry, resolveDir: projectRoot, sourcefile: 'distlab-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // No source map: nothing in the child reads one, and a child that parses 2.5 MB of it starts slower.
    write: false,
    // Its inputs (named from the working folder) are what upToDate checks.
    metafile: true,
    // Class names appear in traces and messages ("n2 (Acceptor).log[3] is a function").
    keepNames: true,
    logLevel: 'silent',
    plugins: [trustedResolution],
    banner: { js: "import { createRequire as __distlabCreateRequire } from 'node:module'; const require = __distlabCreateRequire(import.meta.url);" },
  });
  const text = result.outputFiles[0]?.text;
  if (text === undefined) throw new Error(`esbuild gave no program for ${lab.id}'s sandbox`);
  const inputModifiedMs = new Map<string, number>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = resolve(workingFolder, input);
    const modified = modifiedMs(file);
    if (modified !== undefined) inputModifiedMs.set(file, modified);
  }
  return { text, inputModifiedMs };
}

/**
 * Writes into `outputDirectory` the child's program (its runtime and the lab's suite, which
 * never share a realm with the submission) and the scripts of the submission's realm. A
 * syntax error or a refused import is a {@link SetupError}.
 */
export async function bundleImplementation(lab: LabInfo, source: ImplementationSource, outputDirectory: string, name: string): Promise<SandboxFiles> {
  const files: SandboxFiles = {
    child: join(outputDirectory, `${name}.mjs`),
    realmHost: join(outputDirectory, realmFileNames.host),
    realmSubmission: join(outputDirectory, realmFileNames.submission),
    realmSubmissionMap: join(outputDirectory, realmFileNames.submissionMap),
  };
  const realm = await buildRealmCode({
    label: source.label,
    entryFile: source.entryFile,
    root: source.root,
    alsoAllowed: [join(lab.studentDirectory, 'protocol.ts')],
  });
  writeFileSync(files.realmHost, realm.host);
  writeFileSync(files.realmSubmission, realm.submission);
  writeFileSync(files.realmSubmissionMap, realm.submissionMap ?? '');
  let program: BuiltProgram;
  try {
    program = await childProgram(lab);
  } catch (error) {
    const failure = error as BuildFailure;
    if (Array.isArray(failure.errors) && failure.errors.length > 0) {
      throw new SetupError(`the implementation "${source.label}" cannot be loaded:\n${failure.errors.map(formatMessage).join('\n')}`);
    }
    throw error;
  }
  writeFileSync(files.child, program.text);
  return files;
}

/** The child's program resolves `distlab` and `distlab/testing` to the framework's entries. */
const trustedResolution: Plugin = {
  name: 'distlab-trusted-resolution',
  setup(builder) {
    builder.onResolve({ filter: /^distlab(\/testing)?$/ }, (args) => ({ path: args.path === 'distlab' ? frameworkEntry : testingEntry }));
  },
};
