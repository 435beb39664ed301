// Builds what a submission's realm runs: the node runtime's script, and the submission's own
// code as one script whose only import is `distlab` (the runtime's Node). Both are plain
// scripts for a `node:vm` context: no module loader, no `require`, no `import()` there.
import type { BuildFailure, BuildOptions, Message, Plugin } from 'esbuild';
import { BundlerStopped, buildAlone } from './bundler.ts';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { RealmCode } from '../framework/_internals/realm.ts';
import { projectRoot, SetupError } from './labs.ts';
import { realmScriptNames, realmWrappedGlobals } from '../framework/_realm/names.ts';

const runtimeEntry = join(projectRoot, 'framework', '_realm', 'entry.ts');
const realmFramework = join(projectRoot, 'framework', '_realm', 'distlab.ts');

/** Where a submission's code is, and which files besides its own folder it may import. */
export interface RealmSource {
  /** How the user named it, for messages. */
  readonly label: string;
  readonly entryFile: string;
  /** The folder whose files the submission may import. */
  readonly root: string;
  /** Other files it may import (the lab's protocol file, which holds only types). */
  readonly alsoAllowed?: readonly string[];
}

function isInside(file: string, folder: string): boolean {
  const path = resolve(file);
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

const sourceFile = /\.(ts|js|mts|mjs)$/;
/** The generated entry's name: no file of a submission can have it. */
const entryName = '<distlab submission entry>';

/**
 * Keeps a submission to its own source files and `distlab`: any other import (a built-in
 * module, a package, the grader, the solutions, `distlab/testing`), any file that is not
 * TypeScript or JavaScript, and any import with attributes (`with { type: 'text' }`) is
 * refused when it is bundled, before any of its code runs.
 */
function submissionGuard(source: RealmSource): Plugin {
  const root = resolve(source.root);
  const allowed = new Set((source.alsoAllowed ?? []).map((file) => resolve(file)));
  const describe = (file: string) => relative(process.cwd(), file) || file;
  const refuse = (importer: string, path: string, why: string) => ({
    errors: [{ text: `${describe(importer)} imports "${path}"${why} Import only "distlab" and your own .ts files in ${describe(root)}.` }],
  });
  return {
    name: 'distlab-submission-guard',
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, (args) => {
        if (args.importer.endsWith(entryName)) {
          if (args.path === 'distlab-realm-framework') return { path: realmFramework };
          if (args.path === resolve(source.entryFile)) return undefined;
          return refuse(args.importer, args.path, '.');
        }
        if (isInside(args.importer, dirname(realmFramework))) return undefined;
        if (Object.keys(args.with).length > 0) return refuse(args.importer, args.path, ' with import attributes, which a submission may not use.');
        if (args.kind === 'dynamic-import' || args.kind === 'require-call' || args.kind === 'require-resolve') {
          return refuse(args.importer, args.path, ' at run time (import() or require), which a submission may not do.');
        }
        if (args.path === 'distlab') return { path: realmFramework };
        if (args.path.startsWith('.')) {
          const target = resolve(dirname(args.importer), args.path);
          if ((isInside(target, root) || allowed.has(target)) && (sourceFile.test(target) || !/\.[a-z]+$/i.test(target))) return undefined;
          return refuse(args.importer, args.path, ', which is not one of its own source files.');
        }
        return refuse(args.importer, args.path, ', which a submission may not use.');
      });
      builder.onLoad({ filter: /.*/ }, (args) => {
        if (isInside(args.path, dirname(realmFramework))) return undefined;
        if (!sourceFile.test(args.path) || !(isInside(args.path, root) || allowed.has(resolve(args.path)))) {
          return { errors: [{ text: `${describe(args.path)} is not a TypeScript or JavaScript file of the submission.` }] };
        }
        return undefined;
      });
    },
  };
}

function formatMessage(message: Message): string {
  const location = message.location;
  if (!location) return message.text;
  return `${relative(process.cwd(), location.file) || location.file}:${location.line}:${location.column + 1}: ${message.text}\n    ${location.lineText}`;
}

/** Taken when the script starts, so the submission's script gets what the runtime installed (the guarded `Date`, its `console`). */
const wrappedGlobals = realmWrappedGlobals;

function wrapped(code: string): string {
  const names = wrappedGlobals.join(', ');
  return `(function (${names}) { 'use strict'; \n${code}\n})(${names});\n`;
}

