import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { nodeName, type FaultSchedule, type SearchEvent } from 'distlab/testing';
import { bundleImplementation } from './bundle.ts';
import { implementationOption, type ImplementationSource } from './implementation.ts';
import { SetupError, type LabInfo } from './labs.ts';
import type { Readable } from 'node:stream';
import { encodeFrame, FrameReader } from './channel.ts';
import type { ChildReply, ChildRequest, ReactionStarted, ReplayOutcome } from './protocol.ts';
import { outcomeProblem, validateReply } from './replySchema.ts';
import { copySubmission } from './submissionFiles.ts';
import type { TestOutcome } from './runTest.ts';

export type TestStatus = 'passed' | 'failed' | 'crashed' | 'timed out';

export interface IsolationLimits {
  /**
   * Wall-clock limit per test, counted from when the loaded process is given the test: the
   * last resort (a handler that never returns is stopped sooner, at `stallMs`). A test's own
   * limits are counts (seeds, events, states), so on a slow or busy machine only this one can
   * be reached first.
   */
  readonly timeoutMs: number;
  /** Heap limit of the child process. */
  readonly memoryMb: number;
  /**
   * Wall-clock limit on the child's silence while it runs a test (default
   * {@link defaultStallMs}). The child reports at least about once a second while its
   * reactions return (the heartbeat), so silence this long means one handler has not returned:
   * an endless loop, stopped long before `timeoutMs`. Only a limit below `timeoutMs` applies.
   */
  readonly stallMs?: number;
}

/** A handler that has not returned for this long is taken for an endless loop. */
export const defaultStallMs = 15_000;

export const defaultLimits: IsolationLimits = { timeoutMs: 120_000, memoryMb: 1024, stallMs: defaultStallMs };

/** The largest wall-clock limit per test (`--timeout`): a day. */
export const maxTimeoutSeconds = 86_400;

/**
 * The wall-clock limit of one test run on `seedCount` seeds: the limit given, or else the
 * default scaled by how many more seeds than its own the test runs (`--seeds`), so that asking
 * for more seeds to hunt a rare bug does not time out a correct implementation.
 */
export function testTimeoutMs(ownSeeds: number, seedCount: number, givenMs: number | undefined): number {
  if (givenMs !== undefined) return givenMs;
  const scale = Math.max(1, seedCount / Math.max(1, ownSeeds));
  return Math.min(maxTimeoutSeconds * 1000, Math.ceil(defaultLimits.timeoutMs * scale));
}

/**
 * Wall-clock limit for starting a child and loading the bundle, which takes well under a second
 * on an idle machine. It is separate from the test's limit, so that a busy machine's slow start
 * does not eat into a test's time, and a small --timeout does not refuse a submission.
 */
const loadTimeoutMs = 60_000;

export interface IsolatedResult {
  readonly status: TestStatus;
  /** Why a test crashed or timed out, in one sentence. */
  readonly reason?: string;
  readonly outcome?: TestOutcome;
  readonly seedsDone: number;
  readonly wallMs: number;
  /** The last lines the implementation printed (console.log and errors). */
  readonly output: string;
}

const outputLimit = 4_000;

/** What a replay or a watch of one seed returns. */
export interface ReplayResult {
  readonly status: TestStatus;
  readonly reason?: string;
  readonly outcome?: ReplayOutcome;
  readonly output: string;
}

interface ChildEnd {
  readonly replies: ChildReply[];
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /**
   * Which wall-clock limit killed the child, if one did: `stalled` when it fell silent while it
   * ran a test, `stalled loading` while the submission's top-level code ran (see IsolationLimits.stallMs).
   */
  readonly timedOut: 'loading' | 'running' | 'stalled' | 'stalled loading' | undefined;
  /** Why the grader killed the child: a reply it could not trust, or too much memory. */
  readonly refused: string | undefined;
  readonly output: string;
  readonly wallMs: number;
}

