// Hostile submissions to lab 0 (test/fixtures/hostile) whose attack shows best at the
// framework's level: what only the model checker does (it rebuilds a node's object from its
// fields at every step, in one realm for the whole search, where a run keeps the object its
// constructor made), and what a node's classes do across the realm boundary against what the
// same classes do in process. A node must be the same node every way.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { explore, simulate, type NodeClass, type SearchSettings, type SimulationResult } from '../../framework/testing.ts';
import { checkLiveAgreement } from '../../framework/search.ts';
import { RealmProgram } from '../../framework/_internals/realm.ts';
import { buildRealmCode } from '../../grader/realmBundle.ts';
import type { PingPong } from '../../labs/00-pingpong/src/protocol.ts';
import * as bigintMessages from '../fixtures/hostile/bigint-many-digits/index.ts';
import * as longKeys from '../fixtures/hostile/storage-long-key/index.ts';
import * as longText from '../fixtures/hostile/answer-text-past-limit/index.ts';
import * as oddContainers from '../fixtures/hostile/odd-containers-both-ways/index.ts';
import * as keysShift from '../fixtures/hostile/message-keys-shift/index.ts';
import * as protoField from '../fixtures/hostile/state-proto-field/index.ts';
import * as fieldOverAccessor from '../fixtures/hostile/state-field-over-accessor/index.ts';
import * as sharedExpansion from '../fixtures/hostile/state-shared-expansion/index.ts';

const hostile = join(import.meta.dirname, '..', 'fixtures', 'hostile');

async function program(name: string): Promise<RealmProgram> {
  const root = join(hostile, name);
  const entryFile = join(root, 'index.ts');
  return new RealmProgram(await buildRealmCode({ label: entryFile, entryFile, root }));
}

/** A server and a client asked for two pings, every interleaving of their messages. */
function pingPong(submission: RealmProgram): SearchSettings<PingPong> {
  return {
    nodes: [
      { role: 'server', node: submission.nodeClass<PingPong>('PingServer') as NodeClass<PingPong> },
      { role: 'client', node: submission.nodeClass<PingPong>('PingClient') as NodeClass<PingPong> },
    ],
    config: { server: 0, retryMs: 100 },
    inputs: [
      { node: 1, input: { type: 'SendPing', seq: 1 } },
      { node: 1, input: { type: 'SendPing', seq: 2 } },
    ],
    timers: false,
  };
}

const walks = { walks: 8, depth: 20, seed: 'boundary attacks' };

describe('a client whose fields are named __proto__ and constructor (state-proto-field)', () => {
  let settings: SearchSettings<PingPong>;
  beforeAll(async () => {
    settings = pingPong(await program('state-proto-field'));
  });

  // The search rebuilds the client with its fields defined where assigning them would not make
  // them its own: `__proto__` stays a field, and the class keeps its methods.
  it('is searched as it runs: no exception, and the run agrees with the search step by step', () => {
    const search = explore(settings);
    expect(search.outcome.kind, JSON.stringify(search.outcome).slice(0, 600)).toBe('exhausted');
    expect(checkLiveAgreement(settings, walks)).toBeUndefined();
  });
});

describe('a client whose field covers a getter of its class (state-field-over-accessor)', () => {
  let settings: SearchSettings<PingPong>;
  beforeAll(async () => {
    settings = pingPong(await program('state-field-over-accessor'));
  });

  // A field over a getter without a setter is defined on the copy, as the class field was on the
  // object the constructor made: assigning it would throw.
  it('is searched as it runs: no exception, and the run agrees with the search step by step', () => {
    const search = explore(settings);
    expect(search.outcome.kind, JSON.stringify(search.outcome).slice(0, 600)).toBe('exhausted');
    expect(checkLiveAgreement(settings, walks)).toBeUndefined();
  });
});

describe('the same clients searched in this realm, whose copies the framework makes itself', () => {
  for (const [name, classes] of [
    ['state-proto-field', protoField],
    ['state-field-over-accessor', fieldOverAccessor],
  ] as const) {
    it(`${name}: no exception, every interleaving explored`, () => {
      const settings: SearchSettings<PingPong> = {
        nodes: [
          { role: 'server', node: classes.PingServer as NodeClass<PingPong> },
          { role: 'client', node: classes.PingClient as NodeClass<PingPong> },
        ],
        config: { server: 0, retryMs: 100 },
        inputs: [
          { node: 1, input: { type: 'SendPing', seq: 1 } },
          { node: 1, input: { type: 'SendPing', seq: 2 } },
        ],
        timers: false,
      };
      const search = explore(settings);
      expect(search.outcome.kind, JSON.stringify(search.outcome).slice(0, 600)).toBe('exhausted');
      expect(search.statistics.maxDepth).toBeGreaterThan(2);
    });
  }
});

describe('a client that tells the search from a run by a field named __proto__ that holds a number (tells-search-by-proto-field)', () => {
  let settings: SearchSettings<PingPong>;
  beforeAll(async () => {
    settings = pingPong(await program('tells-search-by-proto-field'));
  });

  it('cannot tell: the search keeps the field too, so the client does nothing there as in a run', () => {
    expect(checkLiveAgreement(settings, walks)).toBeUndefined();
    const search = explore({ ...settings, properties: [] });
    expect(search.outcome.kind).toBe('exhausted');
    // No Ping is ever sent: the client's inputs lead nowhere.
    expect(search.statistics.maxDepth).toBe(0);
  });
});

