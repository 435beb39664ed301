// Node classes in a realm of their own: the same runs and searches as in this realm, walls
// that hold from inside, and a broken runtime that fails the node rather than the judge.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { explore, nodeStatesAt, simulate, type LabSuite, type NodeClass, type SimulationSettings } from '../../framework/testing.ts';
import { stateLeadEvents } from '../../framework/simulation.ts';
import type { PingPong } from '../../labs/00-pingpong/src/protocol.ts';
import type { Paxos } from '../../labs/03-paxos/src/protocol.ts';
import { madeBy, RealmProgram } from '../../framework/_internals/realm.ts';
import { decodePlain, encodePlain } from '../../framework/_internals/plainText.ts';
import { equalPlain } from '../../framework/_internals/plainData.ts';
import { buildRealmCode } from '../../grader/realmBundle.ts';
import { paxosBenchSettings } from '../../bench/search.ts';
import pingpongSuite from '../../labs/00-pingpong/suite.ts';
import paxosSuite from '../../labs/03-paxos/suite.ts';
import * as pingpongSolution from '../../solutions/00-pingpong/index.ts';
import * as paxosSolution from '../../solutions/03-paxos/index.ts';
import type { Probing } from './fixtures/realm/probes.ts';
import type { Corrupting } from './fixtures/realm/corrupts-runtime.ts';
import type { Throwing } from './fixtures/realm/throws.ts';
import type { Sharing } from './fixtures/realm/module-state.ts';
import type { Restarting } from './fixtures/realm/restart-modules.ts';
import { Churner, type Churning } from './fixtures/realm/storage-churn.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'realm');

async function programOf(entryFile: string, root: string): Promise<RealmProgram> {
  return new RealmProgram(await buildRealmCode({ label: entryFile, entryFile, root }));
}

