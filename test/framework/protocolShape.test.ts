// "messages are as protocol.ts declares", on hand-made sends: a server's message must have a
// declared type, no field its declaration leaves out, and a client's message type never goes
// from one server to another.
import { describe, expect, it } from 'vitest';
import { kvClientMessages, speaksTheProtocol, type ClusterView, type DeclaredMessage, type HistoryEvent, type NodeId, type Protocol } from '../../framework/testing.ts';

interface Toy extends Protocol {
  message: { type: 'Ping'; round: number } | { type: 'Pong'; round: number } | { type: 'ClientReply'; sequence: number; result: unknown };
  timer: never;
  input: never;
  output: never;
  config: Record<never, never>;
  storage: Record<never, never>;
}

const declared: Readonly<Record<string, DeclaredMessage>> = {
  Ping: { fields: ['round'], route: 'server-to-server' },
  Pong: { fields: ['round'], route: 'server-to-server' },
  ...kvClientMessages,
};

/** Servers n0 and n1, client n2. */
const cluster = { nodeIds: [0, 1, 2], servers: [0, 1], clients: [2] } as unknown as ClusterView<Toy>;

function judge(from: NodeId, to: NodeId, message: Record<string, unknown>): string | undefined {
  const property = speaksTheProtocol<Toy>(declared);
  const event = { kind: 'send', from, to, incarnation: 0, timeMs: 30, local: from === to, message } as unknown as HistoryEvent<Toy>;
  return property.record?.(property.memory?.(cluster) as undefined, event, cluster);
}

describe('messages are as protocol.ts declares', () => {
  it('passes declared messages, to servers and clients, and a client of the kit', () => {
    expect(judge(0, 1, { type: 'Ping', round: 1 })).toBeUndefined();
    expect(judge(1, 1, { type: 'Pong', round: 1 })).toBeUndefined();
    expect(judge(0, 2, { type: 'ClientReply', sequence: 1, result: null })).toBeUndefined();
    // The clients are the kit's own: their messages are not judged.
    expect(judge(2, 0, { type: 'Anything', extra: 1 })).toBeUndefined();
  });

  it('fails a field the declaration leaves out, naming it and what is declared', () => {
    expect(judge(0, 1, { type: 'Ping', round: 1, decided: [3, 4] })).toBe(
      'n0 sent Ping to n1 at 30 ms with the field "decided", which src/protocol.ts does not declare for Ping (it declares round): ' +
        'the tests read the messages as src/protocol.ts declares them, so a message carries those fields and no others',
    );
  });

  it('fails a type the protocol does not declare, and a client message sent to a server', () => {
    expect(judge(0, 1, { type: 'Gossip', log: [] })).toContain('n0 sent Gossip to n1 at 30 ms: src/protocol.ts declares no message type "Gossip"');
    expect(judge(0, 1, { type: 'ClientReply', sequence: 1, result: null })).toBe(
      'n0 sent ClientReply to n1 at 30 ms, a server: a ClientReply goes from a server to a client only, and the tests read it as that',
    );
  });
});