/**
 * One implementation, bundled and ready to run in child processes that cannot write files,
 * start processes or read anything but their own bundle, and that are killed when they
 * overrun their limits. Verdicts are made here, from what the child reports.
 */
export class Sandbox {
  private readonly running = new Set<ChildWorker>();
  private readonly idle: ChildWorker[] = [];

  private constructor(
    readonly lab: LabInfo,
    readonly source: ImplementationSource,
    private readonly directory: string,
    private readonly bundleFile: string,
    readonly limits: IsolationLimits,
  ) {}

  /** Bundles the implementation and loads it once to check its exports. */
  static async create(lab: LabInfo, source: ImplementationSource, limits: IsolationLimits = defaultLimits): Promise<Sandbox> {
    const directory = mkdtempSync(join(tmpdir(), 'distlab-'));
    let sandbox: Sandbox | undefined;
    try {
      // The submission is graded from a copy of its source files only: no links out of its
      // folder, nothing but .ts and .js (./submissionFiles.ts).
      const copied = copySubmission(source.root, source.entryFile, join(directory, 'submission'), source.kind === 'solutions' || source.kind === 'mutant');
      let files;
      try {
        files = await bundleImplementation(lab, { ...source, root: copied.root, entryFile: copied.entryFile }, directory, 'child');
      } catch (error) {
        // Messages name the user's files, not the copies.
        // The bundler names files relative to the working folder, the copy's root absolutely: both are replaced.
        if (error instanceof SetupError) {
          const userRoot = relative(process.cwd(), source.root) || '.';
          const copyRelative = relative(process.cwd(), copied.root);
          throw new SetupError(error.message.split(copyRelative).join(userRoot).split(copied.root).join(userRoot));
        }
        throw error;
      }
      sandbox = new Sandbox(lab, source, directory, files.child, limits);
      await sandbox.probe();
      return sandbox;
    } catch (error) {
      // A child that loaded but is refused (a missing export) waits in the pool: left running,
      // it would keep the grader from ever exiting.
      sandbox?.abort();
      rmSync(directory, { recursive: true, force: true });
      throw error;
    }
  }

  private async probe(): Promise<void> {
    const end = await this.exchange(undefined, this.limits.timeoutMs, () => 'stop');
    const ready = end.replies.find((reply) => reply.type === 'ready');
    const failed = end.replies.find((reply) => reply.type === 'error');
    if (ready === undefined) {
      const why = end.refused !== undefined ? end.refused : failed?.type === 'error' ? failed.message : end.timedOut === 'stalled loading'
        ? `its code at the top level of a module ran for ${seconds(this.loadingStallMs)} without end (an endless loop?)`
        : end.timedOut !== undefined
        ? `loading it did not finish within ${seconds(loadTimeoutMs)} of wall time: either code at the top level of a module loops without end, ` +
          'or this machine is slow or busy (then grade again when it is less busy)'
        : describeExit(end, 'while loading');
      throw new SetupError(`the implementation "${this.source.label}" cannot be loaded: ${why}${end.output ? `\n${end.output}` : ''}`);
    }
    if (ready.type === 'ready' && ready.missingExports.length > 0) {
      throw new SetupError(
        `the implementation "${this.source.label}" does not export ${ready.missingExports.join(', ')} ` +
          `(its index exports: ${ready.exported.join(', ') || 'nothing'}). Export the lab's node classes by these names.`,
      );
    }
  }

