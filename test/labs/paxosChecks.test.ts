// Lab 3's rules "a new ballot outranks every Nack", "phase 2 follows its Promises" and "a
// learner learns from what it was told", on hand-made histories: each passes what the handout
// asks for and fails, with a message that says what went wrong, what breaks it (a proposer that
// starts an attempt below a promise a Nack told it of; a learner that learns on a timer).
import { describe, expect, it } from 'vitest';
import type { ClusterView, HistoryEvent, NodeId } from 'distlab/testing';
import { learnsFromWhatItWasTold, newBallotOutranksNacks, phaseTwoFollowsPromises } from '../../labs/03-paxos/checks.ts';
import type { Ballot, Paxos } from '../../labs/03-paxos/src/protocol.ts';

type Event = HistoryEvent<Paxos>;

/** Three nodes, none of which this rule asks anything of but their ids. */
function view(): ClusterView<Paxos> {
  const nodeIds = [0, 1, 2];
  return {
    nodeIds,
    servers: nodeIds,
    clients: [],
    nowMs: 0,
    step: 0,
    lastFaultMs: 0,
    isCrashed: () => false,
    incarnation: () => 0,
    storage: () => new Map<string, unknown>(),
    inFlight: () => [],
    get counters(): never {
      throw new Error('no counters in a hand-made history');
    },
  };
}

/** The first violation of `property` (the Nack rule unless given) in `events`, or undefined. */
function problem(events: readonly Event[], property: ReturnType<typeof newBallotOutranksNacks> | ReturnType<typeof phaseTwoFollowsPromises> = newBallotOutranksNacks()): string | undefined {
  const cluster = view();
  const memory = property.memory?.(cluster) ?? [];
  for (const event of events) {
    const found = (property.record as ((memory: unknown, event: Event, cluster: ClusterView<Paxos>) => string | undefined) | undefined)?.(memory, event, cluster);
    if (found !== undefined) return found;
  }
  return undefined;
}

const ballot = (round: number, proposer: NodeId): Ballot => ({ round, proposer });
const prepare = (from: NodeId, round: number, timeMs: number, incarnation = 0): Event => ({
  kind: 'send',
  from,
  to: 1,
  incarnation,
  timeMs,
  local: from === 1,
  message: { type: 'Prepare', ballot: ballot(round, from) },
});
const nack = (to: NodeId, own: Ballot, promised: Ballot, timeMs: number, incarnation = 0): Event => ({
  kind: 'deliver',
  from: 1,
  to,
  incarnation,
  timeMs,
  local: to === 1,
  message: { type: 'Nack', ballot: own, promised },
});

describe('a new ballot outranks every Nack', () => {
  it('passes a proposer whose next attempt is above the promise it was told of, and a Prepare sent again', () => {
    expect(problem([prepare(0, 1, 0), nack(0, ballot(1, 0), ballot(4, 2), 10), prepare(0, 1, 15), prepare(0, 5, 60)])).toBeUndefined();
    // A Nack for another proposer's ballot tells this one nothing; nor does one from before a restart.
    expect(problem([nack(0, ballot(1, 2), ballot(4, 2), 10), prepare(0, 2, 60)])).toBeUndefined();
    expect(problem([nack(0, ballot(1, 0), ballot(4, 2), 10), prepare(0, 2, 60, 1)])).toBeUndefined();
  });

  it('fails a proposer that starts an attempt at or below a promise a Nack told it of', () => {
    expect(problem([prepare(0, 1, 0), nack(0, ballot(1, 0), ballot(4, 2), 10), prepare(0, 2, 60)])).toBe(
      'n0 started an attempt with Prepare (2, n0) at 60 ms, after a Nack had told it of the promise (4, n2): a new ballot has a round one above ' +
        'the highest round the proposer has seen, the Nacks it received included, so that it outranks them',
    );
    expect(problem([prepare(0, 1, 0), nack(0, ballot(1, 0), ballot(4, 2), 10), prepare(0, 4, 60)])).toContain('Prepare (4, n0) at 60 ms');
  });
});

