import { Node, unreachable, type NodeId } from 'distlab';
import type { AcceptedProposal, Ballot, Paxos } from '../../labs/03-paxos/src/protocol.ts';

/** The same ballot: same round and same proposer. */
export function sameBallot(left: Ballot, right: Ballot): boolean {
  return left.round === right.round && left.proposer === right.proposer;
}

/**
 * Single-decree Paxos. One class plays every role: a node is a proposer, an acceptor and a
 * learner according to this.config.proposers, .acceptors and .learners (often all three).
 *
 * - Proposer: on Propose, phase 1 with a ballot above every round it has seen (Prepare to
 *   every acceptor); with a majority of Promises, phase 2 with the value of the
 *   highest-ballot proposal they report, or its own (Accept to every acceptor). Until it
 *   knows the decision, it tries again after a random back-off, with a higher ballot.
 * - Acceptor: promises and accepts only at or above its promise, and writes the promise
 *   and the accepted proposal to durable storage before it answers. It tells every learner
 *   (and the ballot's proposer) what it accepted.
 * - Learner: a value is chosen when a majority of acceptors accepted it in the same
 *   ballot. An undecided learner asks the other learners (and the proposers) from time to
 *   time; a node that knows the decision answers.
 */
export class PaxosNode extends Node<Paxos> {
  // Proposer

  /** The value the test asked this node to propose (null before, and after a restart). */
  value: string | null = null;
  /** The highest round seen: in this node's own ballots, and in Nacks. */
  round = 0;
  /** The ballot of the attempt under way; null when not trying. */
  ballot: Ballot | null = null;
  /**
   * Phase 1 of that attempt: the acceptors that promised (in id order) and the highest-ballot
   * proposal they reported. Null once phase 2 has begun (or when not trying).
   */
  phase1: { promises: NodeId[]; highest: AcceptedProposal | null } | null = null;

  // Acceptor: the same values as in durable storage, read back on a restart

  promised: Ballot | null = null;
  accepted: AcceptedProposal | null = null;

  // Learner (and a proposer that is not a learner)

  /** The decision, once known. */
  decided: string | null = null;
  /** Per acceptor (in config.acceptors order): the highest-ballot proposal it said it accepted. */
  heard: (AcceptedProposal | null)[] = [];

  override onStart(): void {
    this.promised = this.storage.get('promised') ?? null;
    this.accepted = this.storage.get('accepted') ?? null;
    // A proposer must never use a ballot twice, not even after a restart. When it is an
    // acceptor too, its own acceptor got each of its Prepares at once (a message to oneself
    // is delivered in the same ms), so that acceptor's promise is at least every round it used.
    if (this.isProposer()) this.round = this.promised?.round ?? 0;
    this.heard = this.config.acceptors.map(() => null);
    if (this.isLearner()) this.setTimer({ type: 'AskDecision' }, this.config.askEveryMs);
  }

  // Inputs from the test

  override onInput(input: Paxos['input']): void {
    switch (input.type) {
      case 'Propose':
        if (this.decided !== null) return;
        this.value = input.value;
        if (this.ballot === null) this.prepare();
        return;
      default:
        unreachable(input.type);
    }
  }

  // Messages

  override onMessage(from: NodeId, message: Paxos['message']): void {
    switch (message.type) {
      case 'Prepare':
        this.onPrepare(from, message.ballot);
        return;
      case 'Promise':
        this.onPromise(from, message.ballot, message.accepted);
        return;
      case 'Accept':
        this.onAccept(from, message.ballot, message.value);
        return;
      case 'Accepted':
        this.onAccepted(from, { ballot: message.ballot, value: message.value });
        return;
      case 'Nack':
        this.onNack(message.promised);
        return;
      case 'Decided':
        this.learn(message.value);
        return;
      case 'WhatIsDecided':
        if (this.decided !== null) this.send(from, { type: 'Decided', value: this.decided });
        return;
      default:
        unreachable(message);
    }
  }

  // Timers

  override onTimer(timer: Paxos['timer']): void {
    switch (timer.type) {
      case 'Retry':
        if (this.ballot !== null && timer.attempt === this.ballot.round && this.decided === null) this.prepare();
        return;
      case 'AskDecision':
        if (this.decided !== null) return;
        // The other learners, and the proposers: a proposer learns the outcome of its own ballots.
        for (const node of this.servers) {
          if (node !== this.id && (this.config.learners.includes(node) || this.config.proposers.includes(node))) {
            this.send(node, { type: 'WhatIsDecided' });
          }
        }
        this.setTimer({ type: 'AskDecision' }, this.config.askEveryMs);
        return;
      default:
        unreachable(timer);
    }
  }

  // Proposer

  /** Phase 1a: a fresh ballot above every round seen, to every acceptor; retry later. */
  protected prepare(): void {
    this.round = this.nextRound();
    const ballot = { round: this.round, proposer: this.id };
    this.ballot = ballot;
    this.phase1 = { promises: [], highest: null };
    for (const acceptor of this.config.acceptors) this.send(acceptor, { type: 'Prepare', ballot });
    // A random back-off: the driver picks the delay in the range (the model checker tries them all).
    this.setTimer({ type: 'Retry', attempt: ballot.round }, this.config.retryMs);
  }

