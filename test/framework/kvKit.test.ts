import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  always,
  applyKvCommand,
  checkLinearizability,
  clientHistoriesLinearizable,
  clientsMakeProgress,
  everyOperationReturns,
  clientHistoriesStayLinearizable,
  completedOperationsReachEveryLiveReplica,
  commandsAppliedAtMostOnce,
  initialKvState,
  keyValueModel,
  kvClientNodes,
  kvHistory,
  kvServiceProperties,
  kvSession,
  kvValue,
  kvWorkload,
  measureKvHistory,
  replayKvCommands,
  simulate,
  type KvClientOutput,
  type KvCommand,
  type KvOperation,
  type KvResult,
  type KvState,
  type NetworkSettings,
  type NodeClass,
  type Property,
  type SimulationResult,
} from 'distlab/testing';
import { RealmProgram } from '../../framework/_internals/realm.ts';
import { buildRealmCode } from '../../grader/realmBundle.ts';
import { KvFixtureServer, type KvFixture, type ServerMode } from '../fixtures/kv/server.ts';

const append = (client: number, sequence: number, key: string, value: string): KvCommand => ({ client, sequence, operation: { kind: 'append', key, value } });
const get = (client: number, sequence: number, key: string): KvCommand => ({ client, sequence, operation: { kind: 'get', key } });

/** Deep-freezes a state, so that a test fails if applying a command changes it in place. */
function frozen(state: KvState): KvState {
  Object.freeze(state.data);
  for (const session of Object.values(state.sessions)) Object.freeze(session);
  Object.freeze(state.sessions);
  return Object.freeze(state);
}

