// The tape: plain data as numbers and one string, the fast way values cross between a
// submission's realm and the judging realm. It must say everything text says, and the
// judging side must refuse, with a TapeError and nothing else, whatever the other side wrote.
import fc from 'fast-check';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate, type NodeClass } from '../../framework/testing.ts';
import { equalPlain, plainBytes } from '../../framework/_internals/plainData.ts';
import { RealmProgram, RealmSession } from '../../framework/_internals/realm.ts';
import { shapeBuilder, StringTable, TapeError, TapeOverflow, TapeReader, tapeSizes, TapeWriter } from '../../framework/_internals/tape.ts';
import { buildRealmCode } from '../../grader/realmBundle.ts';
import { plain } from './plainArbitraries.ts';
import { BigSender, type BigMessages } from './fixtures/realm/big-messages.ts';
import { EdgeSender, type SendEdges } from './fixtures/realm/send-edges.ts';
import type { GrowsTwice } from './fixtures/realm/grows-twice.ts';

const size = 4_096;

/** A writer and a reader on one tape, as the submission's realm (defines) and the judging realm (learns) hold them. */
function conversation(capacity = size) {
  const tape = new Float64Array(capacity);
  const writer = new TapeWriter(tape, new StringTable(), true, capacity);
  // The judging realm's table: it builds the objects of each shape at once.
  const readerTable = new StringTable(shapeBuilder);
  const reader = new TapeReader(tape, readerTable, true, capacity);
  const roundTrip = (value: unknown): unknown => {
    writer.reset();
    writer.value(value);
    writer.finish();
    reader.reset('#' + writer.text, 1);
    const read = reader.value();
    expect(reader.atEndOfText).toBe(true);
    return read;
  };
  return { tape, writer, reader, readerTable, roundTrip };
}