describe('a client whose fields share containers that reach four million values (state-shared-expansion)', () => {
  let settings: SearchSettings<PingPong>;
  beforeAll(async () => {
    settings = pingPong(await program('state-shared-expansion'));
  });

  const tooFar = /reaches more than 1000000 values, counting a shared container at every place it appears/;

  it('is refused by the search as not plain data, with the reason, in its own realm as in this one', () => {
    const search = explore(settings);
    expect(search.outcome.kind, JSON.stringify(search.outcome).slice(0, 600)).toBe('exception');
    expect(search.outcome.kind === 'exception' ? search.outcome.message : '').toMatch(tooFar);
    const here = explore({ ...settings, nodes: [settings.nodes[0], { role: 'client', node: sharedExpansion.PingClient as NodeClass<PingPong> }] as SearchSettings<PingPong>['nodes'] });
    expect(here.outcome.kind === 'exception' ? here.outcome.message : here.outcome.kind).toMatch(tooFar);
  }, 120_000);

  it('is refused by a run as not plain data, with the same reason, in its own realm as in this one', async () => {
    const submission = await program('state-shared-expansion');
    for (const client of [submission.nodeClass<PingPong>('PingClient'), sharedExpansion.PingClient as NodeClass<PingPong>]) {
      const result = pingPongRun(submission.nodeClass<PingPong>('PingServer'), client);
      expect(result.failure?.property).toBe('plain data');
      expect(result.failure?.message).toMatch(tooFar);
    }
  }, 120_000);
});

/** Ten pings over a reliable network, with the server and client given. */
function pingPongRun(server: NodeClass<PingPong>, client: NodeClass<PingPong>): SimulationResult<PingPong> {
  return simulate<PingPong>({
    seed: 7,
    nodes: [
      { role: 'server', node: server },
      { role: 'client', node: client },
    ],
    config: { server: 0, retryMs: 100 },
    network: { delay: { kind: 'uniform', minMs: 1, maxMs: 10 } },
    durationMs: 1_000,
    inputs: Array.from({ length: 10 }, (_, index) => ({ atMs: 1 + index * 20, node: 1, input: { type: 'SendPing' as const, seq: index + 1 } })),
  });
}

describe('a Pong carrying a bigint of 20,000 digits (bigint-many-digits)', () => {
  let submission: RealmProgram;
  beforeAll(async () => {
    submission = await program('bigint-many-digits');
  });

  it('is answered in process: plain data has bigints of any size', () => {
    const result = pingPongRun(bigintMessages.PingServer as NodeClass<PingPong>, bigintMessages.PingClient as NodeClass<PingPong>);
    expect(result.failure).toBeUndefined();
    expect(result.outputs).toHaveLength(10);
  });

  // Bigints cross in hexadecimal, read in time linear in their length, so the judging side reads
  // them at any size, as the framework's copy takes them.
  it('is answered across the realm boundary as in process', () => {
    const result = pingPongRun(submission.nodeClass<PingPong>('PingServer'), submission.nodeClass<PingPong>('PingClient'));
    expect(result.failure?.message).toBeUndefined();
    expect(result.outputs).toHaveLength(10);
  });
});

/** The fixture's classes run in process and across the realm boundary: the same ten pings answered both ways. */
function bothWays(name: string, inProcess: { PingServer: unknown; PingClient: unknown }, hole: string | undefined): void {
  describe(`${name}: the same run in process and across the realm boundary`, () => {
    let submission: RealmProgram;
    beforeAll(async () => {
      submission = await program(name);
    });

    it('answers every ping in process', () => {
      const result = pingPongRun(inProcess.PingServer as NodeClass<PingPong>, inProcess.PingClient as NodeClass<PingPong>);
      expect(result.failure?.message).toBeUndefined();
      expect(result.outputs).toHaveLength(10);
    });

    (hole === undefined ? it : it.fails)(`answers every ping across the realm boundary${hole === undefined ? '' : ` (HOLE: ${hole})`}`, () => {
      const result = pingPongRun(submission.nodeClass<PingPong>('PingServer'), submission.nodeClass<PingPong>('PingClient'));
      expect(result.failure?.message).toBeUndefined();
      expect(result.outputs).toHaveLength(10);
    });
  });
}

// Storage keys are any strings on both sides, as the framework's storage takes them.
bothWays('storage-long-key', longKeys, undefined);
// The realm bounds the text of one reaction's effects as it bounds the tape: a send past it fails
// with an error the node can catch, and the node goes on.
bothWays('answer-text-past-limit', longText, undefined);
bothWays('odd-containers-both-ways', oddContainers, undefined);
// A message the tape cannot write as it is (a proxy whose keys come in another order at each walk),
// but the framework's copy takes, is sent as that copy, in both realms.
bothWays('message-keys-shift', keysShift, undefined);