  /** Runs one test on the given seeds; the first failing seed is shrunk and recorded. */
  async run(
    testNumber: string,
    seeds: readonly number[],
    options: { shrinkBudget?: number; nodeStates?: boolean; onProgress?: (seedsDone: number) => void; timeoutMs?: number } = {},
  ): Promise<IsolatedResult> {
    const timeoutMs = options.timeoutMs ?? this.limits.timeoutMs;
    let seedsDone = 0;
    let working: Extract<ChildReply, { type: 'progress' }> | undefined;
    const request: ChildRequest = {
      type: 'run',
      testNumber,
      seeds,
      shrinkBudget: options.shrinkBudget ?? 300,
      ...(options.nodeStates === false ? { nodeStates: false } : {}),
      heartbeatMs: this.heartbeatMs,
    };
    const end = await this.exchange(request, timeoutMs, (reply) => {
      if (reply.type === 'progress') {
        working = reply;
        // Heartbeats repeat the count: only a seed done is progress to report.
        if (reply.seedsDone > seedsDone) {
          seedsDone = reply.seedsDone;
          options.onProgress?.(seedsDone);
        }
      }
      return reply.type === 'outcome' || reply.type === 'error' ? 'stop' : 'continue';
    });
    const outcomeReply = end.replies.find((reply) => reply.type === 'outcome');
    const base = { seedsDone, wallMs: end.wallMs, output: end.output };
    if (end.refused !== undefined) return { ...base, status: 'crashed', reason: `${end.refused}, after ${seedsDone} of ${seeds.length} seeds` };
    if (outcomeReply?.type === 'outcome') {
      const outcome = outcomeReply.outcome;
      const problem = outcomeProblem(outcome, { testNumber, seeds });
      if (problem !== undefined) return { ...base, status: 'crashed', reason: `its outcome could not be trusted: ${problem}` };
      // A pass must account for every seed asked for, of the test asked for (a demonstration
      // passes at the first seed that shows it).
      const complete =
        outcome.number === testNumber &&
        outcome.seedsPlanned === seeds.length &&
        (outcome.seedsRun === seeds.length ||
          (outcome.demonstration !== undefined && outcome.seedsRun <= seeds.length) ||
          (outcome.exhaustive === true && outcome.seedsRun === 1));
      if (outcome.passed && !complete) {
        return {
          ...base,
          status: 'crashed',
          reason: `the run reported a pass for ${outcome.seedsRun} of ${seeds.length} seeds of test ${outcome.number}: the report cannot be trusted`,
        };
      }
      return { ...base, seedsDone: outcome.seedsRun, status: outcome.passed ? 'passed' : 'failed', outcome };
    }
    const errorReply = end.replies.find((reply) => reply.type === 'error');
    if (errorReply?.type === 'error') return { ...base, status: 'crashed', reason: errorReply.message };
    if (end.timedOut === 'loading' || end.timedOut === 'stalled loading') {
      // The same bundle loaded in time when the sandbox was created.
      return { ...base, status: 'timed out', reason: `${this.slowLoading()}; ${this.rerun(testNumber, seeds, timeoutMs)}` };
    }
    if (end.timedOut === 'stalled') {
      // A seed's run is the same every time: run it again, told of each reaction, to name the one that never returns.
      // Within what is left of the test's wall-clock limit: locating never makes a test take longer than --timeout.
      const startedMs = performance.now();
      const located =
        working?.seed !== undefined && (working.activity === undefined || working.activity === 'running')
          ? await this.locateStall({ type: 'run', testNumber, seeds: [working.seed], shrinkBudget: 0, heartbeatMs: this.heartbeatMs }, timeoutMs - end.wallMs)
          : undefined;
      return {
        ...base,
        wallMs: end.wallMs + (performance.now() - startedMs),
        status: 'timed out',
        reason:
          `${this.stalled(whereStalled(working))}: ${located === undefined ? '' : `${describeStalledReaction(located)}; `}the test was stopped there, after ${seedsDone} of ${seeds.length} seeds` +
          (working?.seed !== undefined ? `; grade that seed alone: npm run grade -- ${this.lab.shortName}${implementationOption(this.lab, this.source)} --test ${testNumber} --seed ${working.seed}` : ''),
      };
    }
    if (end.timedOut === 'running') {
      return {
        ...base,
        status: 'timed out',
        reason:
          `no result within ${seconds(timeoutMs)} of wall time, after ${seedsDone} of ${seeds.length} seeds: ` +
          `either a handler loops without end, or this machine is slow or busy; ${this.rerun(testNumber, seeds, timeoutMs, seedsDone)}`,
      };
    }
    return { ...base, status: 'crashed', reason: describeExit(end, `after ${seedsDone} of ${seeds.length} seeds`) };
  }

