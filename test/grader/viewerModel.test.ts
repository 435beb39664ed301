// The trace viewer's data: messages paired from real runs and search replays, bands from
// schedules and crashes, positions of the violation and of a search path's steps, and
// untrusted text kept as text.
import { describe, expect, it } from 'vitest';
import { simulate, stateChangesFrom, type FaultSchedule, type TraceEvent, type TraceKind } from 'distlab/testing';
import { buildViewerData, detailLimit, messageTypeColour, packViewerData, unpackViewerEvents, type ViewerData, type ViewerInput } from '../../grader/reports/viewer/model.ts';
import { runTest } from '../../grader/runTest.ts';
import { scenario, reliable, suite as pingPongSuite } from '../../labs/00-pingpong/suite.ts';
import { suite as paxosSuite } from '../../labs/03-paxos/suite.ts';
import * as pingPong from '../../solutions/00-pingpong/index.ts';
import * as noDedup from '../../solutions/00-pingpong/mutants/no-dedup.ts';
import * as acceptIgnoresBallot from '../../solutions/03-paxos/mutants/accept-ignores-ballot.ts';
import * as promiseInMemory from '../../solutions/03-paxos/mutants/promise-in-memory.ts';

/** A hand-made trace event; `index` is its position unless given. */
function event(index: number, kind: TraceKind, fields: Partial<Omit<TraceEvent, 'index' | 'kind'>> = {}): TraceEvent {
  return { index, step: index, timeMs: index, kind, node: -1, peer: -1, label: '', ...fields };
}

function view(trace: readonly TraceEvent[], extra: Partial<ViewerInput> = {}): ViewerData {
  return buildViewerData({ lab: 'test', trace, truncated: false, ...extra });
}

/**
 * What must hold of any trace's data: every message event points at a message whose send or
 * end it is, each message's two ends agree on sender, receiver, type and contents, a send
 * comes before its end, and nothing is both ended and in flight.
 */
function expectConsistentMessages(data: ViewerData): void {
  data.events.forEach((shown, position) => {
    const isMessageEvent = ['send', 'deliver', 'drop', 'duplicate'].includes(shown.k);
    expect(shown.m !== undefined, `event ${position} (${shown.k})`).toBe(isMessageEvent);
    if (shown.m === undefined) return;
    const message = data.messages[shown.m]!;
    expect([message.send, message.end]).toContain(position);
  });
  for (const message of data.messages) {
    const send = data.events[message.send];
    const end = data.events[message.end];
    if (send !== undefined) {
      expect(['send', 'duplicate']).toContain(send.k);
      expect([send.n, send.p, send.l]).toEqual([message.from, message.to, message.type]);
      expect(send.m).toBe(data.messages.indexOf(message));
    }
    if (end !== undefined) {
      expect(['deliver', 'drop']).toContain(end.k);
      expect([end.p, end.n, end.l]).toEqual([message.from, message.to, message.type]);
    }
    if (send !== undefined && end !== undefined) {
      expect(message.send).toBeLessThan(message.end);
      // Its contents are the send's, so the data leaves them out (the page takes the send's);
      // an end paired with a send of other contents would keep its own.
      expect(end.d).toBeUndefined();
    }
    if (message.end === -1) expect(['in flight', 'local']).toContain(message.outcome);
    else expect(message.outcome).not.toBe('in flight');
    if (end?.k === 'drop') expect(message.outcome).toBe('dropped');
    if (end?.k === 'deliver') expect(message.outcome).toBe(message.from === message.to ? 'local' : 'delivered');
    expect(message.duplicate === true).toBe(send?.k === 'duplicate');
  }
  for (const band of data.bands) {
    if (band.endT !== null) expect(band.endT).toBeGreaterThanOrEqual(band.startT);
  }
}

