// Lab 5's command service (labs/05-raft/service.ts), driven by hand: what it gives a new leader.
// A leader commits the entries of earlier terms only under an entry of its own term, so when
// every command was applied somewhere but a new leader has not applied the last one, it must be
// given a command, or an entry that a crashed leader committed waits for ever.
import { describe, expect, it } from 'vitest';
import type { NodeId, OutputRecord, WorkloadContext } from 'distlab/testing';
import { service } from '../../labs/05-raft/service.ts';
import type { Raft } from '../../labs/05-raft/src/protocol.ts';

interface Given {
  readonly node: NodeId;
  readonly input: Raft['input'];
}

/** A context that records what the service gives; the service reads only the clock and who is down. */
function context(given: Given[], crashed: ReadonlySet<NodeId>, nowMs: () => number): WorkloadContext<Raft> {
  const cluster = { isCrashed: (node: NodeId) => crashed.has(node), get nowMs() { return nowMs(); } };
  return { cluster, input: (node: NodeId, input: Raft['input']) => given.push({ node, input }) } as unknown as WorkloadContext<Raft>;
}

function record(node: NodeId, output: Raft['output'], timeMs: number): OutputRecord<Raft> {
  return { step: 0, timeMs, node, incarnation: 0, output };
}

describe('the command service gives a new leader', () => {
  it('the last applied command again, when the new leader has not applied it and nothing else is left to give', () => {
    const given: Given[] = [];
    let nowMs = 0;
    const crashed = new Set<NodeId>();
    const workload = service({ servers: [0, 1, 2], commands: 2, firstAtMs: 0 });
    const at = context(given, crashed, () => nowMs);
    workload.start?.(at);
    nowMs = 100;
    workload.onOutput?.(record(0, { type: 'Applied', index: 1, term: 1, command: 'c0' }, nowMs), at);
    workload.onOutput?.(record(1, { type: 'Applied', index: 1, term: 1, command: 'c0' }, nowMs), at);
    workload.onOutput?.(record(2, { type: 'Applied', index: 1, term: 1, command: 'c0' }, nowMs), at);
    // n0 applies c1 and crashes before the others learn that it is committed.
    workload.onOutput?.(record(0, { type: 'Applied', index: 2, term: 1, command: 'c1' }, nowMs), at);
    crashed.add(0);
    given.length = 0;
    nowMs = 400;
    workload.onOutput?.(record(1, { type: 'BecameLeader', term: 2 }, nowMs), at);
    expect(given).toEqual([{ node: 1, input: { type: 'Start', command: 'c1' } }]);
    expect(workload.finished({ isCrashed: (node) => crashed.has(node) })).toBe(false);
  });

  it('nothing more when the new leader has applied the last command: it brings the others up to date itself', () => {
    const given: Given[] = [];
    const crashed = new Set<NodeId>([0]);
    const workload = service({ servers: [0, 1, 2], commands: 1, firstAtMs: 0 });
    const at = context(given, crashed, () => 100);
    workload.start?.(at);
    for (const node of [0, 1]) workload.onOutput?.(record(node, { type: 'Applied', index: 1, term: 1, command: 'c0' }, 100), at);
    given.length = 0;
    workload.onOutput?.(record(1, { type: 'BecameLeader', term: 2 }, 100), at);
    expect(given).toEqual([]);
    expect(workload.finished({ isCrashed: (node) => crashed.has(node) })).toBe(false);
  });

  it('nothing more once every live server applied the last command', () => {
    const given: Given[] = [];
    const crashed = new Set<NodeId>([0]);
    const workload = service({ servers: [0, 1, 2], commands: 1, firstAtMs: 0 });
    const at = context(given, crashed, () => 100);
    workload.start?.(at);
    for (const node of [0, 1, 2]) workload.onOutput?.(record(node, { type: 'Applied', index: 1, term: 1, command: 'c0' }, 100), at);
    given.length = 0;
    workload.onOutput?.(record(1, { type: 'BecameLeader', term: 2 }, 100), at);
    expect(given).toEqual([]);
    expect(workload.finished({ isCrashed: (node) => crashed.has(node) })).toBe(true);
  });
});
