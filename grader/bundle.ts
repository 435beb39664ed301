import { build, type BuildFailure, type Message, type Plugin } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
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

/**
 * Writes into `outputDirectory` the child's program (its runtime and the lab's suite, which
 * never share a realm with the submission) and the scripts of the submission's realm. A
 * syntax error or a refused import is a {@link SetupError}.
 */
export async function bundleImplementation(lab: LabInfo, source: ImplementationSource, outputDirectory: string, name: string): Promise<SandboxFiles> {
  const outfile = join(outputDirectory, `${name}.mjs`);
  const files: SandboxFiles = { child: outfile, realmHost: join(outputDirectory, 'realm-host.js'), realmSubmission: join(outputDirectory, 'realm-submission.js'),
    realmSubmissionMap: join(outputDirectory, 'realm-submission.js.map'),
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
  const entry = [
    `import { serve } from ${JSON.stringify(childRuntime)};`,
    `import suite from ${JSON.stringify(lab.suiteFile)};`,
    `import { withHiddenTests } from ${JSON.stringify(hiddenTestsModule)};`,
    ...(lab.hiddenTestsFile !== undefined ? [`import { hiddenTests } from ${JSON.stringify(lab.hiddenTestsFile)};`] : ['const hiddenTests = [];']),
    `serve(withHiddenTests(suite, hiddenTests), ${JSON.stringify({ host: files.realmHost, submission: files.realmSubmission, submissionMap: files.realmSubmissionMap })});`,
  ].join('\n');
  try {
    await build({
      stdin: { contents: entry, resolveDir: projectRoot, sourcefile: 'distlab-entry.ts', loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      sourcemap: 'inline',
      // Class names appear in traces and messages ("n2 (Acceptor).log[3] is a function").
      keepNames: true,
      logLevel: 'silent',
      plugins: [trustedResolution],
      banner: { js: "import { createRequire as __distlabCreateRequire } from 'node:module'; const require = __distlabCreateRequire(import.meta.url);" },
    });
  } catch (error) {
    const failure = error as BuildFailure;
    if (Array.isArray(failure.errors) && failure.errors.length > 0) {
      throw new SetupError(`the implementation "${source.label}" cannot be loaded:\n${failure.errors.map(formatMessage).join('\n')}`);
    }
    throw error;
  }
  return files;
}

/** The child's program resolves `distlab` and `distlab/testing` to the framework's entries. */
const trustedResolution: Plugin = {
  name: 'distlab-trusted-resolution',
  setup(builder) {
    builder.onResolve({ filter: /^distlab(\/testing)?$/ }, (args) => ({ path: args.path === 'distlab' ? frameworkEntry : testingEntry }));
  },
};
