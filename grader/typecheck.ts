import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import type { ImplementationSource } from './implementation.ts';
import { projectRoot } from './labs.ts';

const realmGlobalsFile = join(projectRoot, 'grader', 'realm-globals.generated.d.ts');

/** What a submission's realm provides beyond the language (see framework/_realm/host.ts). */
const realmGlobals = `
interface RealmConsole {
  log(...parts: unknown[]): void;
  info(...parts: unknown[]): void;
  warn(...parts: unknown[]): void;
  error(...parts: unknown[]): void;
  debug(...parts: unknown[]): void;
  trace(...parts: unknown[]): void;
}
declare var console: RealmConsole;
`;

/**
 * Type errors in an implementation's own files, one line each (`file:line:col message`).
 * They are reported with the grade; they do not stop grading, since the code still runs.
 */
export function typeErrorsOf(source: ImplementationSource): string[] {
  const root = resolve(source.root) + sep;
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2023,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noImplicitOverride: true,
    skipLibCheck: true,
    types: [],
    typeRoots: [join(projectRoot, 'node_modules', '@types')],
    paths: { distlab: [join(projectRoot, 'framework', 'index.ts')] },
  };
  // The realm a submission runs in has a console beside the language's own globals; it is
  // declared here, in a file of its own that exists only for this check.
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (fileName) => (fileName === realmGlobalsFile ? realmGlobals : readFile(fileName));
  host.fileExists = (fileName) => fileName === realmGlobalsFile || fileExists(fileName);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    fileName === realmGlobalsFile ? ts.createSourceFile(fileName, realmGlobals, languageVersion) : getSourceFile(fileName, languageVersion, ...rest);
  const program = ts.createProgram([source.entryFile, realmGlobalsFile], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file !== undefined && resolve(diagnostic.file.fileName).startsWith(root))
    .map((diagnostic) => {
      const file = diagnostic.file as ts.SourceFile;
      const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      const name = relative(process.cwd(), file.fileName) || relative(dirname(root), file.fileName);
      return `${name}:${line + 1}:${character + 1} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    });
}
