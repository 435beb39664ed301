// Small Paxos configurations for the model checker (the search tests and the search
// benchmark). Only the cluster is built here: the properties are the suite's own, from
// checks.ts, the same objects the randomized runs check.
import type { NodeClass, NodeId, SearchSettings } from 'distlab/testing';
import { safetyProperties, valueChosen } from './checks.ts';
import type { Paxos } from './src/protocol.ts';

export interface PaxosConfiguration {
  readonly proposers: number;
  readonly acceptors: number;
  /** Crashes (and restarts) of acceptors the search may add, in all. */
  readonly crashes?: number;
  /** With crashes: an acceptor may also crash in the middle of a reaction, after 0..k-1 of its sends and writes. */
  readonly midReaction?: number;
  readonly drops?: boolean;
  readonly timers?: boolean;
}

/**
 * Acceptors are n0.., then the proposers, which are also the learners. Proposer i proposes
 * "v<i>" in the initial state. Properties: every safety property, and the goal "a value is chosen".
 */
export function paxosSearch(node: NodeClass<Paxos>, configuration: PaxosConfiguration): SearchSettings<Paxos> {
  const acceptors: NodeId[] = Array.from({ length: configuration.acceptors }, (_unused, index) => index);
  const proposers: NodeId[] = Array.from({ length: configuration.proposers }, (_unused, index) => configuration.acceptors + index);
  const crashes = configuration.crashes ?? 0;
  return {
    nodes: [...acceptors, ...proposers].map(() => ({ role: 'server', node })),
    config: { proposers, acceptors, learners: proposers, retryMs: [50, 100], askEveryMs: 100 },
    inputs: proposers.map((id) => ({ node: id, input: { type: 'Propose', value: `v${id}` } })),
    timers: configuration.timers ?? false,
    drops: configuration.drops ?? false,
    ...(crashes > 0 ? { crashes: { nodes: acceptors, max: crashes, restart: true, ...(configuration.midReaction ? { midReaction: configuration.midReaction } : {}) } } : {}),
    properties: [...safetyProperties({ acceptors, learners: proposers }), valueChosen(acceptors)],
  };
}