describe('phase 2 follows its Promises', () => {
  const promise = (from: NodeId, timeMs: number): Event => ({
    kind: 'deliver',
    from,
    to: 0,
    incarnation: 0,
    timeMs,
    local: from === 0,
    message: { type: 'Promise', ballot: ballot(1, 0), accepted: null },
  });
  const accept: Event = { kind: 'send', from: 0, to: 1, incarnation: 0, timeMs: 30, local: false, message: { type: 'Accept', ballot: ballot(1, 0), value: 'v0' } };
  const input: Event = { kind: 'input', node: 0, incarnation: 0, timeMs: 0, input: { type: 'Propose', value: 'v0' } };

  it('passes an Accept after Promises from a majority of the acceptors', () => {
    expect(problem([input, promise(1, 10), promise(2, 20), accept], phaseTwoFollowsPromises([0, 1, 2]))).toBeUndefined();
  });

  it('names the duplicate when a Promise that came twice was counted as two acceptors', () => {
    expect(problem([input, promise(1, 10), promise(1, 20), accept], phaseTwoFollowsPromises([0, 1, 2]))).toBe(
      'n0 sent Accept (1, n0) "v0" with Promises for (1, n0) from only n1: phase 2 needs Promises for this very ballot from a majority (2 of 3); ' +
        "a Promise that came twice (the network duplicates messages) is one acceptor's, and counts once",
    );
    // Without a duplicate, the message says nothing of one.
    expect(problem([input, promise(1, 10), accept], phaseTwoFollowsPromises([0, 1, 2]))).not.toContain('twice');
  });

  it("reminds a proposer that is an acceptor too that its own acceptor counts only by a Promise to itself", () => {
    expect(problem([input, promise(1, 10), accept], phaseTwoFollowsPromises([0, 1, 2]))).toBe(
      'n0 sent Accept (1, n0) "v0" with Promises for (1, n0) from only n1: phase 2 needs Promises for this very ballot from a majority (2 of 3); ' +
        "n0's own acceptor counts only by a Promise it sends to itself (a message like any other)",
    );
    // A proposer that is no acceptor is not told so.
    expect(problem([input, promise(1, 10), accept], phaseTwoFollowsPromises([1, 2, 3]))).not.toContain('own acceptor');
  });
});

describe('a learner learns from what it was told', () => {
  const acceptors = [0, 1, 2];
  /** The first violation in `steps` (each a step's events, judged once the step is over), or undefined. */
  const learnedProblem = (steps: readonly (readonly Event[])[]): string | undefined => {
    const property = learnsFromWhatItWasTold(acceptors);
    const base = view();
    let step = 0;
    const cluster = new Proxy(base, { get: (target, key) => (key === 'step' ? step : target[key as keyof typeof target]) }) as ClusterView<Paxos>;
    const memory = property.memory?.(cluster);
    if (memory === undefined) throw new Error('no memory');
    for (const events of steps) {
      step++;
      for (const event of events) {
        const found = property.record?.(memory, event, cluster);
        if (found !== undefined) return found;
      }
      const found = property.check?.(cluster, memory);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const accepted = (from: NodeId, to: NodeId, kind: 'send' | 'deliver', round = 1): Event => ({
    kind,
    from,
    to,
    incarnation: 0,
    timeMs: 10,
    local: from === to,
    message: { type: 'Accepted', ballot: ballot(round, 0), value: 'v' },
  });
  const learned = (node: NodeId): Event => ({ kind: 'output', node, incarnation: 0, timeMs: 10, output: { type: 'Learned', value: 'v' } });
  const decided = (from: NodeId, to: NodeId): Event => ({ kind: 'deliver', from, to, incarnation: 0, timeMs: 10, local: false, message: { type: 'Decided', value: 'v' } });

  it('passes a learner that learns as the Accepted completing a majority of one ballot arrives, its own acceptance counted, in any order of its effects', () => {
    // n2 accepts (in reaction to an Accept), learns, then sends its own Accepted: judged once the reaction is over.
    expect(learnedProblem([[accepted(0, 2, 'deliver')], [{ kind: 'deliver', from: 0, to: 2, incarnation: 0, timeMs: 10, local: false, message: { type: 'Accept', ballot: ballot(1, 0), value: 'v' } }, learned(2), accepted(2, 0, 'send')]])).toBeUndefined();
  });

  it('passes a learner told by Decided from a node that knew', () => {
    expect(learnedProblem([[accepted(0, 1, 'deliver')], [accepted(2, 1, 'deliver')], [decided(1, 0), learned(0)]])).toBeUndefined();
  });

  it('fails a learner that learns on a timer, a Decided from a node that did not know, or Accepted of two ballots', () => {
    expect(learnedProblem([[accepted(0, 1, 'deliver')], [accepted(2, 1, 'deliver')], [learned(1)]])).toMatch(/^n1 learned "v" at 10 ms in a reaction to no message/);
    expect(learnedProblem([[accepted(0, 1, 'deliver')], [decided(1, 2), learned(2)]])).toMatch(/^n2 learned "v" at 10 ms, but no majority \(2 of 3\) of the acceptors had told it so/);
    expect(learnedProblem([[accepted(0, 1, 'deliver', 1)], [accepted(2, 1, 'deliver', 2), learned(1)]])).toMatch(/Accepted handed to it for \(1, n0\) by n0; \(2, n0\) by n2/);
  });
});
