// The judging side against a node runtime whose answers are forged (see
// fixtures/realm/forges-answers.ts), or that forges them itself: whatever the other realm
// answers, a forged answer is the node's behaviour and nothing more. Out of shape, it fails the node that answered, with the
// simulation going on and no exception of the judging side's; in shape, it does what the node
// could have done itself, and can reach nothing of this realm (prototypes, the table of strings).
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { explore, simulate, type NodeClass, type SimulationResult } from '../../framework/testing.ts';
import { RealmProgram } from '../../framework/_internals/realm.ts';
import { buildRealmCode } from '../../grader/realmBundle.ts';
import type { Forging } from './fixtures/realm/forges-answers.ts';
import type { RandomForging } from './fixtures/realm/forges-random-state.ts';
import type { TapeForgery, TapeForging } from './fixtures/realm/forges-tape.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'realm');
const TAG = '\u0000';

/** Answer the reaction in which a node put a frame in the mailbox with that frame, as the runtime's text. */
const forgingAnswers = `
  host.react = (...args) => {
    const answer = react(...args);
    const frame = forged.answer;
    if (frame === undefined) return answer;
    forged.answer = undefined;
    return JSON.stringify(frame);
  };
`;

let forgerProgram: RealmProgram;
let forger: NodeClass<Forging>;
beforeAll(async () => {
  forgerProgram = await forgingProgram('forges-answers.ts', forgingAnswers);
  forger = forgerProgram.nodeClass<Forging>('Forger');
});

/** Two forging nodes; n0 answers its one input with `frame` (its '<deep>' strings nested `deep` levels), then n1 greets n0. */
function forge(frame: unknown, deep = 0): SimulationResult<Forging> {
  return simulate<Forging>({
    seed: 5,
    nodes: [
      { role: 'server', node: forger },
      { role: 'server', node: forger },
    ],
    config: {},
    durationMs: 1_000,
    inputs: [
      { atMs: 1, node: 0, input: { type: 'Forge', frame, deep } },
      { atMs: 5, node: 1, input: { type: 'Send', to: 0 } },
    ],
  });
}

const malformed = /^n0: the node runtime in the submission's realm gave a malformed answer/;

/** A frame of the text form: no failure, these effects, no fields, no console lines. */
const effects = (...trees: unknown[]): unknown[] => [0, trees, '', []];

