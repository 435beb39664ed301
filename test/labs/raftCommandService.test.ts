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

/** The service of `commands` commands on n0, n1 and n2, fed outputs by hand at 100 ms; it records what the service gives. */
class Driver {
  readonly given: Given[] = [];
  readonly crashed = new Set<NodeId>();
  private readonly workload;
  // The service reads only the clock and who is down.
  private readonly context = {
    cluster: { isCrashed: (node: NodeId) => this.crashed.has(node), nowMs: 100 },
    input: (node: NodeId, input: Raft['input']) => this.given.push({ node, input }),
  } as unknown as WorkloadContext<Raft>;

  constructor(commands: number) {
    this.workload = service({ servers: [0, 1, 2], commands, firstAtMs: 0 });
    this.workload.start?.(this.context);
  }

  applied(nodes: readonly NodeId[], index: number, command: string): void {
    for (const node of nodes) this.output(node, { type: 'Applied', index, term: 1, command });
  }

  /** What the service gives in answer to `node`'s BecameLeader. */
  becameLeader(node: NodeId, term: number): Given[] {
    this.given.length = 0;
    this.output(node, { type: 'BecameLeader', term });
    return [...this.given];
  }

  finished(): boolean {
    return this.workload.finished({ isCrashed: (node) => this.crashed.has(node) });
  }

  private output(node: NodeId, output: Raft['output']): void {
    const record: OutputRecord<Raft> = { step: 0, timeMs: 100, node, incarnation: 0, output };
    this.workload.onOutput?.(record, this.context);
  }
}

describe('the command service gives a new leader', () => {
  it('the last applied command again, when the new leader has not applied it and nothing else is left to give', () => {
    const driver = new Driver(2);
    driver.applied([0, 1, 2], 1, 'c0');
    // n0 applies c1 and crashes before the others learn that it is committed.
    driver.applied([0], 2, 'c1');
    driver.crashed.add(0);
    expect(driver.becameLeader(1, 2)).toEqual([{ node: 1, input: { type: 'Start', command: 'c1' } }]);
    expect(driver.finished()).toBe(false);
  });

  it('nothing more when the new leader has applied the last command: it brings the others up to date itself', () => {
    const driver = new Driver(1);
    driver.crashed.add(0);
    driver.applied([0, 1], 1, 'c0');
    expect(driver.becameLeader(1, 2)).toEqual([]);
    expect(driver.finished()).toBe(false);
  });

  it('nothing more once every live server applied the last command', () => {
    const driver = new Driver(1);
    driver.crashed.add(0);
    driver.applied([0, 1, 2], 1, 'c0');
    expect(driver.becameLeader(1, 2)).toEqual([]);
    expect(driver.finished()).toBe(true);
  });
});
