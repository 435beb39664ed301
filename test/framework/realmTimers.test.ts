// Timers of a node in a submission's realm behave as in this realm: whatever setTimer accepts
// there crosses the boundary, a single delay of a fraction of a millisecond included.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, type NodeClass } from '../../framework/testing.ts';
import { RealmProgram } from '../../framework/_internals/realm.ts';
import { buildRealmCode } from '../../grader/realmBundle.ts';
import { FractionalTimer, type Fractional } from './fixtures/realm/fractional-timer.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'realm');

describe('an honest timer of a fractional delay', () => {
  it('fires in a submission realm as it does in this realm', async () => {
    const entryFile = join(fixtures, 'fractional-timer.ts');
    const isolated = new RealmProgram(await buildRealmCode({ label: entryFile, entryFile, root: fixtures })).nodeClass<Fractional>('FractionalTimer');
    const run = (node: NodeClass<Fractional>) =>
      simulate<Fractional>({ seed: 1, nodes: [{ role: 'server', node }], config: {}, durationMs: 100, inputs: [{ atMs: 1, node: 0, input: { type: 'Go' } }] });
    const here = run(FractionalTimer);
    expect(here.failure).toBeUndefined();
    expect(here.outputs).toHaveLength(1);
    const there = run(isolated);
    expect(there.failure?.message).toBeUndefined();
    expect(there.outputs.map((record) => record.timeMs)).toEqual(here.outputs.map((record) => record.timeMs));
  });
});
