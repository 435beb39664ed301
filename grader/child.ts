// Runs inside the child process that hosts one implementation. This module is evaluated
// before any of the implementation's code (it is the bundle's first import), so it takes
// the reply channel and the token while they are still untouched and hides the token.
import { Node, RandomSource, SearchState } from 'distlab/testing';
import { replayOutcome, runTest } from './runTest.ts';
import type { ChildReply, ChildRequest } from './protocol.ts';
import type { LabSuite } from 'distlab/testing';

const token = process.env.DISTLAB_TOKEN ?? '';
delete process.env.DISTLAB_TOKEN;
const sendToGrader = process.send?.bind(process);
const onMessage = process.on.bind(process);
const exitNow = process.exit.bind(process);

// Seal what the implementation could use to forge or read the replies, or to reach Node's
// internals without an import: the reply path cannot be replaced (so it cannot be read
// either, and the token stays secret), and the back doors to built-in modules are closed.
// The process also runs under Node's permission model (no files written, no processes,
// no inspector), and imports were checked when it was bundled.
function seal(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: false, configurable: false, enumerable: false });
}
const processObject = process as unknown as Record<string, unknown>;
seal(processObject, 'send', processObject.send);
seal(processObject, '_send', processObject._send);
const channel = processObject.channel as object | undefined;
if (channel !== undefined) {
  Object.freeze(Object.getPrototypeOf(channel));
  seal(processObject, 'channel', channel);
}
// The built-ins the checks are made of cannot be patched to hide a violation.
for (const builtIn of [
  Object,
  Array,
  Map,
  Set,
  JSON,
  Reflect,
  Number,
  String,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  // and the framework's exported classes
  Node.prototype,
  RandomSource.prototype,
  SearchState.prototype,
]) {
  Object.freeze(builtIn);
}
for (const name of ['getBuiltinModule', 'binding', '_linkedBinding', 'dlopen']) {
  seal(processObject, name, () => {
    throw new Error(`process.${name} is not available to node code: use only what the framework offers.`);
  });
}

function reply(message: ChildReply): void {
  sendToGrader?.({ ...message, token });
}

// A rejection surfaces only after the synchronous run that caused it has returned, so it is
// remembered here and checked before any outcome is sent.
let rejection: string | undefined;
onMessage('unhandledRejection', (reason: unknown) => {
  rejection ??= `an unhandled promise rejection (node code must not use promises): ${describe(reason)}`;
});
const realSetImmediate = setImmediate;
const nextTurn = () => new Promise<void>((resolve) => realSetImmediate(resolve));

async function replyUnlessRejected(message: ChildReply): Promise<void> {
  await nextTurn();
  if (rejection !== undefined) {
    reply({ type: 'error', message: rejection });
    exitNow(1);
  }
  reply(message);
}
onMessage('uncaughtException', (error: unknown) => {
  reply({ type: 'error', message: `an uncaught exception outside any handler ended the run: ${describe(error)}` });
  exitNow(1);
});

function describe(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
}

/** Serves the grader's requests for one suite and implementation. */
export function serve(suite: LabSuite<unknown>, implementation: Record<string, unknown>): void {
  const exported = Object.keys(implementation).sort();
  const missingExports = suite.exports.filter((name) => typeof implementation[name] !== 'function');
  onMessage('message', async (raw: unknown) => {
    const request = raw as ChildRequest;
    const test = suite.tests.find((candidate) => candidate.number === request.testNumber);
    if (test === undefined) {
      reply({ type: 'error', message: `no test ${request.testNumber} in ${suite.lab}` });
      return;
    }
    if (request.type === 'run') {
      const outcome = runTest(suite, test, implementation, {
        seeds: request.seeds,
        shrinkBudget: request.shrinkBudget,
        onSeedDone: (seedsDone) => reply({ type: 'progress', seedsDone }),
      });
      await replyUnlessRejected({ type: 'outcome', outcome });
    } else {
      await replyUnlessRejected({ type: 'replayed', outcome: replayOutcome(suite, test, implementation, request.seed, request.schedule, request.path) });
    }
  });
  onMessage('disconnect', () => exitNow(0));
  reply({ type: 'ready', missingExports, exported });
}