  /**
   * Makes a request that stalled once again, told of every reaction before it starts (a run of
   * the seed it stalled on, a replay, a watch): the last before the child falls silent is the
   * handler that never returns. Waits a few seconds of silence, not the whole stall limit: the
   * same run already stalled there once.
   */
  private async locateStall(request: ChildRequest, timeoutMs: number): Promise<ReactionStarted | undefined> {
    if (timeoutMs < minimumLocateMs) return undefined;
    let last: ReactionStarted | undefined;
    const end = await this.exchange(
      { ...request, locate: true },
      timeoutMs,
      (reply) => {
        if (reply.type === 'progress' && reply.reaction !== undefined) last = reply.reaction;
        return reply.type === 'outcome' || reply.type === 'replayed' || reply.type === 'error' ? 'stop' : 'continue';
      },
      Math.min(locateStallMs, this.stallMs ?? locateStallMs),
    );
    return end.timedOut === 'stalled' ? last : undefined;
  }

  /** `n0's onMessage(Ping from n1), at 21 ms of simulated time, never returned; `, or nothing when the stall could not be located. */
  private async locatedText(request: ChildRequest): Promise<string> {
    const located = await this.locateStall(request, this.limits.timeoutMs);
    return located === undefined ? '' : `${describeStalledReaction(located)}; `;
  }

  /** Re-runs one seed with an explicit schedule and the full trace. */
  async replay(testNumber: string, seed: number, schedule: FaultSchedule, path?: readonly SearchEvent[]): Promise<ReplayResult> {
    return this.runOnce({ type: 'replay', testNumber, seed, schedule, ...(path ? { path } : {}), heartbeatMs: this.heartbeatMs }, 'replay');
  }

  /**
   * Runs one seed of a run test as grading first runs it (its own schedule, never shrunk) with
   * the full trace, pass or fail; the outcome's `watched` holds the schedule.
   */
  async watch(testNumber: string, seed: number): Promise<ReplayResult> {
    const result = await this.runOnce({ type: 'watch', testNumber, seed, heartbeatMs: this.heartbeatMs }, 'watch');
    if (result.outcome !== undefined && result.outcome.watched === undefined) {
      return { status: 'crashed', reason: 'the watched run came back without its schedule: its outcome cannot be trusted', output: result.output };
    }
    return result;
  }

  /** One request answered by `replayed`: a replay or a watch. */
  private async runOnce(request: ChildRequest, what: 'replay' | 'watch'): Promise<ReplayResult> {
    const end = await this.exchange(request, this.limits.timeoutMs, (reply) =>
      reply.type === 'replayed' || reply.type === 'error' ? 'stop' : 'continue',
    );
    const replayed = end.replies.find((reply) => reply.type === 'replayed');
    if (end.refused !== undefined) return { status: 'crashed', reason: end.refused, output: end.output };
    if (replayed?.type === 'replayed') {
      return { status: replayed.outcome.passed ? 'passed' : 'failed', outcome: replayed.outcome, output: end.output };
    }
    const errorReply = end.replies.find((reply) => reply.type === 'error');
    const again = what === 'replay' ? 'replay again' : 'watch again';
    const reason =
      errorReply?.type === 'error'
        ? errorReply.message
        : end.timedOut === 'loading' || end.timedOut === 'stalled loading'
          ? `${this.slowLoading()}; ${again} when it is less busy`
          : end.timedOut === 'stalled'
            ? `${this.stalled(what === 'replay' ? ' during the replay' : ' during the watched run')}: ${await this.locatedText(request)}it was stopped there`
            : end.timedOut === 'running'
              ? `the ${what === 'replay' ? 'replay' : 'watched run'} did not finish within ${seconds(this.limits.timeoutMs)} of wall time: either a handler loops without end, ` +
                `or this machine is slow or busy; ${again} when it is less busy, or with a larger --timeout (in seconds)`
              : describeExit(end, what === 'replay' ? 'during the replay' : 'during the watched run');
    return { status: end.timedOut !== undefined ? 'timed out' : 'crashed', reason, output: end.output };
  }

