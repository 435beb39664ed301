// @ts-check
// The type check of a submission, run in a process of its own (grader/typecheck.ts starts it
// and kills it past its time): a submission's types can make the compiler run long or grow
// without bound, and the grader must neither wait for it nor run out of memory with it.
//
// It reads only what a student's own checkout gives them: the submission's files, the
// framework (`distlab`), the labs' stubs (labs/<lab>/src, where each protocol's types are) and
// installed packages. Any other file, the reference solutions, the hidden tests and other
// students' folders included, does not exist as far as the compiler can tell, so a type error
// can never show what one of them declares.
//
// Input on stdin: {"entryFile": ..., "root": ..., "projectRoot": ...}. Output on stdout: one
// JSON object {errors: [{file, line, column, message}], more}: the first `maxErrors` errors,
// file absolute, and how many more there were.
import { lstatSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import ts from 'typescript';

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

/** Errors sent back; a submission can make as many as it likes. */
const maxErrors = 500;

const request = JSON.parse(readFileSync(0, 'utf8'));
const root = resolve(request.root) + sep;
const projectRoot = resolve(request.projectRoot);
const realmGlobalsFile = join(projectRoot, 'grader', 'realm-globals.generated.d.ts');
const readable = [root, join(projectRoot, 'framework') + sep, join(projectRoot, 'node_modules') + sep, dirname(ts.getDefaultLibFilePath({})) + sep];

const labsFolder = join(projectRoot, 'labs') + sep;

/**
 * A file in a lab's stub folder, labs/<lab>/src: what every student is handed.
 * @param {string} full
 */
function inStub(full) {
  if (!full.startsWith(labsFolder)) return false;
  const [lab, folder] = full.slice(labsFolder.length).split(sep);
  return lab !== undefined && lab !== '' && lab !== '..' && folder === 'src' && full.length > labsFolder.length + lab.length + 4;
}

/** @param {string} path */
function mayRead(path) {
  const full = resolve(path);
  return full === realmGlobalsFile || readable.some((folder) => full.startsWith(folder)) || inStub(full);
}

/** @param {string} path */
function mayList(path) {
  const full = resolve(path) + sep;
  // A folder that holds a readable one is listed too: module resolution walks down from '/'.
  if (mayRead(full) || readable.some((folder) => folder.startsWith(full)) || labsFolder.startsWith(full)) return true;
  // labs/<lab>/ and labs/<lab>/src/ themselves.
  if (!full.startsWith(labsFolder)) return false;
  const parts = full.slice(labsFolder.length).split(sep).filter((part) => part !== '');
  return parts.length === 1 || (parts.length === 2 && parts[1] === 'src');
}

/** @type {ts.CompilerOptions} */
const options = {
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

const host = ts.createCompilerHost(options);
const readFile = host.readFile.bind(host);
const fileExists = host.fileExists.bind(host);
const getSourceFile = host.getSourceFile.bind(host);
const directoryExists = host.directoryExists?.bind(host);
const getDirectories = host.getDirectories?.bind(host);
const realpath = host.realpath?.bind(host);
/**
 * A file the compiler may open: readable, and in the submission not a link (the copy that runs
 * refused links; one made since is not followed).
 * @param {string} fileName
 */
function mayOpen(fileName) {
  if (!mayRead(fileName)) return false;
  const full = resolve(fileName);
  if (!full.startsWith(root)) return true;
  try {
    return !lstatSync(full).isSymbolicLink();
  } catch {
    return false;
  }
}
host.readFile = (fileName) => (fileName === realmGlobalsFile ? realmGlobals : mayOpen(fileName) ? readFile(fileName) : undefined);
host.fileExists = (fileName) => fileName === realmGlobalsFile || (mayOpen(fileName) && fileExists(fileName));
host.getSourceFile = (fileName, languageVersion, ...rest) => {
  if (fileName === realmGlobalsFile) return ts.createSourceFile(fileName, realmGlobals, languageVersion);
  return mayOpen(fileName) ? getSourceFile(fileName, languageVersion, ...rest) : undefined;
};
host.directoryExists = (path) => mayList(path) && (directoryExists === undefined || directoryExists(path));
host.getDirectories = (path) => (mayList(path) && getDirectories !== undefined ? getDirectories(path) : []);
// A link is not followed out of the readable folders: its target is read under the link's own name only if allowed.
host.realpath = (path) => {
  if (realpath === undefined) return path;
  const target = realpath(path);
  return mayRead(target) ? target : path;
};

const program = ts.createProgram([request.entryFile, realmGlobalsFile], options, host);
const own = ts.getPreEmitDiagnostics(program).filter((diagnostic) => diagnostic.file !== undefined && resolve(diagnostic.file.fileName).startsWith(root));
const errors = own
  .slice(0, maxErrors)
  .map((diagnostic) => {
    const file = /** @type {ts.SourceFile} */ (diagnostic.file);
    const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    return { file: resolve(file.fileName), line: line + 1, column: character + 1, message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n') };
  });
process.stdout.write(JSON.stringify({ errors, more: own.length - errors.length }));
