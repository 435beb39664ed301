// A message a realm's node sends to a node of the same realm crosses back as the realm wrote
// it, without being written again: it must arrive exactly as a message written from its object
// would, and only the realm that wrote it may be handed it that way.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate, type NodeClass, type SimulationResult, type SimulationSettings } from '../../framework/testing.ts';
import { KeptEncodings, RealmProgram } from '../../framework/_internals/realm.ts';
import { equalPlain } from '../../framework/_internals/plainData.ts';
import { buildRealmCode } from '../../grader/realmBundle.ts';
import { Relay, type Relaying } from './fixtures/realm/relays.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'realm');

async function programOf(): Promise<RealmProgram> {
  const entryFile = join(fixtures, 'relays.ts');
  return new RealmProgram(await buildRealmCode({ label: entryFile, entryFile, root: fixtures }));
}

function run(nodes: readonly NodeClass<Relaying>[], seed: number, duplicateRate = 0): SimulationResult<Relaying> {
  const settings: SimulationSettings<Relaying> = {
    seed,
    nodes: nodes.map((node) => ({ role: 'server', node })),
    config: { hops: 400 },
    network: { duplicateRate },
    durationMs: 100_000,
  };
  return simulate(settings);
}

describe('messages that cross back as their realm wrote them', () => {
  let first: RealmProgram;
  let second: RealmProgram;
  beforeAll(async () => {
    first = await programOf();
    second = await programOf();
  });

  it('arrive as they would in this realm, whatever they hold', () => {
    for (const seed of [1, 2]) {
      for (const duplicateRate of [0, 0.3]) {
        const here = run([Relay, Relay, Relay], seed, duplicateRate);
        const relay = first.nodeClass<Relaying>('Relay');
        const there = run([relay, relay, relay], seed, duplicateRate);
        expect(there.failure).toBeUndefined();
        expect(here.outputs.length).toBeGreaterThan(400);
        expect(there.outputs.length).toBe(here.outputs.length);
        expect(equalPlain(there.outputs, here.outputs)).toBe(true);
      }
    }
  });

  it('are handed as written only to the realm that wrote them', () => {
    // Two realms running the same nodes define their strings and shapes in different orders
    // (each node first sends itself a message with a field named after it), so a message of one
    // read with the other's table would read as something else, or not at all.
    const here = run([Relay, Relay, Relay, Relay], 3);
    const there = run([first.nodeClass<Relaying>('Relay'), second.nodeClass<Relaying>('Relay'), first.nodeClass<Relaying>('Relay'), second.nodeClass<Relaying>('Relay')], 3);
    expect(there.failure).toBeUndefined();
    expect(there.outputs.length).toBe(here.outputs.length);
    expect(equalPlain(there.outputs, here.outputs)).toBe(true);
  });
});

describe('the ring of kept messages', () => {
  const tapeOf = (...numbers: number[]) => Float64Array.from(numbers);

  it('gives back what it kept, to the realm that kept it only', () => {
    const kept = new KeptEncodings(64);
    const at = kept.keep(7, tapeOf(9, 9, 1, 2, 3, 9), 2, 5);
    const into = new Float64Array(8);
    expect(kept.copyTo(7, at, into)).toBe(3);
    expect([...into.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect(kept.copyTo(8, at, new Float64Array(8))).toBe(-1);
    expect(kept.copyTo(7, -1, new Float64Array(8))).toBe(-1);
  });

  it('forgets what it has written over, and never splits an entry at its end', () => {
    const kept = new KeptEncodings(16);
    const message = tapeOf(1, 2, 3, 4, 5);
    const first = kept.keep(1, message, 0, 5);
    const second = kept.keep(1, message, 0, 5);
    expect(kept.copyTo(1, first, new Float64Array(8))).toBe(5);
    // The third does not fit before the ring's end (14 + 7 > 16): it starts again at 0, over the first.
    const third = kept.keep(1, tapeOf(6, 7, 8, 9, 10), 0, 5);
    expect(third % 16).toBe(0);
    expect(kept.copyTo(1, first, new Float64Array(8))).toBe(-1);
    const into = new Float64Array(8);
    expect(kept.copyTo(1, second, into)).toBe(5);
    expect([...into.subarray(0, 5)]).toEqual([1, 2, 3, 4, 5]);
    expect(kept.copyTo(1, third, into)).toBe(5);
    expect([...into.subarray(0, 5)]).toEqual([6, 7, 8, 9, 10]);
    kept.keep(1, message, 0, 5);
    expect(kept.copyTo(1, second, new Float64Array(8))).toBe(-1);
  });

  it('keeps no message longer than copying is worth, nor one longer than the tape it is copied to', () => {
    const kept = new KeptEncodings();
    expect(kept.keep(1, new Float64Array(KeptEncodings.longest + 1), 0, KeptEncodings.longest + 1)).toBe(-1);
    const at = kept.keep(1, new Float64Array(10), 0, 10);
    expect(kept.copyTo(1, at, new Float64Array(4))).toBe(-1);
  });
});
