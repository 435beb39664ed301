// The model-checking side of lab 3: small Paxos configurations explored exhaustively (or by
// random probes), with the safety properties as invariants over states and transitions.
// Invariants read outputs (Learned) and acceptors' durable storage: never private fields.
import { nodeName, type NodeClass, type NodeId, type SearchSettings, type StateInvariant, type TransitionInvariant } from 'distlab/testing';
import type { AcceptedProposal, Ballot, Paxos } from './src/protocol.ts';

export interface PaxosConfiguration {
  readonly proposers: number;
  readonly acceptors: number;
  /** Crashes (and restarts) of acceptors the search may add, in all. */
  readonly crashes?: number;
  readonly drops?: boolean;
  readonly timers?: boolean;
}

const compare = (left: Ballot, right: Ballot) => left.round - right.round || left.proposer - right.proposer;

/** Acceptors are n0.., then the proposers; proposers learn. Proposer i proposes "v<i>". */
export function paxosSearch(node: NodeClass<Paxos>, configuration: PaxosConfiguration): SearchSettings<Paxos> {
  const acceptors = Array.from({ length: configuration.acceptors }, (_unused, index) => index);
  const proposers = Array.from({ length: configuration.proposers }, (_unused, index) => configuration.acceptors + index);
  const proposed = new Set(proposers.map((id) => `v${id}`));
  const majority = Math.floor(configuration.acceptors / 2) + 1;
  const everyone = [...acceptors, ...proposers];
  // Checked in every state of large searches: plain loops, no allocation.
  const invariants: StateInvariant<Paxos>[] = [
    {
      name: 'validity',
      check: (state) => {
        for (const id of everyone) {
          for (const output of state.outputs(id)) if (!proposed.has(output.value)) return `${nodeName(id)} learned ${output.value}, which nobody proposed`;
        }
        return undefined;
      },
    },
    {
      name: 'agreement',
      check: (state) => {
        let first: { node: NodeId; value: string } | undefined;
        for (const id of everyone) {
          for (const output of state.outputs(id)) {
            if (first === undefined) first = { node: id, value: output.value };
            else if (output.value !== first.value) return `${nodeName(first.node)} learned ${first.value} but ${nodeName(id)} learned ${output.value}`;
          }
        }
        return undefined;
      },
    },
    {
      name: 'integrity',
      check: (state) => {
        for (const id of everyone) {
          const outputs = state.outputs(id);
          if (outputs.length > 1) return `${nodeName(id)} learned twice: ${outputs.map((output) => output.value).join(', ')}`;
        }
        return undefined;
      },
    },
  ];
  /** Proposals that a majority of acceptors hold as accepted right now. */
  const chosen = (state: Parameters<StateInvariant<Paxos>['check']>[0]): AcceptedProposal[] => {
    const found: AcceptedProposal[] = [];
    for (const id of acceptors) {
      const accepted = state.storage(id).get('accepted') as AcceptedProposal | undefined;
      if (accepted === undefined || found.some((proposal) => compare(proposal.ballot, accepted.ballot) === 0)) continue;
      let same = 0;
      for (const other of acceptors) {
        const theirs = state.storage(other).get('accepted') as AcceptedProposal | undefined;
        if (theirs !== undefined && compare(theirs.ballot, accepted.ballot) === 0 && theirs.value === accepted.value) same++;
      }
      if (same >= majority) found.push(accepted);
    }
    return found;
  };
  const transitionInvariants: TransitionInvariant<Paxos>[] = [
    {
      name: 'a chosen value stays chosen',
      check: (before, _event, after) => {
        const decided = chosen(before);
        if (decided.length === 0) return undefined;
        for (const id of acceptors) {
          const accepted = after.storage(id).get('accepted') as AcceptedProposal | undefined;
          const previous = before.storage(id).get('accepted') as AcceptedProposal | undefined;
          if (accepted === undefined || (previous !== undefined && compare(previous.ballot, accepted.ballot) === 0)) continue;
          for (const proposal of decided) {
            if (compare(accepted.ballot, proposal.ballot) > 0 && accepted.value !== proposal.value) {
              return (
                `${proposal.value} was chosen in ballot (${proposal.ballot.round}, ${nodeName(proposal.ballot.proposer)}), ` +
                `but ${nodeName(id)} accepted ${accepted.value} in the higher ballot (${accepted.ballot.round}, ${nodeName(accepted.ballot.proposer)})`
              );
            }
          }
        }
        return undefined;
      },
    },
    {
      name: 'a promise never decreases',
      check: (before, _event, after) => {
        for (const id of acceptors) {
          const was = before.storage(id).get('promised') as Ballot | undefined;
          const now = after.storage(id).get('promised') as Ballot | undefined;
          if (was !== undefined && (now === undefined || compare(now, was) < 0)) {
            return `${nodeName(id)}'s promise went from (${was.round}, ${nodeName(was.proposer)}) to ${now ? `(${now.round}, ${nodeName(now.proposer)})` : 'nothing'}`;
          }
        }
        return undefined;
      },
    },
    {
      name: 'no acceptance below the promise',
      check: (before, _event, after) => {
        for (const id of acceptors) {
          const accepted = after.storage(id).get('accepted') as AcceptedProposal | undefined;
          const previous = before.storage(id).get('accepted') as AcceptedProposal | undefined;
          const promised = before.storage(id).get('promised') as Ballot | undefined;
          if (accepted === undefined || promised === undefined) continue;
          const changed = previous === undefined || compare(previous.ballot, accepted.ballot) !== 0 || previous.value !== accepted.value;
          if (changed && compare(accepted.ballot, promised) < 0) {
            return `${nodeName(id)} accepted ballot (${accepted.ballot.round}, ${nodeName(accepted.ballot.proposer)}) after promising (${promised.round}, ${nodeName(promised.proposer)})`;
          }
        }
        return undefined;
      },
    },
  ];
  return {
    nodes: [...acceptors, ...proposers].map(() => ({ role: 'server' as const, node })),
    config: { proposers, acceptors, learners: proposers, retryMs: [50, 100], askEveryMs: 100 },
    inputs: proposers.map((id) => ({ node: id, input: { type: 'Propose' as const, value: `v${id}` } })),
    timers: configuration.timers ?? false,
    drops: configuration.drops ?? false,
    ...(configuration.crashes ? { crashes: { nodes: acceptors, max: configuration.crashes, restart: true } } : {}),
    invariants,
    transitionInvariants,
    goals: [
      {
        name: 'a value is chosen',
        reached: (state) => {
          for (const id of acceptors) {
            const accepted = state.storage(id).get('accepted') as AcceptedProposal | undefined;
            if (accepted === undefined) continue;
            let same = 0;
            for (const other of acceptors) {
              const theirs = state.storage(other).get('accepted') as AcceptedProposal | undefined;
              if (theirs !== undefined && compare(theirs.ballot, accepted.ballot) === 0 && theirs.value === accepted.value) same++;
            }
            if (same >= majority) return true;
          }
          return false;
        },
      },
    ],
  };
}
