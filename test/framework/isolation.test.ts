// Nodes share no memory: what is sent, set, output or stored is a copy, and what a node is
// handed (config, server and peer lists) is its own and cannot be changed.
import { describe, expect, it } from 'vitest';
import { always, equalPlain, explore, Node, simulate, type NodeId, type Protocol } from '../../framework/testing.ts';
import { detailOf, ofKind, serversOf } from './helpers.ts';

interface Copies extends Protocol {
  message: { type: 'Data'; seq: number; list: number[]; nested: { tags: string[] }; map: Map<string, number[]> };
  timer: { type: 'Later' };
  input: { type: 'Poke'; list: number[] };
  output: { type: 'Got'; from: NodeId; message: Copies['message'] } | { type: 'Poked'; list: number[] };
  config: { mode: 'send' | 'broadcast' | 'self' };
  storage: Record<never, never>;
}

function makeMessage(): Copies['message'] {
  return { type: 'Data', seq: 1, list: [1, 2, 3], nested: { tags: ['a'] }, map: new Map([['k', [1]]]) };
}

/** n0 sends (or broadcasts) a message and then mutates its own object; receivers mutate what they get, after reporting it. */
class Mutator extends Node<Copies> {
  override onStart(): void {
    if (this.id !== 0) return;
    const message = makeMessage();
    if (this.config.mode === 'broadcast') this.broadcast(message);
    else this.send(this.config.mode === 'self' ? 0 : 1, message);
    message.seq = 999;
    message.list.push(4);
    message.nested.tags.push('changed');
    message.map.get('k')?.push(2);
    message.map.set('new', []);
  }
  override onMessage(from: NodeId, message: Copies['message']): void {
    this.output({ type: 'Got', from, message });
    message.seq = -1;
    message.list.length = 0;
    message.nested.tags.push(`mutated by n${this.id}`);
    message.map.clear();
  }
}

function run(mode: Copies['config']['mode'], duplicateRate = 0) {
  return simulate<Copies>({ seed: 2, nodes: serversOf(4, Mutator), config: { mode }, network: { duplicateRate }, durationMs: 100, trace: 'full' });
}

describe('messages are copies', () => {
  it('mutating a message after sending it does not change what is delivered', () => {
    const result = run('send');
    expect(result.outputs.map((record) => record.output)).toEqual([{ type: 'Got', from: 0, message: makeMessage() }]);
  });

  it('a send to oneself is a copy too', () => {
    const result = run('self');
    expect(result.outputs.map((record) => record.output)).toEqual([{ type: 'Got', from: 0, message: makeMessage() }]);
  });

  it('broadcast recipients get independent copies (one mutating its copy does not affect the others)', () => {
    const result = run('broadcast');
    const got = result.outputs.map((record) => record.output as { from: NodeId; message: unknown });
    expect(got).toHaveLength(3);
    for (const output of got) expect(output.message).toEqual(makeMessage());
    expect(result.outputs.map((record) => record.node).sort()).toEqual([1, 2, 3]);
  });

  it('the two deliveries of a duplicated message are independent copies', () => {
    const result = run('send', 1);
    expect(result.outputs).toHaveLength(2);
    for (const record of result.outputs) expect((record.output as { message: unknown }).message).toEqual(makeMessage());
  });

  it('outputs are copies: mutating an object after output does not change the record', () => {
    class Outputter extends Node<Copies> {
      override onInput(input: Copies['input']): void {
        this.output({ type: 'Poked', list: input.list });
        input.list.push(99);
      }
    }
    const list = [1];
    const result = simulate<Copies>({
      seed: 1,
      nodes: serversOf(1, Outputter),
      config: { mode: 'send' },
      inputs: [{ atMs: 1, node: 0, input: { type: 'Poke', list } }],
      durationMs: 10,
    });
    list.push(2); // the scheduled input was copied when the run started
    expect(result.outputs.map((record) => record.output)).toEqual([{ type: 'Poked', list: [1] }]);
  });
});

