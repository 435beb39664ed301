// A submission's nodes must behave the same whether the model checker rebuilds them from
// their fields or a run keeps the objects their constructor made: otherwise a search could
// prove safe a protocol the runs do not follow. checkLiveAgreement follows paths both ways.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { explore, probe, simulate, type NodeClass, type SearchSettings } from '../../framework/testing.ts';
import { checkLiveAgreement } from '../../framework/search.ts';
import { RealmProgram } from '../../framework/_internals/realm.ts';
import { buildRealmCode } from '../../grader/realmBundle.ts';
import { paxosBenchSettings } from '../../bench/search.ts';
import type { Paxos } from '../../labs/03-paxos/src/protocol.ts';
import { Honest, TellsCopies, type TwoFaced } from './fixtures/live/two-faced.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'live');

let program: RealmProgram;
let paxos: RealmProgram;
beforeAll(async () => {
  const entryFile = join(fixtures, 'two-faced.ts');
  program = new RealmProgram(await buildRealmCode({ label: entryFile, entryFile, root: fixtures }));
  const paxosRoot = join(import.meta.dirname, '..', '..', 'solutions', '03-paxos');
  const paxosEntry = join(paxosRoot, 'index.ts');
  paxos = new RealmProgram(await buildRealmCode({ label: paxosEntry, entryFile: paxosEntry, root: paxosRoot }));
});

const twoNodes = (node: NodeClass<TwoFaced>): SearchSettings<TwoFaced> => ({
  nodes: [
    { role: 'server', node },
    { role: 'server', node },
  ],
  config: {},
  inputs: [
    { node: 0, input: { type: 'Go' } },
    { node: 1, input: { type: 'Go' } },
  ],
  timers: false,
});

const walks = { walks: 8, depth: 20, seed: 'live check test' };

