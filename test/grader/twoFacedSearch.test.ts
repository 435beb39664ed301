// A submission whose nodes show the model checker one protocol and the runs another: the
// grader follows each search's paths as a run would, and such a submission earns nothing
// from a search test. The reference solution, whose nodes react to their fields only, passes.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';
import { describeFailureKind } from '../../grader/results.ts';
import { changedCopy } from '../labs/cheatFolders.ts';

const limits = { memoryMb: 512, timeoutMs: 120_000 };

const scratchFolders: string[] = [];
afterAll(() => {
  for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
});

/**
 * The reference's Lamport node with two faces: on the objects its constructor made (every run)
 * it enters as soon as it asks, which breaks mutual exclusion; on the copies the model checker
 * rebuilds from its fields for each reaction, which a module-level WeakSet tells apart, it
 * follows Lamport's algorithm, so a search alone would find it safe.
 */
function twoFacedLamport(): string {
  return changedCopy(
    join(projectRoot, 'solutions', '01-mutex'),
    'lamport.ts',
    [
      [
        'export class LamportNode extends Node<Lamport> {\n',
        `const madeByConstructor = new WeakSet<object>();

export class LamportNode extends Node<Lamport> {
  override onStart(): void {
    madeByConstructor.add(this);
  }

`,
      ],
      [
        '    if (this.myRequest === null || this.inCriticalSection) return;\n',
        `    if (this.myRequest === null || this.inCriticalSection) return;
    if (madeByConstructor.has(this)) {
      this.inCriticalSection = true;
      this.output({ type: 'Enter' });
      return;
    }
`,
      ],
    ],
    scratchFolders,
  );
}

/**
 * Module-level code that tells the search's exploration from the rest: a node's first start,
 * where the clock throws. A node's onStart counts its starts in `starts`.
 */
const firstStartWithoutClock = `let starts = 0;

function exploring(node: { now(): number }): boolean {
  if (starts > 1) return false;
  try {
    node.now();
    return false;
  } catch {
    return true;
  }
}

`;

/**
 * The reference's Lamport node, which follows Lamport's algorithm only while the search
 * explores (the clock throws, and its node has started once), and otherwise enters as soon as
 * it asks. The check after the search follows paths in the search's own realm, where each node
 * starts a second time: there it behaves as in a run, so a run and the model checker's copies
 * agree, yet neither does what the search saw.
 */
function exploringOnlyLamport(): string {
  return changedCopy(
    join(projectRoot, 'solutions', '01-mutex'),
    'lamport.ts',
    [
      [
        'export class LamportNode extends Node<Lamport> {\n',
        `${firstStartWithoutClock}export class LamportNode extends Node<Lamport> {
  override onStart(): void {
    starts++;
  }

`,
      ],
      [
        '        const timestamp = this.tick();\n',
        `        if (!exploring(this)) {
          this.inCriticalSection = true;
          this.output({ type: 'Enter' });
          return;
        }
        const timestamp = this.tick();
`,
      ],
    ],
    scratchFolders,
  );
}

/**
 * The reference's Paxos proposer, which takes the highest-ballot value its Promises report only
 * while the search explores (the clock throws, and its node has started once), and otherwise
 * proposes its own value, a classic bug. Its fields and its start are the reference's, so the
 * live check's walks see the same buggy proposer on both sides: only the probe's own walks,
 * taken again, show what it did while probed.
 */
function probedOnlyPaxos(): string {
  return changedCopy(
    join(projectRoot, 'solutions', '03-paxos'),
    'paxos.ts',
    [
      [
        'export class PaxosNode extends Node<Paxos> {\n',
        `${firstStartWithoutClock}export class PaxosNode extends Node<Paxos> {
`,
      ],
      ['  override onStart(): void {\n', '  override onStart(): void {\n    starts++;\n'],
      ['    return highest?.value ?? (this.value as string);\n', '    return exploring(this) ? (highest?.value ?? (this.value as string)) : (this.value as string);\n'],
    ],
    scratchFolders,
  );
}

describe('search tests and nodes with two faces', () => {
  it('fails a Paxos proposer that follows the protocol only while the random walks probe it, as nondeterministic', async () => {
    const report = await grade({ lab: 'paxos', implementation: probedOnlyPaxos(), tests: ['3.S3'], limits, typecheck: false });
    const [test] = report.tests;
    expect(test?.score).toBe(0);
    expect(test?.failure?.kind).toBe('nondeterministic');
    expect(test?.failure?.property).toBe('deterministic behaviour');
    expect(test?.failure?.message).toMatch(/What the search saw while it explored: not this: exploring, the random walk took the same step from the same state and reached another state/);
    expect(test?.failure?.path?.length).toBeGreaterThan(0);
  }, 180_000);


  it('fails a Lamport node that follows the algorithm only while the search explores, as nondeterministic', async () => {
    const report = await grade({ lab: 'mutex', implementation: exploringOnlyLamport(), tests: ['1C.8'], limits, typecheck: false });
    const [test] = report.tests;
    expect(test?.score).toBe(0);
    expect(test?.failure?.kind).toBe('nondeterministic');
    expect(test?.failure?.property).toBe('deterministic behaviour');
    expect(test?.failure?.message).toMatch(/What the search saw while it explored: not this: exploring, the search never reached the state this step reaches now/);
    expect(test?.failure?.message).toMatch(/output n\d Enter/);
  }, 180_000);

  it('fails a Lamport node that enters at once in runs and follows the algorithm when rebuilt from its fields, as nondeterministic', async () => {
    const report = await grade({
      lab: 'mutex',
      implementation: twoFacedLamport(),
      tests: ['1C.8'],
      limits,
      typecheck: false,
    });
    const [test] = report.tests;
    expect(test?.number).toBe('1C.8');
    expect(test?.score).toBe(0);
    expect(test?.status).toBe('failed');
    expect(test?.failure?.kind).toBe('nondeterministic');
    expect(test?.failure?.property).toBe('deterministic behaviour');
    expect(test?.failure === undefined ? '' : describeFailureKind(test.failure)).toBe('nondeterministic submission: its nodes behave differently under the model checker than in a run');
    expect(test?.failure?.message).toMatch(/behave differently under the model checker/);
    expect(test?.failure?.message).toMatch(/output n\d Enter/);
    // Here the two faces differ from the start: both nodes ask at once, and a run's nodes enter.
    expect(test?.failure?.message).toMatch(/in the initial state/);
    expect(test?.failure?.path).toEqual([]);
    expect(test?.failure?.trace.length).toBeGreaterThan(0);
  }, 180_000);

  it('gives full marks to a correct node whose fields share an object, as its runs do', async () => {
    // Its own request sits both in its queue and in a field of its own, and it finds it there
    // by identity: the model checker's copies keep the two one object, as a run's object does.
    const report = await grade({
      lab: 'mutex',
      implementation: join(projectRoot, 'test', 'fixtures', 'shared-object-mutex'),
      tests: ['1C.2', '1C.8'],
      limits,
      typecheck: false,
    });
    expect(report.tests.map((test) => [test.number, test.status, test.score])).toEqual([
      ['1C.2', 'passed', 3],
      ['1C.8', 'passed', 2],
    ]);
  }, 180_000);

  it('passes the reference solution on the same test', async () => {
    const report = await grade({ lab: 'mutex', tests: ['1C.8'], limits, typecheck: false });
    expect(report.tests.map((test) => [test.number, test.status, test.score])).toEqual([['1C.8', 'passed', 2]]);
  }, 180_000);
});
