// Lab 2's message budget and ring rule on hand-made histories: the budget counts the Election,
// Ok and Coordinator messages that cross the network, and never one a node sends itself (as
// Node.send says); a ring message goes to oneself only past every other node, skipped as dead;
// a bully node's Ok answers only the Elections sent before it, in the order of events.
import { describe, expect, it } from 'vitest';
import type { ClusterView, HistoryEvent, NodeId } from 'distlab/testing';
import { declaresWhenNoHigherAnswers, electionCost, ringMessagesGoToTheSuccessor } from '../../labs/02-election/checks.ts';
import type { Bully, Ring } from '../../labs/02-election/src/protocol.ts';

type Event = HistoryEvent<Bully>;

const cluster = { nowMs: 2_000 } as ClusterView<Bully>;

/** What the budget says of `events`: undefined when they cost exactly `expected`. */
function verdict(events: readonly Event[], expected: number): string | undefined {
  const property = electionCost<Bully>(1_000, expected, 'N');
  const memory = property.memory?.(cluster);
  for (const event of events) property.record?.(memory as never, event, cluster);
  return property.check?.(cluster, memory as never);
}

/** A send of `message` in a node's first incarnation (a send to oneself is local). */
const sendEvent = <P extends Bully | Ring>(from: NodeId, to: NodeId, timeMs: number, message: P['message']): HistoryEvent<P> =>
  ({ kind: 'send', from, to, incarnation: 0, timeMs, local: from === to, message }) as HistoryEvent<P>;

const send = (from: NodeId, to: NodeId, type: 'Election' | 'Ok' | 'Coordinator', timeMs = 1_500): Event => sendEvent<Bully>(from, to, timeMs, { type });

describe('the election message budget', () => {
  it('counts the messages sent to other nodes from the election on', () => {
    const coordinators = [0, 1].map((to) => send(2, to, 'Coordinator'));
    expect(verdict([send(0, 2, 'Election', 500), ...coordinators], 2)).toBeUndefined();
    expect(verdict(coordinators, 3)).toBe('2 Coordinator = 2 messages to other nodes (and 0 Acks, not counted) after 1000 ms; the handout\'s formula N gives 3');
  });

  it('does not count a message a node sends itself: it never crosses the network', () => {
    const toEveryone = [0, 1, 2].map((to) => send(2, to, 'Coordinator'));
    expect(verdict(toEveryone, 2)).toBeUndefined();
    // Nor can messages to itself make up for ones a node did not send.
    expect(verdict([send(2, 0, 'Coordinator'), send(2, 2, 'Ok'), send(2, 2, 'Ok')], 3)).toMatch(/^1 Coordinator = 1 messages to other nodes/);
  });
});

describe('ring messages go to the next live node', () => {
  type RingEvent = HistoryEvent<Ring>;
  const ringCluster = { nowMs: 2_000, servers: [0, 1, 2], nodeIds: [0, 1, 2] } as unknown as ClusterView<Ring>;
  const election = (from: NodeId, to: NodeId, timeMs: number, id: number): RingEvent => sendEvent<Ring>(from, to, timeMs, { type: 'Election', candidate: from, hops: 1, id });
  /** The first failure of the rule over `events` (D = 10 ms), or undefined. */
  function firstFailure(events: readonly RingEvent[]): string | undefined {
    const property = ringMessagesGoToTheSuccessor(10);
    const memory = property.memory?.(ringCluster);
    for (const event of events) {
      const failure = property.record?.(memory as never, event, ringCluster);
      if (failure !== undefined) return failure;
    }
    return undefined;
  }

  it('lets a node send its Election on to itself once every other node was skipped as dead', () => {
    expect(firstFailure([election(1, 2, 1_000, 1), election(1, 0, 1_020, 2), election(1, 1, 1_040, 3)])).toBeUndefined();
  });

  it('fails a node that sends to itself before the node just before it went unacknowledged for 2D', () => {
    expect(firstFailure([election(1, 2, 1_000, 1), election(1, 0, 1_020, 2), election(1, 1, 1_030, 3)])).toBe(
      'n1 sent an Election to itself at 1030 ms without having sent n0 a ring message at least 2D = 20 ms earlier that it did not acknowledge: a node is skipped only as dead',
    );
  });
});

describe('a node declares itself only when no higher id answers (bully)', () => {
  /** Servers n0..n2; each group of events is one step (one reaction), judged once it is over. */
  function firstFailure(steps: readonly (readonly Event[])[]): string | undefined {
    const view = { step: 0, nowMs: 0, servers: [0, 1, 2], nodeIds: [0, 1, 2], isCrashed: () => false } as unknown as ClusterView<Bully> & { step: number };
    const property = declaresWhenNoHigherAnswers(10);
    const memory = property.memory?.(view);
    for (const [index, events] of steps.entries()) {
      view.step = index + 1;
      for (const event of events) {
        const failure = property.record?.(memory as never, event, view);
        if (failure !== undefined) return failure;
      }
      const failure = property.check?.(view, memory as never);
      if (failure !== undefined) return failure;
    }
    return undefined;
  }
  const ok = (timeMs: number): Event => ({ kind: 'deliver', from: 2, to: 1, incarnation: 0, timeMs, local: false, message: { type: 'Ok' } }) as Event;
  const declare = (timeMs: number): Event[] => [send(1, 0, 'Coordinator', timeMs), send(1, 2, 'Coordinator', timeMs)];

  it("lets a node declare itself when the higher node's Ok was handed over before its Election, in the same ms", () => {
    expect(firstFailure([[ok(2_213)], [send(1, 2, 'Election', 2_213)], declare(2_244)])).toBeUndefined();
  });

  it('fails a node that declares itself after an Ok that came after its Election', () => {
    expect(firstFailure([[send(1, 2, 'Election', 2_213)], [ok(2_213)], declare(2_244)])).toBe(
      'n1 sent Coordinator at 2244 ms although n2 answered its Election (sent at 2213 ms) with Ok at 2213 ms: a higher id is alive and takes over',
    );
  });
});
