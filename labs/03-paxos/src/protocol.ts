// Lab 3's protocol: single-decree Paxos. Do not change this file: the tests are written
// against it, and they read the ballots and values carried in the messages.
import type { NodeId, Protocol } from 'distlab';

/** A ballot: rounds are compared first, then proposer ids break ties. */
export interface Ballot {
  readonly round: number;
  readonly proposer: NodeId;
}

/** A proposal as an acceptor accepted it. */
export interface AcceptedProposal {
  readonly ballot: Ballot;
  readonly value: string;
}

export interface Paxos extends Protocol {
  message:
    /** Phase 1a, proposer -> acceptors. */
    | { readonly type: 'Prepare'; readonly ballot: Ballot }
    /** Phase 1b, acceptor -> proposer: a promise not to accept below `ballot`, and the highest proposal accepted so far. */
    | { readonly type: 'Promise'; readonly ballot: Ballot; readonly accepted: AcceptedProposal | null }
    /** Phase 2a, proposer -> acceptors. */
    | { readonly type: 'Accept'; readonly ballot: Ballot; readonly value: string }
    /** Phase 2b, acceptor -> every learner. */
    | { readonly type: 'Accepted'; readonly ballot: Ballot; readonly value: string }
    /** Acceptor -> proposer: your ballot is below my promise (optional, speeds up retries). */
    | { readonly type: 'Nack'; readonly ballot: Ballot; readonly promised: Ballot }
    /** A learner that knows the decision tells another one. */
    | { readonly type: 'Decided'; readonly value: string }
    /** An undecided learner asks the others whether they know the decision. */
    | { readonly type: 'WhatIsDecided' };
  timer:
    /** A proposer's attempt did not succeed in time: try again with a higher ballot. */
    | { readonly type: 'Retry'; readonly attempt: number }
    /** An undecided learner asks around. */
    | { readonly type: 'AskDecision' };
  input:
    /** The test asks this node (a proposer) to get `value` chosen. */
    { readonly type: 'Propose'; readonly value: string };
  output:
    /** This learner learned that `value` was chosen. Exactly once. */
    { readonly type: 'Learned'; readonly value: string };
  config: {
    readonly proposers: readonly NodeId[];
    readonly acceptors: readonly NodeId[];
    readonly learners: readonly NodeId[];
    /** A proposer waits a random time in this range before retrying (randomized back-off). */
    readonly retryMs: readonly [number, number];
    /** How often an undecided learner asks the others for the decision. */
    readonly askEveryMs: number;
  };
  storage: {
    /** The acceptor's promise: it accepts nothing below it. Written before answering. */
    readonly promised: Ballot;
    /** The acceptor's highest accepted proposal. Written before answering. */
    readonly accepted: AcceptedProposal;
  };
}
