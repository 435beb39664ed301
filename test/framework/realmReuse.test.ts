// Runs one after another in one realm: a realm that served a run serves the next, warm, and
// the next run finds nothing of the earlier one, runs exactly as in a new realm, and is judged
// the same.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate, type LabSuite, type Protocol, type SimulationResult } from '../../framework/testing.ts';
import { RealmProgram, type RealmCode } from '../../framework/_internals/realm.ts';
import { buildRealmCode } from '../../grader/realmBundle.ts';
import { withHiddenTests } from '../../grader/hiddenTests.ts';
import { runTest } from '../../grader/runTest.ts';
import { hiddenTests as raftHiddenTests } from '../../labs/05-raft/hidden.ts';
import { suite as raftVisibleSuite } from '../../labs/05-raft/suite.ts';
import paxosSuite from '../../labs/03-paxos/suite.ts';
import type { GrowsTwice } from './fixtures/realm/grows-twice.ts';
import type { Sharing } from './fixtures/realm/module-state.ts';
import type { TableProbing } from './fixtures/realm/table-probe.ts';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(import.meta.dirname, 'fixtures', 'realm');
const raftSuite = withHiddenTests(raftVisibleSuite, raftHiddenTests);

async function codeOf(folder: string, entry = 'index.ts'): Promise<RealmCode> {
  return buildRealmCode({ label: folder, entryFile: join(folder, entry), root: folder });
}

/** A lab test's run on `seed`, with the full trace and every node's state after every event. */
function recordedRun<I>(suite: LabSuite<I>, implementation: I, testNumber: string, seed: number): SimulationResult<Protocol> {
  const test = suite.tests.find((candidate) => candidate.number === testNumber);
  if (test === undefined) throw new Error(`no test ${testNumber}`);
  const prepared = test.prepare(implementation, seed);
  if (prepared.kind !== 'run') throw new Error(`test ${testNumber} is not a run`);
  return prepared.simulate(`${suite.lab}/${testNumber}/${seed}`, [], 'full') as SimulationResult<Protocol>;
}

/** What a report shows of a run: its verdict, its events and the nodes' states. */
function shown(result: SimulationResult<Protocol>): unknown {
  return {
    passed: result.passed,
    failure: result.failure,
    steps: result.steps,
    outputs: result.outputs,
    bytesSent: result.counters.bytesSent,
    trace: result.trace.map((event) => [event.kind, event.node, event.peer, event.label, event.detail, event.timeMs]),
    states: result.states,
  };
}

