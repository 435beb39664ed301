// The grader believes a reply from its child only when it has the shape of one: real
// outcomes pass, and each malformed one is refused with the path of the field at fault.
import { describe, expect, it } from 'vitest';
import { outcomeProblem, validateReply } from '../../grader/replySchema.ts';
import { boundedReply, slimmedReply } from '../../grader/replyBounds.ts';
import type { ChildReply } from '../../grader/protocol.ts';
import { replayOutcome, runTest, type TestOutcome } from '../../grader/runTest.ts';
import { suite } from '../../labs/00-pingpong/suite.ts';
import * as solution from '../../solutions/00-pingpong/index.ts';
import * as forgetsCrash from '../fixtures/pingpong/forgets-crash.ts';

function testNumbered(number: string) {
  const test = suite.tests.find((candidate) => candidate.number === number);
  if (test === undefined) throw new Error(`lab 0 has no test ${number}`);
  return test;
}

const seeds = Array.from({ length: 30 }, (_, index) => index + 1);
const passing = runTest(suite, testNumbered('0.6'), solution, { seeds: seeds.slice(0, 3) });
const failing = runTest(suite, testNumbered('0.5'), forgetsCrash, { seeds });
const failure = failing.failure!;
const replayed = replayOutcome(suite, testNumbered('0.5'), forgetsCrash, failure.seed, failure.shrunkSchedule);

/** A reply as it comes out of the channel: JSON text parsed again. */
function fromChannel(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

const remove = Symbol('remove');

/** A copy of `base` with the field at `path` set to `value` (or removed). */
function changed(base: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = fromChannel(base);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === remove) Reflect.deleteProperty(parent, last);
  else parent[last] = value;
  return copy;
}

function problemOf(value: unknown): string {
  const checked = validateReply(value);
  if (!('problem' in checked)) throw new Error('the reply was accepted');
  return checked.problem;
}

const outcomeReply = { type: 'outcome', outcome: failing };

describe('validateReply accepts what the child really sends', () => {
  it('a passing outcome with measurements, a failing one with its trace, and a replay', () => {
    expect(passing.passed).toBe(true);
    expect(passing.measurements).toBeDefined();
    expect(failing.passed).toBe(false);
    expect(failure.trace.length).toBeGreaterThan(0);
    expect(failure.states?.length ?? 0, 'a failure carries its nodes\' states for the viewer').toBeGreaterThan(0);
    expect(failure.roles).toEqual(['server', 'client']);
    expect(failure.shrunkSchedule.length).toBeGreaterThan(0);
    expect(replayed.passed).toBe(false);
    for (const reply of [
      { type: 'outcome', outcome: passing },
      outcomeReply,
      { type: 'replayed', outcome: replayed },
    ]) {
      expect(validateReply(reply)).toEqual({ reply });
      expect(validateReply(fromChannel(reply))).toEqual({ reply: fromChannel(reply) });
    }
  });

  it('the other replies, and a search failure with its path', () => {
    const search = changed(outcomeReply, ['outcome', 'failure'], {
      ...fromChannel(failure) as object,
      kind: 'search-violation',
      path: [
        { kind: 'deliver', from: 1, to: 0, message: { type: 'Ping', seq: 1 }, crashAfter: 0 },
        { kind: 'timer', node: 1, timer: { type: 'Retry', seq: 1 } },
        { kind: 'drop', from: 0, to: 1, message: { type: 'Pong', seq: 1, note: { $map: [[1, 'a']] } } },
        { kind: 'crash', node: 0 },
        { kind: 'restart', node: 0 },
      ],
    });
    for (const reply of [
      { type: 'ready', missingExports: [], exported: ['PingServer', 'PingClient'] },
      { type: 'progress', seedsDone: 3 },
      { type: 'error', message: 'the suite could not load' },
      search,
      changed(outcomeReply, ['outcome', 'failure', 'schedule'], [
        { atMs: 0, type: 'partition', groups: [[0], [1, 2]] },
        { atMs: 5, type: 'cut', from: [0], to: [1] },
        { atMs: 6, type: 'isolate', node: 2 },
        { atMs: 7, type: 'heal' },
        { atMs: 8, type: 'crash', node: 0, afterEffects: 2 },
        { atMs: 9, type: 'network', dropRate: 0.5, delay: { kind: 'exponential', meanMs: 40, maxMs: 500 }, fifo: true },
      ]),
    ]) {
      expect(validateReply(reply)).toEqual({ reply });
    }
  });
});