  /** Phase 1b arrives; with a majority, phase 2a. */
  protected onPromise(from: NodeId, ballot: Ballot, accepted: AcceptedProposal | null): void {
    const phase1 = this.phase1;
    if (phase1 === null || !this.isCurrentBallot(ballot) || phase1.promises.includes(from)) return;
    phase1.promises.push(from);
    phase1.promises.sort((left, right) => left - right);
    if (accepted !== null && this.outranks(accepted, phase1.highest)) phase1.highest = accepted;
    if (phase1.promises.length < this.quorum()) return;
    const value = this.valueToPropose(phase1.highest);
    this.phase1 = null;
    for (const acceptor of this.config.acceptors) this.send(acceptor, { type: 'Accept', ballot, value });
  }

  /** A round above every round seen: a ballot is used once. */
  protected nextRound(): number {
    return this.round + 1;
  }

  /** A Promise for an older ballot of ours says nothing about this one: the acceptor may have accepted since. */
  protected isCurrentBallot(ballot: Ballot): boolean {
    return this.ballot !== null && sameBallot(ballot, this.ballot);
  }

  /** Whether a reported proposal beats the highest one so far: by ballot, whatever came first. */
  protected outranks(reported: AcceptedProposal, highest: AcceptedProposal | null): boolean {
    return highest === null || this.compareBallots(reported.ballot, highest.ballot) > 0;
  }

  /** A Nack tells of a higher promise: the next ballot must outrank it. */
  protected onNack(promised: Ballot): void {
    this.round = Math.max(this.round, promised.round);
  }

  /** The value of the highest-ballot proposal in the Promises: it may have been chosen. Else our own. */
  protected valueToPropose(highest: AcceptedProposal | null): string {
    return highest?.value ?? (this.value as string);
  }

  // Acceptor

  protected onPrepare(from: NodeId, ballot: Ballot): void {
    if (this.promised !== null && this.compareBallots(ballot, this.promised) < 0) {
      this.send(from, { type: 'Nack', ballot, promised: this.promised });
      return;
    }
    this.promise(ballot);
    this.send(from, { type: 'Promise', ballot, accepted: this.accepted });
  }

  protected onAccept(from: NodeId, ballot: Ballot, value: string): void {
    if (this.promised !== null && this.compareBallots(ballot, this.promised) < 0) {
      this.send(from, { type: 'Nack', ballot, promised: this.promised });
      return;
    }
    this.promise(ballot);
    this.accepted = { ballot, value };
    this.storage.set('accepted', this.accepted);
    for (const learner of this.config.learners) this.send(learner, { type: 'Accepted', ballot, value });
    // A proposer that is not a learner hears it too, so that it knows when to stop.
    if (!this.config.learners.includes(ballot.proposer)) this.send(ballot.proposer, { type: 'Accepted', ballot, value });
  }

  /** Raises the promise to `ballot`, on disk first: a restarted acceptor must keep it. */
  protected promise(ballot: Ballot): void {
    if (this.promised !== null && sameBallot(ballot, this.promised)) return;
    this.promised = ballot;
    this.storage.set('promised', ballot);
  }

  // Learner

  protected onAccepted(from: NodeId, proposal: AcceptedProposal): void {
    if (this.decided !== null) return;
    const index = this.config.acceptors.indexOf(from);
    const known = this.heard[index];
    if (known === undefined || (known !== null && this.compareBallots(proposal.ballot, known.ballot) <= 0)) return;
    this.heard[index] = proposal;
    if (this.isChosen(proposal)) this.learn(proposal.value);
  }

  /** Chosen: a majority of acceptors accepted this very ballot. */
  protected isChosen(proposal: AcceptedProposal): boolean {
    const votes = this.heard.filter((known) => known !== null && sameBallot(known.ballot, proposal.ballot)).length;
    return votes >= this.quorum();
  }

  protected learn(value: string): void {
    if (this.decided !== null) return;
    this.decided = value;
    this.heard = [];
    // A proposer stops trying: the decision is made.
    if (this.ballot !== null) this.cancelTimer({ type: 'Retry', attempt: this.ballot.round });
    this.value = null;
    this.ballot = null;
    this.phase1 = null;
    if (this.isLearner()) {
      this.cancelTimer({ type: 'AskDecision' });
      this.output({ type: 'Learned', value });
    }
  }

  // Shared

  /** A majority of the acceptors. */
  protected quorum(): number {
    return Math.floor(this.config.acceptors.length / 2) + 1;
  }

  /** Rounds first, then proposer ids: no two proposers ever use the same ballot. */
  protected compareBallots(left: Ballot, right: Ballot): number {
    return left.round - right.round || left.proposer - right.proposer;
  }

  protected isProposer(): boolean {
    return this.config.proposers.includes(this.id);
  }

  protected isLearner(): boolean {
    return this.config.learners.includes(this.id);
  }
}
