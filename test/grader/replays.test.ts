// Every command printed to show a failure again does show it: for each lab and each kind of
// failure it can produce (a run's failure with its shrunk schedule, a search's violation with its
// path, a goal never reached, a demonstration that did or did not happen), a mutant, the stub or
// the reference is graded in one process and the command its report prints is run, as pasted, in
// another: a replay fails on the same property at the same event; a failure no single run shows
// fails the same test in the same way when graded again. The same holds for the command in
// vitest's message, for vitest's points total, and for the VS Code launch configuration, whose
// breakpoints stop on the student's own lines.
import { execFile, type ExecFileOptions } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listLabs, projectRoot } from '../../grader/labs.ts';
import type { GradedFailure, GradedTest, GradingReport } from '../../grader/results.ts';
import type { RecordedFailureKind } from '../../grader/runTest.ts';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a command as a user runs it: none of this test runner's own variables. */
function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { NO_COLOR: '1', ...extra };
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^VITEST|^DISTLAB_/.test(name) && name !== 'NODE_OPTIONS' && !(name in environment)) environment[name] = value;
  }
  return environment;
}

function execute(file: string, args: readonly string[], options: ExecFileOptions = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: projectRoot, env: userEnvironment(), maxBuffer: 64 * 1024 * 1024, ...options }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A printed command, pasted into a shell in the repository. */
const paste = (command: string): Promise<Run> => execute('sh', ['-c', command]);

/** The grading command, in a fresh process of its own. */
const grade = (...args: string[]): Promise<Run> => execute(process.execPath, ['--import', 'tsx', 'grader/cli.ts', ...args]);