  /**
   * The silence that counts as a stall while the submission loads: the stall limit, whatever
   * the test's wall-clock limit, which does not cover loading (a top-level loop under a short
   * `--timeout` would otherwise wait for the whole loading limit).
   */
  private get loadingStallMs(): number {
    return this.limits.stallMs ?? defaultStallMs;
  }

  /** The silence that counts as a stall, when it is shorter than the test's wall-clock limit (else that limit governs). */
  private get stallMs(): number | undefined {
    const stallMs = this.limits.stallMs ?? defaultStallMs;
    return stallMs < this.limits.timeoutMs ? stallMs : undefined;
  }

  /** How often the child is to report: a quarter of the stall limit, at most a second, so that a few late beats never count as a stall. */
  private get heartbeatMs(): number {
    const stallMs = this.stallMs;
    return stallMs === undefined ? 1_000 : Math.max(10, Math.min(1_000, Math.floor(stallMs / 4)));
  }

  private stalled(where: string): string {
    return `a handler did not return for ${seconds(this.stallMs ?? this.limits.timeoutMs)} (an endless loop?)${where}`;
  }

  private slowLoading(): string {
    return `the implementation, which loaded before, did not load again within ${seconds(loadTimeoutMs)} of wall time: this machine is slow or busy`;
  }

  /** How to grade one test again with twice the time: the wall-clock limit is a last resort, not a verdict on the code. */
  private rerun(testNumber: string, seeds: readonly number[], timeoutMs: number, seedsDone = 0): string {
    const implementation = implementationOption(this.lab, this.source);
    // The same seeds as this grading: one seed by itself, or seeds 1..N as a count.
    const consecutive = seeds.every((seed, index) => seed === index + 1);
    const seedOption = seeds.length === 1 ? ` --seed ${seeds[0]}` : consecutive ? ` --seeds ${seeds.length}` : '';
    const command = `npm run grade -- ${this.lab.shortName}${implementation} --test ${testNumber}${seedOption} --timeout ${suggestedTimeoutSeconds(timeoutMs, seeds.length, seedsDone)}`;
    return `grade it again when the machine is less busy, or with more time: ${command}`;
  }

  /** Kills every child still running (grading was interrupted). */
  abort(): void {
    for (const worker of this.running) worker.kill();
    this.running.clear();
    this.idle.length = 0;
  }

  dispose(): void {
    this.abort();
    rmSync(this.directory, { recursive: true, force: true });
  }

  /**
   * Sends `request` to a loaded child (an idle one, or a new one once it has loaded) and
   * collects its replies until `onReply` says stop or the child ends. Loading has its own
   * wall-clock limit; `timeoutMs` starts when the request is sent. A child that answered in
   * full goes back to the pool for the next test, with the submission's realms that its runs
   * finished with: a run finds nothing an earlier one left there (see RealmProgram.take in
   * ../framework/_internals/realm.ts). Without a request, the child's
   * `ready` is all that is collected.
   */
  private async exchange(request: ChildRequest | undefined, timeoutMs: number, onReply: (reply: ChildReply) => 'continue' | 'stop', stallMs = this.stallMs): Promise<ChildEnd> {
    const startedMs = performance.now();
    let worker = this.idle.pop();
    const replies: ChildReply[] = [];
    if (worker === undefined) {
      worker = new ChildWorker(this.bundleFile, this.directory, this.limits.memoryMb);
      this.running.add(worker);
      // The child reports once it has started, before the submission's code runs: from then on
      // a top-level loop is a stall, while a slow start counts against the loading limit only.
      const loaded = await worker.collect(loadTimeoutMs, 'loading', (reply) => (reply.type === 'ready' || reply.type === 'error' ? 'stop' : 'continue'), this.loadingStallMs);
      for (const reply of loaded.replies) replies.push(reply);
      if (loaded.ended !== undefined || !loaded.replies.some((reply) => reply.type === 'ready')) {
        worker.kill();
        this.running.delete(worker);
        return worker.end(replies, performance.now() - startedMs);
      }
    }
    if (request === undefined) {
      this.release(worker);
      return worker.end(replies, performance.now() - startedMs, true);
    }
    worker.send(request);
    const answered = await worker.collect(timeoutMs, 'running', onReply, stallMs);
    for (const reply of answered.replies) replies.push(reply);
    if (answered.ended === undefined) {
      this.release(worker);
      return worker.end(replies, performance.now() - startedMs, true);
    }
    worker.kill();
    this.running.delete(worker);
    return worker.end(replies, performance.now() - startedMs);
  }

