// Small Paxos configurations for the model checker (the search tests and the search
// benchmark). Only the cluster is built here: the properties are the suite's own, from
// checks.ts, the same objects the randomized runs check.
import type { ClusterView, NodeClass, NodeId, SearchSettings } from 'distlab/testing';
import { acceptsOnlyWhatWasAsked, proposerProperties, safetyProperties, valueChosen } from './checks.ts';
import type { Paxos } from './src/protocol.ts';

export interface PaxosConfiguration {
  readonly proposers: number;
  readonly acceptors: number;
  /** Crashes (and restarts) of acceptors the search may add, in all. */
  readonly crashes?: number;
  /** With crashes: an acceptor may also crash in the middle of a reaction, after 0..k-1 of its sends and writes. */
  readonly midReaction?: number;
  readonly drops?: boolean;
  /** May the network deliver a message again (the network is then a set)? */
  readonly duplicates?: boolean;
  /** Links deliver in order: only the oldest message from a node to another may be delivered. */
  readonly fifo?: boolean;
  readonly timers?: boolean;
  /**
   * Retries: per proposer (in order), the highest round it may prepare. Its Retry timer fires
   * at any moment (timers are on), and a state where a proposer has sent a Prepare above its
   * bound is checked but not explored further: a bounded number of ballots per proposer.
   */
  readonly rounds?: readonly number[];
  /**
   * Per proposer (in order), the acceptors (by index) it talks to. A state where a message
   * went across these lines (an acceptor promised or accepted a ballot of a proposer that does
   * not reach it, or answers it) is checked but not explored further.
   */
  readonly reach?: readonly (readonly number[])[];
  /** Whether the proposers are the learners (the default); without, an Accepted goes to the ballot's proposer only. */
  readonly learners?: boolean;
  /** Check the proposer's rules too (a ballot is used once, phase 2 follows its Promises). */
  readonly proposerRules?: boolean;
}

/** A ballot as storage and messages carry it, read with guards: a submission may store anything. */
function proposerOf(value: unknown): number | undefined {
  return typeof value === 'object' && value !== null && 'proposer' in value && typeof value.proposer === 'number' ? value.proposer : undefined;
}

/**
 * Acceptors are n0.., then the proposers, which are also the learners (unless `learners` is
 * false). Proposer i proposes "v<i>" in the initial state. Properties: every safety property
 * (and the proposer's rules with `proposerRules`), and the goal "a value is chosen".
 */
export function paxosSearch(node: NodeClass<Paxos>, configuration: PaxosConfiguration): SearchSettings<Paxos> {
  const acceptors: NodeId[] = Array.from({ length: configuration.acceptors }, (_unused, index) => index);
  const proposers: NodeId[] = Array.from({ length: configuration.proposers }, (_unused, index) => configuration.acceptors + index);
  const learners = configuration.learners === false ? [] : proposers;
  const crashes = configuration.crashes ?? 0;
  const { rounds, reach } = configuration;
  // Only the protocol's own traffic decides what is outside the model: a message of another kind (an ask, a
  // Prepare to a node that is no acceptor) changes nothing an acceptor holds, and would otherwise let a
  // submission end the search wherever it likes.
  const outside = (view: ClusterView<Paxos>): boolean => {
    if (rounds !== undefined) {
      for (const { to, message } of view.inFlight()) {
        if (message.type === 'Prepare' && acceptors.includes(to) && message.ballot.round > (rounds[proposers.indexOf(message.ballot.proposer)] ?? Infinity)) return true;
      }
    }
    if (reach !== undefined) {
      const reaches = (proposer: NodeId | undefined, acceptor: NodeId) =>
        proposer === undefined || !proposers.includes(proposer) || (reach[proposers.indexOf(proposer)] ?? acceptors).includes(acceptor);
      const replies: readonly string[] = ['Promise', 'Nack', 'Accepted'];
      for (const { from, to, message } of view.inFlight()) if (acceptors.includes(from) && replies.includes(message.type) && !reaches(to, from)) return true;
      for (const acceptor of acceptors) {
        const storage = view.storage(acceptor);
        const accepted = storage.get('accepted');
        const acceptedBallot = typeof accepted === 'object' && accepted !== null && 'ballot' in accepted ? accepted.ballot : undefined;
        if (!reaches(proposerOf(storage.get('promised')), acceptor) || !reaches(proposerOf(acceptedBallot), acceptor)) return true;
      }
    }
    return false;
  };
  return {
    nodes: [...acceptors, ...proposers].map(() => ({ role: 'server', node })),
    config: { proposers, acceptors, learners, retryMs: [50, 100], askEveryMs: 100 },
    inputs: proposers.map((id) => ({ node: id, input: { type: 'Propose', value: `v${id}` } })),
    timers: configuration.timers ?? rounds !== undefined,
    drops: configuration.drops ?? false,
    ...(configuration.duplicates ? { duplicates: true } : {}),
    ...(configuration.fifo ? { fifo: true } : {}),
    ...(crashes > 0 ? { crashes: { nodes: acceptors, max: crashes, restart: true, ...(configuration.midReaction ? { midReaction: configuration.midReaction } : {}) } } : {}),
    ...(rounds !== undefined || reach !== undefined ? { prune: outside } : {}),
    properties: [
      ...safetyProperties({ acceptors, learners }),
      ...(configuration.proposerRules ? proposerProperties({ acceptors, learners }) : []),
      acceptsOnlyWhatWasAsked(acceptors),
      valueChosen(acceptors),
    ],
  };
}