/** Two commands at a time: a machine with two cores runs each at full speed. */
function limitedTo(size: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    while (running >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
const inTurn = limitedTo(2);

/** The report.json a grading wrote somewhere under `folder`, which held nothing before. */
function reportIn(folder: string): GradingReport {
  const found: string[] = [];
  const visit = (path: string) => {
    for (const entry of readdirSync(path)) {
      const child = join(path, entry);
      const stat = lstatSync(child);
      if (stat.isDirectory()) visit(child);
      else if (stat.isFile() && entry === 'report.json') found.push(child);
    }
  };
  visit(folder);
  if (found.length !== 1) throw new Error(`expected one report.json under ${folder}, found ${found.length}`);
  return JSON.parse(readFileSync(found[0] as string, 'utf8')) as GradingReport;
}

/** Grades one test and returns what its report says. */
async function gradeOne(lab: string, implementation: string, test: string, ...options: string[]): Promise<GradedTest> {
  const folder = mkdtempSync(join(tmpdir(), 'distlab-replays-'));
  const run = await grade(lab, '--impl', implementation, '--test', test, ...options, '--report', 'json', '--out', folder, '--no-typecheck');
  if (run.code !== 0 && run.code !== 1) throw new Error(`grading ${lab} ${implementation} ${test} ended with ${run.code}: ${run.stderr}`);
  const graded = reportIn(folder).tests;
  expect(graded.map((one) => one.number)).toEqual([test]);
  return graded[0] as GradedTest;
}

/** The verdict a replay prints last: `failed: <property>: <message> (event #N at T ms)`. */
function replayVerdict(stdout: string, demonstration: boolean): { readonly text: string; readonly event: number } | undefined {
  const start = stdout.lastIndexOf(demonstration ? '\npassed: ' : '\nfailed: ');
  if (start < 0) return undefined;
  let text = stdout.slice(start + 1).trimEnd();
  // A demonstration passes, shown as the break it demonstrates.
  const shown = ', as this test demonstrates it can';
  if (demonstration) {
    if (!text.endsWith(shown)) return undefined;
    text = text.slice(0, -shown.length);
  }
  const event = /\(event #(\d+) at \d+ ms\)$/.exec(text);
  return event === null ? undefined : { text: text.replace(/ \(event #\d+ at \d+ ms\)$/, ''), event: Number(event[1]) };
}

/**
 * Runs a replay command and checks that it breaks the same property at the same event: a
 * failure again (exit code 1), or for a demonstration the break it demonstrates (exit code 0).
 */
async function expectReplayed(failure: GradedFailure, demonstration = false): Promise<void> {
  expect(failure.replayCode).not.toBe('');
  expect(failure.replayCommand).toMatch(/^npm run grade -- \w+( --impl [\w:-]+)? --replay [\w-]+$/);
  const replayed = await inTurn(() => paste(failure.replayCommand));
  const verdict = replayVerdict(replayed.stdout, demonstration);
  expect(verdict, `the replay printed no break:\n${replayed.stdout.slice(-2000)}\n${replayed.stderr}`).toBeDefined();
  expect(replayed.code).toBe(demonstration ? 0 : 1);
  expect(verdict?.event).toBe(failure.traceIndex ?? failure.step);
  const heading = `${demonstration ? 'passed' : 'failed'}: ${failure.property}: `;
  expect(verdict?.text.startsWith(heading)).toBe(true);
  // A run's message is the replay's; a search's adds the path it took.
  const message = verdict?.text.slice(heading.length) ?? '';
  if (failure.path === undefined) expect(message).toBe(failure.message);
  else expect(failure.message.startsWith(message)).toBe(true);
}

/** Runs a re-run command (its report kept apart) and checks that the test fails again, the same way. */
async function expectRegraded(test: GradedTest, failure: GradedFailure): Promise<void> {
  expect(failure.replayCode).toBe('');
  const folder = mkdtempSync(join(tmpdir(), 'distlab-replays-'));
  const rerun = await inTurn(() => paste(`${failure.replayCommand} --report json --out ${folder} --no-typecheck`));
  expect(rerun.code, rerun.stderr).toBe(1);
  const again = reportIn(folder).tests;
  expect(again.map((one) => [one.number, one.status, one.failure?.kind, one.failure?.property])).toEqual([[test.number, 'failed', failure.kind, failure.property]]);
  // The same seeds: a demonstration not shown says on how many, a goal not reached how many states.
  expect(again[0]?.failure?.message).toBe(failure.message);
}

interface Case {
  readonly lab: string;
  /** As --impl takes it. */
  readonly implementation: string;
  readonly test: string;
  readonly options?: readonly string[];
  /** The recorded failure's kind; a passed demonstration is checked through its `demonstration`. */
  readonly kind: RecordedFailureKind;
  readonly demonstration?: true;
  readonly why: string;
}

const cases: readonly Case[] = [
  { lab: 'pingpong', implementation: 'mutant:gives-up', test: '0.5', kind: 'liveness', why: 'a run whose shrunk schedule crashes and restarts the server' },
  { lab: 'pingpong', implementation: 'mutant:retry-after-answer', test: '0.6', kind: 'budget-exceeded', why: 'a budget exceeded' },
  { lab: 'mutex', implementation: 'mutant:centralized-grant-before-release', test: '1A.2', kind: 'violation', why: 'a safety violation' },
  { lab: 'mutex', implementation: 'mutant:lamport-no-tiebreak', test: '1C.8', kind: 'search-violation', why: 'a search violation with its path' },
  { lab: 'mutex', implementation: 'student', test: '1C.8', kind: 'goal-not-reached', why: 'a search goal never reached' },
  { lab: 'mutex', implementation: 'solutions', test: '1C.7', kind: 'violation', demonstration: true, why: 'a demonstration run' },
  { lab: 'mutex', implementation: 'solutions', test: '1C.9', kind: 'search-violation', demonstration: true, why: 'a demonstration found by search' },
  // The reference shows the weakness first on seed 2: graded on seed 1 alone, or on the first seed only, it does not.
  { lab: 'mutex', implementation: 'solutions', test: '1C.7', options: ['--seed', '1'], kind: 'demonstration-not-shown', why: 'a demonstration not shown on the one seed graded' },
  { lab: 'mutex', implementation: 'solutions', test: '1C.7', options: ['--seeds', '1'], kind: 'demonstration-not-shown', why: 'a demonstration not shown on fewer seeds than the test\'s own' },
  { lab: 'mutex', implementation: 'student', test: '1C.9', kind: 'demonstration-not-shown', why: 'a search demonstration not shown' },
  { lab: 'election', implementation: 'mutant:bully-waits-forever', test: '2A.8', kind: 'liveness', why: 'a run whose shrunk schedule crashes a candidate' },
  { lab: 'election', implementation: 'solutions', test: '2A.5', kind: 'violation', demonstration: true, why: 'a demonstration run' },
  { lab: 'election', implementation: 'student', test: '2A.5', kind: 'demonstration-not-shown', why: 'a demonstration not shown on any seed' },
  { lab: 'paxos', implementation: 'mutant:accept-ignores-ballot', test: '3.3', kind: 'violation', why: 'a safety violation' },
  { lab: 'paxos', implementation: 'mutant:first-promise-value', test: '3.S5', kind: 'search-violation', why: 'a search violation on a path of 18 steps' },
  { lab: 'paxos', implementation: 'student', test: '3.S3', kind: 'goal-not-reached', why: 'a goal not reached by random probes, which depend on the seed' },
];

describe('every printed replay command reproduces its failure in a fresh process', () => {
  for (const one of cases) {
    const options = one.options ? ` ${one.options.join(' ')}` : '';
    it.concurrent(`${one.lab} ${one.test} with ${one.implementation}${options}: ${one.why} (${one.demonstration ? 'demonstrated' : one.kind})`, async () => {
      const test = await inTurn(() => gradeOne(one.lab, one.implementation, one.test, ...(one.options ?? [])));
      const failure = one.demonstration ? test.demonstration : test.failure;
      expect(test.status).toBe(one.demonstration ? 'passed' : 'failed');
      expect(failure?.kind).toBe(one.kind);
      if (failure === undefined) return;
      // Named as its author types it: the default needs no --impl.
      expect(failure.replayCommand.startsWith(`npm run grade -- ${one.lab}${one.implementation === 'solutions' ? ' ' : ` --impl ${one.implementation} `}`)).toBe(true);
      if (failure.replayable === false) await expectRegraded(test, failure);
      else await expectReplayed(failure, one.demonstration === true);
    });
  }
});

describe('npm test (vitest) agrees with npm run grade', () => {
  it('prints a failure\'s replay command on a line of its own, which reproduces it, and the grader\'s points total', async () => {
    const output = join(mkdtempSync(join(tmpdir(), 'distlab-replays-')), 'vitest.json');
    const vitest = await inTurn(() =>
      execute(
        process.execPath,
        ['node_modules/vitest/vitest.mjs', 'run', 'labs/00-pingpong/pingpong.test.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${output}`],
        { env: userEnvironment({ DISTLAB_IMPL: 'mutant:gives-up' }) },
      ),
    );
    expect(vitest.code, vitest.stderr).toBe(1);
    const results = JSON.parse(readFileSync(output, 'utf8')) as {
      testResults: { assertionResults: { title: string; ancestorTitles: string[]; status: string; failureMessages: string[] }[] }[];
    };
    const assertions = results.testResults.flatMap((file) => file.assertionResults);
    // The mutant's code only: no staff checks.
    expect(assertions.every((assertion) => assertion.ancestorTitles.join(' ') === 'pingpong with mutant:gives-up')).toBe(true);
    const failed = assertions.find((assertion) => assertion.title.startsWith('0.5 '));
    const lines = (failed?.failureMessages[0] ?? '').split('\n');
    const command = lines.find((line) => line.startsWith('npm run grade -- '));
    expect(command, lines.join('\n')).toMatch(/^npm run grade -- pingpong --impl mutant:gives-up --replay [\w-]+$/);
    expect(lines[lines.indexOf(command as string) - 1]).toMatch(/^Replay this failure/);

    const report = await inTurn(async () => {
      const folder = mkdtempSync(join(tmpdir(), 'distlab-replays-'));
      const graded = await grade('pingpong', '--impl', 'mutant:gives-up', '--report', 'json', '--out', folder, '--no-typecheck');
      expect(graded.code).toBe(1);
      return reportIn(folder);
    });
    // The same tests, the same verdicts, the same total, in the grader's words.
    expect(assertions.map((assertion) => [assertion.title.split(' ')[0], assertion.status === 'passed' ? 'passed' : 'failed'])).toEqual(
      report.tests.map((test) => [test.number, test.status]),
    );
    const { score, maxScore, passed, failed: failedCount } = report.totals;
    expect(vitest.stdout).toContain(
      `pingpong with mutant:gives-up: ${score}/${maxScore} points — ${passed} passed, ${failedCount} failed; the same total as npm run grade -- pingpong --impl mutant:gives-up`,
    );
    const failure = report.tests.find((test) => test.number === '0.5')?.failure;
    expect(command).toBe(failure?.replayCommand);
    if (failure !== undefined) await expectReplayed(failure);
  });
});

interface LaunchConfiguration {
  readonly type: string;
  readonly request: string;
  readonly cwd: string;
  readonly runtimeExecutable: string;
  readonly runtimeArgs: readonly string[];
  readonly program: string;
  readonly args: readonly string[];
  readonly sourceMaps: boolean;
  readonly skipFiles: readonly string[];
}

interface LaunchFile {
  readonly configurations: readonly LaunchConfiguration[];
  readonly inputs: readonly { readonly id: string; readonly type: string; readonly options?: readonly string[] }[];
}

/** The launch configuration's command line, with the lab and code a user would give. */
function launchCommand(lab: string, code: string): { readonly file: string; readonly args: string[]; readonly cwd: string } {
  const launch = JSON.parse(readFileSync(join(projectRoot, '.vscode', 'launch.json'), 'utf8')) as LaunchFile;
  const configuration = launch.configurations.find((candidate) => candidate.args.includes('--replay'));
  if (configuration === undefined) throw new Error('.vscode/launch.json has no configuration that replays');
  expect([configuration.type, configuration.request, configuration.sourceMaps]).toEqual(['node', 'launch', true]);
  expect(configuration.skipFiles).toContain('<node_internals>/**');
  // Every input it asks for is declared, and the labs it offers are the labs there are.
  const asked = [...JSON.stringify(configuration).matchAll(/\$\{input:(\w+)\}/g)].map((match) => match[1]);
  expect(asked.every((id) => launch.inputs.some((input) => input.id === id))).toBe(true);
  expect(launch.inputs.find((input) => input.id === 'lab')?.options).toEqual(listLabs().map((one) => one.shortName));
  const fill = (text: string) =>
    text.replaceAll('${workspaceFolder}', projectRoot).replaceAll('${input:lab}', lab).replaceAll('${input:replayCode}', code);
  expect(configuration.runtimeExecutable).toBe('node');
  return { file: process.execPath, args: [...configuration.runtimeArgs, fill(configuration.program), ...configuration.args.map(fill)], cwd: fill(configuration.cwd) };
}

/**
 * A debugger, as VS Code's is, for the command line: it starts it under `--inspect-brk`, sets a
 * breakpoint on `line` of `file` through the source map of the code that runs, and says where
 * the program stopped, mapped back the same way. It runs in a process of its own, which has a
 * WebSocket client.
 */
const debuggerScript = String.raw`
import { spawn } from 'node:child_process';
import { SourceMap } from 'node:module';
import { pathToFileURL } from 'node:url';
const { file, line, command, args, cwd } = JSON.parse(process.argv[1]);
const target = spawn(command, ['--inspect-brk=127.0.0.1:0', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
let stdout = '';
let stderr = '';
target.stdout.on('data', (data) => (stdout += data));
const exited = new Promise((resolve) => target.on('exit', resolve));
let socket;
const address = await new Promise((resolve) => target.stderr.on('data', (data) => {
  stderr += data;
  const found = /ws:\/\/\S+/.exec(stderr);
  if (found) resolve(found[0]);
  // At its end the program waits for the debugger to let go.
  if (stderr.includes('Waiting for the debugger to disconnect')) socket?.close();
}));
socket = new WebSocket(address);
await new Promise((resolve) => socket.addEventListener('open', resolve));
let next = 0;
const replies = new Map();
const pauses = [];
const scripts = new Map();
socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.id !== undefined) replies.get(message.id)(message);
  else if (message.method === 'Debugger.scriptParsed') scripts.set(message.params.scriptId, message.params);
  else if (message.method === 'Debugger.paused') pauses.push(message.params);
});
socket.addEventListener('close', () => pauses.push(undefined));
const send = (method, params = {}) => new Promise((resolve) => {
  const id = ++next;
  replies.set(id, resolve);
  socket.send(JSON.stringify({ id, method, params }));
});
const paused = async () => {
  while (pauses.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  return pauses.shift();
};
const sourceMap = (script) => {
  const url = script.sourceMapURL;
  return new SourceMap(JSON.parse(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').toString('utf8')));
};
const wanted = pathToFileURL(file).href;
await send('Debugger.enable');
await send('Debugger.setInstrumentationBreakpoint', { instrumentation: 'beforeScriptWithSourceMapExecution' });
await send('Runtime.runIfWaitingForDebugger');
const result = { bound: false, stops: [] };
for (let pause = await paused(); pause !== undefined; pause = await paused()) {
  const script = pause.reason === 'instrumentation' ? scripts.get(pause.data.scriptId) : undefined;
  if (script !== undefined && script.url === wanted && !result.bound) {
    const map = sourceMap(script);
    const source = (await send('Debugger.getScriptSource', { scriptId: script.scriptId })).result.scriptSource.split('\n');
    let location;
    for (let generated = 0; generated < source.length && location === undefined; generated++) {
      for (let column = 0; column < source[generated].length; column++) {
        const entry = map.findEntry(generated, column);
        if (entry.generatedLine === generated && entry.originalLine === line - 1) {
          location = { scriptId: script.scriptId, lineNumber: generated, columnNumber: entry.generatedColumn };
          break;
        }
      }
    }
    if (location !== undefined) result.bound = (await send('Debugger.setBreakpoint', { location })).result !== undefined;
  } else if (pause.reason !== 'instrumentation' && pause.callFrames !== undefined) {
    const frame = pause.callFrames[0];
    const where = scripts.get(frame.location.scriptId);
    const entry = where?.sourceMapURL ? sourceMap(where).findEntry(frame.location.lineNumber, frame.location.columnNumber) : {};
    if (pause.hitBreakpoints?.length) result.stops.push({ function: frame.functionName, source: entry.originalSource, line: entry.originalLine + 1 });
  }
  await send('Debugger.resume');
}
await exited;
result.stdout = stdout;
process.stdout.write(JSON.stringify(result));
`;

describe('the VS Code launch configuration', () => {
  const clientFile = join(projectRoot, 'labs', '00-pingpong', 'src', 'client.ts');
  // A real failure to replay: the stub's, graded once for both tests.
  let stubFailure: Promise<GradedFailure | undefined> | undefined;
  const failureOfTheStub = () => (stubFailure ??= inTurn(() => gradeOne('pingpong', 'student', '0.1')).then((test) => test.failure));

  it('replays a failure of the student\'s code with the command line it gives the debugger', async () => {
    const failure = await failureOfTheStub();
    expect(failure?.replayCode).toMatch(/^[\w-]+$/);
    const { file, args, cwd } = launchCommand('pingpong', failure?.replayCode ?? '');
    const replayed = await inTurn(() => execute(file, args, { cwd }));
    expect(replayed.stdout).toMatch(/^Replaying 00-pingpong test 0\.1 .* with student, seed 1 in this process, unsandboxed\n/);
    expect(replayed.code).toBe(1);
    expect(replayVerdict(replayed.stdout, false)).toEqual({ text: `failed: ${failure?.property}: ${failure?.message}`, event: failure?.traceIndex ?? failure?.step });
  });

  it('stops at a breakpoint on the student\'s own line of TypeScript', async () => {
    const lines = readFileSync(clientFile, 'utf8').split('\n');
    // The stub's handler of SendPing: the first `return;` after its case.
    const handler = lines.findIndex((text) => text.includes("case 'SendPing':"));
    const line = lines.findIndex((text, index) => index > handler && text.trim() === 'return;') + 1;
    expect(handler).toBeGreaterThan(0);
    const failure = await failureOfTheStub();
    const { file, args, cwd } = launchCommand('pingpong', failure?.replayCode ?? '');
    const flags = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function' ? [] : ['--experimental-websocket'];
    const debugged = await inTurn(() =>
      execute(process.execPath, [...flags, '--input-type=module', '--eval', debuggerScript, JSON.stringify({ file: clientFile, line, command: file, args, cwd })], {
        timeout: 120_000,
      }),
    );
    expect(debugged.code, debugged.stderr).toBe(0);
    const result = JSON.parse(debugged.stdout) as { bound: boolean; stops: { function: string; source: string; line: number }[]; stdout: string };
    expect(result.bound).toBe(true);
    // Test 0.1 sends 20 pings: the handler stops at that line for each.
    expect(result.stops.length).toBeGreaterThan(0);
    expect(result.stops.every((stop) => stop.function === 'onInput' && stop.source === clientFile && stop.line === line)).toBe(true);
    expect(replayVerdict(result.stdout, false)?.text).toBe(`failed: ${failure?.property}: ${failure?.message}`);
  });
});
