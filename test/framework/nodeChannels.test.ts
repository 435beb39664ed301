// The nodes of one run, in one realm, share nothing but messages: what one node's code can
// observe of the runtime (when its fields are read, how often a value it sends is walked) must
// not depend on what the other nodes did. See docs/staff.md, "Nodes share nothing but messages".
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RealmProgram } from '../../framework/_internals/realm.ts';
import { simulate } from '../../framework/simulation.ts';
import { buildRealmCode } from '../../grader/realmBundle.ts';
import type { ChannelProbing } from './fixtures/realm/channel-probes.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'realm');

describe('nodes that share a realm', () => {
  it('cannot tell from the reads of their fields, or the walks of what they send, what another node did', async () => {
    const entryFile = join(fixtures, 'channel-probes.ts');
    const program = new RealmProgram(await buildRealmCode({ label: entryFile, entryFile, root: fixtures }));
    const watcherSaw = (timers: number | undefined) => {
      const result = simulate<ChannelProbing>({
        seed: 3,
        nodes: [0, 1].map(() => ({ role: 'server' as const, node: program.nodeClass<ChannelProbing>('ChannelProber') })),
        config: {},
        durationMs: 60,
        // Thousands of events in one millisecond from n0: past a multiple of 1,024 of the run's events, more than once.
        inputs: timers === undefined ? [] : [{ atMs: 2, node: 0, input: { type: 'Busy', timers } }],
      });
      expect(result.failure).toBeUndefined();
      return result.outputs.filter((record) => record.node === 1).map((record) => record.output);
    };
    const quiet = watcherSaw(undefined);
    expect(quiet).toHaveLength(40);
    // Its own copies every few reactions read its fields; each refused send walks the probe alike.
    expect(quiet.some((seen) => seen.reads > 0)).toBe(true);
    expect(new Set(quiet.map((seen) => seen.listings)).size).toBe(1);
    expect(watcherSaw(3_000)).toEqual(quiet);
    expect(watcherSaw(0)).toEqual(quiet);
  });
});