describe('the tape between the realms', () => {
  it('carries every kind of plain data unchanged', () => {
    const { roundTrip } = conversation();
    fc.assert(
      fc.property(plain, (value) => {
        expect(equalPlain(roundTrip(value), value)).toBe(true);
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it('keeps what JSON loses: -0, NaN, the infinities, bigints, undefined, Maps and Sets', () => {
    const { roundTrip } = conversation();
    const read = roundTrip({ minusZero: -0, nan: Number.NaN, infinite: [Infinity, -Infinity], big: -(2n ** 80n), nothing: undefined, map: new Map([[1, new Set(['a'])]]) }) as Record<string, unknown>;
    expect(Object.is(read.minusZero, -0)).toBe(true);
    expect(Number.isNaN(read.nan)).toBe(true);
    expect(read.infinite).toEqual([Infinity, -Infinity]);
    expect(read.big).toBe(-(2n ** 80n));
    expect('nothing' in read && read.nothing === undefined).toBe(true);
    expect(read.map).toEqual(new Map([[1, new Set(['a'])]]));
  });

  it('keeps bigints of any size and sign, zero included', () => {
    const { roundTrip } = conversation();
    const values = [0n, -1n, 255n, -(16n ** 40n), 7n ** 30_000n, -(3n ** 50_000n)];
    expect(roundTrip(values)).toEqual(values);
  });

  it('reads a field named __proto__ as a field, without touching any prototype', () => {
    const { roundTrip } = conversation();
    const read = roundTrip(JSON.parse('{"__proto__": {"polluted": true}, "type": "P"}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read)).toEqual(['__proto__', 'type']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('sends a repeated string once: after that, both sides refer to it by number', () => {
    const { writer, roundTrip, readerTable } = conversation();
    roundTrip({ type: 'Hop', hop: 1 });
    // The names first, as the object's shape, then the values.
    expect(writer.text).toBe('typehopHop');
    expect(roundTrip({ type: 'Hop', hop: 2 })).toEqual({ type: 'Hop', hop: 2 });
    expect(writer.text).toBe('');
    expect(readerTable.strings).toEqual(['type', 'hop', 'Hop']);
    // Long strings and text marked as unlikely to come again are never added.
    roundTrip({ type: 'x'.repeat(65) });
    writer.reset();
    writer.string('a log line', false);
    expect(readerTable.strings).toHaveLength(3);
  });

  it('keeps the table bounded: past 16,384 strings, new ones go as text, and a realm that defines more is refused', () => {
    const { writer, roundTrip, readerTable } = conversation(65_536);
    const words = Array.from({ length: 17_000 }, (_, index) => `w${index}`);
    expect(roundTrip(words)).toEqual(words);
    expect(readerTable.strings).toHaveLength(16_384);
    expect(writer.table.strings).toHaveLength(16_384);
    // A realm that ignores the bound and defines one more string is out of shape.
    const tape = new Float64Array(4);
    tape.set([6, 1]);
    const full = new StringTable();
    for (let index = 0; index < 16_384; index++) full.strings.push(`s${index}`);
    const reader = new TapeReader(tape, full, true, 4);
    reader.reset('x');
    expect(() => reader.value()).toThrow(/too many strings are defined/);
  });

  it('gives up, for the text path, on what does not fit, is nested too deeply, or is not plain data', () => {
    const { writer } = conversation(64);
    const attempt = (value: unknown): string => {
      writer.reset();
      try {
        writer.value(value);
        writer.finish();
        return 'fits';
      } catch (error) {
        if (error instanceof TapeOverflow) return error.reason;
        throw error;
      }
    };
    expect(attempt({ items: [1, 2, 3] })).toBe('fits');
    expect(attempt(Array.from({ length: 100 }, (_, index) => index))).toBe('full');
    let nested: unknown[] = [];
    for (let level = 0; level < 500; level++) nested = [nested];
    expect(conversation(100_000).writer.value.bind(conversation(100_000).writer, nested)).toThrow(TapeOverflow);
    expect(attempt({ when: new Date(0) })).toBe('not plain');
    expect(attempt({ run: () => 1 })).toBe('not plain');
    expect(attempt([Symbol('s')])).toBe('not plain');
  });

  it('reads values nested as deep as plain data may be, and refuses deeper ones a writer could still put on the tape', () => {
    const { roundTrip } = conversation();
    const nestedArrays = (levels: number): unknown => {
      let value: unknown = 'bottom';
      for (let level = 0; level < levels; level++) value = [value];
      return value;
    };
    // 201 arrays: containers at depths 0 to 200, as plain data allows.
    expect(equalPlain(roundTrip(nestedArrays(201)), nestedArrays(201))).toBe(true);
    let record: unknown = { bottom: true };
    for (let level = 0; level < 200; level++) record = { inner: record };
    expect(equalPlain(roundTrip(record), record)).toBe(true);
    // The writer takes up to 256 levels before it gives up for the text path; the judging
    // realm's walks must not meet more than plain data has.
    expect(() => roundTrip(nestedArrays(203))).toThrow(TapeError);
    expect(() => roundTrip(nestedArrays(250))).toThrow(/nested too deeply/);
  });

  it('forgets the strings and shapes of an answer that was not sent, so both sides keep the same table', () => {
    const { writer, roundTrip, readerTable } = conversation();
    writer.reset();
    writer.value({ never: 'sent' });
    expect(writer.table.shapes).toHaveLength(1);
    writer.table.truncate(0, 0);
    expect(writer.table.strings).toHaveLength(0);
    expect(writer.table.shapes).toHaveLength(0);
    expect(roundTrip({ never: 'sent' })).toEqual({ never: 'sent' });
    expect(readerTable.strings).toEqual(['never', 'sent']);
    expect(readerTable.shapes.map((shape) => shape.fields)).toEqual([['never']]);
  });

  it('writes the names of an object once, as a shape, and the judging realm builds its objects with all their fields at once', () => {
    const tape = new Float64Array(size);
    const writer = new TapeWriter(tape, new StringTable(), true, size);
    const readerTable = new StringTable(shapeBuilder);
    const reader = new TapeReader(tape, readerTable, true, size);
    const roundTrip = (value: unknown): { read: unknown; numbers: number; bytes: number } => {
      writer.reset();
      writer.value(value);
      writer.finish();
      reader.reset('#' + writer.text, 1);
      reader.bytes = 0;
      const read = reader.value();
      expect(reader.atEndOfText).toBe(true);
      return { read, numbers: writer.position, bytes: reader.bytes };
    };
    const first = roundTrip({ type: 'Accept', ballot: [3, 1], value: 'v' });
    const again = roundTrip({ type: 'Accept', ballot: [4, 2], value: 'w' });
    expect(again.read).toEqual({ type: 'Accept', ballot: [4, 2], value: 'w' });
    // A shape number and three values, against the names written out the first time.
    expect(again.numbers).toBeLessThan(first.numbers);
    expect(readerTable.shapes).toHaveLength(1);
    // A shape gets its builder once it keeps coming (16 objects); what is read does not change.
    expect(readerTable.shapes[0]?.build).toBeUndefined();
    for (let index = 0; index < 14; index++) expect(roundTrip({ type: 'Accept', ballot: [index, 1], value: 'v' }).read).toEqual({ type: 'Accept', ballot: [index, 1], value: 'v' });
    expect(readerTable.shapes[0]?.build).toBeTypeOf('function');
    expect(roundTrip({ type: 'Accept', ballot: [9, 9], value: 'z' }).read).toEqual({ type: 'Accept', ballot: [9, 9], value: 'z' });
    // The size counted while reading is the framework's own count of the value.
    expect(again.bytes).toBe(plainBytes({ type: 'Accept', ballot: [4, 2], value: 'w' }));
    // Names in another order are another shape, and the order is kept.
    expect(Object.keys(roundTrip({ value: 'v', type: 'Accept', ballot: [] }).read as object)).toEqual(['value', 'type', 'ballot']);
    // Numeric names, names that are JavaScript and JSON syntax, and the empty name are data.
    const odd = { '2': 'two', '10': 'ten', 'a"b': 1, '\\': 2, '}; throw 1; ({': 3, '': 4, constructor: 5 };
    const oddRead = roundTrip(odd).read as Record<string, unknown>;
    expect(oddRead).toEqual(odd);
    expect(Object.keys(oddRead)).toEqual(Object.keys(odd));
    expect(Object.getPrototypeOf(oddRead)).toBe(Object.prototype);
    // `__proto__` is never a name of a shape: such an object goes name by name, and stays a field.
    const withProto = roundTrip(JSON.parse('{"type":"P","__proto__":{"polluted":true}}')).read as Record<string, unknown>;
    expect(Object.keys(withProto)).toEqual(['type', '__proto__']);
    expect(Object.getPrototypeOf(withProto)).toBe(Object.prototype);
    expect(readerTable.shapes.some((shape) => shape.fields.includes('__proto__'))).toBe(false);
  });

  it('gives builders to at most 512 shapes of a conversation, and reads every other shape field by field', () => {
    const { roundTrip, readerTable } = conversation(65_536);
    for (let shape = 0; shape < 600; shape++) {
      for (let use = 0; use < 17; use++) {
        const value = { type: 'Keyed', [`key${shape}`]: use };
        expect(roundTrip(value)).toEqual(value);
      }
    }
    expect(readerTable.shapes).toHaveLength(600);
    expect(readerTable.built).toHaveLength(512);
    expect(readerTable.shapes.filter((shape) => shape.build !== undefined)).toHaveLength(512);
  });

  it('refuses shapes the other side could not have defined: defined by the judging side, with a name twice, or too many', () => {
    const read = (numbers: number[], text: string, learns: boolean, table = new StringTable(shapeBuilder)): unknown => {
      const tape = new Float64Array(64);
      tape.set(numbers);
      const reader = new TapeReader(tape, table, learns, 64);
      reader.reset('#' + text, 1);
      return reader.value();
    };
    // DefineShape (15) of one name, 'a' (DefineString 6, length 1), then the value 1.
    expect(read([15, 1, 6, 1, 4, 1], 'a', true)).toEqual({ a: 1 });
    expect(() => read([15, 1, 6, 1, 4, 1], 'a', false)).toThrow(TapeError);
    expect(() => read([15, 2, 6, 1, 7, 0, 4, 1, 4, 2], 'a', true)).toThrow(/field it cannot have/);
    expect(() => read([15, 1, 6, 9, 4, 1], '__proto__', true)).toThrow(/field it cannot have/);
    expect(() => read([15, 33], '', true)).toThrow(TapeError);
    // Shape (14) 0 when there is none.
    expect(() => read([14, 0], '', true)).toThrow(/not in the table/);
  });

  it('refuses anything the other side could write with a TapeError, and nothing else', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -2, max: 16 }), fc.double(), fc.integer({ min: 0, max: 5_000_000 })), { maxLength: 64 }),
        fc.string({ maxLength: 40 }),
        fc.boolean(),
        (numbers, text, learns) => {
          const tape = new Float64Array(64);
          tape.set(numbers);
          const table = new StringTable();
          table.strings.push('known');
          table.numbers.set('known', 0);
          const reader = new TapeReader(tape, table, learns, 64);
          // Read both ways: as a payload, and as a node's fields, whose containers may be shared.
          for (const read of [() => reader.value(), () => reader.sharedValue()]) {
            reader.reset(text);
            try {
              read();
            } catch (error) {
              expect(error).toBeInstanceOf(TapeError);
            }
          }
          expect(table.strings.length).toBeLessThanOrEqual(64);
        },
      ),
      { seed: 11, numRuns: 3_000 },
    );
  });

  it('refuses the counts and numbers a hostile realm would try', () => {
    const read = (numbers: number[], text = '', learns = true) => {
      const tape = new Float64Array(16);
      tape.set(numbers);
      const reader = new TapeReader(tape, new StringTable(), learns, 16);
      reader.reset(text);
      return () => reader.value();
    };
    expect(read([8, 1e12])).toThrow(/count is out of range/);
    expect(read([8, 2.5])).toThrow(/count is out of range/);
    expect(read([8, Number.NaN])).toThrow(/count is out of range/);
    expect(read([7, 0])).toThrow(/not in the table/);
    expect(read([7, 0.5])).toThrow(/not in the table/);
    expect(read([5, 10], 'abc')).toThrow(/count is out of range/);
    expect(read([6, 3], 'ab')).toThrow(/runs past the text/);
    expect(read([6, 3], 'abc', false)).toThrow(/defined by the wrong side/);
    expect(read([12, 5, 3], '12z')).toThrow(/bigint must be hexadecimal digits/);
    expect(read([10, 1, 8, 0, 1])).toThrow(/Map key must be a primitive/);
    expect(read([99])).toThrow(/no known tag/);
    expect(read([4])).not.toThrow();
    const endless = new Float64Array(8).fill(8);
    const reader = new TapeReader(endless, new StringTable(), true, 8);
    reader.reset('');
    expect(() => reader.value()).toThrow(TapeError);
  });
});

