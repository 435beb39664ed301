// "messages are as protocol.ts declares", on hand-made sends: a server's message must have a
// declared type, no field its declaration leaves out, and a client's message type never goes
// from one server to another.
import { describe, expect, it } from 'vitest';
import { kvClientMessages, speaksTheProtocol, type ClusterView, type DeclaredMessage, type DeclaredShape, type HistoryEvent, type NodeId, type Protocol } from '../../framework/testing.ts';
import { multipaxosMessages } from '../../labs/04-multipaxos/checks.ts';
import { paxosLogMessages } from '../../labs/06-paxoslog/checks.ts';

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

describe('messages are as protocol.ts declares, inside the objects they carry', () => {
  const ballot: DeclaredShape = { fields: ['round', 'proposer'] };
  const nested: Readonly<Record<string, DeclaredMessage>> = {
    Promise: { fields: ['ballot', 'accepted'], route: 'server-to-server', shapes: { ballot, accepted: { fields: ['ballot', 'value'], shapes: { ballot } } } },
    Append: { fields: ['entries'], route: 'server-to-server', shapes: { entries: { fields: ['index', 'command'] } } },
  };
  function judgeNested(message: Record<string, unknown>): string | undefined {
    const property = speaksTheProtocol<Toy>(nested);
    const event = { kind: 'send', from: 0, to: 1, incarnation: 0, timeMs: 30, local: false, message } as unknown as HistoryEvent<Toy>;
    return property.record?.(property.memory?.(cluster) as undefined, event, cluster);
  }

  it('passes the declared fields at every depth, and null where an object may be', () => {
    expect(judgeNested({ type: 'Promise', ballot: { round: 2, proposer: 1 }, accepted: null })).toBeUndefined();
    expect(judgeNested({ type: 'Promise', ballot: { round: 2, proposer: 1 }, accepted: { ballot: { round: 1, proposer: 0 }, value: 'v0' } })).toBeUndefined();
    expect(judgeNested({ type: 'Append', entries: [{ index: 1, command: 'a' }, { index: 2, command: 'b' }] })).toBeUndefined();
  });

  it('fails a field hidden in a nested object or in an element of an array, naming its path', () => {
    expect(judgeNested({ type: 'Promise', ballot: { round: 2, proposer: 1, decided: 'v1' }, accepted: null })).toBe(
      'n0 sent Promise to n1 at 30 ms with the field "ballot.decided", which src/protocol.ts does not declare (that object declares round, proposer): ' +
        'the tests read the messages as src/protocol.ts declares them, so a message carries those fields and no others, at any depth',
    );
    expect(judgeNested({ type: 'Promise', ballot: { round: 2, proposer: 1 }, accepted: { ballot: { round: 1, proposer: 0, log: [] }, value: 'v0' } })).toContain(
      'with the field "accepted.ballot.log"',
    );
    expect(judgeNested({ type: 'Append', entries: [{ index: 1, command: 'a' }, { index: 2, command: 'b', votes: [0, 1] }] })).toContain('with the field "entries[1].votes"');
  });
});