  private release(worker: ChildWorker): void {
    if (worker.healthy()) this.idle.push(worker);
    else {
      worker.kill();
      this.running.delete(worker);
    }
  }
}

/** How a child's exchange ended early: it exited, was killed at a limit, or was refused. */
interface ChildStop {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** util-linux's setpriv, which Linux systems have: it sets the signal a process gets when its parent ends, then runs the command. */
const setprivPath = '/usr/bin/setpriv';

/**
 * How a child is ended when its grader is killed: by the kernel, where setpriv can ask it to
 * (the path to setpriv), or by a thread of the child's own that watches its parent (undefined),
 * which costs every child a thread's start. DISTLAB_CHILD_WATCH=thread asks for the thread
 * anywhere (the tests of both ways use it).
 */
function parentDeathSignal(): string | undefined {
  if (process.env.DISTLAB_CHILD_WATCH === 'thread' || process.platform !== 'linux') return undefined;
  // Older versions have no --pdeathsig: asked once, not at every child's start.
  parentDeathSignalPath ??= existsSync(setprivPath) && spawnSync(setprivPath, ['--help'], { encoding: 'utf8' }).stdout?.includes('--pdeathsig') ? setprivPath : '';
  return parentDeathSignalPath === '' ? undefined : parentDeathSignalPath;
}
let parentDeathSignalPath: string | undefined;

/**
 * One child process that loads a submission's sandbox once and answers requests one at a
 * time, over stdin (requests) and fd 3 (replies), both as length-checked frames.
 */
class ChildWorker {
  private readonly child: ChildProcess;
  private readonly reader = new FrameReader();
  private readonly queued: ChildReply[] = [];
  private output = '';
  private timedOut: ChildEnd['timedOut'];
  private refused: string | undefined;
  private exit: ChildStop | undefined;
  private wake: (() => void) | undefined;
  /** Called on every chunk from the child: while a request runs, it restarts the stall timer. */
  private heard: (() => void) | undefined;
  private stopHearing: (() => void) | undefined;
  private readonly memoryWatch: NodeJS.Timeout;