describe('runs that share a realm', () => {
  let raftCode: RealmCode;
  beforeAll(async () => {
    raftCode = await codeOf(join(root, 'solutions', '05-raft'));
  });

  /** Each test's runs on seeds 1 and 2, one after another in one program's realm, each as a new realm runs it. */
  function sameAsInNewRealms<I>(suite: LabSuite<I>, code: RealmCode, testNumbers: readonly string[]): void {
    const shared = new RealmProgram(code);
    for (const testNumber of testNumbers) {
      for (const seed of [1, 2]) {
        const afterOthers = recordedRun(suite, { ...shared.classes } as I, testNumber, seed);
        // A program of its own: its one realm serves this run alone.
        const alone = new RealmProgram(code);
        const inNewRealm = recordedRun(suite, { ...alone.classes } as I, testNumber, seed);
        expect(alone.realmsOpened).toBe(1);
        expect(inNewRealm.passed, `${testNumber} seed ${seed}`).toBe(true);
        expect(inNewRealm.steps, 'the run must make progress').toBeGreaterThan(20);
        expect(shown(afterOthers), `${testNumber} seed ${seed}`).toEqual(shown(inNewRealm));
      }
    }
    // Every run in one realm: the one opened to read the submission's exports.
    expect(shared.realmsOpened).toBe(1);
  }

  it("run exactly as in a new realm, one after another: lab 5's reference with crashes, partitions, snapshots and clients", () => {
    sameAsInNewRealms(raftSuite, raftCode, ['5C.10', '5C.6', '5B.10']);
  });

  it("run exactly as in a new realm, one after another: lab 3's reference, whose durable storage holds numbers", async () => {
    sameAsInNewRealms(paxosSuite, await codeOf(join(root, 'solutions', '03-paxos')), ['3.6', '3.11', '3.13']);
  });

  it('find nothing an earlier run left: not in module-level variables, the global object, the built-ins or the runtime’s classes', async () => {
    const program = new RealmProgram(await codeOf(fixtures, 'module-state.ts'));
    const sharer = program.nodeClass<Sharing>('Sharer');
    const run = (name: string) =>
      simulate<Sharing>({
        seed: 1,
        nodes: [0, 1, 2].map(() => ({ role: 'server' as const, node: sharer })),
        config: { run: name },
        durationMs: 100,
        inputs: [0, 1, 2].map((node) => ({ atMs: 50, node, input: { type: 'Look' as const } })),
      });
    for (const name of ['first', 'second', 'third']) {
      const result = run(name);
      expect(result.failure).toBeUndefined();
      // Each node's modules are its own and new: one start, greetings of this run only, no mark of another run's nodes.
      expect(result.outputs.map((record) => [record.node, record.output.started, [...record.output.greeted].sort(), record.output.othersMarks]), name).toEqual([
        [0, 1, [1, 2], []],
        [1, 1, [0, 2], []],
        [2, 1, [0, 1], []],
      ]);
      expect(result.outputs.map((record) => record.output.marked)).toEqual([0, 1, 2].map(() => ['the global object', 'the global object’s globalThis']));
    }
    expect(program.realmsOpened).toBe(1);
  });

  it('find nothing an earlier run defined in the tables of strings and shapes the two realms keep in step', async () => {
    const code = await codeOf(fixtures, 'table-probe.ts');
    const run = (program: RealmProgram, plain: boolean, leave?: string) =>
      simulate<TableProbing>({
        seed: 7,
        nodes: [{ role: 'server', node: program.nodeClass<TableProbing>('TableProber') }],
        config: leave === undefined ? {} : { leave },
        durationMs: 100,
        inputs: [{ atMs: 50, node: 0, input: { type: 'Look', names: ['control', 'never', 'leftBefore'], plain } }],
      }).outputs.map((record) => record.output.seen);
    const program = new RealmProgram(code);
    for (const plain of [false, true]) {
      // Whether a send fits does not tell a shape defined in this run from one that is not.
      const [afterLeaving] = run(program, plain, 'leftBefore');
      const outcome = plain ? 'too large' : 'not plain';
      expect(afterLeaving).toEqual({ control: outcome, never: outcome, leftBefore: outcome });
      // Nor the next run in the same realm from a run in a new one.
      const inNewRealm = run(new RealmProgram(code), plain);
      expect(inNewRealm).toEqual([{ control: outcome, never: outcome, leftBefore: outcome }]);
      expect(run(program, plain)).toEqual(inNewRealm);
    }
    expect(program.realmsOpened).toBe(1);
  });

  it('read a realm’s answers whether an earlier run left its answer tape grown or short', async () => {
    const program = new RealmProgram(await codeOf(fixtures, 'grows-twice.ts'));
    const sender = program.nodeClass<GrowsTwice>('LongSender');
    const run = (lengths: readonly number[]) =>
      simulate<GrowsTwice>({
        seed: 5,
        nodes: [
          { role: 'server', node: sender },
          { role: 'server', node: sender },
        ],
        config: {},
        durationMs: 1_000,
        inputs: lengths.map((length) => ({ atMs: 1, node: 0, input: { type: 'Send' as const, length } })),
      });
    // A message too long for the first tape, a short one, then a long one again, each run after the last.
    for (const lengths of [[70_000], [10], [70_001, 90_000], [3]]) {
      const result = run(lengths);
      expect(result.failure).toBeUndefined();
      expect(result.outputs.map((record) => record.output).sort((first, second) => first.length - second.length)).toEqual(lengths.map((length) => ({ type: 'Got', length, whole: true })));
    }
    expect(program.realmsOpened).toBe(1);
  });

  it('a realm given back twice still serves one run at a time', () => {
    const program = new RealmProgram(raftCode);
    const first = program.take();
    program.giveBack(first);
    program.giveBack(first);
    const again = program.take();
    const other = program.take();
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    // A realm the program did not hand out is not taken in.
    const stranger = new RealmProgram(raftCode).take();
    program.giveBack(stranger);
    expect(program.take()).not.toBe(stranger);
  });

  it("a search test's checks of runs against the search reuse realms too: lab 3's searches open a few realms, not one per walk", async () => {
    const program = new RealmProgram(await codeOf(join(root, 'solutions', '03-paxos')));
    const searches = paxosSuite.tests.filter((test) => test.kind === 'search' && test.points > 0);
    expect(searches.length).toBeGreaterThan(2);
    for (const test of searches) {
      const outcome = runTest(paxosSuite, test, { ...program.classes } as never, { seeds: [1] });
      expect(outcome.passed, test.number).toBe(true);
    }
    // Each search keeps its own realm for its live check; each walk of that check (12 and the
    // outcome's path per search) takes one that an earlier walk gave back.
    expect(program.realmsOpened).toBeLessThanOrEqual(2 * searches.length + 1);
  });
});