describe('the key-value state machine', () => {
  it('gets, puts and appends; a key never written reads as ""', () => {
    let state = initialKvState();
    expect(applyKvCommand(state, get(5, 1, 'x')).result).toEqual({ value: '' });
    ({ state } = applyKvCommand(state, { client: 5, sequence: 2, operation: { kind: 'put', key: 'x', value: 'a' } }));
    ({ state } = applyKvCommand(state, append(6, 1, 'x', 'b')));
    expect(applyKvCommand(state, get(5, 3, 'x')).result).toEqual({ value: 'ab' });
    expect(state.applied).toBe(2);
  });

  it('keys named like Object.prototype members are ordinary keys', () => {
    let state = initialKvState();
    expect(kvValue(state, 'constructor')).toBe('');
    ({ state } = applyKvCommand(state, append(5, 1, '__proto__', 'p')));
    ({ state } = applyKvCommand(state, append(5, 2, 'toString', 't')));
    expect(kvValue(state, '__proto__')).toBe('p');
    expect(kvValue(state, 'toString')).toBe('t');
    expect(Object.getPrototypeOf(state.data)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('applies a retried command once and answers it with the first result; an older one changes nothing and gets null', () => {
    let state = frozen(initialKvState());
    ({ state } = applyKvCommand(state, append(5, 1, 'x', 'a')));
    ({ state } = applyKvCommand(frozen(state), get(5, 2, 'x')));
    const retry = applyKvCommand(frozen(state), get(5, 2, 'x'));
    expect(retry).toEqual({ state, result: { value: 'a' }, applied: false });
    const stale = applyKvCommand(state, append(5, 1, 'x', 'a'));
    expect(stale).toEqual({ state, result: null, applied: false });
    expect(kvValue(state, 'x')).toBe('a');
    expect(kvSession(state, 5)).toEqual({ sequence: 2, result: { value: 'a' } });
  });

  it('is exactly-once under duplicates: any mix of retries and stale copies gives the state of each command applied once', () => {
    const operation: fc.Arbitrary<KvOperation> = fc.oneof(
      fc.record({ kind: fc.constant('get' as const), key: fc.constantFrom('x', 'y') }),
      fc.record({ kind: fc.constant('put' as const), key: fc.constantFrom('x', 'y'), value: fc.constantFrom('p', 'q') }),
      fc.record({ kind: fc.constant('append' as const), key: fc.constantFrom('x', 'y'), value: fc.constantFrom('a', 'b') }),
    );
    // Three clients' commands in some interleaving, each followed by 0-2 copies of a command of that client up to it.
    const scenario = fc.record({
      steps: fc.array(fc.record({ client: fc.integer({ min: 3, max: 5 }), operation, copies: fc.array(fc.nat(), { maxLength: 2 }) }), { maxLength: 25 }),
    });
    fc.assert(
      fc.property(scenario, ({ steps }) => {
        const sequences = new Map<number, KvCommand[]>();
        const once: KvCommand[] = [];
        const delivered: KvCommand[] = [];
        for (const step of steps) {
          const own = sequences.get(step.client) ?? [];
          const command: KvCommand = { client: step.client, sequence: own.length + 1, operation: step.operation };
          own.push(command);
          sequences.set(step.client, own);
          once.push(command);
          delivered.push(command);
          for (const back of step.copies) delivered.push(own[Math.max(0, own.length - 1 - (back % own.length))] as KvCommand);
        }
        const expected = replayKvCommands(once);
        let state = initialKvState();
        const firstResults = new Map<string, unknown>();
        for (const command of delivered) {
          const application = applyKvCommand(state, command);
          const key = `${command.client}:${command.sequence}`;
          if (application.applied) {
            expect(firstResults.has(key)).toBe(false);
            firstResults.set(key, application.result);
          } else if (application.result !== null) {
            // A retry of the client's last command gets the result it had the first time.
            expect(application.result).toEqual(firstResults.get(key));
          }
          state = application.state;
        }
        expect(state).toEqual(expected);
        expect(state.applied).toBe(once.length);
      }),
      { seed: 13, numRuns: 300 },
    );
  });

  it('is rebuilt from a log: a server that replays the log knows which commands were applied, and their results', () => {
    const log = [append(5, 1, 'x', 'a'), append(6, 1, 'x', 'b'), append(5, 1, 'x', 'a'), get(6, 2, 'x'), append(5, 2, 'x', 'c')];
    const rebuilt = replayKvCommands(log);
    expect(kvValue(rebuilt, 'x')).toBe('abc');
    // A new leader, after the old one applied get(6, 2) but crashed before answering, answers the retry from the table.
    const retry = applyKvCommand(rebuilt, get(6, 2, 'x'));
    expect(retry.applied).toBe(false);
    expect(retry.result).toEqual({ value: 'ab' });
    // It survives durable storage (JSON) unchanged.
    expect(replayKvCommands(log)).toEqual(JSON.parse(JSON.stringify(rebuilt)));
  });
});

const lossyNetwork: Partial<NetworkSettings> = { dropRate: 0.2, duplicateRate: 0.2, delay: { kind: 'uniform', minMs: 1, maxMs: 10 } };

interface RunOptions {
  readonly mode?: ServerMode;
  readonly servers?: number;
  readonly clients?: number;
  readonly operationsPerClient?: number;
  readonly duplicates?: boolean;
  readonly keys?: readonly string[];
  readonly properties?: readonly Property<KvFixture>[];
  readonly network?: Partial<NetworkSettings>;
  /** End the run when every operation returned (one server: nothing left to replicate). */
  readonly stopWhenFinished?: boolean;
  readonly redirectsNameLeader?: boolean;
  /** The server class: the fixture itself, or its copy in a realm of its own, as the grader runs a submission. */
  readonly server?: NodeClass<KvFixture>;
}

function run(seed: number, options: RunOptions = {}): SimulationResult<KvFixture> {
  const servers = options.servers ?? 1;
  const workload = kvWorkload<KvFixture>({
    operationsPerClient: options.operationsPerClient ?? 30,
    keys: options.keys ?? ['x', 'y'],
    thinkMs: [0, 15],
  });
  return simulate<KvFixture>({
    seed,
    nodes: [...Array.from({ length: servers }, () => ({ role: 'server' as const, node: options.server ?? KvFixtureServer })), ...kvClientNodes<KvFixture>(options.clients ?? 4)],
    config: {
      mode: options.mode ?? 'correct',
      shipEveryMs: 10,
      ...(options.redirectsNameLeader === undefined ? {} : { redirectsNameLeader: options.redirectsNameLeader }),
      kvClient: { retryMs: 40, resendMs: 5, duplicates: options.duplicates ?? true } },
    network: options.network ?? lossyNetwork,
    workload,
    properties: options.properties ?? kvServiceProperties<KvFixture>(),
    durationMs: 10_000,
    ...(options.stopWhenFinished === false ? {} : { stopWhen: () => workload.finished() }),
  });
}

const returnedCount = (result: SimulationResult<KvFixture>) => result.outputs.filter((record) => record.output.type === 'Returned').length;

describe('the client history', () => {
  const invoke = (operation: KvOperation) => ({ type: 'Invoke' as const, operation });
  const returned = (sequence: number, operation: KvOperation, value: string) => ({ type: 'Returned' as const, sequence, operation, result: { value } });

  it('pairs each call with its client\'s next return; an operation a restarted client forgot never returns', () => {
    const put: KvOperation = { kind: 'put', key: 'x', value: 'a' };
    const read: KvOperation = { kind: 'get', key: 'x' };
    const history = kvHistory<KvFixture>({
      inputs: [
        { step: 1, timeMs: 0, node: 3, incarnation: 0, input: invoke(put) },
        { step: 2, timeMs: 1, node: 4, incarnation: 0, input: invoke(read) },
        { step: 5, timeMs: 9, node: 3, incarnation: 1, input: invoke(read) },
      ],
      outputs: [
        { step: 3, timeMs: 4, node: 0, incarnation: 0, output: { type: 'Executed', index: 1, client: 3, sequence: 1 } },
        { step: 4, timeMs: 6, node: 4, incarnation: 0, output: returned(1, read, 'a') },
        { step: 6, timeMs: 12, node: 3, incarnation: 1, output: returned(2, read, 'a') },
      ],
    });
    expect(history).toEqual([
      { client: 3, callTime: 0, returnTime: null, input: put, output: null },
      { client: 4, callTime: 1, returnTime: 6, input: read, output: { value: 'a' } },
      { client: 3, callTime: 9, returnTime: 12, input: read, output: { value: 'a' } },
    ]);
    expect(checkLinearizability(keyValueModel, history).verdict).toBe('linearizable');
  });

  it('a get returned without a string value is a wrong answer, never an unknown one; a write that returned is acknowledged, whatever came with it', () => {
    const read: KvOperation = { kind: 'get', key: 'x' };
    const write: KvOperation = { kind: 'put', key: 'x', value: 'a' };
    const malformed = (result: unknown, operation: KvOperation = read) =>
      kvHistory<KvFixture>({
        inputs: [{ step: 1, timeMs: 0, node: 3, incarnation: 0, input: invoke(operation) }],
        outputs: [{ step: 2, timeMs: 4, node: 3, incarnation: 0, output: { type: 'Returned', sequence: 1, operation, result: result as KvResult } }],
      });
    for (const result of [null, undefined, {}, { value: 5 }, { value: 5n }, [{ value: '' }], 'x']) {
      const history = malformed(result);
      expect(history[0]?.output).not.toBeNull();
      expect(checkLinearizability(keyValueModel, history).verdict).toBe('not linearizable');
    }
    // A put that returned took effect: a later get must see it.
    const written = malformed(null, write);
    expect(written[0]?.output).toEqual({});
    const laterGet = { client: 4, callTime: 10, returnTime: 12, input: read, output: { value: '' } };
    expect(checkLinearizability(keyValueModel, [...written, laterGet]).verdict).toBe('not linearizable');
    // The property says what was wrong, at the return.
    const property = clientHistoriesLinearizable<KvFixture>();
    const memory = property.memory?.(undefined as never) as never;
    property.record?.(memory, { kind: 'input', node: 3, incarnation: 0, timeMs: 0, input: invoke(read) }, undefined as never);
    const problem = property.record?.(memory, { kind: 'output', node: 3, incarnation: 0, timeMs: 4, output: { type: 'Returned', sequence: 1, operation: read, result: { value: 7n } as unknown as KvResult } }, undefined as never);
    expect(problem).toBe('n3 returned get(x) at 4 ms with a malformed result: a get\'s result is { value: string } ("" for a key never written), not {"value":"7n"}');
  });

  it('"every operation returns" leaves out an operation whose client crashed before it returned, and no other', () => {
    const property = everyOperationReturns<KvFixture>();
    const appendX: KvOperation = { kind: 'append', key: 'x', value: 'a' };
    const judge = (events: { node: number; incarnation: number; kind: 'input' | 'output' }[], now: { crashed: boolean; incarnation: number }) => {
      const cluster = {
        nodeIds: [0, 1, 2],
        servers: [0],
        clients: [1, 2],
        nowMs: 100,
        step: events.length,
        lastFaultMs: 0,
        isCrashed: (node: number) => node === 1 && now.crashed,
        incarnation: (node: number) => (node === 1 ? now.incarnation : 0),
        storage: () => new Map(),
        inFlight: () => [],
        counters: undefined as never,
      };
      const memory = property.memory?.(cluster) as never;
      for (const [position, event] of events.entries()) {
        const history =
          event.kind === 'input'
            ? { kind: 'input' as const, node: event.node, incarnation: event.incarnation, timeMs: position, input: invoke(appendX) }
            : { kind: 'output' as const, node: event.node, incarnation: event.incarnation, timeMs: position, output: returned(1, appendX, '') };
        property.record?.(memory, history, cluster);
      }
      return property.check?.(cluster, memory);
    };
    // n2's operation returned; n1's second is pending.
    const calls = [
      { node: 2, incarnation: 0, kind: 'input' as const },
      { node: 2, incarnation: 0, kind: 'output' as const },
      { node: 1, incarnation: 0, kind: 'input' as const },
    ];
    expect(judge(calls, { crashed: false, incarnation: 0 })).toMatch(/^1 operation of 2 never returned by 100 ms; the first: n1's append/);
    // n1 crashed with it pending, or crashed and restarted: nobody is left to return it.
    expect(judge(calls, { crashed: true, incarnation: 0 })).toBeUndefined();
    expect(judge(calls, { crashed: false, incarnation: 1 })).toBeUndefined();
    // The restarted n1's own operation is judged.
    expect(judge([...calls, { node: 1, incarnation: 1, kind: 'input' }], { crashed: false, incarnation: 1 })).toMatch(/^1 operation of 3 never returned/);
  });

  it('"every operation returns" says a service is slow, not stuck, when others kept returning to the end and the one left is recent', () => {
    const property = everyOperationReturns<KvFixture>();
    const appendX: KvOperation = { kind: 'append', key: 'x', value: 'a' };
    const judge = (events: readonly { readonly node: number; readonly kind: 'input' | 'output'; readonly timeMs: number }[], endMs: number) => {
      const cluster = { nodeIds: [0, 1, 2], servers: [0], clients: [1, 2], nowMs: endMs, step: events.length, lastFaultMs: 0, isCrashed: () => false, incarnation: () => 0, storage: () => new Map(), inFlight: () => [], counters: undefined as never };
      const memory = property.memory?.(cluster) as never;
      for (const event of events) {
        const history =
          event.kind === 'input'
            ? { kind: 'input' as const, node: event.node, incarnation: 0, timeMs: event.timeMs, input: invoke(appendX) }
            : { kind: 'output' as const, node: event.node, incarnation: 0, timeMs: event.timeMs, output: returned(1, appendX, '') };
        property.record?.(memory, history, cluster);
      }
      return property.check?.(cluster, memory);
    };
    // n2 completes an operation every 100 ms until 2,000 ms; n1's last, called at 1,950 ms, is left when the run ends at 2,000 ms.
    const steady = Array.from({ length: 20 }, (_unused, index) => [
      { node: 2, kind: 'input' as const, timeMs: index * 100 + 1 },
      { node: 2, kind: 'output' as const, timeMs: index * 100 + 99 },
    ]).flat();
    const slow = judge([...steady, { node: 1, kind: 'input', timeMs: 1_950 }], 2_000);
    expect(slow).toContain('. Other operations kept returning until 1999 ms (10 a second on average), and this one was called 50 ms before the run ended: the service works, but too slowly');
    // Called long before the end, it was lost, not waiting its turn: nothing said of speed.
    const stuck = judge([{ node: 1, kind: 'input', timeMs: 0 }, ...steady], 2_000);
    expect(stuck).toMatch(/^1 operation of 21 never returned by 2000 ms; the first: n1's append\(x, "a"\), called at 0 ms\. .*commits$/);
    // Nothing returned in the last half second: not "working".
    expect(judge([...steady, { node: 1, kind: 'input', timeMs: 1_950 }], 2_600)).not.toContain('too slowly');
  });

  it('measures latency and throughput from the history', () => {
    const read: KvOperation = { kind: 'get', key: 'x' };
    const figures = measureKvHistory([
      { client: 1, callTime: 0, returnTime: 10, input: read, output: { value: '' } },
      { client: 2, callTime: 5, returnTime: 35, input: read, output: { value: '' } },
      { client: 3, callTime: 10, returnTime: 30, input: read, output: { value: '' } },
      { client: 4, callTime: 20, returnTime: null, input: read, output: null },
    ]);
    expect(figures).toEqual({
      kvOperationsReturned: 3,
      kvOperationsUnfinished: 1,
      kvLatencyMeanMs: 20,
      kvLatencyMedianMs: 20,
      kvLatencyP99Ms: 30,
      kvLatencyMaxMs: 30,
      kvThroughputPerSecond: (3 * 1000) / 35,
    });
  });
});

describe('the key-value workload', () => {
  it('refuses a time range that is not [minMs, maxMs], naming the option and what it needs', () => {
    const bad: unknown[] = [5, [5], [20, 10], [-1, 5], [0, 2.5], ['0', '20']];
    for (const range of bad) {
      expect(() => kvWorkload({ operationsPerClient: 1, startMs: range as [number, number] })).toThrow(/^startMs must be a range \[minMs, maxMs\] of whole milliseconds/);
      expect(() => kvWorkload({ operationsPerClient: 1, thinkMs: range as [number, number] })).toThrow(/^thinkMs must be a range \[minMs, maxMs\]/);
    }
    expect(() => kvWorkload({ operationsPerClient: 1, startMs: [3, 3], thinkMs: [0, 0] })).not.toThrow();
  });
});

describe('the key-value kit, end to end', () => {
  it('a correct server with unreliable clients on a lossy, duplicating network passes every property, and every operation returns', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const result = run(seed);
      expect(result.failure).toBeUndefined();
      expect(result.endReason).toBe('stopped');
      expect(returnedCount(result)).toBe(4 * 30);
      // The network and the clients did duplicate requests: the server skipped some as duplicates.
      const applied = result.outputs.filter((record) => record.output.type === 'Executed').length;
      expect(applied).toBe(4 * 30);
      expect(result.counters.messagesDuplicated).toBeGreaterThan(0);
      expect(result.counters.sentByType.get('ClientRequest')).toBeGreaterThan(2 * 4 * 30);
      expect(result.measurements.kvOperationsReturned).toBe(4 * 30);
      expect(result.measurements.kvLatencyMaxMs).toBeGreaterThanOrEqual(result.measurements.kvLatencyMedianMs as number);
      expect(result.measurements.kvThroughputPerSecond).toBeGreaterThan(0);
    }
  });

  it('clients follow redirects to the primary, and every write reaches both backups', () => {
    for (const seed of [1, 2, 3]) {
      const result = run(seed, { servers: 3, stopWhenFinished: false });
      expect(result.failure).toBeUndefined();
      expect(returnedCount(result)).toBe(4 * 30);
      expect(result.counters.sentByType.get('ClientRedirect') ?? 0).toBeGreaterThan(0);
      for (const server of [1, 2]) {
        expect(result.outputs.filter((record) => record.node === server && record.output.type === 'Executed').length).toBe(4 * 30);
      }
    }
  });

  it('clients told only "not the leader" try the next server, and still reach the primary', () => {
    const result = run(4, { servers: 3, stopWhenFinished: false, redirectsNameLeader: false });
    expect(result.failure).toBeUndefined();
    expect(returnedCount(result)).toBe(4 * 30);
  });

  it('while no server leads, a client keeps one resend pending: its requests grow with time, not doubling at every redirect', () => {
    /** Answers every request "not the leader", naming none. */
    class NobodyLeads extends KvFixtureServer {
      override onMessage(from: number, message: KvFixture['message']): void {
        if (message.type === 'ClientRequest') this.send(from, { type: 'ClientRedirect', sequence: message.command.sequence, leader: null });
      }
    }
    const durationMs = 400;
    const resendMs = 5;
    const result = simulate<KvFixture>({
      seed: 1,
      nodes: [...Array.from({ length: 3 }, () => ({ role: 'server' as const, node: NobodyLeads })), ...kvClientNodes<KvFixture>(1)],
      // An unreliable client sends each request twice (and its last one again): each copy comes back redirected.
      config: { mode: 'correct', shipEveryMs: 10, kvClient: { retryMs: 40, resendMs, duplicates: true } },
      network: { delay: { kind: 'uniform', minMs: 1, maxMs: 2 }, dropRate: 0, duplicateRate: 0.2 },
      inputs: [{ atMs: 0, node: 3, input: { type: 'Invoke', operation: { kind: 'put', key: 'x', value: 'a' } } }],
      durationMs,
    });
    expect(result.failure).toBeUndefined();
    const requests = result.counters.sentByType.get('ClientRequest') ?? 0;
    // Two copies per resend, at most one resend every resendMs plus a round trip.
    expect(requests).toBeGreaterThan(20);
    expect(requests).toBeLessThanOrEqual(2 * (durationMs / resendMs));
  });

  it('a client retries a lost request with the same sequence number, and numbers its operations 1, 2, 3, ...', () => {
    const sends: Record<string, number> = {};
    const countRequests = always<KvFixture>('counts requests', {
      memory: () => undefined,
      records: ['send:ClientRequest'],
      record(_memory, event) {
        if (event.kind === 'send' && event.message.type === 'ClientRequest') {
          const key = `${event.message.command.client}:${event.message.command.sequence}`;
          sends[key] = (sends[key] ?? 0) + 1;
        }
        return undefined;
      },
    });
    const result = run(6, { duplicates: false, network: { dropRate: 0.3 }, properties: [...kvServiceProperties<KvFixture>(), countRequests] });
    expect(result.failure).toBeUndefined();
    // Only retries send a command again here (no duplicating network, no unreliable clients).
    expect(Object.values(sends).some((count) => count > 1)).toBe(true);
    expect(Object.keys(sends)).toHaveLength(4 * 30);
    for (const client of [1, 2, 3, 4]) {
      const sequences = result.outputs.filter((record) => record.node === client && record.output.type === 'Returned').map((record) => (record.output as KvClientOutput).sequence);
      expect(sequences).toEqual(Array.from({ length: 30 }, (_unused, index) => index + 1));
    }
  });

  it('runs closed loops: a client calls its next operation only after the previous one returned', () => {
    const history = kvHistory(run(5, { duplicates: false }));
    for (const client of [1, 2, 3, 4]) {
      const own = history.filter((operation) => operation.client === client);
      expect(own).toHaveLength(30);
      own.slice(1).forEach((operation, index) => expect(operation.callTime).toBeGreaterThanOrEqual(own[index]?.returnTime as number));
    }
  });

  it('builds the same history from the run\'s inputs and outputs, which the checker finds linearizable', () => {
    const result = run(7);
    const history = kvHistory(result);
    expect(history).toHaveLength(4 * 30);
    expect(history.every((operation) => operation.returnTime !== null && operation.returnTime >= operation.callTime)).toBe(true);
    expect(checkLinearizability(keyValueModel, history).verdict).toBe('linearizable');
    // Concurrent appends to one key: the workload does make operations overlap.
    const overlapping = history.some((left, index) =>
      history.some((right, other) => other !== index && left.client !== right.client && right.callTime <= (left.returnTime as number) && left.callTime <= (right.returnTime as number)),
    );
    expect(overlapping).toBe(true);
  });

  it('is deterministic: the same seed gives the same history and measurements', () => {
    const first = run(11);
    const second = run(11);
    expect(kvHistory(second)).toEqual(kvHistory(first));
    expect(second.measurements).toEqual(first.measurements);
  });

  it('a server that applies duplicates fails "every command is applied at most once"', () => {
    for (const seed of [1, 2, 3]) {
      const result = run(seed, { mode: 'applies-duplicates' });
      expect(result.failure?.property).toBe('every command is applied at most once');
      expect(result.failure?.kind).toBe('violation');
      expect(result.failure?.message).toMatch(/^n0 applied command \d+ of n\d twice/);
    }
  });

  it('the doubled appends of a server that applies duplicates also break linearizability, a safety violation found when the run ends', () => {
    const result = run(1, { mode: 'applies-duplicates', keys: ['x'], properties: [clientHistoriesLinearizable<KvFixture>()] });
    expect(result.failure?.property).toBe('client histories are linearizable');
    expect(result.failure?.kind).toBe('violation');
    expect(result.failure?.message).toContain('is not linearizable');
  });

  it('a server that answers a get from a stale copy fails "client histories are linearizable", showing the operations', () => {
    for (const seed of [1, 2, 3]) {
      const result = run(seed, { mode: 'stale-reads' });
      expect(result.failure?.property).toBe('client histories are linearizable');
      expect(result.failure?.message).toMatch(/is not linearizable/);
      expect(result.failure?.message).toMatch(/failing operation: n\d \[\d+–\d+ ms\] (get|put|append)\([xy]/);
      expect(result.failure?.message).toMatch(/n\d \[\d+–\d+ ms\] get\([xy]\) returned "/);
    }
  });

  it('with checkEveryOperations, a stale read stops the run as a violation before the end', () => {
    const result = run(1, { mode: 'stale-reads', properties: [clientHistoriesStayLinearizable<KvFixture>({ checkEveryOperations: 5 }), clientHistoriesLinearizable<KvFixture>()] });
    expect(result.failure?.kind).toBe('violation');
    expect(result.failure?.property).toBe('client histories are linearizable');
    expect(returnedCount(result)).toBeLessThan(4 * 30);
  });

  it('a check that runs out of steps is a failure with its own message, never a pass', () => {
    const result = run(1, { properties: [clientHistoriesLinearizable<KvFixture>({ maxSteps: 3 })] });
    expect(result.passed).toBe(false);
    expect(result.failure?.property).toBe('client histories are linearizable');
    expect(result.failure?.message).toMatch(/^unknown: .*budget of 3 steps.*a failure, never a pass/);
  });

  it('a primary that never ships its commands fails "completed operations reach every live replica", naming a backup', () => {
    const result = run(1, {
      mode: 'no-replication',
      servers: 3,
      stopWhenFinished: false,
      properties: [commandsAppliedAtMostOnce<KvFixture>(), completedOperationsReachEveryLiveReplica<KvFixture>()],
    });
    expect(result.failure?.property).toBe('completed operations reach every live replica');
    expect(result.failure?.message).toMatch(/^n1, which is up, has not applied \d+ of the \d+ completed writes/);
  });

  it('reports no progress when no operation returns', () => {
    // Every message lost: the clients retry forever and nothing returns.
    const result = run(1, { network: { dropRate: 1 }, stopWhenFinished: false, properties: [clientHistoriesLinearizable<KvFixture>(), clientsMakeProgress<KvFixture>()] });
    expect(result.failure?.property).toBe('clients make progress');
    expect(result.failure?.kind).toBe('liveness');
    expect(result.failure?.message).toMatch(/^no progress: none of the clients' 4 operations returned/);
  });
});

describe('a submission that uses the key-value state machine', () => {
  it("imports it from 'distlab' inside its own realm, and serves the same run as here", async () => {
    const root = fileURLToPath(new URL('../fixtures/kv/', import.meta.url));
    const program = new RealmProgram(await buildRealmCode({ label: 'kv fixture', entryFile: join(root, 'server.ts'), root }));
    const isolated = run(3, { server: program.nodeClass<KvFixture>('KvFixtureServer'), servers: 2 });
    const here = run(3, { servers: 2 });
    expect(isolated.failure).toBeUndefined();
    expect(returnedCount(isolated)).toBe(120);
    expect(isolated.outputs).toEqual(here.outputs);
  });
});
