// Runs inside the child process that grades one implementation. The lab's suite, the
// simulator, the model checker and the replies to the grader live in this realm; the
// submission's code runs in realms of its own (a new one for every run, see
// framework/_internals/realm.ts), which never get a reference to anything here.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { LabSuite } from 'distlab/testing';
import { describeThrown, RealmLoadError, RealmProgram, setRealmHeartbeat, setRealmOutput, setRealmReactionStart } from '../framework/_internals/realm.ts';
import { setLongWorkListener } from '../framework/_internals/longWork.ts';
import { encodeFrame, FrameReader, writeAllSync } from './channel.ts';
import { boundedReply, slimmedReply } from './replyBounds.ts';
import { boundText } from './reports/untrusted.ts';
import { maxTraceEvents } from './replySchema.ts';
import { replayOutcome, runTest, watchRun } from './runTest.ts';
import type { ChildReply, ChildRequest, WorkActivity } from './protocol.ts';

const exitNow = process.exit.bind(process);

/** Replies go to the grader as frames on fd 3, cut to the bounds it accepts. */
function reply(message: ChildReply): void {
  let frame: Buffer;
  try {
    frame = encodeFrame(boundedReply(message));
  } catch {
    // Too large (huge node states, say): the same verdict with less to show.
    try {
      frame = encodeFrame(slimmedReply(boundedReply(message)));
    } catch (error) {
      frame = encodeFrame({ type: 'error', message: `the reply could not be sent: ${error instanceof Error ? error.message : 'unknown error'}` });
    }
  }
  writeAllSync(3, frame);
}

/**
 * The heartbeat: the grader kills a child that stays silent for long (grader/isolation.ts),
 * which is how a handler that never returns is told from slow work. The realm calls `beat`
 * after every reaction and the grader's own loops at every run; it writes a frame when the
 * request's interval (a second by default) has passed since the last one, so that most calls
 * cost a clock read.
 */
const defaultBeatIntervalMs = 1_000;
let beatIntervalMs = defaultBeatIntervalMs;
/** Taken now: while a run is under way, the determinism guards make `performance.now` throw. */
const clockMs = performance.now.bind(performance);
let lastBeatMs = clockMs();
const work: { seedsDone: number; seed?: number; activity?: WorkActivity } = { seedsDone: 0 };

function beat(): void {
  if (clockMs() - lastBeatMs < beatIntervalMs) return;
  sendProgress();
}

/** Tells the grader where the work is now; never throws (it runs between a submission's reactions). */
function sendProgress(): void {
  lastBeatMs = clockMs();
  try {
    reply({ type: 'progress', seedsDone: work.seedsDone, ...(work.seed !== undefined ? { seed: work.seed } : {}), ...(work.activity ? { activity: work.activity } : {}) });
  } catch {
    // The grader has gone: its end of stdin closing ends this process.
  }
}
setRealmHeartbeat(beat);
setLongWorkListener(beat);

const handlers = { start: 'onStart', message: 'onMessage', timer: 'onTimer', input: 'onInput' } as const;

/**
 * Tells the grader of a reaction before it starts, when it asked to locate a stall: the last
 * one it hears of before the child falls silent is the handler that never returned.
 */
function tellReaction(node: number, kind: keyof typeof handlers, from: number, type: string, simulatedMs: number | undefined): void {
  lastBeatMs = clockMs();
  try {
    reply({
      type: 'progress',
      seedsDone: work.seedsDone,
      ...(work.seed !== undefined ? { seed: work.seed } : {}),
      ...(work.activity ? { activity: work.activity } : {}),
      reaction: { node, handler: handlers[kind], from, type: boundText(type, 100), timeMs: simulatedMs !== undefined && Number.isFinite(simulatedMs) && simulatedMs >= 0 ? simulatedMs : 0 },
    });
  } catch {
    // The grader has gone: its end of stdin closing ends this process.
  }
}

/** What the submission's `console` printed: the last lines, kept for the report. */
const outputLimitCharacters = 4_000;
let output = '';
setRealmOutput((line) => {
  output = (output + line + '\n').slice(-outputLimitCharacters);
});

function flushOutput(): void {
  if (output === '') return;
  process.stdout.write(output);
  output = '';
}

// A promise of the submission's realm never runs its callbacks (its jobs are never run), but a
// rejection is still noticed: node code must not use promises.
let rejection: string | undefined;
process.on('unhandledRejection', (reason: unknown) => {
  rejection ??= `an unhandled promise rejection (node code must not use promises: reactions are synchronous): ${describeThrown(reason)}`;
});
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function replyUnlessRejected(message: ChildReply): Promise<void> {
  await nextTurn();
  flushOutput();
  if (rejection !== undefined) {
    reply({ type: 'error', message: rejection });
    exitNow(1);
  }
  reply(message);
}
process.on('uncaughtException', (error: unknown) => {
  reply({ type: 'error', message: `the grader's runtime failed: ${error instanceof Error ? error.message : 'an unknown error'}` });
  exitNow(1);
});