  constructor(bundleFile: string, directory: string, memoryMb: number) {
    const watch = parentDeathSignal();
    const node = [
      process.execPath,
      // Threads only for the child's own watch on the grader (grader/child.ts): the submission's realm cannot start one.
      '--experimental-permission', `--allow-fs-read=${directory}/*`, ...(watch === undefined ? ['--allow-worker'] : []), '--no-warnings', `--max-old-space-size=${memoryMb}`, bundleFile,
    ];
    const command = watch === undefined ? node : [watch, '--pdeathsig', 'SIGKILL', '--', ...node];
    this.child = spawn(
      command[0] as string,
      command.slice(1),
      {
        // A bare environment: the child needs nothing from the grader's but who its grader is
        // (grader/child.ts ends itself once that process is gone) and whether the kernel will end it then.
        env: { NODE_ENV: 'production', DISTLAB_GRADER_PID: String(process.pid), ...(watch !== undefined ? { DISTLAB_PARENT_DEATH_SIGNAL: 'set' } : {}) },
        // stdin carries requests, fd 3 replies, both as length-checked frames (./channel.ts).
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      },
    );
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-outputLimit);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    // The heap limit leaves out buffers outside the heap: the process's whole memory is watched too.
    this.memoryWatch = setInterval(() => {
      const residentMb = residentMemoryMb(this.child.pid);
      if (residentMb !== undefined && residentMb > memoryMb * 2 + 256) {
        this.refuse(`it ran out of memory (the process used ${Math.round(residentMb)} MB in all, heap and buffers)`);
      }
    }, 100);
    const replyPipe = this.child.stdio[3] as Readable | null;
    replyPipe?.on('data', (chunk: Buffer) => {
      if (this.refused !== undefined) return;
      this.heard?.();
      this.reader.push(chunk);
      for (const frame of this.reader.take()) {
        const checked = validateReply(frame);
        if ('problem' in checked) {
          this.refuse(`its reply could not be trusted: ${checked.problem}`);
          return;
        }
        this.queued.push(checked.reply);
      }
      if (this.reader.failure !== undefined) this.refuse(`its replies could not be read: ${this.reader.failure}`);
      this.wake?.();
    });
    replyPipe?.on('error', () => undefined);
    this.child.stdin?.on('error', () => undefined);
    this.child.on('error', () => undefined);
    // The child has ended once its pipes are closed too: at 'exit' its last replies (the error
    // that made it exit, say) may still wait in the pipe, unread on a busy machine. A pipe that a
    // process of its own kept open (it can start none) would not hold the verdict up for long.
    let exited: ChildStop | undefined;
    const ended = () => {
      if (this.exit !== undefined || exited === undefined) return;
      this.exit = exited;
      this.wake?.();
    };
    this.child.on('exit', (exitCode, signal) => {
      clearInterval(this.memoryWatch);
      exited = { exitCode, signal };
      setTimeout(ended, 2_000).unref();
    });
    this.child.on('close', ended);
  }

  private refuse(why: string): void {
    this.refused ??= why;
    this.child.kill('SIGKILL');
  }

  healthy(): boolean {
    return this.exit === undefined && this.refused === undefined && this.timedOut === undefined;
  }

  send(request: ChildRequest): void {
    this.output = '';
    this.child.stdin?.write(encodeFrame(request));
  }

  /**
   * Replies until `onReply` says stop (ended undefined), or until the child ends. With
   * `stallMs`, a child that sends nothing for that long is killed as stalled: while running,
   * from the start; while loading, from its first frame (its start is the loading limit's).
   */
  async collect(
    limitMs: number,
    phase: 'loading' | 'running',
    onReply: (reply: ChildReply) => 'continue' | 'stop',
    stallMs?: number,
  ): Promise<{ replies: ChildReply[]; ended: ChildStop | undefined }> {
    const replies: ChildReply[] = [];
    const timer = setTimeout(() => {
      this.timedOut = phase;
      this.child.kill('SIGKILL');
    }, limitMs);
    if (stallMs !== undefined) {
      let lastHeardAt = performance.now();
      // Timers run before pending input is read: when this process was itself held up (a busy
      // machine, a long synchronous step), beats may be waiting in the pipe. The check runs
      // after they are read, and counts the silence from the last one.
      let stopped = false;
      const check = () => {
        if (stopped) return;
        const silentMs = performance.now() - lastHeardAt;
        if (silentMs < stallMs) {
          stallTimer = setTimeout(() => setImmediate(check), stallMs - silentMs);
          return;
        }
        this.timedOut ??= phase === 'loading' ? 'stalled loading' : 'stalled';
        this.child.kill('SIGKILL');
      };
      const arm = () => setTimeout(() => setImmediate(check), stallMs);
      let stallTimer = phase === 'loading' ? undefined : arm();
      this.heard = () => {
        lastHeardAt = performance.now();
        stallTimer ??= arm();
      };
      this.stopHearing = () => {
        stopped = true;
        clearTimeout(stallTimer);
      };
    }
    try {
      for (;;) {
        while (this.queued.length > 0 && this.refused === undefined) {
          const reply = this.queued.shift() as ChildReply;
          // Progress is for onReply only: a run told of every reaction (locating a stall) sends hundreds of thousands.
          if (reply.type !== 'progress') replies.push(reply);
          if (onReply(reply) === 'stop') return { replies, ended: undefined };
        }
        if (this.exit !== undefined) return { replies, ended: this.exit };
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
      }
    } finally {
      clearTimeout(timer);
      this.stopHearing?.();
      this.heard = undefined;
      this.stopHearing = undefined;
    }
  }