describe('validateReply refuses a malformed reply, naming the field', () => {
  const cases: readonly [string, unknown, string][] = [
    ['not an object', 'ready', 'reply must be an object, not a string'],
    ['an unknown reply type', { type: 'verdict', passed: true }, 'reply.type must be one of "ready", "progress", "outcome", "replayed", "error", not "verdict"'],
    ['a wrong type', changed(outcomeReply, ['outcome', 'passed'], 'yes'), 'reply.outcome.passed must be true or false, not a string'],
    ['a missing field', changed(outcomeReply, ['outcome', 'seedsRun'], remove), 'reply.outcome.seedsRun is missing'],
    [
      'a 10 MB message',
      changed(outcomeReply, ['outcome', 'failure', 'message'], 'x'.repeat(10_000_000)),
      'reply.outcome.failure.message is a string of 10000000 characters, more than the limit of 20000',
    ],
    [
      'a trace of a million events',
      changed(outcomeReply, ['outcome', 'failure', 'trace'], new Array(1_000_000).fill(0)),
      'reply.outcome.failure.trace has 1000000 entries, more than the limit of 100000',
    ],
    [
      'a million exports',
      { type: 'ready', missingExports: [], exported: new Array(1_000_000).fill('PingServer') },
      'reply.exported has 1000000 entries, more than the limit of 100',
    ],
    [
      'a schedule that is not an array',
      changed(outcomeReply, ['outcome', 'failure', 'schedule'], { length: 1, map: 'x' }),
      'reply.outcome.failure.schedule must be an array, not an object',
    ],
    ['NaN where a whole number is expected', changed(outcomeReply, ['outcome', 'seedsRun'], Number.NaN), 'reply.outcome.seedsRun must be a whole number from 0 to 1000000, not NaN'],
    ['a fraction where a whole number is expected', changed(outcomeReply, ['outcome', 'failure', 'step'], 1.5), 'reply.outcome.failure.step must be a whole number from 0 to 9007199254740991, not the number 1.5'],
    ['an infinite time', changed(outcomeReply, ['outcome', 'failure', 'timeMs'], Number.POSITIVE_INFINITY), 'reply.outcome.failure.timeMs must be a finite number from 0 to 1.7976931348623157e+308, not Infinity'],
    [
      'an unknown failure kind',
      changed(outcomeReply, ['outcome', 'failure', 'kind'], 'passed'),
      'reply.outcome.failure.kind must be one of "violation", "liveness", "goal-not-reached", "budget-exceeded", "exception", "demonstration-not-shown", "limit", "search-violation", "nondeterministic", not "passed"',
    ],
    ['an unknown trace kind', changed(outcomeReply, ['outcome', 'failure', 'trace', 0, 'kind'], 'explode'), 'reply.outcome.failure.trace[0].kind must be one of'],
    ['a limit without its name', changed(outcomeReply, ['outcome', 'failure', 'kind'], 'limit'), 'reply.outcome.failure.limit is missing'],
    ['a search failure without its path', changed(outcomeReply, ['outcome', 'failure', 'kind'], 'search-violation'), 'reply.outcome.failure.path is missing'],
    ['a node that does not exist', changed(outcomeReply, ['outcome', 'failure', 'shrunkSchedule', 0, 'node'], 5_000), 'reply.outcome.failure.shrunkSchedule[0].node must be a whole number from 0 to 999, not the number 5000'],
    ['an extra field', changed(outcomeReply, ['outcome', 'verdict'], 'passed'), 'reply.outcome has an unexpected field "verdict"'],
    ['a measurement that is not a number', changed({ type: 'outcome', outcome: passing }, ['outcome', 'measurements', 'messagesPerPing'], '2'), 'reply.outcome.measurements.messagesPerPing must be a finite number'],
    [
      'node data nested too deep',
      changed(outcomeReply, ['outcome', 'failure', 'trace', 0, 'detail'], JSON.parse(`${'['.repeat(200)}${']'.repeat(200)}`)),
      'nests more than 64 levels deep',
    ],
    [
      'a long string in node data',
      changed(outcomeReply, ['outcome', 'failure', 'trace', 0, 'detail'], { type: 'Ping', text: 'y'.repeat(20_000) }),
      'reply.outcome.failure.trace[0].detail.text is a string of 20000 characters, more than the limit of 10000',
    ],
    ['an error message of 180 MB', { type: 'error', message: 'z'.repeat(180_000_000) }, 'reply.message is a string of 180000000 characters, more than the limit of 20000'],
    [
      'a node-state patch that is not [path] or [path, value]',
      changed(outcomeReply, ['outcome', 'failure', 'states', 0, 'patches', 0], [[], 1, 2]),
      'reply.outcome.failure.states[0].patches[0] must be [path] or [path, value]',
    ],
    [
      'a node-state path through __proto__',
      changed(outcomeReply, ['outcome', 'failure', 'states', 0, 'patches', 0], [['fields', '__proto__', 'polluted'], true]),
      'reply.outcome.failure.states[0].patches[0][0][1] is a field named "__proto__"',
    ],
    [
      'a node-state change for a node that does not exist',
      changed(outcomeReply, ['outcome', 'failure', 'states', 0, 'node'], 7_000),
      'reply.outcome.failure.states[0].node must be a whole number from 0 to 999',
    ],
    ['a role that is not one', changed(outcomeReply, ['outcome', 'failure', 'roles', 0], 'judge'), 'reply.outcome.failure.roles[0] must be one of "server", "client"'],
  ];

  for (const [what, reply, expected] of cases) {
    it(what, () => {
      expect(problemOf(reply)).toContain(expected);
    });
  }

  it('a field named __proto__, as JSON.parse makes it', () => {
    const forged = JSON.parse('{"type":"progress","seedsDone":1,"__proto__":{"passed":true}}');
    expect(problemOf(forged)).toBe('reply has an unexpected field "__proto__"');
    const inData = changed(outcomeReply, ['outcome', 'failure', 'trace', 0, 'detail'], JSON.parse('{"type":"Ping","__proto__":{"x":1}}'));
    expect(problemOf(inData)).toBe('reply.outcome.failure.trace[0].detail has a field named "__proto__"');
  });

  it('getters and objects that are not plain', () => {
    const getter = { type: 'error' } as Record<string, unknown>;
    Object.defineProperty(getter, 'message', { enumerable: true, get: () => 'hello' });
    expect(problemOf(getter)).toBe('reply.message is an accessor, not data');
    const inherited = Object.assign(Object.create({ missingExports: [] }) as object, { type: 'ready', exported: [] });
    expect(problemOf(inherited)).toBe('reply must be an object, not an object');
  });

  it('names from the child are shown escaped and cut short', () => {
    const problem = problemOf({ type: '\u001b[2J All tests passed. Total: 12/12 points, and then some more text' });
    expect(problem).toContain('not "\\u001b[2J All tests passed. Total: 12/12 poin…"');
    expect(problem).not.toContain('\u001b');
  });
});

