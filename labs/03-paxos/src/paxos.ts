import { Node, unreachable, type NodeId } from 'distlab';
import type { Paxos } from './protocol.ts';

/**
 * Single-decree Paxos. Every node runs this class and plays the roles the test gives it:
 * proposer if this.config.proposers includes this.id, acceptor if this.config.acceptors
 * does, learner if this.config.learners does (a node may play all three). Ballots are
 * compared round first, then proposer id. A learner reports the decision with
 * this.output({ type: 'Learned', value }), exactly once.
 */
export class PaxosNode extends Node<Paxos> {
  // Construction: fields here are this node's volatile state (plain data only).
  // Proposer: its value, the highest round seen, the current ballot, the promises so far.
  // Acceptor: its promise and its accepted proposal (copies of what is in durable storage).
  // Learner: the decision, and what each acceptor said it accepted.

  override onStart(): void {
    // TODO (acceptor): read the promise and the accepted proposal back from this.storage:
    // after a restart they are all the acceptor remembers.
    // TODO (proposer that is also an acceptor): take your round from your own stored promise,
    // so that a restart never reuses a ballot.
    // TODO (learner): start asking the other learners every this.config.askEveryMs ms.
  }

  // Inputs from the test

  override onInput(input: Paxos['input']): void {
    switch (input.type) {
      case 'Propose':
        // TODO (proposer): phase 1 with a ballot above every round seen: Prepare to every acceptor,
        // and a Retry timer after a random back-off in this.config.retryMs.
        return;
      default:
        unreachable(input.type);
    }
  }

  // Message handlers

  override onMessage(from: NodeId, message: Paxos['message']): void {
    switch (message.type) {
      case 'Prepare':
        // TODO (acceptor): promise if the ballot is at least the promise (store it first), else Nack.
        return;
      case 'Promise':
        // TODO (proposer): with a majority of Promises for the current ballot (a Promise for an older
        // ballot does not count), phase 2: Accept with the value of the highest-ballot accepted
        // proposal among them (the highest ballot, not the first reported), or your own if none reports one.
        return;
      case 'Accept':
        // TODO (acceptor): accept if the ballot is at least the promise (store it first), and tell
        // every learner with Accepted (and the ballot's proposer, if it is not a learner); else Nack.
        return;
      case 'Accepted':
        // TODO (learner, or the proposer of that ballot): the value is chosen once a majority of
        // acceptors accepted the same ballot. A learner outputs Learned; a proposer stops retrying.
        return;
      case 'Nack':
        // TODO (proposer): remember the higher round, so that the next ballot beats it.
        return;
      case 'Decided':
        // TODO (learner): another learner knows the decision.
        return;
      case 'WhatIsDecided':
        // TODO: answer with Decided if this node knows the decision.
        return;
      default:
        unreachable(message);
    }
  }

  // Timer handlers

  override onTimer(timer: Paxos['timer']): void {
    switch (timer.type) {
      case 'Retry':
        // TODO (proposer): not decided yet: try again with a new ballot, one round above every round
        // seen (a ballot is used once, even when no Nack came).
        return;
      case 'AskDecision':
        // TODO (learner): still undecided: ask the other learners and the proposers (WhatIsDecided), and again later.
        return;
      default:
        unreachable(timer);
    }
  }
}
