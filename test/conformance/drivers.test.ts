// Conformance: the simulator and the model checker run nodes through one reaction, so for the
// same stimuli in the same order they must make the same effects, reach the same node states
// (each reaction ends by logging the node's fields and storage), and hand properties the same
// history. A plain reference driver in this folder is the third opinion: every difference is
// reported as the first line where a driver departs from it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore } from '../../framework/search.ts';
import { simulate } from '../../framework/simulation.ts';
import { MisbehavingNode, type Misbehaving, type Misdeed } from './fixtures/misbehaving.ts';
import { checkRun, checkSearchPath, runCases, searchCases } from './followers.ts';
import { solutionExports, subjects } from './subjects.ts';

/** Fixed, so that every run of this file checks the same cases. */
const fastCheckSeed = 20_240_917;
const runsPerSubject = 20;

describe('every driver makes the same effects and reaches the same node states', () => {
  it('drives every class of every lab reference solution', () => {
    const driven = new Set(subjects.flatMap((entry) => entry.use((subject) => subject.nodes.map((spec) => spec.node.name))));
    expect(solutionExports.filter((name) => !driven.has(name))).toEqual([]);
  });

  for (const entry of subjects) {
    it(`${entry.name}: a run's stimuli, replayed by the reference driver and by the model checker`, () => {
      entry.use((subject) => fc.assert(fc.property(runCases(subject), (run) => checkRun(subject, run)), { seed: fastCheckSeed, numRuns: runsPerSubject }));
    });

    it(`${entry.name}: a path of the model checker's choices, replayed by it and by the reference driver`, () => {
      entry.use((subject) =>
        fc.assert(fc.property(searchCases(subject), (search) => checkSearchPath(subject, search)), { seed: fastCheckSeed, numRuns: runsPerSubject }),
      );
    });
  }
});

describe('every driver refuses the same invalid effects with the same words', () => {
  const misdeeds: readonly Misdeed[] = [
    'timer-fractional-range',
    'timer-infinite',
    'timer-zero',
    'timer-reversed-range',
    'timer-without-type',
    'send-to-unknown-node',
    'send-function',
    'send-without-type',
    'output-null',
    'storage-function',
    'cancel-without-type',
  ];
  for (const misdeed of misdeeds) {
    it(misdeed, () => {
      const nodes = [{ role: 'server' as const, node: MisbehavingNode }];
      const config: Misbehaving['config'] = { misdeed };
      const run = simulate<Misbehaving>({ seed: 1, nodes, config, durationMs: 100 });
      const search = explore<Misbehaving>({ nodes, config });
      expect(run.failure?.kind).toBe('exception');
      expect(search.outcome.kind).toBe('exception');
      const firstLine = (text: string | undefined) => text?.split('\n')[0];
      const runMessage = firstLine(run.failure?.message);
      const searchMessage = firstLine(search.outcome.kind === 'exception' ? search.outcome.message : undefined);
      expect(runMessage).toMatch(/^n0 threw in onStart\(\): /);
      expect(searchMessage).toBe(runMessage);
    });
  }
});
