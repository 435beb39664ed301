// "messages are as protocol.ts declares", on hand-made sends: a server's message must have a
// declared type, no field its declaration leaves out, and a client's message type never goes
// from one server to another.
import { describe, expect, it } from 'vitest';
import { clientsSpeakTheKitProtocol, keepsTheDeclaredState, kvClientMessages, speaksTheProtocol, type ClusterView, type DeclaredMessage, type DeclaredShape, type DeclaredState, type HistoryEvent, type NodeId, type Protocol } from '../../framework/testing.ts';
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

function judgeClient(from: NodeId, to: NodeId, message: Record<string, unknown>): string | undefined {
  const property = clientsSpeakTheKitProtocol<Toy>();
  const event = { kind: 'send', from, to, incarnation: 0, timeMs: 40, local: from === to, message } as unknown as HistoryEvent<Toy>;
  return property.record?.(property.memory?.(cluster) as undefined, event, cluster);
}

describe("a client's messages are as distlab declares (a submission's own client)", () => {
  const command = { client: 2, sequence: 3, operation: { kind: 'append', key: 'x', value: 'a' } };

  it("passes a ClientRequest to a server, with a get's operation lacking its value, and leaves servers' sends to the other rule", () => {
    expect(judgeClient(2, 0, { type: 'ClientRequest', command })).toBeUndefined();
    expect(judgeClient(2, 1, { type: 'ClientRequest', command: { client: 2, sequence: 4, operation: { kind: 'get', key: 'x' } } })).toBeUndefined();
    expect(judgeClient(0, 1, { type: 'Gossip' })).toBeUndefined();
  });

  it('fails a field the kit does not declare, at any depth, and a sequence number that is not an integer', () => {
    expect(judgeClient(2, 0, { type: 'ClientRequest', command, leaderHint: 1 })).toBe(
      "n2 sent ClientRequest to n0 at 40 ms with the field \"leaderHint\", which distlab's KvClientMessage does not declare for ClientRequest (it declares command): " +
        "the tests read the messages as distlab's KvClientMessage declares them, so a message carries those fields and no others",
    );
    expect(judgeClient(2, 0, { type: 'ClientRequest', command: { ...command, attempt: 2 } })).toContain('with the field "command.attempt"');
    expect(judgeClient(2, 0, { type: 'ClientRequest', command: { ...command, sequence: '3' } })).toContain('whose "command.sequence" is "3", where');
  });

  it("fails a message a client has no business sending: a server's message type, a made-up one, or a request to another client", () => {
    expect(judgeClient(2, 0, { type: 'ClientReply', sequence: 3, result: null })).toBe(
      'n2 sent ClientReply to n0 at 40 ms, a client: a ClientReply goes from a server to a client only; a client sends ClientRequests to servers, and nothing else',
    );
    expect(judgeClient(2, 0, { type: 'AppendEntries', term: 9 })).toContain("n2 sent AppendEntries to n0 at 40 ms: distlab's KvClientMessage declares no message type \"AppendEntries\"");
    expect(judgeClient(2, 2, { type: 'ClientRequest', command })).toBe(
      'n2 sent ClientRequest to n2 at 40 ms, a client: a ClientRequest goes from a client to a server only, and the tests read it as that',
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

describe('storage and outputs are as protocol.ts declares', () => {
  const state: DeclaredState = {
    storage: { term: 'integer', vote: 'integer|null', ballot: { fields: ['round', 'proposer'], kinds: { round: 'integer', proposer: 'node' }, nullable: true } },
    numberedStorage: { 'slot:': { fields: ['epoch', 'done'], kinds: { epoch: 'integer', done: 'boolean' } } },
    outputs: { Decided: { fields: ['slot', 'value'], kinds: { slot: 'integer', value: 'string' } }, Leader: { fields: ['voters'], kinds: { voters: 'node[]' } } },
  };
  function judgeState(event: Record<string, unknown>, declaredState: DeclaredState = state): string | undefined {
    const property = keepsTheDeclaredState<Toy>(declaredState);
    return property.record?.(property.memory?.(cluster) as undefined, { incarnation: 0, timeMs: 40, ...event } as unknown as HistoryEvent<Toy>, cluster);
  }
  const wrote = (node: NodeId, key: string, value: unknown) => judgeState({ kind: 'storage', node, key, value });
  const output = (node: NodeId, value: Record<string, unknown>) => judgeState({ kind: 'output', node, output: value });

  it('passes values of the declared kinds, deletes, and keys and output types the protocol leaves to the submission', () => {
    expect(wrote(0, 'term', 3)).toBeUndefined();
    expect(wrote(0, 'vote', null)).toBeUndefined();
    expect(wrote(0, 'vote', -1)).toBeUndefined();
    expect(wrote(0, 'ballot', { round: 2, proposer: 1 })).toBeUndefined();
    expect(wrote(1, 'slot:12', { epoch: 3, done: false, note: 'its own field' })).toBeUndefined();
    expect(wrote(1, 'slot:12', undefined)).toBeUndefined();
    expect(wrote(1, 'myCommitIndex', 'anything')).toBeUndefined();
    expect(wrote(1, 'slot:05', 'another key, not slot 5')).toBeUndefined();
    expect(output(0, { type: 'Decided', slot: 1, value: 'v' })).toBeUndefined();
    expect(output(0, { type: 'Debug', text: [1, 2] })).toBeUndefined();
    // A client's storage and outputs are the kit's own.
    expect(wrote(2, 'term', 'x')).toBeUndefined();
  });

  it('fails a stored value of another kind, at any depth, naming the key, the path and what is declared', () => {
    expect(wrote(0, 'term', '3')).toBe(
      'n0 wrote "term" to storage at 40 ms as "3", where src/protocol.ts declares an integer: ' +
        'the tests read every value as its declaration types it, so a value of another kind would hold what no property sees',
    );
    expect(wrote(0, 'ballot', [{ round: 2, proposer: 1 }])).toContain('n0 wrote "ballot" to storage at 40 ms as [{"round":2,"proposer":1}], where src/protocol.ts declares an object {round, proposer} or null');
    expect(wrote(1, 'slot:3', { epoch: 2.5, done: true })).toContain('n1 wrote "slot:3" to storage at 40 ms with "slot:3.epoch" as 2.5, where src/protocol.ts declares an integer');
    expect(wrote(1, 'slot:3', { epoch: 2 })).toContain('with "slot:3.done" as absent, where src/protocol.ts declares true or false');
    expect(wrote(1, 'vote', Number.NaN)).toContain('as NaN, where src/protocol.ts declares an integer or null');
  });

  it('fails an output field of another kind, naming the output, the field and what is declared', () => {
    expect(output(1, { type: 'Decided', slot: '1', value: 'v' })).toBe(
      'n1 output Decided at 40 ms whose "slot" is "1", where src/protocol.ts declares an integer: ' +
        'the tests read every value as its declaration types it, so a value of another kind would hold what no property sees',
    );
    expect(output(1, { type: 'Decided', slot: 1, value: { v: 'v' } })).toContain('whose "value" is {"v":"v"}, where src/protocol.ts declares a string');
    expect(output(1, { type: 'Leader', voters: new Set([0, 1]) })).toContain('whose "voters" is a Set, where src/protocol.ts declares an array of node ids');
  });

  it('each lab types its storage and outputs: what the reference writes passes, a value in another shape fails', async () => {
    const { paxosState } = await import('../../labs/03-paxos/checks.ts');
    const { multipaxosState } = await import('../../labs/04-multipaxos/checks.ts');
    const { raftState } = await import('../../labs/05-raft/checks.ts');
    const { paxosLogState } = await import('../../labs/06-paxoslog/checks.ts');
    const { electionState } = await import('../../labs/02-election/suite.ts');
    const ballot = { round: 2, proposer: 1 };
    const command = { client: 3, sequence: 1, operation: { kind: 'put', key: 'x', value: '1' } };
    expect(judgeState({ kind: 'storage', node: 0, key: 'startedBefore', value: true }, electionState)).toBeUndefined();
    expect(judgeState({ kind: 'output', node: 0, output: { type: 'Leader', leader: '2' } }, electionState)).toContain('"leader" is "2"');
    expect(judgeState({ kind: 'storage', node: 0, key: 'accepted', value: { ballot, value: 'v1' } }, paxosState)).toBeUndefined();
    expect(judgeState({ kind: 'storage', node: 0, key: 'accepted', value: [ballot, 'v1'] }, paxosState)).toContain('wrote "accepted" to storage');
    expect(judgeState({ kind: 'output', node: 0, output: { type: 'Learned', value: 7 } }, paxosState)).toContain('"value" is 7');
    const pvalue = { ballot: { round: 1, leader: 0 }, slot: 4, command };
    expect(judgeState({ kind: 'storage', node: 1, key: 'accepted:4', value: pvalue }, multipaxosState)).toBeUndefined();
    expect(judgeState({ kind: 'storage', node: 1, key: 'accepted:4', value: { ...pvalue, command: { ...command, sequence: '1' } } }, multipaxosState)).toContain('"accepted:4.command.sequence"');
    expect(judgeState({ kind: 'output', node: 1, output: { type: 'Executed', index: 4, client: 3, sequence: 1, result: { value: null } } }, multipaxosState)).toBeUndefined();
    expect(judgeState({ kind: 'output', node: 1, output: { type: 'Executed', index: 4, client: 3, sequence: '1 ', result: {} } }, multipaxosState)).toContain('"sequence" is "1 "');
    const entry = { index: 1, term: 1, command: 'c1' };
    expect(judgeState({ kind: 'storage', node: 0, key: 'log', value: [entry, { index: 2, term: 2, command: '', configuration: { voters: [0, 1], newVoters: [0, 1, 2] } }] }, raftState)).toBeUndefined();
    expect(judgeState({ kind: 'storage', node: 0, key: 'log', value: [entry, { index: 2, term: [2], command: 'c2' }] }, raftState)).toContain('with "log[1].term" as [2]');
    expect(judgeState({ kind: 'storage', node: 0, key: 'votedFor', value: '1' }, raftState)).toContain('as "1", where src/protocol.ts declares an integer or null');
    expect(judgeState({ kind: 'output', node: 0, output: { type: 'Applied', index: '3', term: 1, command: 'c' } }, raftState)).toContain('"index" is "3"');
    expect(judgeState({ kind: 'output', node: 0, output: { type: 'SnapshotInstalled', snapshot: null } }, raftState)).toContain('"snapshot" is null');
    expect(judgeState({ kind: 'storage', node: 2, key: 'slot:1', value: { epoch: 1, operation: null, finalized: true } }, paxosLogState)).toBeUndefined();
    expect(judgeState({ kind: 'storage', node: 0, key: 'slot:1', value: { epoch: 1, operation: null, finalized: 'yes' } }, paxosLogState)).toContain('"slot:1.finalized" as "yes"');
  });
});