describe('labs 4 and 6 declare the ballots, proposals and commands their messages carry', () => {
  function judgeIn(declaredMessages: Readonly<Record<string, DeclaredMessage>>, message: Record<string, unknown>): string | undefined {
    const property = speaksTheProtocol<Toy>(declaredMessages);
    const event = { kind: 'send', from: 0, to: 1, incarnation: 0, timeMs: 30, local: false, message } as unknown as HistoryEvent<Toy>;
    return property.record?.(property.memory?.(cluster) as undefined, event, cluster);
  }
  const ballot = { round: 2, leader: 1 };
  const append = { client: 5, sequence: 3, operation: { kind: 'append', key: 'x', value: 'a' } };
  const get = { client: 5, sequence: 4, operation: { kind: 'get', key: 'x' } };

  it('lab 4: passes the declared shapes, no-ops included, and names a field hidden in a ballot, a proposal or a command', () => {
    expect(judgeIn(multipaxosMessages, { type: 'P1b', ballot, accepted: [{ ballot, slot: 1, command: append }, { ballot, slot: 2, command: null }] })).toBeUndefined();
    expect(judgeIn(multipaxosMessages, { type: 'P2a', ballot, slot: 3, command: get })).toBeUndefined();
    expect(judgeIn(multipaxosMessages, { type: 'Heartbeat', ballot: { ...ballot, chosen: [1, 2] }, chosenBelow: 1, collectBelow: 1 })).toContain('with the field "ballot.chosen"');
    expect(judgeIn(multipaxosMessages, { type: 'P1b', ballot, accepted: [{ ballot, slot: 1, command: append, chosen: true }] })).toContain('with the field "accepted[0].chosen"');
    expect(judgeIn(multipaxosMessages, { type: 'P2b', ballot, slot: 1, command: { ...append, operation: { ...append.operation, acks: 3 } } })).toContain(
      'with the field "command.operation.acks"',
    );
    expect(judgeIn(multipaxosMessages, { type: 'Preempted', ballot, promised: { ...ballot, log: [] } })).toContain('with the field "promised.log"');
  });

  it('lab 6: passes the declared shapes and names a field hidden in a stored or read operation', () => {
    expect(judgeIn(paxosLogMessages, { type: 'Store', epoch: 2, slot: 1, operation: append })).toBeUndefined();
    expect(judgeIn(paxosLogMessages, { type: 'ReadReply', forEpoch: 2, slot: 1, epoch: 1, operation: null, finalized: false })).toBeUndefined();
    expect(judgeIn(paxosLogMessages, { type: 'Store', epoch: 2, slot: 1, operation: { ...append, finalized: true } })).toContain('with the field "operation.finalized"');
    expect(judgeIn(paxosLogMessages, { type: 'ReadReply', forEpoch: 2, slot: 1, epoch: 1, operation: { ...get, executed: 4 }, finalized: false })).toContain(
      'with the field "operation.executed"',
    );
  });
});