/**
 * Ends this process once the grader that started it is gone. The grader stops a child that
 * stays silent, so a submission looping forever is ended by it; but when the grader itself is
 * killed (a signal it cannot handle), such a child would spin on a core for good. On Linux the
 * grader starts the child with a parent-death signal (grader/isolation.ts), which the kernel
 * sends whatever the main thread is doing; elsewhere a thread of its own watches the parent,
 * since the main thread may be stuck in the submission's loop. It does not keep the process alive.
 */
function watchParent(): void {
  // The grader names itself: read here, the parent could already be gone, and a thread that
  // took the new parent for the grader would never see it go.
  const parent = Number(process.env.DISTLAB_GRADER_PID);
  if (!Number.isInteger(parent) || parent <= 0) return;
  if (process.env.DISTLAB_PARENT_DEATH_SIGNAL === 'set') {
    // The signal was set before node started: a grader that was gone by then is not signalled.
    if (process.ppid !== parent) exitNow(1);
    return;
  }
  try {
    const watchdog = new Worker(
      "const { workerData } = require('node:worker_threads');\n" +
        "const check = () => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); };\n" +
        'check();\n' +
        'setInterval(check, 500);',
      { eval: true, workerData: parent },
    );
    watchdog.unref();
  } catch {
    // Without threads the grader's own limits still apply while it lives.
  }
}

/** Serves the grader's requests for one suite and the submission whose realm scripts are at `files`. */
export function serve(suite: LabSuite<unknown>, files: { readonly host: URL; readonly submission: URL; readonly submissionMap: URL }): void {
  watchParent();
  // Started: what follows runs the submission's top-level code, which the grader's stall limit watches.
  sendProgress();
  let program: RealmProgram;
  try {
    const submissionMap = readFileSync(files.submissionMap, 'utf8');
    program = new RealmProgram({
      host: readFileSync(files.host, 'utf8'),
      submission: readFileSync(files.submission, 'utf8'),
      ...(submissionMap === '' ? {} : { submissionMap }),
    });
  } catch (error) {
    flushOutput();
    const why = error instanceof RealmLoadError ? error.message : `its code could not be compiled: ${error instanceof Error ? error.message : 'unknown error'}`;
    reply({ type: 'error', message: why });
    exitNow(1);
    return;
  }
  const implementation: Record<string, unknown> = { ...program.classes };
  const exported = [...program.exported];
  const missingExports = suite.exports.filter((name) => program.classes[name] === undefined);
  const requests = new FrameReader();
  process.stdin.on('data', (chunk: Buffer) => {
    requests.push(chunk);
    for (const request of requests.take()) void answer(request as ChildRequest);
  });
  // What the grader's own code throws while judging (a stack overflow on values a forged
  // answer nested thousands of levels deep, say) is a verdict now, not a silent child that
  // the grader would take for an endless loop of the submission's.
  const answer = async (request: ChildRequest) => {
    try {
      await handle(request);
    } catch (error) {
      flushOutput();
      reply({ type: 'error', message: `the grader could not judge what this submission's nodes did: ${describeThrown(error)}` });
    }
  };
  const handle = async (request: ChildRequest) => {
    const test = suite.tests.find((candidate) => candidate.number === request.testNumber);
    if (test === undefined) {
      reply({ type: 'error', message: `no test ${request.testNumber} in ${suite.lab}` });
      return;
    }
    beatIntervalMs = typeof request.heartbeatMs === 'number' && request.heartbeatMs >= 10 ? request.heartbeatMs : defaultBeatIntervalMs;
    work.seedsDone = 0;
    delete work.seed;
    delete work.activity;
    lastBeatMs = clockMs();
    if (request.locate === true) setRealmReactionStart(tellReaction);
    try {
      await respond(request, test);
    } finally {
      setRealmReactionStart(undefined);
    }
  };
  const respond = async (request: ChildRequest, test: (typeof suite.tests)[number]) => {
    if (request.type === 'run') {
      const outcome = runTest(suite, test, implementation, {
        seeds: request.seeds,
        shrinkBudget: request.shrinkBudget,
        ...(request.nodeStates === false ? { nodeStates: false } : {}),
        onSeedDone: (seedsDone) => {
          work.seedsDone = seedsDone;
          sendProgress();
        },
        onActivity: (seed, activity) => {
          work.seed = seed;
          work.activity = activity;
          sendProgress();
        },
        onHeartbeat: beat,
      });
      await replyUnlessRejected({ type: 'outcome', outcome });
    } else if (request.type === 'watch') {
      if (test.kind === 'search') {
        reply({ type: 'error', message: `test ${request.testNumber} is a search: watch it with a run request` });
        return;
      }
      await replyUnlessRejected({ type: 'replayed', outcome: watchRun(suite, test, implementation, request.seed, maxTraceEvents, beat) });
    } else {
      await replyUnlessRejected({ type: 'replayed', outcome: replayOutcome(suite, test, implementation, request.seed, request.schedule, request.path) });
    }
  };
  process.stdin.on('end', () => exitNow(0));
  reply({ type: 'ready', missingExports, exported });
}