describe('the full trace records values as they were', () => {
  it('send and deliver details in a full trace are not changed by later mutation (sender or receiver)', () => {
    const result = run('broadcast');
    for (const event of [...ofKind(result.trace, 'send'), ...ofKind(result.trace, 'deliver')]) {
      expect(detailOf(event)).toEqual(makeMessage());
    }
  });

  it("a 'duplicate' event's detail is not changed when the receiver mutates the message it got", () => {
    const result = run('send', 1);
    const duplicates = ofKind(result.trace, 'duplicate');
    expect(duplicates).toHaveLength(1);
    expect(detailOf(duplicates[0] as (typeof duplicates)[number])).toEqual(makeMessage());
  });
});

describe('traces record values as they were', () => {
  it('a receiver that mutates the message it got changes neither the recorded send nor the recorded delivery', () => {
    const result = simulate<Copies>({ seed: 2, nodes: serversOf(4, Mutator), config: { mode: 'broadcast' }, durationMs: 100, trace: 'full' });
    const messages = [...ofKind(result.trace, 'send'), ...ofKind(result.trace, 'deliver')];
    expect(messages).toHaveLength(6);
    for (const event of messages) expect(detailOf(event)).toEqual(makeMessage());
  });

  it('the default ring trace keeps what happened, not what messages held, so it cannot show a changed message', () => {
    const result = simulate<Copies>({ seed: 2, nodes: serversOf(4, Mutator), config: { mode: 'broadcast' }, durationMs: 100 });
    const messages = [...ofKind(result.trace, 'send'), ...ofKind(result.trace, 'deliver')];
    expect(messages.map((event) => event.label)).toEqual(Array.from({ length: 6 }, () => makeMessage().type));
    for (const event of messages) expect(event.detail).toBeUndefined();
    // What the receivers reported is what was sent, each time.
    for (const record of result.outputs) expect(record.output).toMatchObject({ message: makeMessage() });
  });

  it('in a ring trace run without properties, a duplicate still delivers the message as sent', () => {
    const result = simulate<Copies>({ seed: 2, nodes: serversOf(2, Mutator), config: { mode: 'send' }, network: { duplicateRate: 1 }, durationMs: 100 });
    expect(result.outputs.map((record) => record.output)).toEqual([
      { type: 'Got', from: 0, message: makeMessage() },
      { type: 'Got', from: 0, message: makeMessage() },
    ]);
  });

  it('nor what the duplicate delivers, nor what the properties were given', () => {
    const given: unknown[] = [];
    const result = simulate<Copies>({
      seed: 2,
      nodes: serversOf(2, Mutator),
      config: { mode: 'send' },
      network: { duplicateRate: 1 },
      properties: [
        always<Copies, null>('sends', {
          memory: () => null,
          records: ['send', 'deliver'],
          record(_memory, event) {
            if (event.kind === 'send' || event.kind === 'deliver') given.push(event.message);
            return undefined;
          },
        }),
      ],
      durationMs: 100,
      trace: 'full',
    });
    expect(result.outputs.map((record) => record.output)).toEqual([
      { type: 'Got', from: 0, message: makeMessage() },
      { type: 'Got', from: 0, message: makeMessage() },
    ]);
    expect(given).toHaveLength(3);
    for (const message of given) expect(message).toEqual(makeMessage());
    const recorded = result.trace.filter((event) => event.kind === 'send' || event.kind === 'duplicate' || event.kind === 'deliver');
    expect(recorded).toHaveLength(4);
    for (const event of recorded) expect(detailOf(event)).toEqual(makeMessage());
  });
});

/** A Mutator that counts what it received, so that each delivery makes a new state. */
class CountingMutator extends Mutator {
  received = 0;
  override onMessage(from: NodeId, message: Copies['message']): void {
    this.received++;
    super.onMessage(from, message);
  }
}