describe("a node's fields that hold one object twice", () => {
  /** Writes `value` as a node's fields and reads it back as the judging realm does. */
  function sharedRoundTrip(value: unknown, capacity = size): unknown {
    const { writer, reader } = conversation(capacity);
    writer.reset();
    writer.sharedValue(value);
    writer.finish();
    reader.reset('#' + writer.text, 1);
    const read = reader.sharedValue();
    expect(reader.atEndOfText).toBe(true);
    return read;
  }

  it('cross as one object, wherever the node held it: in two fields, in an array and a Map', () => {
    const entry = { timestamp: 3, id: 1 };
    const list = [entry, { timestamp: 4, id: 2 }];
    const fields = { queue: list, mine: entry, byId: new Map([[1, entry]]), again: list, ids: new Set([1]) };
    const read = sharedRoundTrip(fields) as typeof fields;
    expect(equalPlain(read, fields)).toBe(true);
    expect(read.mine).toBe(read.queue[0]);
    expect(read.byId.get(1)).toBe(read.mine);
    expect(read.again).toBe(read.queue);
    expect(read.queue[1]).not.toBe(read.mine);
  });

  it('carry every kind of plain data unchanged, shared or not', () => {
    fc.assert(
      fc.property(plain, plain, (first, second) => {
        const value = { first, second, firstAgain: first };
        expect(equalPlain(sharedRoundTrip(value, 1 << 16), value)).toBe(true);
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('give up on a value that holds itself, which is not plain data', () => {
    const { writer } = conversation();
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = [cycle];
    writer.reset();
    expect(() => writer.sharedValue({ cycle })).toThrow(TapeOverflow);
  });

  it('are read as shared only where fields are read: a message naming a container is refused', () => {
    const tape = new Float64Array(16);
    tape.set([8, 2, 8, 0, 13, 1]);
    const reader = new TapeReader(tape, new StringTable(), true, 16);
    reader.reset('');
    expect(() => reader.value()).toThrow(/no known tag/);
  });

  it('refuse the references a hostile realm would try', () => {
    const read = (numbers: number[]) => {
      const tape = new Float64Array(4_096);
      tape.set(numbers);
      const reader = new TapeReader(tape, new StringTable(), true, 4_096);
      reader.reset('');
      return () => reader.sharedValue();
    };
    // [[], ref 1]: the inner array, ended, named again: fine.
    expect(read([8, 2, 8, 0, 13, 1])).not.toThrow();
    expect(read([8, 2, 8, 0, 13, 2])).toThrow(/names no container/);
    expect(read([8, 2, 8, 0, 13, 0.5])).toThrow(/names no container/);
    expect(read([8, 2, 8, 0, 13, -1])).toThrow(/names no container/);
    expect(read([8, 2, 8, 0, 13, Number.NaN])).toThrow(/names no container/);
    expect(read([13, 0])).toThrow(/names no container/);
    // The outer array from inside itself: a cycle.
    expect(read([8, 1, 13, 0])).toThrow(/container that holds it/);
    // Each array holds the one before twice: 2^60 values once expanded.
    const doubling = [8, 60, 8, 0];
    for (let index = 1; index < 60; index++) doubling.push(8, 2, 13, index, 13, index);
    expect(read(doubling)).toThrow(/reaches more than 1000000 values/);
    // A chain of arrays each holding the one before: nested far deeper than plain data may be.
    const chain = [8, 250, 8, 0];
    for (let index = 1; index < 250; index++) chain.push(8, 1, 13, index);
    expect(read(chain)).toThrow(/nested deeper than plain data may be/);
  });
});

describe('messages too big for the tape', () => {
  it('grow the answer tape on the way out, cross as text on the way in, and arrive as they were sent, as in this realm', async () => {
    const fixture = join(import.meta.dirname, 'fixtures', 'realm', 'big-messages.ts');
    const program = new RealmProgram(await buildRealmCode({ label: fixture, entryFile: fixture, root: join(import.meta.dirname, 'fixtures', 'realm') }));
    const runWith = (node: NodeClass<BigMessages>) =>
      simulate<BigMessages>({
        seed: 3,
        nodes: [
          { role: 'server', node },
          { role: 'server', node },
        ],
        config: {},
        durationMs: 1_000,
        inputs: [{ atMs: 1, node: 0, input: { type: 'Go' } }],
      });
    const here = runWith(BigSender);
    const there = runWith(program.nodeClass<BigMessages>('BigSender'));
    expect(there.failure).toBeUndefined();
    const got = there.outputs.map((record) => record.output);
    expect(got).toEqual(
      expect.arrayContaining([
        { type: 'Got', kind: 'Big', size: 70_000, sum: (70_000 * 69_999) / 2 },
        { type: 'Got', kind: 'Deep', size: 191, sum: 0 },
        { type: 'Got', kind: 'Odd', size: 7, sum: 1 },
      ]),
    );
    expect(there.passed).toBe(true);
    expect(equalPlain(there.outputs, here.outputs)).toBe(true);
    expect(there.counters.bytesSent).toBe(here.counters.bytesSent);
  });
});

describe('an answer tape grown for one reaction', () => {
  it('is given back its first length at the next reaction, so a finished run holds no long tape', async () => {
    // The engine may keep a finished realm for several collections: a grader running many runs
    // in one process would otherwise hold a long tape for each of them.
    const fixture = join(import.meta.dirname, 'fixtures', 'realm', 'big-messages.ts');
    const program = new RealmProgram(await buildRealmCode({ label: fixture, entryFile: fixture, root: join(import.meta.dirname, 'fixtures', 'realm') }));
    const lengths: number[] = [];
    const refresh = Object.getOwnPropertyDescriptor(RealmSession.prototype, 'refreshAnswerTape')?.value as RealmSession['refreshAnswerTape'];
    RealmSession.prototype.refreshAnswerTape = function (this: RealmSession) {
      refresh.call(this);
      lengths.push(this.answers.tape.length);
    };
    try {
      const result = simulate<BigMessages>({
        seed: 3,
        nodes: [
          { role: 'server', node: program.nodeClass<BigMessages>('BigSender') },
          { role: 'server', node: program.nodeClass<BigMessages>('BigSender') },
        ],
        config: {},
        durationMs: 1_000,
        inputs: [{ atMs: 1, node: 0, input: { type: 'Go' } }],
      });
      expect(result.outputs).toHaveLength(3);
    } finally {
      RealmSession.prototype.refreshAnswerTape = refresh;
    }
    expect(lengths.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...lengths)).toBeGreaterThan(tapeSizes.answer);
    expect(lengths.at(-1)).toBe(tapeSizes.answer);
  });

  it('is read anew when the next reaction grows it again to the length it had', async () => {
    const fixture = join(import.meta.dirname, 'fixtures', 'realm', 'grows-twice.ts');
    const program = new RealmProgram(await buildRealmCode({ label: fixture, entryFile: fixture, root: join(import.meta.dirname, 'fixtures', 'realm') }));
    const sender = program.nodeClass<GrowsTwice>('LongSender');
    // Back to back in node 0: each reaction is given the short tape and grows it to the same length.
    const lengths = [70_000, 70_001, 70_002];
    const result = simulate<GrowsTwice>({
      seed: 5,
      nodes: [
        { role: 'server', node: sender },
        { role: 'server', node: sender },
      ],
      config: {},
      durationMs: 1_000,
      inputs: lengths.map((length) => ({ atMs: 1, node: 0, input: { type: 'Send', length } })),
    });
    expect(result.failure).toBeUndefined();
    expect(result.outputs.map((record) => record.output).sort((first, second) => first.length - second.length)).toEqual(lengths.map((length) => ({ type: 'Got', length, whole: true })));
  });
});

describe('sends at the edges of the tape', () => {
  const fixtures = join(import.meta.dirname, 'fixtures', 'realm');
  let isolated: NodeClass<SendEdges>;
  beforeAll(async () => {
    const entryFile = join(fixtures, 'send-edges.ts');
    isolated = new RealmProgram(await buildRealmCode({ label: entryFile, entryFile, root: fixtures })).nodeClass<SendEdges>('EdgeSender');
  });
  const runWith = (node: NodeClass<SendEdges>, input: SendEdges['input']) =>
    simulate<SendEdges>({
      seed: 4,
      nodes: [
        { role: 'server', node },
        { role: 'server', node },
      ],
      config: {},
      durationMs: 1_000,
      inputs: [{ atMs: 1, node: 0, input }],
    });

  it('fail the node that sends more in one reaction than an answer may hold (32 MB), saying so', () => {
    const result = runWith(isolated, { type: 'Huge' });
    expect(result.failure?.kind).toBe('exception');
    expect(result.failure?.message).toMatch(/n0 threw in onInput\(Huge\): Error: the effects of one reaction take more than the 33554432 bytes/);
  });

  it('send a message that acts while it is copied as this realm does: both it and what its getter sent arrive', () => {
    const here = runWith(EdgeSender, { type: 'Getter' });
    const there = runWith(isolated, { type: 'Getter' });
    expect(there.failure).toBeUndefined();
    expect(there.outputs).toEqual(here.outputs);
    expect(there.outputs.map((record) => (record.output as { names: string[] }).names.join(',')).sort()).toEqual(['type', 'type,field']);
    expect(there.counters).toEqual(here.counters);
  });

  it('leave nothing of a message that was refused: the next ones, with the same strings and odd names, arrive as in this realm', () => {
    const here = runWith(EdgeSender, { type: 'Retry', times: 40 });
    const there = runWith(isolated, { type: 'Retry', times: 40 });
    expect(there.failure).toBeUndefined();
    expect(there.outputs).toEqual(here.outputs);
    expect(there.outputs.map((record) => record.output.type)).toEqual(['Refused', ...new Array<string>(40).fill('Got')]);
    expect((there.outputs[0]?.output as { message: string }).message).toMatch(/run is a function/);
    expect(there.counters).toEqual(here.counters);
  });

  it('carry messages of thousands of shapes, past the shapes a realm keeps, as in this realm', () => {
    const here = runWith(EdgeSender, { type: 'Shapes', count: 5_000 });
    const there = runWith(isolated, { type: 'Shapes', count: 5_000 });
    expect(there.failure).toBeUndefined();
    expect(there.outputs).toHaveLength(5_000);
    expect(there.outputs).toEqual(here.outputs);
    expect(there.counters).toEqual(here.counters);
  });
});