describe('answers forged by the node runtime', () => {
  const outOfShape: Readonly<Record<string, unknown>> = {
    'a send to a node that does not exist': effects([0, 99, 0, { type: 'Hello' }]),
    'a send to a negative node': effects([0, -1, 0, { type: 'Hello' }]),
    'a send to a fractional node': effects([0, 0.5, 0, { type: 'Hello' }]),
    'a send to a node named by text': effects([0, '1', 0, { type: 'Hello' }]),
    'a message whose type is a number': effects([0, 1, 0, { type: 5 }]),
    'a message that is a list': effects([0, 1, 0, ['type']]),
    'a message that is null': effects([0, 1, 0, null]),
    'a message whose type is a tagged number': effects([0, 1, 1, { type: { [TAG]: 'number', value: 'NaN' } }]),
    'a message in a format of no flag': effects([0, 1, 2, { type: 'Hello' }]),
    'a timer with no delay': effects([1, 0, { type: 'Tick' }, 0, 1]),
    'a timer with a fractional delay': effects([1, 0, { type: 'Tick' }, 1.5, 2]),
    'a timer that ends before it starts': effects([1, 0, { type: 'Tick' }, 5, 4]),
    'a timer with a delay in text': effects([1, 0, { type: 'Tick' }, 1, '2']),
    'a timer with an infinite delay': effects([1, 1, { type: 'Tick' }, 1, { [TAG]: 'number', value: 'Infinity' }]),
    'a storage key that is a number': effects([3, 5, 0, 1]),
    'a storage deletion of a list': effects([4, ['k']]),
    'a log line that is not text': effects([6, { line: 'x' }]),
    'an effect of no known kind': effects([7, 'x']),
    'an effect that is not a list': effects({ kind: 'send' }),
    'a failure whose message is a number': [['onInput', 5, 0, ''], [], '', []],
    'a failure that is a list of three': [['onInput', 'x', 0], [], '', []],
    'effects that are not a list': [0, { 0: [5, 0, { type: 'Got' }] }, '', []],
    'console lines that are not a list': [0, [], '', 'a line'],
    'a frame of five parts': [0, [], '', [], 'more'],
    'a frame that is a record': { failure: 0, effects: [], fields: '', lines: [] },
    'a frame that is text': 'nonsense',
    'a tag of no known kind': effects([5, 1, { type: 'Got', value: { [TAG]: 'weird' } }]),
    'a bigint that is not digits': effects([5, 1, { type: 'Got', value: { [TAG]: 'bigint', value: '12a' } }]),
    'a number of no known spelling': effects([5, 1, { type: 'Got', value: { [TAG]: 'number', value: '1e999' } }]),
    'a Map keyed by a list': effects([5, 1, { type: 'Got', value: { [TAG]: 'map', value: [[[1], 2]] } }]),
    'a Set of lists': effects([5, 1, { type: 'Got', value: { [TAG]: 'set', value: [[1]] } }]),
    'a Map whose entries are not pairs': effects([5, 1, { type: 'Got', value: { [TAG]: 'map', value: [[1, 2, 3]] } }]),
  };
  for (const [what, frame] of Object.entries(outOfShape)) {
    it(`fail the node that gave them, and only it: ${what}`, () => {
      const result = forge(frame);
      expect(result.failure?.kind).toBe('exception');
      expect(result.failure?.message).toMatch(malformed);
      expect(result.outputs).toEqual([]);
    });
  }

  it('do what the node could have done itself, and no more', () => {
    const result = forge(effects([5, 0, { type: 'Forged', seq: 1 }], [0, 1, 0, { type: 'Hello' }], [3, 'key', 1, { [TAG]: 'map', value: [['a', 1]] }], [6, 'a log line']));
    expect(result.failure).toBeUndefined();
    // The forged output, n1's answer to the forged Hello, and n0's to n1's.
    expect(result.outputs.map((record) => `${record.node} ${record.output.type}`).sort()).toEqual(['0 Forged', '0 Got', '1 Got']);
  });

  it('carry fields named __proto__ and constructor as fields, without touching a prototype of this realm', () => {
    const output = JSON.parse('{"type":"Forged","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as unknown;
    const result = forge(effects([5, 0, output]));
    expect(result.failure).toBeUndefined();
    const forged = result.outputs[0]?.output as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(forged)).toBe(Object.prototype);
    expect(Object.keys(forged)).toEqual(['type', '__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keep a forged failure bounded, and fail with it', () => {
    const result = forge([['onInput', 'm'.repeat(100_000), 0, 'w'.repeat(100_000)], [], '', []]);
    expect(result.failure?.kind).toBe('exception');
    expect(result.failure?.message.length).toBeLessThan(20_000);
  });

  it('leave the realm that gave them to no other run, where one that answered in shape serves the next', () => {
    const inShape = effects([6, 'a log line']);
    forge(inShape);
    const opened = forgerProgram.realmsOpened;
    expect(forge(inShape).failure).toBeUndefined();
    expect(forgerProgram.realmsOpened).toBe(opened);
    expect(forge(effects([7, 'x'])).failure?.message).toMatch(malformed);
    expect(forgerProgram.realmsOpened).toBe(opened);
    // The run after the malformed answer: in a realm of its own.
    expect(forge(inShape).failure).toBeUndefined();
    expect(forgerProgram.realmsOpened).toBe(opened + 1);
    expect(forge(inShape).failure).toBeUndefined();
    expect(forgerProgram.realmsOpened).toBe(opened + 1);
  });

  it('may set a timer as far off as any whole number of ms: it never fires, and the run ends on time', () => {
    const result = forge(effects([1, 0, { type: 'Tick' }, 1, 2 ** 60], [1, 0, { type: 'Tock' }, 2 ** 60, 2 ** 60]));
    expect(result.failure).toBeUndefined();
    expect(result.endTimeMs).toBeLessThanOrEqual(1_000);
  });
});

/**
 * A node runtime taken over, for what node code has no way to reach itself: the script `patch`
 * runs after the runtime's, before the realm is locked down, with `host` (the functions the
 * judging realm picks up), `react` (the runtime's own), `numbers`, and `forged` in scope, and
 * may replace what `host` holds. `forged` is a mailbox the node code fills through
 * `globalThis.forgery.put(name, value)`.
 */
async function forgingProgram(entryName: string, patch: string): Promise<RealmProgram> {
  const entryFile = join(fixtures, entryName);
  const code = await buildRealmCode({ label: entryFile, entryFile, root: fixtures });
  const mailbox = `const forged = Object.create(null);\n  Object.defineProperty(globalThis, 'forgery', { value: { put: (name, value) => { forged[name] = value; } } });`;
  const wrapper = `\n;(() => {\n  const host = globalThis.__distlabHost;\n  const react = host.react;\n  const numbers = host.numbers;\n  ${mailbox}\n${patch}\n})();\n`;
  return new RealmProgram({ ...code, host: code.host + wrapper });
}

/** After every reaction, hand back the state a node put in the mailbox, as drawn from. */
const forgingRandomState = `
  host.react = (...args) => {
    const answer = react(...args);
    const state = forged.randomState;
    if (state !== undefined) {
      numbers[0] = state.s0;
      numbers[1] = state.s1;
      numbers[2] = state.s2;
      numbers[3] = state.c;
      numbers[4] = 1;
    }
    return answer;
  };
`;

describe('random states forged by the node runtime', () => {
  let randomForger: NodeClass<RandomForging>;
  beforeAll(async () => {
    randomForger = (await forgingProgram('forges-random-state.ts', forgingRandomState)).nodeClass<RandomForging>('RandomForger');
  });

  function run(forge: boolean, state: { s0: number; s1: number; s2: number; c: number }): SimulationResult<RandomForging> {
    return simulate<RandomForging>({
      seed: 9,
      nodes: [
        { role: 'server', node: randomForger },
        { role: 'server', node: randomForger },
      ],
      config: {},
      network: { dropRate: 0.3, duplicateRate: 0.2 },
      durationMs: 1_000,
      inputs: [
        { atMs: 1, node: 0, input: { type: 'Go', count: 200, forge, state } },
        { atMs: 2, node: 1, input: { type: 'Go', count: 200, forge, state } },
      ],
    });
  }

  const honest = { s0: 0.5, s1: 0.5, s2: 0.5, c: 1 };
  const degenerate: Readonly<Record<string, { s0: number; s1: number; s2: number; c: number }>> = {
    'all zeros (every draw 0)': { s0: 0, s1: 0, s2: 0, c: 0 },
    'huge (draws far outside [0, 1))': { s0: 1e300, s1: -1e300, s2: 1e300, c: 2 ** 60 },
    'negative zero and fractions': { s0: -0, s1: 0.999_999_999, s2: -0.5, c: 0.5 },
  };
  for (const [what, state] of Object.entries(degenerate)) {
    it(`are the node's own: the network loses, duplicates and delays exactly as before (${what})`, () => {
      const control = run(false, honest);
      const forged = run(true, state);
      expect(forged.failure).toBeUndefined();
      expect(forged.counters).toEqual(control.counters);
      expect(forged.outputs.map((record) => [record.timeMs, record.node, record.output.seq])).toEqual(control.outputs.map((record) => [record.timeMs, record.node, record.output.seq]));
      // The forged state did cross: the nodes' own draws are not what they were.
      expect(forged.outputs.map((record) => record.output.draw)).not.toEqual(control.outputs.map((record) => record.output.draw));
    });
  }

  it('refuse what is not a finite number: NaN and the infinities fail the node that drew', () => {
    const result = run(true, { s0: Number.NaN, s1: Number.POSITIVE_INFINITY, s2: 0, c: 0 });
    expect(result.failure?.message).toMatch(/^n\d: the node runtime in the submission's realm gave a malformed answer \(the random state is out of shape\)/);
  });
});

describe('values nested deeper than plain data may be, in forged answers', () => {
  it('a message nested 2,600 levels deep fails the node that sent it, and the simulation goes on', () => {
    let result: SimulationResult<Forging> | undefined;
    expect(() => {
      result = forge([0, [[0, 1, 0, { type: 'Hello', deep: '<deep>' }]], '', []], 2_600);
    }).not.toThrow();
    expect(result?.failure?.message).toMatch(malformed);
  });

  it('an output nested 300 levels deep, past the 200 plain data may have, is refused as out of shape', () => {
    const result = forge([0, [[5, 0, { type: 'Forged', deep: '<deep>' }]], '', []], 300);
    expect(result.failure?.message).toMatch(malformed);
    expect(result.outputs).toEqual([]);
  });
});

describe('node fields nested deeper than plain data may be, in forged answers to the model checker', () => {
  it('fail the node that gave them, and the search goes on', () => {
    let outcome: string | undefined;
    expect(() => {
      outcome = explore<Forging>({
        nodes: [
          { role: 'server', node: forger },
          { role: 'server', node: forger },
        ],
        config: {},
        inputs: [{ node: 0, input: { type: 'Forge', frame: [0, [], [0, { deep: '<deep>' }], []], deep: 2_600 } }],
        timers: false,
      }).outcome.kind;
    }).not.toThrow();
    expect(outcome).toBe('exception');
  });
});

/** After the reaction a node armed, announce the length it chose and hand over the array it put in the mailbox as the grown tape. */
const forgingTape = `
  host.currentAnswerTape = () => forged.tape?.array;
  host.react = (...args) => {
    const answer = react(...args);
    const tape = forged.tape;
    if (tape !== undefined && tape.armed) {
      tape.armed = false;
      numbers[6] = tape.length;
    }
    return answer;
  };
`;

describe('answer tapes forged by the node runtime', () => {
  let tapeForger: NodeClass<TapeForging>;
  beforeAll(async () => {
    tapeForger = (await forgingProgram('forges-tape.ts', forgingTape)).nodeClass<TapeForging>('TapeForger');
  });

  const forgeries: readonly TapeForgery[] = ['resizable', 'shorter than announced', 'longer than an answer may be', 'a list', 'a view of part of a buffer'];
  for (const forgery of forgeries) {
    it(`are refused, failing the node that gave one, and only it: ${forgery}`, () => {
      let result: SimulationResult<TapeForging> | undefined;
      expect(() => {
        result = simulate<TapeForging>({
          seed: 2,
          nodes: [{ role: 'server', node: tapeForger }],
          config: {},
          durationMs: 1_000,
          inputs: [{ atMs: 1, node: 0, input: { type: 'Forge', forgery } }],
        });
      }).not.toThrow();
      expect(result?.failure?.kind).toBe('exception');
      // A view of part of a buffer has the shape of a tape, and what it holds is read as an answer (here out of shape).
      const reason = forgery === 'a view of part of a buffer' ? '' : '\\(the answer tape is out of shape\\)';
      expect(result?.failure?.message).toMatch(new RegExp(`^n0: the node runtime in the submission's realm gave a malformed answer ${reason}`));
      expect(result?.outputs).toEqual([]);
    });
  }
});