describe('following a search both ways', () => {
  it('finds the step where a node tells a copy from the object its constructor made', () => {
    const settings = twoNodes(program.nodeClass<TwoFaced>('TellsCopies'));
    // The search alone sees n1 never enter.
    const search = explore(settings);
    expect(search.outcome.kind).toBe('exhausted');
    const disagreement = checkLiveAgreement(settings, walks);
    expect(disagreement).toBeDefined();
    expect(disagreement?.path.at(-1)).toMatchObject({ kind: 'deliver', to: 1 });
    expect(disagreement?.against).toBe('run');
    expect(disagreement?.other).toMatch(/output n1 Enter/);
    expect(disagreement?.searched).not.toMatch(/output n1 Enter/);
  });

  it('finds a node that keeps state outside its fields', () => {
    const disagreement = checkLiveAgreement(twoNodes(program.nodeClass<TwoFaced>('KeepsHiddenState')), walks);
    expect(disagreement).toBeDefined();
    expect(disagreement?.path.at(-1)?.kind).toBe('deliver');
    // The model checker's copy did one thing the first time, another the second.
    expect(disagreement?.against).toBe('again');
    expect(disagreement?.searched).not.toBe(disagreement?.other);
  });

  it('gives the nodes it keeps live no clock, as runs of the labs with searches give none: the clock tells the check from nothing', () => {
    // A node that behaves by whether it can read the clock does the same here as under search, as it would in those runs.
    expect(checkLiveAgreement(twoNodes(program.nodeClass<TwoFaced>('TellsByClock')), walks)).toBeUndefined();
    // So one that cheats only on its constructor's object where the clock throws (every such run) cheats here too, and shows itself.
    const disagreement = checkLiveAgreement(twoNodes(program.nodeClass<TwoFaced>('TellsRunsByObjectWhereNoClock')), walks);
    expect(disagreement?.against).toBe('run');
    expect(disagreement?.other).toMatch(/output n1 Enter/);
    expect(disagreement?.searched).not.toMatch(/output n1 Enter/);
  });

  it('takes the model checker’s steps in the realm of the search it checks, where what the search left outside the fields still is', () => {
    const settings = twoNodes(program.nodeClass<TwoFaced>('SwitchesFaceLate'));
    const searched = explore(settings);
    expect(searched.outcome.kind).toBe('exhausted');
    // n1 hears first: a run's fifth reaction, long past the search's.
    const path = [{ kind: 'deliver' as const, from: 0, to: 1, message: { type: 'Hi' as const } }];
    const disagreement = checkLiveAgreement(settings, { ...walks, walks: 0, path, after: searched });
    expect(disagreement?.path).toEqual(path);
    expect(disagreement?.against).toBe('run');
    expect(disagreement?.other).toMatch(/output n1 Enter/);
    expect(disagreement?.searched).not.toMatch(/output n1 Enter/);
  });

  it('takes a probe\'s own walks again, and finds a node that behaved otherwise while they were taken', () => {
    const settings = twoNodes(program.nodeClass<TwoFaced>('ProbedOnce'));
    const probed = probe(settings, { probes: 10, depth: 10, seed: 'probed once' });
    expect(probed.outcome.kind).toBe('limit');
    const disagreement = checkLiveAgreement(settings, { ...walks, after: probed });
    expect(disagreement?.against).toBe('search');
    expect(disagreement?.path.at(-1)).toMatchObject({ kind: 'deliver', to: 1 });
    expect(disagreement?.searched).toMatch(/output n1 Enter/);
    expect(disagreement?.other).toBe('not this: exploring, the random walk took the same step from the same state and reached another state');
    // Without walks (a search whose test fails anyway), the probe's own walks are not taken again either.
    expect(checkLiveAgreement(settings, { ...walks, walks: 0, after: probed })).toBeUndefined();
    // An honest node walks the same way again.
    const honest = twoNodes(program.nodeClass<TwoFaced>('Honest'));
    expect(checkLiveAgreement(honest, { ...walks, after: probe(honest, { probes: 10, depth: 10, seed: 'probed once' }) })).toBeUndefined();
  });

  it('gives a node in a run a fresh copy of its fields every few reactions, as the model checker does at every one: nothing kept by its object\'s identity outlasts them', () => {
    const node = program.nodeClass<TwoFaced>('CountsItsObjectsReactions');
    const result = simulate<TwoFaced>({
      seed: 'counts',
      nodes: [
        { role: 'server', node },
        { role: 'server', node },
      ],
      config: {},
      inputs: [{ atMs: 0, node: 0, input: { type: 'Go' } }],
      durationMs: 2_000,
    });
    expect(result.counters.messagesDelivered).toBeGreaterThan(100);
    expect(result.outputs).toEqual([]);
  });

  it('checks the path it is given first, then the walks', () => {
    const settings = twoNodes(program.nodeClass<TwoFaced>('TellsCopies'));
    const path = [{ kind: 'deliver' as const, from: 0, to: 1, message: { type: 'Hi' as const } }];
    const disagreement = checkLiveAgreement(settings, { ...walks, walks: 0, path });
    expect(disagreement?.path).toEqual(path);
    expect(checkLiveAgreement(settings, { ...walks, walks: 0, path: [] })).toBeUndefined();
  });

  it('agrees on honest nodes: the same protocol, and the reference Paxos on every walk', () => {
    expect(checkLiveAgreement(twoNodes(program.nodeClass<TwoFaced>('Honest')), walks)).toBeUndefined();
    const local = paxosBenchSettings();
    const node = paxos.nodeClass<Paxos>('PaxosNode');
    expect(checkLiveAgreement({ ...local, nodes: local.nodes.map((spec) => ({ ...spec, node })) }, { walks: 6, depth: 40, seed: 'paxos' })).toBeUndefined();
  });

  it('leaves classes of this realm alone: they are the suite author’s own', () => {
    expect(checkLiveAgreement(twoNodes(TellsCopies), walks)).toBeUndefined();
    expect(checkLiveAgreement(twoNodes(Honest), walks)).toBeUndefined();
  });
});