describe('plain data as text', () => {
  it('round-trips what JSON cannot say', () => {
    const values: unknown[] = [
      { type: 'T', nothing: undefined, big: 12345678901234567890n, nan: Number.NaN, minusZero: -0, infinite: [Infinity, -Infinity] },
      new Map<unknown, unknown>([[1, new Set(['a', 2, null])], ['k', { nested: new Map([[true, [undefined]]]) }]]),
      { '\u0000': 'looks like a tag', value: 1 },
      JSON.parse('{"__proto__": {"polluted": true}, "type": "P"}'),
      [1, 'two', null, false, { three: 3 }],
      [0n, -(7n ** 20_000n), 5n ** 30_000n],
    ];
    for (const value of values) {
      const decoded = decodePlain(encodePlain(value));
      expect(equalPlain(decoded, value), encodePlain(value)).toBe(true);
    }
    expect(Object.is((decodePlain(encodePlain({ zero: -0 })) as { zero: number }).zero, -0)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses text that is not the encoding of plain data', () => {
    for (const text of ['', 'x{}', '0{', '1{"\\u0000":"nonsense"}', '1{"\\u0000":"map","value":[[{},1]]}']) {
      expect(() => decodePlain(text), text).toThrow(/malformed plain-data text/);
    }
  });
});

describe("a node's fields as text, where one object may be held twice", () => {
  const ref = (value: number) => ({ '\u0000': 'ref', value });

  it('keeps one object one object, in fields, arrays and Maps', () => {
    const entry = { timestamp: 1, id: 2 };
    const fields = { queue: [entry, { timestamp: 3, id: 4 }], mine: entry, byId: new Map([[2, entry]]), zero: -0 };
    const read = decodePlain(encodePlain(fields, true), true) as typeof fields;
    expect(equalPlain(read, fields)).toBe(true);
    expect(read.mine).toBe(read.queue[0]);
    expect(read.byId.get(2)).toBe(read.mine);
    // Without sharing, the object is written twice and read as two.
    const copied = decodePlain(encodePlain(fields)) as typeof fields;
    expect(equalPlain(copied, fields)).toBe(true);
    expect(copied.mine).not.toBe(copied.queue[0]);
  });

  it('refuses references where nothing may be shared, cycles, and values that reach too far or too deep', () => {
    const text = (tree: unknown) => '1' + JSON.stringify(tree);
    expect(() => decodePlain(text({ a: [1], b: ref(1) }))).toThrow(/a reference where no container may be shared/);
    expect(decodePlain(text({ a: [1], b: ref(1) }), true)).toEqual({ a: [1], b: [1] });
    expect(() => decodePlain(text({ a: [ref(0)] }), true)).toThrow(/a cycle/);
    expect(() => decodePlain(text({ a: [ref(1)] }), true)).toThrow(/a cycle/);
    expect(() => decodePlain(text({ a: ref(7) }), true)).toThrow(/a reference names no container/);
    expect(() => decodePlain(text({ a: ref(0.5) }), true)).toThrow(/a reference names no container/);
    const doubling: unknown[] = [[1]];
    for (let index = 1; index < 60; index++) doubling.push([ref(index), ref(index)]);
    expect(() => decodePlain(text(doubling), true)).toThrow(/reaches more than 1000000 values/);
    const chain: unknown[] = [[1]];
    for (let index = 1; index < 250; index++) chain.push([ref(index)]);
    expect(() => decodePlain(text(chain), true)).toThrow(/nested deeper than plain data may be/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => encodePlain(cycle, true)).toThrow(/holds itself/);
  });
});

describe('a node class in a realm of its own', () => {
  let pingpong: RealmProgram;
  let paxos: RealmProgram;
  beforeAll(async () => {
    pingpong = await programOf(join(import.meta.dirname, '../../solutions/00-pingpong/index.ts'), join(import.meta.dirname, '../../solutions/00-pingpong'));
    paxos = await programOf(join(import.meta.dirname, '../../solutions/03-paxos/index.ts'), join(import.meta.dirname, '../../solutions/03-paxos'));
  });

  /** A lab test's run, once with the classes of this realm and once with the realm's stand-ins. */
  function sameRun<I>(suite: LabSuite<I>, local: I, isolated: I, testNumber: string): void {
    const test = suite.tests.find((candidate) => candidate.number === testNumber);
    if (test === undefined) throw new Error(`no test ${testNumber}`);
    const runOf = (implementation: I) => {
      const prepared = test.prepare(implementation, 3);
      if (prepared.kind !== 'run') throw new Error(`test ${testNumber} is not a run`);
      return prepared.simulate(`${suite.lab}/${testNumber}/3`, [], 'full');
    };
    const inThisRealm = runOf(local);
    const inItsOwn = runOf(isolated);
    expect(inThisRealm.steps, 'the run must make progress').toBeGreaterThan(10);
    expect(inItsOwn.passed).toBe(inThisRealm.passed);
    expect(inItsOwn.steps).toBe(inThisRealm.steps);
    expect(inItsOwn.counters.bytesSent).toBe(inThisRealm.counters.bytesSent);
    expect(equalPlain(inItsOwn.outputs, inThisRealm.outputs)).toBe(true);
    expect(inItsOwn.trace.map((event) => `${event.kind} ${event.node} ${event.peer} ${event.label}`)).toEqual(
      inThisRealm.trace.map((event) => `${event.kind} ${event.node} ${event.peer} ${event.label}`),
    );
    // The viewer's node states: read through the realm, they are the same as read here.
    expect(inThisRealm.states?.length ?? 0, 'a full trace records node states').toBeGreaterThan(inThisRealm.roles.length);
    expect(inItsOwn.states).toEqual(inThisRealm.states);
  }

  it('runs a lab-0 test exactly as the same class does in this realm', () => {
    const isolated = { PingServer: pingpong.nodeClass<PingPong>('PingServer'), PingClient: pingpong.nodeClass<PingPong>('PingClient') };
    sameRun(pingpongSuite, pingpongSolution, isolated, '0.5');
  });

  it('runs a Paxos test with crashes and durable storage exactly as in this realm', () => {
    sameRun(paxosSuite, paxosSolution, { PaxosNode: paxos.nodeClass<Paxos>('PaxosNode') }, '3.6');
  });

  it('gives the model checker the same states: Paxos 2×3 has the same state count', () => {
    const local = paxosBenchSettings();
    const node = paxos.nodeClass<Paxos>('PaxosNode');
    const isolated = { ...local, nodes: local.nodes.map((spec) => ({ ...spec, node })) };
    const bound = { maxStates: 3_000 };
    const here = explore({ ...local, ...bound });
    const there = explore({ ...isolated, ...bound });
    expect(here.statistics.states).toBe(3_000);
    expect(there.statistics.states).toBe(here.statistics.states);
    expect(there.statistics.transitions).toBe(here.statistics.transitions);
    expect(there.statistics.maxDepth).toBe(here.statistics.maxDepth);
  });

  it("reads every realm's numbers through arrays of this realm, so its hot code sees one class however many realms a grading opens", () => {
    // An array of another realm has that realm's hidden class: after a grader's fifth run,
    // reading the realms' own arrays made every reaction about three times slower.
    for (let index = 0; index < 6; index++) {
      const session = pingpong.open();
      expect(session.numbers).toBeInstanceOf(Float64Array);
      expect(session.answers.tape).toBeInstanceOf(Float64Array);
      expect(session.questions.tape).toBeInstanceOf(Float64Array);
    }
    const isolated = { PingServer: pingpong.nodeClass<PingPong>('PingServer'), PingClient: pingpong.nodeClass<PingPong>('PingClient') };
    sameRun(pingpongSuite, pingpongSolution, isolated, '0.5');
  });
});

describe('the walls of a submission realm, seen from inside', () => {
  let prober: NodeClass<Probing>;
  beforeAll(async () => {
    prober = (await programOf(join(fixtures, 'probes.ts'), fixtures)).nodeClass<Probing>('Prober');
  });

  function probe(...names: string[]): Map<string, string> {
    const settings: SimulationSettings<Probing> = {
      seed: 1,
      nodes: [{ role: 'server', node: prober }],
      config: {},
      durationMs: 100,
      inputs: names.map((name, index) => ({ atMs: index + 1, node: 0, input: { type: 'Probe', name } })),
    };
    const result = simulate(settings);
    expect(result.outputs).toHaveLength(names.length);
    return new Map(result.outputs.map((record) => [record.output.name, record.output.result]));
  }

  it("cannot find the functions the node runtime hands the judging realm (another node's fields, its reactions)", () => {
    expect(probe('runtimeFunctions').get('runtimeFunctions')).toBe('ok: undefined undefined');
  });

  it('has no process, no require, no timers and no way to make code from strings', () => {
    const found = probe('process', 'require', 'setTimeout', 'constructorEscape', 'functionConstructor', 'indirectEval');
    expect(found.get('process')).toBe('ok: undefined');
    expect(found.get('require')).toBe('ok: undefined');
    expect(found.get('setTimeout')).toBe('ok: undefined');
    for (const name of ['constructorEscape', 'functionConstructor', 'indirectEval']) {
      expect(found.get(name)).toMatch(/^threw: EvalError: Code generation from strings disallowed/);
    }
  });

  it('has no clock and no randomness but its own, even through functions captured at load', () => {
    const found = probe('capturedRandom', 'random', 'date', 'dateNow', 'intl', 'weakRef', 'sharedArrayBuffer');
    expect(found.get('capturedRandom')).toMatch(/^threw: DeterminismError: Math\.random\(\) is not allowed/);
    expect(found.get('random')).toMatch(/^threw: DeterminismError/);
    expect(found.get('date')).toMatch(/^threw: DeterminismError: Date is not allowed/);
    expect(found.get('dateNow')).toMatch(/^threw: DeterminismError/);
    expect(found.get('intl')).toMatch(/^threw: DeterminismError: Intl is not allowed/);
    expect(found.get('weakRef')).toMatch(/^threw: DeterminismError: WeakRef is not allowed/);
    expect(found.get('sharedArrayBuffer')).toMatch(/^threw: DeterminismError/);
  });

  it('shows its stack traces only its own frames', () => {
    expect(probe('stack').get('stack')).toBe('ok: own frames only');
  });

  it('runs ordinary code as on a machine of its own: names assigned over a frozen prototype\'s, a global object to write to', () => {
    const found = probe('assignInheritedNames', 'ownGlobal', 'patchBuiltIn');
    expect(found.get('assignInheritedNames')).toBe('ok: QuorumError: no quorum | true | a record | toString,constructor,hasOwnProperty | [object Object]');
    expect(found.get('ownGlobal')).toBe('ok: function mine');
    expect(found.get('patchBuiltIn')).toMatch(/^threw: TypeError: Cannot assign to read only property 'push'/);
  });

  it('cannot patch Object.prototype, and changes nothing outside by trying', () => {
    expect(probe('patchObjectPrototype').get('patchObjectPrototype')).toBe('threw: TypeError: Cannot define property passed, object is not extensible');
    expect(({} as { passed?: unknown }).passed).toBeUndefined();
    expect(({} as { demonstrates?: unknown }).demonstrates).toBeUndefined();
  });

  it("shows a failure's stack as places in the submission's own files, without the runtime's frames", async () => {
    const thrower = (await programOf(join(fixtures, 'throws.ts'), fixtures)).nodeClass<Throwing>('Thrower');
    const result = simulate<Throwing>({
      seed: 1,
      nodes: [{ role: 'server', node: thrower }],
      config: {},
      durationMs: 100,
      inputs: [{ atMs: 1, node: 0, input: { type: 'Go' } }],
    });
    expect(result.failure?.kind).toBe('exception');
    const lines = (result.failure?.message ?? '').split('\n');
    expect(lines[0]).toBe('n0 threw in onInput(Go): Error: boom after 1');
    expect(lines.slice(1).map((line) => line.trim())).toEqual(['at explode (parts/explode.ts:3:24)', 'at Thrower.onInput (throws.ts:19:18)']);
  });

  it('fails the node, not the judge, when the node tries to break the runtime it runs on: the built-ins are frozen', async () => {
    const corrupter = (await programOf(join(fixtures, 'corrupts-runtime.ts'), fixtures)).nodeClass<Corrupting>('Corrupter');
    const result = simulate<Corrupting>({
      seed: 1,
      nodes: [{ role: 'server', node: corrupter }],
      config: {},
      durationMs: 100,
      inputs: [{ atMs: 1, node: 0, input: { type: 'Go' } }],
    });
    expect(result.passed).toBe(false);
    expect(result.failure?.kind).toBe('exception');
    expect(result.failure?.message).toMatch(/^n0 threw in onInput\(Go\): TypeError: Cannot define property toJSON, object is not extensible/);
    expect(result.failure?.node).toBe(0);
    expect(result.outputs).toHaveLength(0);
  });
});

describe('nodes of one realm', () => {
  it('restart in a run with fresh modules, as a restarted process would: only durable storage is left', async () => {
    const restarter = (await programOf(join(fixtures, 'restart-modules.ts'), fixtures)).nodeClass<Restarting>('Restarter');
    const result = simulate<Restarting>({
      seed: 1,
      nodes: [0, 1].map(() => ({ role: 'server' as const, node: restarter })),
      config: {},
      durationMs: 100,
      faults: [
        { atMs: 10, type: 'crash', node: 0 },
        { atMs: 20, type: 'restart', node: 0 },
        { atMs: 30, type: 'crash', node: 0 },
        { atMs: 40, type: 'restart', node: 0 },
      ],
    });
    expect(result.failure).toBeUndefined();
    expect(result.outputs.map((record) => [record.node, record.output.startsSeen])).toEqual([
      [0, 1],
      [1, 1],
      [0, 1],
      [0, 1],
    ]);
  });

  it("hand over storage as the realm's own with its last writes made only when it is exactly that", () => {
    const one = { n: 1 };
    const two = { n: 2 };
    const held = new Map<string, unknown>([
      ['a', one],
      ['b', two],
    ]);
    const set = (key: string, value: unknown) => ({ kind: 'storage-set' as const, key, value });
    const remove = (key: string) => ({ kind: 'storage-delete' as const, key });
    const three = { n: 3 };
    const writes = [set('c', three), set('a', two), remove('b'), set('b', one), remove('c')];
    // a: two, b: one, c: deleted.
    expect(madeBy(new Map([['a', two], ['b', one]]), held, writes)).toBe(true);
    // The same values copied are not the same values.
    expect(madeBy(new Map([['a', { n: 2 }], ['b', one]]), held, writes)).toBe(false);
    // A crash after the first write: what it holds is not what all the writes make.
    expect(madeBy(new Map([['a', one], ['b', two], ['c', three]]), held, writes)).toBe(false);
    // A key lost, a key more.
    expect(madeBy(new Map([['a', two]]), held, writes)).toBe(false);
    expect(madeBy(new Map([['a', two], ['b', one], ['d', one]]), held, writes)).toBe(false);
    expect(madeBy(new Map([['b', two]]), held, [set('a', one), remove('a')])).toBe(true);
    expect(madeBy(new Map([['a', one]]), held, [set('c', three), remove('c'), remove('b')])).toBe(true);
    expect(madeBy(new Map([['a', one], ['b', two]]), held, [remove('b')])).toBe(false);
    // A key lost that was not written; a key changed that was not written.
    expect(madeBy(new Map([['a', two]]), held, [set('a', two)])).toBe(false);
    expect(madeBy(new Map([['a', two], ['b', one]]), held, [set('b', one)])).toBe(false);
  });

  it('read back the durable storage this realm holds, write after write, through crashes in and between reactions', async () => {
    // The realm keeps each node's storage and last writes, and is handed only a mark where this
    // realm's storage is the one it holds, with or without those writes made.
    const churner = (await programOf(join(fixtures, 'storage-churn.ts'), fixtures)).nodeClass<Churning>('Churner');
    const faults = [
      { atMs: 40, type: 'crash', node: 0 },
      { atMs: 70, type: 'restart', node: 0 },
      { atMs: 100, type: 'crash', node: 1, afterEffects: 2 },
      { atMs: 130, type: 'restart', node: 1 },
      { atMs: 150, type: 'crash', node: 2, afterEffects: 4 },
      { atMs: 160, type: 'restart', node: 2 },
      { atMs: 200, type: 'crash', node: 0, afterEffects: 3 },
      { atMs: 205, type: 'restart', node: 0 },
    ] as const;
    const runWith = (node: NodeClass<Churning>, seed: number) =>
      simulate<Churning>({ seed, nodes: [0, 1, 2].map(() => ({ role: 'server' as const, node })), config: {}, durationMs: 400, faults: [...faults], trace: 'full' });
    for (const seed of [1, 2, 3]) {
      const here = runWith(Churner, seed);
      const there = runWith(churner, seed);
      expect(here.failure).toBeUndefined();
      const seen = (result: typeof here) => result.outputs.map((record) => `${record.node}#${record.incarnation} ${record.output.count} ${record.output.storage}`);
      expect(seen(here).length, 'the nodes read their storage many times').toBeGreaterThan(60);
      expect(new Set(here.trace.filter((event) => event.kind === 'store').map((event) => event.reason === 'deleted')).size, 'keys are written and deleted').toBe(2);
      expect(here.trace.filter((event) => event.kind === 'crash' && event.reason !== undefined).length, 'some crashes cut a reaction').toBeGreaterThan(0);
      expect(seen(there)).toEqual(seen(here));
    }
  });

  it('record the end of a run from where it is asked to, node states read across the boundary the same as here', async () => {
    const churner = (await programOf(join(fixtures, 'storage-churn.ts'), fixtures)).nodeClass<Churning>('Churner');
    const faults = [
      { atMs: 300, type: 'crash', node: 0 },
      { atMs: 330, type: 'restart', node: 0 },
      { atMs: 700, type: 'crash', node: 1, afterEffects: 2 },
      { atMs: 760, type: 'restart', node: 1 },
    ] as const;
    const runWith = (node: NodeClass<Churning>, traceFrom?: number) =>
      simulate<Churning>({
        seed: 4,
        nodes: [0, 1, 2].map(() => ({ role: 'server' as const, node })),
        config: {},
        durationMs: 2_400,
        faults: [...faults],
        trace: 'full',
        ...(traceFrom !== undefined ? { traceFrom } : {}),
      });
    const here = runWith(Churner);
    const length = here.traceLength;
    expect(length).toBeGreaterThan(2 * stateLeadEvents + 500);
    const crashes = here.trace.filter((event) => event.kind === 'crash').map((event) => event.index);
    for (const traceFrom of [stateLeadEvents + 200, ...crashes, length - 50]) {
      const there = runWith(churner, traceFrom);
      expect(there.traceLength).toBe(length);
      expect(there.trace).toEqual(here.trace.filter((event) => event.index >= traceFrom));
      for (const index of [traceFrom, traceFrom + 1, traceFrom + 17, length - 1]) {
        expect(nodeStatesAt(there.states ?? [], index), `from ${traceFrom}, at ${index}`).toEqual(nodeStatesAt(here.states ?? [], index));
      }
    }
  });

  it('find every class of the node runtime frozen: the runtime lists each class its script defines', async () => {
    const entryFile = join(fixtures, 'probes.ts');
    const { host } = await buildRealmCode({ label: entryFile, entryFile, root: fixtures });
    const defined = [...host.matchAll(/^\s*var (\w+) = class\b/gm)].map((match) => match[1]).sort();
    const source = readFileSync(join(import.meta.dirname, '..', '..', 'framework', '_realm', 'host.ts'), 'utf8');
    const listed = /function runtimeClasses\(\): unknown\[\] \{\s*return \[([^\]]*)\]/.exec(source)?.[1] ?? '';
    expect(defined.length).toBeGreaterThan(10);
    expect(defined.filter((name) => !new RegExp(`\\b${name}\\b`).test(listed))).toEqual([]);
  });

  it('share nothing but messages: each has module-level variables and a global object of its own, and what they have in common is frozen', async () => {
    const sharer = (await programOf(join(fixtures, 'module-state.ts'), fixtures)).nodeClass<Sharing>('Sharer');
    const result = simulate<Sharing>({
      seed: 1,
      nodes: [0, 1, 2].map(() => ({ role: 'server' as const, node: sharer })),
      config: {},
      durationMs: 100,
      // Every Hello has arrived by then.
      inputs: [0, 1, 2].map((node) => ({ atMs: 50, node, input: { type: 'Look' as const } })),
    });
    expect(result.failure).toBeUndefined();
    expect(result.outputs.map((record) => [record.node, record.output.started, [...record.output.greeted].sort(), record.output.othersMarks])).toEqual([
      [0, 1, [1, 2], []],
      [1, 1, [0, 2], []],
      [2, 1, [0, 1], []],
    ]);
    // Its own global object is the one place a node can write to, and no other node sees it.
    expect(result.outputs.map((record) => record.output.marked)).toEqual([0, 1, 2].map(() => ['the global object', 'the global object’s globalThis']));
  });
});
