import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import type { ImplementationSource } from './implementation.ts';
import { projectRoot } from './labs.ts';

/**
 * Type errors in an implementation's own files, one line each (`file:line:col message`).
 * They are reported with the grade; they do not stop grading, since the code still runs.
 */
export function typeErrorsOf(source: ImplementationSource): string[] {
  const root = resolve(source.root) + sep;
  const program = ts.createProgram([source.entryFile], {
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
  });
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