  /** The record of an exchange; `answered` when it ended with the answer it waited for. */
  end(replies: ChildReply[], wallMs: number, answered = false): ChildEnd {
    return {
      replies,
      exitCode: answered ? 0 : (this.exit?.exitCode ?? null),
      signal: answered ? null : (this.exit?.signal ?? null),
      timedOut: answered ? undefined : this.timedOut,
      refused: this.refused,
      output: this.output.trim(),
      wallMs,
    };
  }

  kill(): void {
    clearInterval(this.memoryWatch);
    this.child.kill('SIGKILL');
  }
}

/** The resident memory of a process in MB, from /proc (undefined where there is none). */
function residentMemoryMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return match === null ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** Where the child said it was working last: the seed, and whether it was shrinking a failure or searching. */
/** The silence, while a stalled seed runs again to locate its stall, after which the last reaction started is the one that never returns. */
const locateStallMs = 3_000;
/** Less time than this left of a test's limit, and a stall is not located: the run could not get there again. */
const minimumLocateMs = 1_000;

/**
 * `n1's onMessage("Ping" from n0), at 12 ms of simulated time, never returned`. The type is the
 * submission's text: quoted (and escaped) as JSON, so it cannot pass for the grader's own words.
 */
function describeStalledReaction(reaction: ReactionStarted): string {
  const type = JSON.stringify(reaction.type);
  const what = reaction.handler === 'onStart' ? '' : reaction.handler === 'onMessage' && reaction.from >= 0 ? `${type} from ${nodeName(reaction.from)}` : type;
  return `${nodeName(reaction.node)}'s ${reaction.handler}(${what}), at ${reaction.timeMs} ms of simulated time, never returned (found by running the seed again)`;
}

function whereStalled(working: Extract<ChildReply, { type: 'progress' }> | undefined): string {
  if (working?.seed === undefined) return '';
  switch (working.activity) {
    case 'shrinking':
      return ` while the failure of seed ${working.seed} was being shrunk`;
    case 'searching':
      return ` in the search of seed ${working.seed}`;
    default:
      return ` in seed ${working.seed}`;
  }
}

/**
 * The --timeout to suggest after a test ran out of time with `seedsDone` of `seedsPlanned`
 * seeds done: time for every seed at the pace of those done, and half as much again; twice
 * the time when no seed was done. At most the option's bound.
 */
export function suggestedTimeoutSeconds(timeoutMs: number, seedsPlanned: number, seedsDone: number): number {
  const neededMs = seedsDone > 0 ? (1.5 * timeoutMs * seedsPlanned) / seedsDone : 2 * timeoutMs;
  return Math.min(maxTimeoutSeconds, Math.ceil(neededMs / 1000));
}

function seconds(milliseconds: number): string {
  return milliseconds < 1_000 ? `${Math.round(milliseconds)} ms` : `${Math.round(milliseconds / 1000)} s`;
}

function describeExit(end: ChildEnd, when: string): string {
  if (/heap out of memory|Allocation failed/i.test(end.output)) return `it ran out of memory ${when}`;
  if (/Maximum call stack size exceeded/.test(end.output)) return `the stack overflowed ${when} (unbounded recursion?)`;
  if (/unhandled|UnhandledPromiseRejection/i.test(end.output)) return `an unhandled promise rejection ended it ${when}`;
  if (end.signal !== null) return `the process was killed by ${end.signal} ${when}`;
  if (end.exitCode === 0) return `the process ended ${when} without a result: the implementation called process.exit()?`;
  return `the process exited with code ${String(end.exitCode)} ${when}`;
}