describe('typed declarations: every field holds the kind its declaration gives', () => {
  const ballot: DeclaredShape = { fields: ['round', 'proposer'], kinds: { round: 'integer', proposer: 'node' } };
  const typed: Readonly<Record<string, DeclaredMessage>> = {
    Nack: { fields: ['ballot', 'promised'], route: 'server-to-server', shapes: { ballot, promised: ballot }, kinds: {} },
    Promise: { fields: ['ballot', 'accepted'], route: 'server-to-server', shapes: { ballot, accepted: { fields: ['ballot', 'value'], shapes: { ballot }, kinds: { value: 'string' }, nullable: true } }, kinds: {} },
    Append: { fields: ['entries', 'leader'], route: 'server-to-server', shapes: { entries: { fields: ['index', 'note'], kinds: { index: 'integer', note: 'string?' }, list: true } }, kinds: { leader: 'node|null' } },
    Votes: { fields: ['voters', 'state'], route: 'server-to-server', kinds: { voters: 'node[]', state: 'plain' } },
  };
  function judgeTyped(message: Record<string, unknown>): string | undefined {
    const property = speaksTheProtocol<Toy>(typed);
    const event = { kind: 'send', from: 0, to: 1, incarnation: 0, timeMs: 30, local: false, message } as unknown as HistoryEvent<Toy>;
    return property.record?.(property.memory?.(cluster) as undefined, event, cluster);
  }
  const good = { round: 2, proposer: 1 };

  it('passes every field of its kind, null and absent where the declaration allows them', () => {
    expect(judgeTyped({ type: 'Nack', ballot: good, promised: { round: 3, proposer: 0 } })).toBeUndefined();
    expect(judgeTyped({ type: 'Promise', ballot: good, accepted: null })).toBeUndefined();
    expect(judgeTyped({ type: 'Promise', ballot: good, accepted: { ballot: good, value: 'v1' } })).toBeUndefined();
    expect(judgeTyped({ type: 'Append', entries: [], leader: null })).toBeUndefined();
    expect(judgeTyped({ type: 'Append', entries: [{ index: 1 }, { index: 2, note: 'x' }], leader: 1 })).toBeUndefined();
    expect(judgeTyped({ type: 'Votes', voters: [0, 1, 2], state: { map: { x: 'a' }, list: [1, null, true] } })).toBeUndefined();
  });

  it('fails a value of another kind, wrapped in an array, made a string, left out, or not a number at all, naming its path and what is declared', () => {
    expect(judgeTyped({ type: 'Nack', ballot: good, promised: [{ round: 3, proposer: 0 }] })).toBe(
      'n0 sent Nack to n1 at 30 ms whose "promised" is [{"round":3,"proposer":0}], where src/protocol.ts declares an object {round, proposer}: ' +
        'the tests read every field as its declaration types it, so a value of another kind would carry what no property sees',
    );
    expect(judgeTyped({ type: 'Nack', ballot: good, promised: { round: '3', proposer: 0 } })).toContain('whose "promised.round" is "3", where src/protocol.ts declares an integer');
    expect(judgeTyped({ type: 'Nack', ballot: good, promised: { round: Number.NaN, proposer: 0 } })).toContain('whose "promised.round" is NaN');
    expect(judgeTyped({ type: 'Nack', ballot: good, promised: { round: 1.5, proposer: -1 } })).toContain('"promised.round" is 1.5');
    expect(judgeTyped({ type: 'Nack', ballot: good })).toContain('whose "promised" is absent');
    expect(judgeTyped({ type: 'Nack', ballot: { round: 1 }, promised: good })).toContain('whose "ballot.proposer" is absent, where src/protocol.ts declares a node id');
    expect(judgeTyped({ type: 'Promise', ballot: good, accepted: { ballot: good, value: 7 } })).toContain('"accepted.value" is 7, where src/protocol.ts declares a string');
    expect(judgeTyped({ type: 'Append', entries: { index: 1 }, leader: 0 })).toContain('whose "entries" is {"index":1}, where src/protocol.ts declares an array of objects {index, note}');
    expect(judgeTyped({ type: 'Append', entries: [{ index: 1 }, { index: 2, note: 3 }], leader: 0 })).toContain('"entries[1].note" is 3, where src/protocol.ts declares a string, or absent');
    expect(judgeTyped({ type: 'Append', entries: [], leader: 'n1' })).toContain('"leader" is "n1", where src/protocol.ts declares a node id or null');
    expect(judgeTyped({ type: 'Votes', voters: [0, '1'], state: {} })).toContain('"voters" is [0,"1"], where src/protocol.ts declares an array of node ids');
  });

  it('fails a Map, a Set or a class instance where an object or plain data is declared: no hidden channel', () => {
    expect(judgeTyped({ type: 'Nack', ballot: good, promised: new Map([['round', 3]]) })).toContain('whose "promised" is a Map');
    expect(judgeTyped({ type: 'Votes', voters: [0], state: { inner: new Set([1]) } })).toContain('whose "state" is {"inner":{}}, where src/protocol.ts declares plain data');
  });

  it('each lab types its messages: a ballot wrapped in an array, a stamp or an epoch made a string, is caught', async () => {
    const { paxosMessages } = await import('../../labs/03-paxos/checks.ts');
    const { raftMessages } = await import('../../labs/05-raft/checks.ts');
    const judgeIn = (declaredMessages: Readonly<Record<string, DeclaredMessage>>, message: Record<string, unknown>) => {
      const property = speaksTheProtocol<Toy>(declaredMessages);
      const event = { kind: 'send', from: 0, to: 1, incarnation: 0, timeMs: 30, local: false, message } as unknown as HistoryEvent<Toy>;
      return property.record?.(property.memory?.(cluster) as undefined, event, cluster);
    };
    expect(judgeIn(paxosMessages, { type: 'Nack', ballot: good, promised: [good] })).toContain('"promised"');
    expect(judgeIn(multipaxosMessages, { type: 'Preempted', ballot: { round: 1, leader: 0 }, promised: [{ round: 2, leader: 1 }] })).toContain('"promised"');
    expect(judgeIn(paxosLogMessages, { type: 'QueryReply', epoch: 1, currentEpoch: [3], firstUnfinalizedSlot: 1 })).toContain('"currentEpoch" is [3]');
    expect(judgeIn(raftMessages, { type: 'RequestVoteReply', term: '2', voteGranted: true })).toContain('"term" is "2"');
    const entry = { index: 1, term: 1, command: 'c', configuration: { voters: [0, 1, 2], newVoters: null } };
    expect(judgeIn(raftMessages, { type: 'AppendEntries', term: 1, leaderId: 0, prevLogIndex: 0, prevLogTerm: 0, entries: [entry, { index: 2, term: 1, command: 'd' }], leaderCommit: 0 })).toBeUndefined();
    expect(judgeIn(multipaxosMessages, { type: 'P1b', ballot: { round: 1, leader: 0 }, accepted: [{ ballot: { round: 1, leader: 0 }, slot: 1, command: null }] })).toBeUndefined();
  });
});