describe('messages are copies under search too', () => {
  it('a receiver that mutates its message changes neither the message in flight nor a second delivery of it', () => {
    const result = explore<Copies>({
      nodes: serversOf(2, CountingMutator),
      config: { mode: 'send' },
      duplicates: true,
      properties: [
        always<Copies, null>('as sent', {
          memory: () => null,
          records: ['output'],
          record(_memory, event) {
            if (event.kind !== 'output' || event.output.type !== 'Got') return undefined;
            return equalPlain(event.output.message, makeMessage()) ? undefined : 'a delivery differs from what was sent';
          },
          check(cluster) {
            const changed = cluster.inFlight().find((envelope) => !equalPlain(envelope.message, makeMessage()));
            return changed === undefined ? undefined : 'the message in flight changed';
          },
        }),
      ],
      maxDepth: 4,
    });
    // The same message delivered four times over, each time as it was sent.
    expect(result.outcome).toEqual({ kind: 'limit', limit: 'depth' });
    expect(result.statistics.maxDepth).toBe(4);
  });
});

interface Handed extends Protocol {
  message: { type: 'Hello' };
  timer: { type: 'Later' };
  input: { type: 'Poke' };
  output: { type: 'Saw'; servers: number; peers: number; limit: number; values: number; refused: string[] };
  config: { limit: number; nested: { values: number[] } };
  storage: Record<never, never>;
}

/** n0 tries to change what it was handed; every node then reports what it sees. */
class Tamperer extends Node<Handed> {
  override onStart(): void {
    const refused: string[] = [];
    const attempt = (what: string, change: () => void) => {
      try {
        change();
      } catch {
        refused.push(what);
      }
    };
    if (this.id === 0) {
      attempt('servers', () => void ((this.servers as NodeId[]).length = 0));
      attempt('peers', () => void (this.peers as NodeId[]).push(7));
      attempt('config', () => void (this.config.limit = 0));
      attempt('nested config', () => void this.config.nested.values.splice(0));
    }
    const { servers, peers, config } = this;
    this.output({ type: 'Saw', servers: servers.length, peers: peers.length, limit: config.limit, values: config.nested.values.length, refused });
  }
}

describe('what a node is handed is its own', () => {
  it('a node cannot change its config, server list or peer list, for itself, for other nodes or for later runs', () => {
    const config: Handed['config'] = { limit: 5, nested: { values: [1, 2, 3] } };
    const runOnce = () => simulate<Handed>({ seed: 1, nodes: serversOf(3, Tamperer), config, durationMs: 10 });
    const seen = { servers: 3, peers: 2, limit: 5, values: 3 };
    for (const result of [runOnce(), runOnce()]) {
      expect(result.failure).toBeUndefined();
      expect(result.outputs.map((record) => [record.node, record.output])).toEqual([
        [0, { type: 'Saw', ...seen, refused: ['servers', 'peers', 'config', 'nested config'] }],
        [1, { type: 'Saw', ...seen, refused: [] }],
        [2, { type: 'Saw', ...seen, refused: [] }],
      ]);
    }
    expect(config, "the suite's own config object").toEqual({ limit: 5, nested: { values: [1, 2, 3] } });
  });
});

interface Ledger extends Protocol {
  message: never;
  timer: never;
  input: never;
  output: { type: 'Found'; keys: number };
  config: Record<never, never>;
  storage: { balance: number };
}

/** Writes its balance, then looks for a way around durable storage to the driver's own map. */
class Burglar extends Node<Ledger> {
  override onStart(): void {
    this.storage.set('balance', 1);
    const storage = this.storage as unknown as Record<string | symbol, unknown>;
    this.output({ type: 'Found', keys: Reflect.ownKeys(storage).length });
    for (const key of Reflect.ownKeys(storage)) {
      const field = storage[key];
      if (field instanceof Map) field.set('balance', 1_000_000);
      if (Array.isArray(field)) field.push({ kind: 'storage-set', key: 'balance', value: 1_000_000 });
    }
  }
}

describe("a node's durable storage is a door to its own records only", () => {
  it('has no fields a node could use to reach the stored values or the reaction behind it', () => {
    const result = simulate<Ledger>({ seed: 1, nodes: serversOf(1, Burglar), config: {}, durationMs: 10, trace: 'full' });
    expect(result.outputs.map((record) => record.output)).toEqual([{ type: 'Found', keys: 0 }]);
    expect(ofKind(result.trace, 'store').map((event) => `${event.label}=${String(event.detail)}`)).toEqual(['balance=1']);
  });
});
