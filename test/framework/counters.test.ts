import { describe, expect, it } from 'vitest';
import { Node, simulate, type NodeId, type Protocol } from '../../framework/testing.ts';
import { ofKind } from './helpers.ts';

interface Talk extends Protocol {
  message: { type: 'Hello'; text: string } | { type: 'Vote'; term: number } | { type: 'Self'; n: number };
  timer: never;
  input: never;
  output: { type: 'Heard'; from: NodeId; kind: string };
  config: Record<never, never>;
  storage: Record<never, never>;
}

/** n0 broadcasts a Vote, sends itself a Self, and sends a Hello to the client; everyone reports what it hears. */
class Talker extends Node<Talk> {
  override onStart(): void {
    if (this.id === 0) {
      this.broadcast({ type: 'Vote', term: 1 });
      this.send(0, { type: 'Self', n: 1 });
      this.send(4, { type: 'Hello', text: 'hi' });
    }
    if (this.id === 4) {
      // A client's broadcast goes to every server.
      this.broadcast({ type: 'Hello', text: 'from client' });
    }
  }
  override onMessage(from: NodeId, message: Talk['message']): void {
    this.output({ type: 'Heard', from, kind: message.type });
  }
}

function runTalk() {
  return simulate<Talk>({
    seed: 1,
    nodes: [
      { role: 'server', node: Talker },
      { role: 'server', node: Talker },
      { role: 'server', node: Talker },
      { role: 'server', node: Talker },
      { role: 'client', node: Talker },
    ],
    config: {},
    durationMs: 100,
    trace: 'full',
  });
}

const heard = (result: ReturnType<typeof runTalk>, kind: string) =>
  result.outputs
    .filter((record) => (record.output as { kind: string }).kind === kind)
    .map((record) => [record.node, (record.output as { from: NodeId }).from])
    .sort((a, b) => (a[0] as number) - (b[0] as number));

describe('send, broadcast and counters', () => {
  it('broadcast goes to every other server, not to the sender and not to clients', () => {
    expect(heard(runTalk(), 'Vote')).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
  });

  it("a client's broadcast reaches every server", () => {
    const fromClient = heard(runTalk(), 'Hello').filter(([, from]) => from === 4);
    expect(fromClient).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
  });

  it('a send to oneself is delivered locally (same instant, after the current reaction) and is not counted', () => {
    const result = runTalk();
    expect(heard(result, 'Self')).toEqual([[0, 0]]);
    const selfSend = ofKind(result.trace, 'send').filter((event) => event.label === 'Self');
    expect(selfSend.map((event) => event.reason)).toEqual(['local']);
    const selfDeliver = ofKind(result.trace, 'deliver').filter((event) => event.label === 'Self');
    expect(selfDeliver.map((event) => event.timeMs)).toEqual([0]);
    expect(result.counters.sentByType.has('Self')).toBe(false);
  });

  it('counters count messages sent, by type and per node, and deliveries per receiver', () => {
    const { counters } = runTalk();
    // n0: 3 Votes + 1 Hello; n4: 4 Hellos. The Self message is not counted.
    expect(counters.messagesSent).toBe(8);
    expect(counters.messagesDelivered).toBe(8);
    expect(counters.messagesDropped).toBe(0);
    expect(counters.messagesDuplicated).toBe(0);
    expect([...counters.sentByType].sort()).toEqual([
      ['Hello', 5],
      ['Vote', 3],
    ]);
    expect(counters.sentByNode).toEqual([4, 0, 0, 0, 4]);
    expect(counters.receivedByNode).toEqual([1, 2, 2, 2, 1]);
  });

  it('byte counters grow with message size and add up by type', () => {
    const { counters } = runTalk();
    expect(counters.bytesSent).toBeGreaterThan(0);
    const byType = [...counters.bytesByType.values()].reduce((sum, bytes) => sum + bytes, 0);
    expect(byType).toBe(counters.bytesSent);
    // Five Hellos carry longer strings than three Votes carry numbers.
    expect(counters.bytesByType.get('Hello') as number).toBeGreaterThan(counters.bytesByType.get('Vote') as number);

    class Big extends Node<Talk> {
      override onStart(): void {
        if (this.id === 0) this.send(1, { type: 'Hello', text: 'x'.repeat(1000) });
      }
    }
    class Small extends Node<Talk> {
      override onStart(): void {
        if (this.id === 0) this.send(1, { type: 'Hello', text: 'x' });
      }
    }
    const run = (node: typeof Big) =>
      simulate<Talk>({ seed: 1, nodes: [{ role: 'server', node }, { role: 'server', node }], config: {}, durationMs: 10 }).counters.bytesSent;
    expect(run(Big) - run(Small)).toBeGreaterThanOrEqual(999);
  });

  it('every message sent is traced once as a send, and each delivery once as a deliver', () => {
    const result = runTalk();
    const sends = ofKind(result.trace, 'send').filter((event) => event.reason !== 'local');
    expect(sends).toHaveLength(result.counters.messagesSent);
    const delivers = ofKind(result.trace, 'deliver').filter((event) => event.node !== event.peer);
    expect(delivers).toHaveLength(result.counters.messagesDelivered);
  });

  it('sending to an unknown node fails the run naming the node and the bad id', () => {
    class Lost extends Node<Talk> {
      override onStart(): void {
        this.send(9, { type: 'Vote', term: 1 });
      }
    }
    const result = simulate<Talk>({ seed: 1, nodes: [{ role: 'server', node: Lost }], config: {}, durationMs: 10 });
    expect(result.failure?.kind).toBe('exception');
    expect(result.failure?.message).toMatch(/n0 threw in onStart\(\).*send to 9/);
  });

  it('this.servers and this.peers list the servers, in order', () => {
    const seen: { id: NodeId; servers: readonly NodeId[]; peers: readonly NodeId[] }[] = [];
    class Looker extends Node<Talk> {
      override onStart(): void {
        seen.push({ id: this.id, servers: [...this.servers], peers: [...this.peers] });
      }
    }
    simulate<Talk>({
      seed: 1,
      nodes: [
        { role: 'server', node: Looker },
        { role: 'client', node: Looker },
        { role: 'server', node: Looker },
      ],
      config: {},
      durationMs: 10,
    });
    expect(seen).toEqual([
      { id: 0, servers: [0, 2], peers: [2] },
      { id: 1, servers: [0, 2], peers: [0, 2] },
      { id: 2, servers: [0, 2], peers: [0] },
    ]);
  });
});
