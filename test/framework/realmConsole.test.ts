// What a node in a submission's realm prints is bounded per reaction, empty lines included.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { simulate } from '../../framework/testing.ts';
import { RealmProgram, setRealmOutput } from '../../framework/_internals/realm.ts';
import { buildRealmCode } from '../../grader/realmBundle.ts';
import type { Quiet } from './fixtures/realm/empty-console-lines.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'realm');

afterEach(() => setRealmOutput(undefined));

describe('console output from a submission realm', () => {
  it('keeps at most 16,000 lines of a reaction that prints 100,000 empty ones, and says how many it dropped', async () => {
    const entryFile = join(fixtures, 'empty-console-lines.ts');
    const node = new RealmProgram(await buildRealmCode({ label: entryFile, entryFile, root: fixtures })).nodeClass<Quiet>('EmptyLines');
    const lines: string[] = [];
    setRealmOutput((line) => lines.push(line));
    const result = simulate<Quiet>({ seed: 1, nodes: [{ role: 'server', node }], config: {}, durationMs: 10, inputs: [{ atMs: 1, node: 0, input: { type: 'Go' } }] });
    expect(result.failure).toBeUndefined();
    expect(result.outputs).toHaveLength(1);
    expect(lines.length).toBeLessThanOrEqual(16_001);
    expect(lines.at(-1)).toMatch(/^… 84000 more console lines were not kept$/);
  });
});
