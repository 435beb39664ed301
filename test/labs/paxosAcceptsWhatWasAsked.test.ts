// Lab 3's "accepts only what an Accept asked for" on hand-made histories: a node that is
// proposer and acceptor may write its acceptance of its own proposal in the reaction where it
// sends itself the Accept, before that send or after it; any other acceptance needs an Accept.
import { describe, expect, it } from 'vitest';
import type { ClusterView, HistoryEvent, NodeId } from 'distlab/testing';
import { acceptsOnlyWhatWasAsked } from '../../labs/03-paxos/checks.ts';
import type { Paxos } from '../../labs/03-paxos/src/protocol.ts';

type Event = HistoryEvent<Paxos>;
const cluster = { nodeIds: [0, 1, 2], servers: [0, 1, 2], clients: [], step: 4 } as unknown as ClusterView<Paxos>;
const ballot = { round: 1, proposer: 0 };

const acceptSent = (from: NodeId, to: NodeId, value: string): Event =>
  ({ kind: 'send', from, to, incarnation: 0, timeMs: 30, local: from === to, message: { type: 'Accept', ballot, value } }) as Event;
const acceptanceStored = (node: NodeId, value: string): Event =>
  ({ kind: 'storage', node, incarnation: 0, timeMs: 30, key: 'accepted', value: { ballot, value } }) as unknown as Event;
const crashed = (node: NodeId): Event => ({ kind: 'crash', node, incarnation: 0, timeMs: 30, midReaction: true }) as Event;

/** The first failure over one reaction's `events`, judged as each event is recorded and once the reaction is over. */
function verdict(events: readonly Event[]): string | undefined {
  const property = acceptsOnlyWhatWasAsked([0, 1, 2]);
  const memory = property.memory?.(cluster);
  for (const event of events) {
    const failure = property.record?.(memory as never, event, cluster);
    if (failure !== undefined) return failure;
  }
  return property.check?.(cluster, memory as never);
}

describe('accepts only what an Accept asked for', () => {
  it("lets a proposer write its own proposal's acceptance as it sends itself the Accept, before or after the send", () => {
    expect(verdict([acceptSent(0, 0, 'v0'), acceptanceStored(0, 'v0')])).toBeUndefined();
    expect(verdict([acceptanceStored(0, 'v0'), acceptSent(0, 1, 'v0'), acceptSent(0, 0, 'v0')])).toBeUndefined();
  });

  it('fails a write of its own ballot whose Accept never goes out in that reaction, or goes out with another value', () => {
    expect(verdict([acceptanceStored(0, 'v0')])).toMatch(/^n0 stored accepted \(1, n0\) "v0" though no Accept asked it to \(no Accept reached it\)/);
    expect(verdict([acceptanceStored(0, 'v0'), acceptSent(0, 0, 'v9')])).toMatch(/^n0 stored accepted \(1, n0\) "v0" though no Accept asked it to/);
  });

  it("fails an acceptor that writes another proposer's proposal no Accept asked for, at once", () => {
    expect(verdict([acceptanceStored(1, 'v0'), acceptSent(0, 1, 'v0')])).toMatch(/^n1 stored accepted \(1, n0\) "v0" though no Accept asked it to/);
  });

  it('excuses a write whose reaction a crash cut before the Accept went out', () => {
    expect(verdict([acceptanceStored(0, 'v0'), crashed(0)])).toBeUndefined();
  });
});
