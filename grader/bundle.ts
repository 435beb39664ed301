import { build, type BuildFailure, type Message, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { type ImplementationSource } from './implementation.ts';
import { projectRoot, SetupError, type LabInfo } from './labs.ts';

const frameworkEntry = join(projectRoot, 'framework', 'index.ts');
const testingEntry = join(projectRoot, 'framework', 'testing.ts');
const childRuntime = join(projectRoot, 'grader', 'child.ts');

function isInside(file: string, folder: string): boolean {
  const path = resolve(file);
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/** Blanks out comments and string contents so that a scan for calls sees only code. */
function codeOnly(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '))
    .replace(/\/\/[^\n]*/g, '')
    .replace(/(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g, (text) => text[0] + ' '.repeat(Math.max(0, text.length - 2)) + text[0]);
}

/**
 * Keeps a submission to its own files and the framework: any other import (`node:fs`,
 * `child_process`, the grader, the solutions, a package) is refused at load, before any of
 * its code runs, and so are `require` and dynamic `import()`.
 */
function submissionGuard(lab: LabInfo, source: ImplementationSource): Plugin {
  const root = resolve(source.root);
  const protocolFile = join(lab.studentDirectory, 'protocol.ts');
  const describe = (file: string) => relative(process.cwd(), file) || file;
  return {
    name: 'distlab-submission-guard',
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, (args) => {
        if (args.path === 'distlab') return { path: frameworkEntry };
        // The suite and the grader's child use the testing entry; a submission may not.
        if (args.path === 'distlab/testing' && !isInside(args.importer, root)) return { path: testingEntry };
        if (args.importer === '' || args.importer === '<stdin>' || !isInside(args.importer, root)) return undefined;
        if (args.path.startsWith('.')) {
          const target = resolve(dirname(args.importer), args.path);
          if (isInside(target, root) || target === protocolFile) return undefined;
        }
        return {
          errors: [
            {
              text:
                `${describe(args.importer)} imports "${args.path}", which a submission may not use. ` +
                `Import only "distlab" and your own files in ${describe(root)}.`,
            },
          ],
        };
      });
      builder.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        if (!isInside(args.path, root)) return undefined;
        const code = codeOnly(readFileSync(args.path, 'utf8'));
        const use = /\brequire\b|\bimport\s*\(|\bimport\.meta\b|\beval\s*\(|\bFunction\s*\(/.exec(code);
        if (use === null) return undefined;
        const line = code.slice(0, use.index).split('\n').length;
        return {
          errors: [
            {
              text:
                `${describe(args.path)}:${line} uses ${use[0].replace(/\s+/g, '')}: a submission may only use static imports of ` +
                '"distlab" and its own files, and may not evaluate code from strings.',
            },
          ],
        };
      });
    },
  };
}

function formatMessage(message: Message): string {
  const location = message.location;
  if (!location) return message.text;
  return `${relative(process.cwd(), location.file) || location.file}:${location.line}:${location.column + 1}: ${message.text}\n    ${location.lineText}`;
}

/**
 * Bundles the child runtime, the lab's suite and one implementation into a single ES module
 * in `outputDirectory`. A syntax error or a refused import is a {@link SetupError}.
 */
export async function bundleImplementation(lab: LabInfo, source: ImplementationSource, outputDirectory: string, name: string): Promise<string> {
  const outfile = join(outputDirectory, `${name}.mjs`);
  const entry = [
    `import { serve } from ${JSON.stringify(childRuntime)};`,
    `import suite from ${JSON.stringify(lab.suiteFile)};`,
    `import * as implementation from ${JSON.stringify(source.entryFile)};`,
    'serve(suite, implementation);',
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
      plugins: [submissionGuard(lab, source)],
      banner: { js: "import { createRequire as __distlabCreateRequire } from 'node:module'; const require = __distlabCreateRequire(import.meta.url);" },
    });
  } catch (error) {
    const failure = error as BuildFailure;
    if (Array.isArray(failure.errors) && failure.errors.length > 0) {
      throw new SetupError(`the implementation "${source.label}" cannot be loaded:\n${failure.errors.map(formatMessage).join('\n')}`);
    }
    throw error;
  }
  return outfile;
}