/**
 * The submission's script: its modules wrapped in a function that the node runtime runs once
 * per node, so that each node has module-level variables of its own (and one line before the
 * bundle's, as with {@link wrapped}). Both scripts are strict, as modules are: esbuild's
 * bundle is not, and a function called without `this` would be handed the realm's global.
 */
function wrappedSubmission(code: string): string {
  const names = wrappedGlobals.join(', ');
  return `globalThis.__distlab.defineSubmission(function (${names}) { 'use strict'; \n${code}\n}, [${names}]);\n`;
}

/** Both scripts: one plain script each, no module loader, built in memory. */
const scriptOptions = {
  bundle: true,
  platform: 'neutral',
  format: 'iife',
  target: 'es2022',
  write: false,
  // Class names appear in traces and messages ("n2 (Acceptor).log[3] is a function").
  keepNames: true,
  logLevel: 'silent',
} as const;

async function script(options: BuildOptions): Promise<string> {
  const result = await buildAlone({ ...scriptOptions, ...options });
  return wrapped((result.outputFiles?.[0] as { text: string }).text);
}

/** The wrapping function's first line comes before the bundle's: one generated line more. */
const wrapperLines = 1;

/**
 * The submission's script and its source map, whose sources are named by their path inside
 * the submission's folder (`lamport.ts`, `util/queue.ts`): what a stack trace in a report
 * shows, the same wherever the grader ran and wherever the submission was.
 */
async function submissionScript(options: BuildOptions, root: string): Promise<{ code: string; sourceMap: string }> {
  const result = await buildAlone({ ...scriptOptions, ...options, outfile: join(root, realmScriptNames.submission), sourcemap: 'external', sourcesContent: false });
  const files = result.outputFiles ?? [];
  const code = files.find((file) => file.path.endsWith('.js'));
  const map = files.find((file) => file.path.endsWith('.map'));
  if (code === undefined || map === undefined) throw new Error('esbuild gave no script or no source map for the submission');
  const payload = JSON.parse(map.text) as { sources: string[]; mappings: string; sourceRoot?: string };
  const folder = resolve(root);
  payload.sources = payload.sources.map((name) => {
    const file = resolve(folder, payload.sourceRoot ?? '', name);
    return isInside(file, folder) ? relative(folder, file).split(sep).join('/') : basename(file);
  });
  delete payload.sourceRoot;
  payload.mappings = ';'.repeat(wrapperLines) + payload.mappings;
  // esbuild ends the script with a comment naming the map file, which the realm has no use for.
  return { code: wrappedSubmission(code.text.replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, '\n')), sourceMap: JSON.stringify(payload) };
}

let runtimeCode: Promise<string> | undefined;

/** The node runtime's script, built once per process. */
function buildRuntime(): Promise<string> {
  runtimeCode ??= script({ entryPoints: [runtimeEntry] }).catch((error: unknown) => {
    // Built again by the next grading rather than failing every one after it.
    runtimeCode = undefined;
    throw error;
  });
  return runtimeCode;
}

/**
 * The two scripts of a submission's realm. A syntax error or a refused import is a
 * {@link SetupError} naming the file.
 */
export async function buildRealmCode(source: RealmSource): Promise<RealmCode> {
  const entry = [
    `import * as implementation from ${JSON.stringify(resolve(source.entryFile))};`,
    `import { register } from 'distlab-realm-framework';`,
    'register(implementation);',
  ].join('\n');
  try {
    const [host, submission] = await Promise.all([
      buildRuntime(),
      submissionScript({ stdin: { contents: entry, resolveDir: resolve(source.root), sourcefile: entryName, loader: 'ts' }, plugins: [submissionGuard(source)] }, source.root),
    ]);
    return { host, submission: submission.code, submissionMap: submission.sourceMap };
  } catch (error) {
    if (error instanceof BundlerStopped) {
      throw new SetupError(
        `the implementation "${source.label}" cannot be loaded: ${error.message}, as it does when code is nested ` +
          'hundreds of thousands of levels deep (brackets, blocks, operators). Write it with less nesting.',
      );
    }
    const failure = error as BuildFailure;
    if (Array.isArray(failure.errors) && failure.errors.length > 0) {
      throw new SetupError(`the implementation "${source.label}" cannot be loaded:\n${failure.errors.map(formatMessage).join('\n')}`);
    }
    throw error;
  }
}