describe('boundedReply cuts what a submission makes large to what the grader accepts', () => {
  it('node states with a field named __proto__, a long field name and a huge value', () => {
    const hostileStates = [
      { index: 0, node: 0, patches: [[['fields', '__proto__', 'x'], 1], [['fields', 'k'.repeat(5_000)], 2], [['fields', 'log'], 'z'.repeat(50_000)]] },
      { index: 1, node: 1, patches: [[['fields', 'deep'], JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`)], [['storage', 'gone']]] },
    ];
    const hostile = changed(outcomeReply, ['outcome', 'failure', 'states'], hostileStates) as ChildReply;
    expect(problemOf(hostile)).toContain('states[0].patches[0][0][1] is a field named "__proto__"');
    const bounded = boundedReply(hostile);
    expect(validateReply(fromChannel(bounded))).toEqual({ reply: fromChannel(bounded) });
    const states = (bounded as { outcome: TestOutcome }).outcome.failure?.states ?? [];
    expect(states[0]?.patches[0]).toEqual([['fields', '(__proto__)', 'x'], 1]);
    expect(String(states[0]?.patches[1]?.[0][1]).length).toBeLessThanOrEqual(200);
    expect(typeof states[1]?.patches[0]?.[1]).toBe('string');
    expect(states[1]?.patches[1]).toEqual([['storage', 'gone']]);
  });
});

describe('slimmedReply: a reply too large to send keeps its verdict', () => {
  it('drops the node states and keeps the last events of the trace', () => {
    const longTrace = Array.from({ length: 5_000 }, (_unused, index) => ({ ...failure.trace[0]!, index }));
    const large = changed(outcomeReply, ['outcome', 'failure', 'trace'], longTrace) as ChildReply & { type: 'outcome' };
    const slim = slimmedReply(large) as typeof large;
    expect(slim.outcome.passed).toBe(false);
    expect(slim.outcome.failure?.property).toBe(failure.property);
    expect(slim.outcome.failure?.states).toBeUndefined();
    expect(slim.outcome.failure?.trace.map((event) => event.index)).toEqual(longTrace.slice(-2_000).map((event) => event.index));
    expect(slim.outcome.failure?.traceTruncated).toBe(true);
    expect(validateReply(fromChannel(slim))).toEqual({ reply: fromChannel(slim) });
    const replay = slimmedReply({ type: 'replayed', outcome: replayed }) as { type: 'replayed'; outcome: typeof replayed };
    expect(replay.outcome.states).toBeUndefined();
    expect(replay.outcome.passed).toBe(replayed.passed);
  });
});

describe('outcomeProblem: an outcome must answer the request it was given', () => {
  const request = { testNumber: '0.5', seeds };
  const tampered = (change: Partial<TestOutcome>): TestOutcome => ({ ...failing, ...change });

  it('accepts the real outcome', () => {
    expect(outcomeProblem(failing, request)).toBeUndefined();
    expect(outcomeProblem(passing, { testNumber: '0.6', seeds: seeds.slice(0, 3) })).toBeUndefined();
  });

  it('refuses another test, other seeds, and a pass with a failure', () => {
    expect(outcomeProblem(tampered({ number: '0.1' }), request)).toBe('the outcome is for test "0.1", not test 0.5');
    expect(outcomeProblem(failing, { testNumber: '0.5', seeds: seeds.slice(0, 5) })).toBe('the outcome plans 30 seeds, but 5 were given');
    expect(outcomeProblem(tampered({ seedsRun: 31 }), request)).toBe('the outcome ran 31 of 30 seeds');
    expect(outcomeProblem(tampered({ passed: true }), request)).toBe('the outcome passed with a failure');
    expect(outcomeProblem(tampered({ failure: { ...failure, seed: 99 } }), request)).toBe("the outcome's failure is for seed 99, which was not given");
  });
});