describe('the viewer model on real runs', () => {
  const schedule: FaultSchedule = [
    { atMs: 0, type: 'network', dropRate: 0.2, duplicateRate: 0.3 },
    { atMs: 150, type: 'partition', groups: [[0], [1]] },
    { atMs: 300, type: 'heal' },
    { atMs: 400, type: 'crash', node: 0 },
    { atMs: 650, type: 'restart', node: 0 },
    { atMs: 700, type: 'cut', from: [1], to: [0] },
    { atMs: 760, type: 'heal' },
  ];
  const result = simulate({
    ...scenario(pingPong, { ...reliable, pings: 20, spreadMs: 800, durationMs: 2_000 }),
    seed: 7,
    faults: schedule,
    trace: 'full',
  });
  const data = buildViewerData({ lab: '00-pingpong', trace: result.trace, roles: result.roles, states: result.states, schedule, endTimeMs: result.endTimeMs, truncated: false });

  it('pairs every send with its delivery or drop, or leaves it in flight, on a lossy run with duplicates, a partition and a crash', () => {
    expectConsistentMessages(data);
    const count = (kind: TraceKind) => result.trace.filter((traced) => traced.kind === kind).length;
    expect(data.messages.length).toBe(count('send') + count('duplicate'));
    expect(data.messages.filter((message) => message.send === -1)).toEqual([]);
    expect(data.messages.filter((message) => message.end >= 0).length).toBe(count('deliver') + count('drop'));
    // Each kind of fate happened in this run.
    const reasons = new Set(data.messages.map((message) => message.reason));
    expect(reasons).toEqual(new Set([undefined, 'lost', 'partitioned', 'receiver crashed']));
    expect(data.messages.some((message) => message.duplicate && message.outcome === 'delivered')).toBe(true);
  });

  it('ends a drop on send at its own send, and a drop on arrival at an earlier one', () => {
    for (const message of data.messages) {
      if (message.outcome !== 'dropped') continue;
      const send = data.events[message.send]!;
      const end = data.events[message.end]!;
      if (message.reason === 'lost') {
        expect(message.end).toBe(message.send + 1);
        expect(end.s).toBe(send.s);
      }
      if (message.reason === 'receiver crashed') expect(end.s).not.toBe(send.s);
    }
  });

  it('lists the server, then the client, and bands for the network, the partition, the crash and the cut', () => {
    expect(data.nodes).toEqual([
      { id: 0, name: 'n0', role: 'server' },
      { id: 1, name: 'n1', role: 'client' },
    ]);
    expect(data.timeUnit).toBe('ms');
    const restartTime = result.trace.find((traced) => traced.kind === 'restart')!.timeMs;
    expect(data.bands).toEqual([
      { kind: 'network', startT: 0, endT: null, nodes: [], label: 'network: drop 20%, duplicate 30%' },
      { kind: 'partition', startT: 150, endT: 300, nodes: [0], label: 'n0 | n1' },
      { kind: 'crashed', startT: 400, endT: restartTime, nodes: [0], label: 'n0 down' },
      { kind: 'cut', startT: 700, endT: 760, nodes: [1], label: 'n1 → n0 cut' },
    ]);
    expect(restartTime).toBe(650);
  });

  it('gives message types stable colours and keeps the states as given, each at one of its events', () => {
    expect(data.messageTypes.map((entry) => entry.type)).toEqual(['Ping', 'Pong']);
    for (const entry of data.messageTypes) expect(entry.colour).toBe(messageTypeColour(entry.type));
    expect(result.states?.length).toBeGreaterThan(0);
    expect(data.states).toBe(result.states);
    const indices = new Set(data.events.map((shown) => shown.i));
    for (const change of data.states) expect(indices.has(change.index)).toBe(true);
    expect(data.violation).toBeUndefined();
    expect(data.path).toBeUndefined();
    // Plain data: what the page embeds is exactly what was built.
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  it('shows a node that was down before a window that starts mid-run as down from its start', () => {
    const first = result.trace.findIndex((traced) => traced.timeMs >= 500);
    const window = result.trace.slice(first);
    const windowed = buildViewerData({
      lab: '00-pingpong',
      trace: window,
      roles: result.roles,
      states: stateChangesFrom(result.states ?? [], window[0]!.index),
      schedule,
      endTimeMs: result.endTimeMs,
      truncated: true,
    });
    expectConsistentMessages(windowed);
    expect(windowed.bands.filter((band) => band.kind === 'crashed')).toEqual([{ kind: 'crashed', startT: window[0]!.timeMs, endT: 650, nodes: [0], label: 'n0 down' }]);
    // The schedule's bands are kept whole: the page draws what falls inside the window.
    expect(windowed.bands.filter((band) => band.kind !== 'crashed')).toEqual(data.bands.filter((band) => band.kind !== 'crashed'));
    // A Pong delivered early in the window was sent before it.
    expect(windowed.messages.some((message) => message.send === -1)).toBe(true);
  });
});

describe('the viewer model on graded failures', () => {
  it('points at the violation of a run failure and pairs its duplicated Pongs', () => {
    const test = pingPongSuite.tests.find((candidate) => candidate.number === '0.3')!;
    const { failure } = runTest(pingPongSuite, test, noDedup, { seeds: [1, 2, 3], shrinkBudget: 20 });
    expect(failure?.kind).toBe('violation');
    const data = buildViewerData({
      lab: pingPongSuite.lab,
      trace: failure!.trace,
      ...(failure!.states !== undefined ? { states: failure!.states } : {}),
      ...(failure!.roles !== undefined ? { roles: failure!.roles } : {}),
      schedule: failure!.shrunkSchedule,
      violation: { property: failure!.property, message: failure!.message, ...(failure!.traceIndex !== undefined ? { traceIndex: failure!.traceIndex } : {}) },
      truncated: failure!.traceTruncated,
    });
    expectConsistentMessages(data);
    const position = data.violation!.position;
    expect(data.events[position]).toMatchObject({ k: 'violation', l: failure!.property });
    if (failure!.traceIndex !== undefined) expect(data.events[position]!.i).toBe(failure!.traceIndex);
    expect(data.violation).toMatchObject({ property: 'each ping answered at most once', message: failure!.message });
    expect(data.messages.some((message) => message.duplicate === true)).toBe(true);
    expect(data.nodes.map((node) => node.role)).toEqual(['server', 'client']);
    expect(data.states.length).toBeGreaterThan(0);
  });

  it('links each step of a search path to its first event, with crash bands in steps', () => {
    const test = paxosSuite.tests.find((candidate) => candidate.number === '3.S4')!;
    const { failure } = runTest(paxosSuite, test, promiseInMemory, { seeds: [1] });
    expect(failure?.kind).toBe('search-violation');
    const path = failure!.path!;
    // The acceptor crashes in the middle of its reaction to a delivery.
    const crashStep = path.findIndex((step) => step.kind === 'crash' || ('crashAfter' in step && step.crashAfter !== undefined)) + 1;
    expect(crashStep).toBeGreaterThan(0);
    const data = buildViewerData({
      lab: paxosSuite.lab,
      trace: failure!.trace,
      ...(failure!.states !== undefined ? { states: failure!.states } : {}),
      path,
      schedule: failure!.shrunkSchedule,
      violation: { property: failure!.property, message: failure!.message },
      truncated: failure!.traceTruncated,
    });
    expectConsistentMessages(data);
    expect(data.timeUnit).toBe('step');
    expect(data.path).toHaveLength(path.length);
    data.path!.forEach((step, index) => {
      expect(step.position).toBeGreaterThanOrEqual(0);
      const first = data.events[step.position]!;
      expect(first.s).toBe(index + 1);
      expect(data.events.slice(0, step.position).every((earlier) => earlier.s < index + 1)).toBe(true);
    });
    const crashed = data.bands.filter((band) => band.kind === 'crashed');
    expect(crashed.length).toBeGreaterThan(0);
    expect(crashed[0]!.startT).toBe(crashStep);
    expect(data.bands.every((band) => band.kind === 'crashed')).toBe(true);
    expect(data.events[data.violation!.position]).toMatchObject({ k: 'violation', l: 'durable before answering' });
  });

  it('pairs the messages of a breadth-first search replay, with deliveries in any order', () => {
    const test = paxosSuite.tests.find((candidate) => candidate.number === '3.S1')!;
    const { failure } = runTest(paxosSuite, test, acceptIgnoresBallot, { seeds: [1] });
    expect(failure?.kind).toBe('search-violation');
    const data = buildViewerData({ lab: paxosSuite.lab, trace: failure!.trace, path: failure!.path!, truncated: false });
    expectConsistentMessages(data);
    const delivered = data.messages.filter((message) => message.outcome === 'delivered');
    expect(delivered.length).toBe(failure!.path!.filter((step) => step.kind === 'deliver').length);
    expect(data.messages.some((message) => message.outcome === 'in flight')).toBe(true);
    expect(data.nodes.map((node) => node.name)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
    expect(data.path!.map((step) => step.text)).toEqual(failure!.path!.map((step) => expect.stringContaining(step.kind === 'timer' ? 'fire' : step.kind)));
  });
});

describe('the viewer model on hand-made traces', () => {
  const ping = { type: 'Ping', seq: 1 };

  it('ends a drop right after its send at that send, not at an identical one still in flight', () => {
    const data = view([
      event(0, 'send', { step: 1, node: 0, peer: 1, label: 'Ping', detail: ping }),
      event(1, 'send', { step: 2, node: 0, peer: 1, label: 'Ping', detail: ping }),
      event(2, 'drop', { step: 2, node: 1, peer: 0, label: 'Ping', detail: ping, reason: 'partitioned' }),
      event(3, 'deliver', { step: 3, node: 1, peer: 0, label: 'Ping', detail: ping }),
    ]);
    expect(data.messages).toEqual([
      { from: 0, to: 1, type: 'Ping', send: 0, end: 3, outcome: 'delivered' },
      { from: 0, to: 1, type: 'Ping', send: 1, end: 2, outcome: 'dropped', reason: 'partitioned' },
    ]);
    expect(data.events.map((shown) => shown.m)).toEqual([0, 1, 1, 0]);
  });

  it('ends a drop on arrival at the earliest pending send, and tells messages apart by their contents', () => {
    const data = view([
      event(0, 'send', { step: 1, node: 0, peer: 1, label: 'Ping', detail: { seq: 1 } }),
      event(1, 'send', { step: 1, node: 0, peer: 1, label: 'Ping', detail: { seq: 2 } }),
      event(2, 'send', { step: 1, node: 0, peer: 1, label: 'Ping', detail: { seq: 1 } }),
      event(3, 'drop', { step: 2, node: 1, peer: 0, label: 'Ping', detail: { seq: 1 }, reason: 'receiver crashed' }),
      event(4, 'deliver', { step: 3, node: 1, peer: 0, label: 'Ping', detail: { seq: 1 } }),
    ]);
    expect(data.messages.map((message) => [message.send, message.end, message.outcome])).toEqual([
      [0, 3, 'dropped'],
      [1, -1, 'in flight'],
      [2, 4, 'delivered'],
    ]);
    expect(data.messages[0]!.reason).toBe('receiver crashed');
  });

  it('a drop after its send in a later step (a search dropping a message) is not a drop on send', () => {
    const data = view([
      event(0, 'send', { step: 1, node: 0, peer: 1, label: 'Ping', detail: ping }),
      event(1, 'send', { step: 1, node: 0, peer: 1, label: 'Ping', detail: ping }),
      event(2, 'drop', { step: 2, node: 1, peer: 0, label: 'Ping', detail: ping, reason: 'lost' }),
    ]);
    expect(data.messages.map((message) => [message.send, message.end])).toEqual([
      [0, 2],
      [1, -1],
    ]);
  });

  it('gives a duplicate its own copy, sent at the duplicate event', () => {
    const data = view([
      event(0, 'send', { step: 1, node: 0, peer: 1, label: 'Ping', detail: ping }),
      event(1, 'duplicate', { step: 1, node: 0, peer: 1, label: 'Ping', detail: ping }),
      event(2, 'deliver', { step: 2, node: 1, peer: 0, label: 'Ping', detail: ping }),
      event(3, 'deliver', { step: 3, node: 1, peer: 0, label: 'Ping', detail: ping }),
    ]);
    expect(data.messages).toEqual([
      { from: 0, to: 1, type: 'Ping', send: 0, end: 2, outcome: 'delivered' },
      { from: 0, to: 1, type: 'Ping', send: 1, end: 3, outcome: 'delivered', duplicate: true },
    ]);
  });

  it('marks local sends as local and still pairs them with their delivery', () => {
    const data = view([
      event(0, 'send', { step: 1, node: 2, peer: 2, label: 'Note', detail: { n: 1 }, reason: 'local' }),
      event(1, 'send', { step: 1, node: 2, peer: 2, label: 'Note', detail: { n: 2 }, reason: 'local' }),
      event(2, 'deliver', { step: 2, node: 2, peer: 2, label: 'Note', detail: { n: 1 } }),
    ]);
    expect(data.messages).toEqual([
      { from: 2, to: 2, type: 'Note', send: 0, end: 2, outcome: 'local' },
      { from: 2, to: 2, type: 'Note', send: 1, end: -1, outcome: 'local' },
    ]);
    expect(data.nodes).toEqual([{ id: 2, name: 'n2', role: 'server' }]);
  });

  it('a window that starts mid-run: a delivery or drop without its send was sent before the window', () => {
    const data = view(
      [
        event(500, 'deliver', { step: 40, timeMs: 300, node: 1, peer: 0, label: 'Pong', detail: ping }),
        event(501, 'drop', { step: 41, timeMs: 305, node: 0, peer: 1, label: 'Ping', detail: ping, reason: 'partitioned' }),
        event(502, 'restart', { step: 42, timeMs: 310, node: 2, label: 'Server' }),
      ],
      { truncated: true },
    );
    expect(data.messages).toEqual([
      { from: 0, to: 1, type: 'Pong', send: -1, end: 0, outcome: 'delivered' },
      { from: 1, to: 0, type: 'Ping', send: -1, end: 1, outcome: 'dropped', reason: 'partitioned' },
    ]);
    expect(data.bands).toEqual([{ kind: 'crashed', startT: 300, endT: 310, nodes: [2], label: 'n2 down' }]);
    expect(data.truncated).toBe(true);
    expect(data.events[0]).toMatchObject({ i: 500, s: 40, t: 300, k: 'deliver', n: 1, p: 0, l: 'Pong', d: '{"type":"Ping","seq":1}', m: 0 });
  });

  it('draws a crash band from crash to restart, and an open one for a node still down', () => {
    const data = view([
      event(0, 'crash', { timeMs: 100, node: 1, label: 'Server' }),
      event(1, 'crash', { timeMs: 150, node: 2, label: 'Server' }),
      event(2, 'restart', { timeMs: 200, node: 1, label: 'Server' }),
      event(3, 'crash', { timeMs: 250, node: 1, label: 'Server' }),
    ]);
    expect(data.bands).toEqual([
      { kind: 'crashed', startT: 100, endT: 200, nodes: [1], label: 'n1 down' },
      { kind: 'crashed', startT: 150, endT: null, nodes: [2], label: 'n2 down' },
      { kind: 'crashed', startT: 250, endT: null, nodes: [1], label: 'n1 down' },
    ]);
  });

  it('ends a partition at a heal or at the next partition, which also ends cuts and isolations', () => {
    const trace = [event(0, 'start', { timeMs: 0, node: 0 }), event(1, 'log', { timeMs: 1_000, node: 4, label: 'end' })];
    const data = view(trace, {
      schedule: [
        { atMs: 100, type: 'partition', groups: [[0, 1], [2, 3, 4]] },
        { atMs: 150, type: 'cut', from: [2], to: [0] },
        { atMs: 160, type: 'isolate', node: 3 },
        { atMs: 200, type: 'partition', groups: [[4]] },
        { atMs: 300, type: 'heal' },
        { atMs: 350, type: 'network', delay: { kind: 'uniform', minMs: 5, maxMs: 50 } },
        { atMs: 400, type: 'network', dropRate: 0.05, fifo: true },
        { atMs: 5_000, type: 'partition', groups: [[0]] },
      ],
    });
    expect(data.bands).toEqual([
      { kind: 'partition', startT: 100, endT: 200, nodes: [0, 1], label: 'n0 n1 | n2 n3 n4' },
      { kind: 'cut', startT: 150, endT: 200, nodes: [2], label: 'n2 → n0 cut' },
      { kind: 'partition', startT: 160, endT: 200, nodes: [3], label: 'n3 isolated' },
      { kind: 'partition', startT: 200, endT: 300, nodes: [4], label: 'n4 | n0 n1 n2 n3' },
      { kind: 'network', startT: 350, endT: 400, nodes: [], label: 'network: delay 5–50 ms' },
      { kind: 'network', startT: 400, endT: null, nodes: [], label: 'network: drop 5%, in order' },
    ]);
  });

  it('keeps an action at the very end only when the trace shows it', () => {
    const schedule: FaultSchedule = [
      { atMs: 100, type: 'partition', groups: [[0]] },
      { atMs: 200, type: 'heal' },
    ];
    const stopped = view([event(0, 'start', { node: 1, timeMs: 0 }), event(1, 'violation', { timeMs: 200, label: 'safe' })], { schedule });
    expect(stopped.bands).toEqual([{ kind: 'partition', startT: 100, endT: null, nodes: [0], label: 'n0 | n1' }]);
    const healed = view([event(0, 'start', { node: 1, timeMs: 0 }), event(1, 'fault', { timeMs: 200, label: 'at 200 ms: heal' })], { schedule });
    expect(healed.bands[0]?.endT).toBe(200);
    const later = view([event(0, 'start', { node: 1, timeMs: 0 })], { schedule, endTimeMs: 1_000 });
    expect(later.bands[0]?.endT).toBe(200);
  });

  it('takes bands of a search path from its crash and restart events only', () => {
    const data = view(
      [
        event(0, 'fault', { step: 1, timeMs: 1, label: 'crash n1' }),
        event(1, 'crash', { step: 1, timeMs: 1, node: 1 }),
        event(2, 'fault', { step: 2, timeMs: 2, label: 'restart n1' }),
        event(3, 'restart', { step: 2, timeMs: 2, node: 1 }),
      ],
      {
        path: [
          { kind: 'crash', node: 1 },
          { kind: 'restart', node: 1 },
          { kind: 'timer', node: 0, timer: { type: 'Retry' } },
        ],
        schedule: [{ atMs: 0, type: 'partition', groups: [[0]] }],
      },
    );
    expect(data.timeUnit).toBe('step');
    expect(data.bands).toEqual([{ kind: 'crashed', startT: 1, endT: 2, nodes: [1], label: 'n1 down' }]);
    expect(data.path).toEqual([
      { text: 'crash n1', position: 0 },
      { text: 'restart n1', position: 2 },
      { text: 'fire Retry at n0', position: -1 },
    ]);
  });

  it('finds the violation by its event, else by its trace index, else at the last event', () => {
    const violation = { property: 'agreement', message: 'n1 and n2 decided differently', node: 2 };
    const marked = view([event(0, 'start'), event(1, 'violation', { label: 'agreement', reason: 'x' }), event(2, 'log')], { violation });
    expect(marked.violation).toEqual({ position: 1, ...violation });
    const indexed = view([event(7, 'start'), event(8, 'log'), event(9, 'log')], { violation: { ...violation, traceIndex: 8 } });
    expect(indexed.violation?.position).toBe(1);
    const last = view([event(7, 'start'), event(8, 'log'), event(9, 'log')], { violation: { ...violation, traceIndex: 100 } });
    expect(last.violation?.position).toBe(2);
    const empty = view([], { violation });
    expect(empty.violation?.position).toBe(-1);
    const unrecorded = view([event(0, 'start'), event(1, 'violation', { node: 3, label: 'no exceptions', reason: 'boom' })]);
    expect(unrecorded.violation).toEqual({ position: 1, property: 'no exceptions', message: 'boom', node: 3 });
  });

  it('orders servers before clients and defaults a node without a role to a server', () => {
    const data = view([event(0, 'send', { node: 4, peer: 0, label: 'Get', detail: {} })], { roles: ['server', 'client', 'server'] });
    expect(data.nodes.map((node) => [node.id, node.role])).toEqual([
      [0, 'server'],
      [2, 'server'],
      [4, 'server'],
      [1, 'client'],
    ]);
  });

  it('colours message types in 0..11, the same for the same name, each lab\'s message types apart', () => {
    for (const types of labMessageTypes) {
      const colours = types.map(messageTypeColour);
      expect(types.map(messageTypeColour)).toEqual(colours);
      for (const colour of colours) expect(colour >= 0 && colour < 12 && Number.isInteger(colour)).toBe(true);
      expect(new Set(colours).size, types.join(' ')).toBe(types.length);
    }
    // Pinned: the colours must not change between versions, or reports of one lab would disagree.
    expect(['Ping', 'Pong', 'Prepare', 'Accept', 'Accepted'].map(messageTypeColour)).toEqual([4, 11, 7, 8, 1]);
    const data = view([
      event(0, 'send', { node: 0, peer: 1, label: 'Pong', detail: {} }),
      event(1, 'send', { node: 0, peer: 1, label: 'Ping', detail: {} }),
      event(2, 'send', { node: 1, peer: 0, label: 'Ping', detail: {} }),
    ]);
    expect(data.messageTypes).toEqual([
      { type: 'Ping', colour: messageTypeColour('Ping') },
      { type: 'Pong', colour: messageTypeColour('Pong') },
    ]);
  });

  it('keeps hostile labels and details as text, with control characters made visible, and cuts long details', () => {
    const script = '</script><script>alert(1)</script>';
    const data = view([
      event(0, 'send', { node: 0, peer: 1, label: script, detail: { note: '</svg>', flip: '\u202e', bell: '\u0007' } }),
      event(1, 'deliver', { node: 1, peer: 0, label: script, detail: { note: '</svg>', flip: '\u202e', bell: '\u0007' } }),
      event(2, 'log', { node: 1, label: 'a\u202eb</svg>', detail: 'x'.repeat(10_000), reason: '<b>\u001b[31m' }),
      event(3, 'output', { node: 1, label: 'Out', detail: { big: '\ud83d\ude00'.repeat(3_000) } }),
    ]);
    expect(data.events[0]!.l).toBe(script);
    expect(data.messages[0]).toMatchObject({ type: script, send: 0, end: 1, outcome: 'delivered' });
    expect(data.messageTypes[0]!.type).toBe(script);
    const detail = data.events[0]!.d!;
    expect(detail).toContain('</svg>');
    expect(detail).not.toContain('\u202e');
    expect(detail).not.toContain('\u0007');
    expect(data.events[2]!.l).toContain('</svg>');
    expect(data.events[2]!.l).not.toContain('\u202e');
    expect(data.events[2]!.r).toContain('<b>');
    expect(data.events[2]!.r).not.toContain('\u001b');
    expect(data.events[2]!.d!.length).toBe(detailLimit + 1);
    expect(data.events[2]!.d!.endsWith('…')).toBe(true);
    // The whole text rides along only when cut, for the trace table's unfolded detail.
    expect(data.events[2]!.f).toBe(JSON.stringify('x'.repeat(10_000)));
    expect(data.events[0]!.f).toBeUndefined();
    // A cut never leaves half of a surrogate pair.
    const cut = data.events[3]!.d!;
    expect(cut.length).toBeLessThanOrEqual(detailLimit + 1);
    expect(/[\ud800-\udbff]…$/.test(cut)).toBe(false);
  });

  it('packs each event as an array of its fields for the page, and unpacks it unchanged', () => {
    const data = view([
      event(0, 'send', { node: 0, peer: 1, label: 'Ping', detail: { seq: 1 } }),
      event(1, 'deliver', { node: 1, peer: 0, label: 'Ping', detail: { seq: 1 } }),
      event(2, 'drop', { node: 0, peer: 1, label: 'Pong', detail: 'x'.repeat(5_000), reason: 'lost' }),
      event(3, 'log', { node: 1, label: 'done' }),
    ]);
    const packed = packViewerData(data);
    expect({ ...packed, events: undefined }).toEqual({ ...data, events: undefined });
    expect(packed.events[3]).toEqual([3, 3, data.events[3]!.t, 'log', 1, -1, 'done']);
    expect(packed.events[2]).toHaveLength(11);
    expect(unpackViewerEvents(packed.events)).toEqual(data.events);
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(data).length);
  });

  it('writes a detail that is not JSON as a note, and works on an empty trace', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const data = view([event(0, 'log', { detail: circular }), event(1, 'log', { detail: 10n })]);
    expect(data.events[0]!.d).toBe('(a detail that cannot be written as JSON)');
    expect(data.events[1]!.d).toBe('(a detail that cannot be written as JSON)');
    const empty = view([]);
    expect(empty).toEqual({ version: 1, timeUnit: 'ms', nodes: [], events: [], messages: [], bands: [], states: [], messageTypes: [], truncated: false });
  });

  it('pairs the 10,000 messages of a long trace, each with its own delivery', () => {
    const trace: TraceEvent[] = [];
    for (let index = 0; index < 20_000; index += 2) {
      trace.push(event(index, 'send', { node: 0, peer: 1, label: 'Ping', detail: { seq: index % 7 } }));
      trace.push(event(index + 1, 'deliver', { node: 1, peer: 0, label: 'Ping', detail: { seq: index % 7 } }));
    }
    const data = view(trace);
    expect(data.messages).toHaveLength(10_000);
    expect(data.messages.every((message, index) => message.send === 2 * index && message.end === 2 * index + 1)).toBe(true);
  });
});

/** The message types of each lab's protocol (each lab's src/protocol.ts, and the key-value client's). */
const labMessageTypes: readonly (readonly string[])[] = [
  ['Ping', 'Pong'],
  ['Request', 'Grant', 'Release'],
  ['Token'],
  ['Request', 'Reply', 'Release'],
  ['Election', 'Ok', 'Coordinator', 'Heartbeat'],
  ['Election', 'Coordinator', 'Ack', 'Heartbeat'],
  ['Prepare', 'Promise', 'Accept', 'Accepted', 'Nack', 'Decided', 'WhatIsDecided'],
  ['P1a', 'P1b', 'P2a', 'P2b', 'Preempted', 'Decision', 'Heartbeat', 'HeartbeatReply', 'ClientRequest', 'ClientReply', 'ClientRedirect'],
  ['RequestVote', 'RequestVoteReply', 'AppendEntries', 'AppendEntriesReply', 'InstallSnapshot', 'InstallSnapshotReply', 'ClientRequest', 'ClientReply', 'ClientRedirect'],
];
