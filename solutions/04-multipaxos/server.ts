import { applyKvCommand, initialKvState, kvSession, Node, unreachable, type KvApplication, type KvCommand, type KvResult, type KvState, type NodeId } from 'distlab';
import type { AcceptedKey, Ballot, Checkpoint, Command, MultiPaxos, PValue } from '../../labs/04-multipaxos/src/protocol.ts';

/** The storage key of slot `slot`'s accepted proposal (protocol.ts's acceptedKey: a solution imports only its types). */
const acceptedKey = (slot: number): AcceptedKey => `accepted:${slot}`;

/** Below every ballot a leader uses: what an acceptor has promised before it promises anything. */
export const zeroBallot: Ballot = { round: 0, leader: 0 };

/** Negative, zero or positive as `left` is below, equal to or above `right`: rounds first, then leader ids. */
export function compareBallots(left: Ballot, right: Ballot): number {
  return left.round !== right.round ? left.round - right.round : left.leader - right.leader;
}

export function sameBallot(left: Ballot, right: Ballot): boolean {
  return compareBallots(left, right) === 0;
}

/** The same command: both no-ops, or the same client's same sequence number (which names one operation). */
export function sameCommand(left: Command, right: Command): boolean {
  if (left === null || right === null) return left === right;
  return left.client === right.client && left.sequence === right.sequence;
}

/** The state before any slot is executed. */
const emptyCheckpoint: Checkpoint = { slot: 1, state: initialKvState() };

/** A proposal the leader made in its ballot and has not yet seen chosen. */
export interface Proposal {
  readonly command: Command;
  /** The acceptors that answered P2b for it, in id order: states that differ only in the order the answers came are one state to a search. */
  readonly acceptedBy: NodeId[];
  /** Already pending at the last heartbeat: if it is still pending at the next one, its P2a is sent again. */
  waitedOneHeartbeat: boolean;
}

/** What the leader knows of another server from its last HeartbeatReply. */
export interface ReplicaProgress {
  /** Its first slot not executed: it lacks the decisions from there on. */
  readonly slotOut: number;
  /** The slot of its durable checkpoint: it can restart without any slot below. */
  readonly checkpointSlot: number;
}

type Message<Type extends MultiPaxos['message']['type']> = Extract<MultiPaxos['message'], { type: Type }>;

/**
 * MultiPaxos (Lamport's "Paxos Made Simple", section 3; van Renesse and Altinbuken's "Paxos
 * Made Moderately Complex"), as a replicated key-value store. One class plays the three roles:
 *
 * - Acceptor: promises and accepts, and writes `promised` and `accepted:<slot>` to durable
 *   storage before the P1b or P2b that depends on them is sent.
 * - Leader: phase 1 once, for every slot at once, when it takes over (a scout); then phase 2
 *   alone for each new command. Its own promise and acceptance go through its own acceptor
 *   logic and storage, like anyone else's, but at once, without a message.
 * - Replica: the log of chosen commands, executed in slot order on the kit's state machine
 *   (whose at-most-once table skips duplicates); a checkpoint of its state, from which it
 *   restarts; garbage collection of the slots every server has checkpointed.
 *
 * Followers learn decisions from the leader's heartbeats (chosenBelow, with the values they
 * accepted in the leader's ballot), not from a message per slot; a follower that missed some
 * is sent Decisions when it answers the heartbeat. No handler reads the clock: timers only.
 */
export class MultiPaxosServer extends Node<MultiPaxos> {
  // Acceptor: copies of durable storage, read back on a restart

  /** The highest ballot promised: nothing below it is accepted. */
  promised: Ballot = zeroBallot;
  /** By slot: the latest proposal accepted, until the slot is garbage-collected. */
  accepted = new Map<number, PValue>();

  // Replica

  /** The state machine: the map and the at-most-once table, after every slot below slotOut. */
  kvState: KvState = initialKvState();
  /** The first slot not yet executed. */
  slotOut = 1;
  /** The log: by slot, the commands this server knows are chosen, from collectedBelow on. */
  decisions = new Map<number, Command>();
  /** The slot of the durable checkpoint (its state is every slot below executed). */
  checkpointSlot = 1;
  /** Every slot below was garbage-collected here, in this incarnation: it is never learned again. */
  collectedBelow = 1;

  // Ballots and leadership

  role: 'follower' | 'candidate' | 'leader' = 'follower';
  /** The ballot this server leads, or runs phase 1 for. */
  ballot: Ballot = zeroBallot;
  /** Who this server believes leads (from the last heartbeat), for redirects; null when it knows of none. */
  leader: NodeId | null = null;
  /** The highest round seen in any ballot: the next phase 1 goes above it. */
  highestRound = 0;

  // Phase 1 (candidate): reset for each ballot

  /** By acceptor: what it reported accepted in its P1b for this ballot. */
  promises = new Map<NodeId, readonly PValue[]>();

  // Phase 2 (leader): reset when it takes over

  /** The next free slot: where the next new command goes. */
  slotIn = 1;
  /** By slot: the proposals of this ballot not yet chosen. */
  proposals = new Map<number, Proposal>();
  /**
   * By slot: what phase 1 reported for slots below slotOut that this server executed but no
   * longer holds (it restarted from a checkpoint past them). Proposed again only when a replica
   * behind needs them, and only from that replica's slotOut up, which no acceptor has collected.
   */
  recoverable = new Map<number, PValue>();

  // Catch-up and garbage collection (leader)

  /** By server: its progress, from its last HeartbeatReply in this ballot. */
  progress = new Map<NodeId, ReplicaProgress>();
  /** The chosenBelow of the last heartbeat sent: a replica behind it lacks decisions it could not learn from it. */
  heartbeatChosenBelow = 1;

  override onStart(): void {
    this.promised = this.readPromised();
    this.highestRound = this.promised.round;
    for (const key of this.storage.keys()) {
      if (!key.startsWith('accepted:')) continue;
      const pvalue = this.storage.get(key as AcceptedKey);
      if (pvalue !== undefined) this.accepted.set(pvalue.slot, pvalue);
    }
    // The checkpoint is everything executed before the crash that it covers; the slots after it
    // are executed again, as this server learns them anew from the leader.
    const checkpoint = this.storage.get('checkpoint') ?? emptyCheckpoint;
    this.kvState = checkpoint.state;
    this.slotOut = checkpoint.slot;
    this.checkpointSlot = checkpoint.slot;
    this.resetLeaderTimeout();
  }

  /** The acceptor's promise, as stored: it must hold across a crash, or a restarted acceptor could accept below it. */
  protected readPromised(): Ballot {
    return this.storage.get('promised') ?? zeroBallot;
  }

  // Messages

  override onMessage(from: NodeId, message: MultiPaxos['message']): void {
    switch (message.type) {
      case 'P1a':
        this.send(from, this.answerPrepare(from, message.ballot));
        return;
      case 'P1b':
        this.onPromise(from, message.ballot, message.accepted);
        return;
      case 'P2a':
        this.send(from, this.answerAccept(message.ballot, message.slot, message.command));
        return;
      case 'P2b':
        this.onAccepted(from, message.ballot, message.slot, message.command);
        return;
      case 'Preempted':
        this.onPreempted(message.ballot, message.promised);
        return;
      case 'Decision':
        this.decide(message.slot, message.command);
        return;
      case 'Heartbeat':
        this.onHeartbeat(from, message);
        return;
      case 'HeartbeatReply':
        this.onHeartbeatReply(from, message);
        return;
      case 'ClientRequest':
        this.onClientRequest(from, message.command);
        return;
      case 'ClientReply':
      case 'ClientRedirect':
        return;
      default:
        unreachable(message);
    }
  }

  // Timers

  override onTimer(timer: MultiPaxos['timer']): void {
    switch (timer.type) {
      case 'LeaderTimeout':
        // No heartbeat for a whole timeout (or our phase 1 did not finish in one): take over.
        if (this.role !== 'leader') this.startPhaseOne();
        return;
      case 'HeartbeatTick':
        if (this.role === 'leader') this.onHeartbeatTick();
        return;
      default:
        unreachable(timer);
    }
  }

  // Ballots and leadership

  protected majority(): number {
    return Math.floor(this.servers.length / 2) + 1;
  }

  protected noteRound(ballot: Ballot): void {
    this.highestRound = Math.max(this.highestRound, ballot.round);
  }

  /** Followers and candidates: a new timeout drawn at random, so that two servers rarely take over at once. */
  protected resetLeaderTimeout(): void {
    this.cancelTimer({ type: 'LeaderTimeout' });
    this.setTimer({ type: 'LeaderTimeout' }, this.config.leaderTimeoutMs);
  }

  /** A higher ballot is about: a leader or candidate gives up its own and waits for a leader again. */
  protected becomeFollower(): void {
    if (this.role === 'leader') this.cancelTimer({ type: 'HeartbeatTick' });
    this.role = 'follower';
    this.leader = null;
    this.promises = new Map();
    this.proposals = new Map();
    this.recoverable = new Map();
    this.progress = new Map();
    this.resetLeaderTimeout();
  }

  /** An acceptor refused our ballot: another one is higher. */
  protected onPreempted(ballot: Ballot, promised: Ballot): void {
    this.noteRound(promised);
    if (this.role === 'follower' || !sameBallot(ballot, this.ballot) || compareBallots(promised, this.ballot) <= 0) return;
    this.becomeFollower();
  }

  // Acceptor

  /** Promise `ballot` (at or above the current promise), durably; a leader or candidate of a lower ballot gives up. */
  protected promise(ballot: Ballot): void {
    this.noteRound(ballot);
    if (compareBallots(ballot, this.promised) <= 0) return;
    this.promised = ballot;
    this.storage.set('promised', ballot);
    if (this.role !== 'follower' && compareBallots(ballot, this.ballot) > 0) this.becomeFollower();
  }

  /** Phase 1b: promise `ballot` and report every proposal held, or refuse it. */
  protected answerPrepare(candidate: NodeId, ballot: Ballot): Message<'P1b' | 'Preempted'> {
    if (compareBallots(ballot, this.promised) < 0) return { type: 'Preempted', ballot, promised: this.promised };
    const higher = compareBallots(ballot, this.promised) > 0;
    this.promise(ballot);
    // Granting another server's phase 1 holds our own back: it may well succeed.
    if (higher && candidate !== this.id && this.role === 'follower') this.resetLeaderTimeout();
    const accepted = [...this.accepted.values()].sort((left, right) => left.slot - right.slot);
    return { type: 'P1b', ballot, accepted };
  }

  /** Phase 2b: accept `command` in `slot` at `ballot` (durably, before the P2b says so), or refuse it. */
  protected answerAccept(ballot: Ballot, slot: number, command: Command): Message<'P2b' | 'Preempted'> {
    if (compareBallots(ballot, this.promised) < 0) return { type: 'Preempted', ballot, promised: this.promised };
    this.promise(ballot);
    const held = this.accepted.get(slot);
    // A P2a sent again finds its proposal stored already.
    if (held === undefined || !sameBallot(held.ballot, ballot) || !sameCommand(held.command, command)) {
      const pvalue: PValue = { ballot, slot, command };
      this.storage.set(acceptedKey(slot), pvalue);
      this.accepted.set(slot, pvalue);
    }
    return { type: 'P2b', ballot, slot, command };
  }

  // Phase 1

  /**
   * A scout: a ballot above every round seen, promised by our own acceptor first (durably: a
   * restarted server never uses a ballot twice), then asked of every other acceptor. The
   * LeaderTimeout runs on: if phase 1 does not finish in time, it is tried again, higher.
   */
  protected startPhaseOne(): void {
    this.role = 'candidate';
    this.leader = null;
    this.ballot = { round: this.nextRound(), leader: this.id };
    this.promises = new Map();
    this.resetLeaderTimeout();
    const ballot = this.ballot;
    const own = this.answerPrepare(this.id, ballot);
    if (own.type === 'P1b') this.onPromise(this.id, own.ballot, own.accepted);
    for (const peer of this.peers) this.send(peer, { type: 'P1a', ballot });
  }

  /** One above every round seen: in ballots that reached us, and in our own promise, which holds every ballot we used. */
  protected nextRound(): number {
    return Math.max(this.highestRound, this.promised.round) + 1;
  }

  /** A P1b for our ballot: with a majority of them, we lead it. */
  protected onPromise(from: NodeId, ballot: Ballot, accepted: readonly PValue[]): void {
    if (this.role !== 'candidate' || !sameBallot(ballot, this.ballot)) return;
    this.promises.set(from, accepted);
    if (this.promises.size >= this.majority()) this.becomeLeader();
  }

  /**
   * The value phase 1 binds each slot to: among the proposals the majority reported for it,
   * the one with the highest ballot (only its value may have been chosen in an earlier ballot).
   */
  protected adoptFromPromises(reports: readonly (readonly PValue[])[]): Map<number, PValue> {
    const adopted = new Map<number, PValue>();
    for (const report of reports) {
      for (const pvalue of report) {
        const current = adopted.get(pvalue.slot);
        if (current === undefined || this.outranks(pvalue, current)) adopted.set(pvalue.slot, pvalue);
      }
    }
    return adopted;
  }

  /** Whether a reported proposal takes a slot over from the one adopted so far: its ballot is higher. */
  protected outranks(reported: PValue, adopted: PValue): boolean {
    return compareBallots(reported.ballot, adopted.ballot) > 0;
  }

  /**
   * What the new leader proposes, for every slot from slotOut to the last one it knows of: the
   * command it knows is chosen there, else the adopted value, else a no-op (a hole: nothing was
   * chosen there, and execution must not wait on it forever).
   */
  protected proposalsAfterPhaseOne(adopted: ReadonlyMap<number, PValue>, lastSlot: number): Map<number, Command> {
    const proposals = new Map<number, Command>();
    for (let slot = this.slotOut; slot <= lastSlot; slot++) {
      const decided = this.decisions.get(slot);
      proposals.set(slot, decided !== undefined ? decided : (adopted.get(slot)?.command ?? null));
    }
    return proposals;
  }

  /** Phase 1 succeeded: propose in every slot it bound, then new commands from slotIn; heartbeats start at once. */
  protected becomeLeader(): void {
    const adopted = this.adoptFromPromises([...this.promises.values()]);
    this.role = 'leader';
    this.leader = this.id;
    this.promises = new Map();
    this.proposals = new Map();
    this.progress = new Map();
    this.cancelTimer({ type: 'LeaderTimeout' });
    this.output({ type: 'BecameLeader', ballot: this.ballot });
    this.recoverable = new Map([...adopted].filter(([slot]) => slot < this.slotOut && slot >= this.collectedBelow && !this.decisions.has(slot)));
    const lastSlot = Math.max(this.slotOut - 1, ...adopted.keys(), ...this.decisions.keys());
    this.slotIn = lastSlot + 1;
    this.sendHeartbeats();
    this.setTimer({ type: 'HeartbeatTick' }, this.config.heartbeatMs);
    for (const [slot, command] of this.proposalsAfterPhaseOne(adopted, lastSlot)) {
      if (this.role !== 'leader') return;
      this.propose(slot, command);
    }
  }

  // Phase 2

  /** P2a for `command` in `slot`: our own acceptor first, at once, then every other one. */
  protected propose(slot: number, command: Command): void {
    const ballot = this.ballot;
    this.proposals.set(slot, { command, acceptedBy: [], waitedOneHeartbeat: false });
    const own = this.answerAccept(ballot, slot, command);
    if (own.type === 'P2b') this.onAccepted(this.id, own.ballot, own.slot, own.command);
    else this.onPreempted(own.ballot, own.promised);
    if (this.role !== 'leader') return;
    for (const peer of this.peers) this.send(peer, { type: 'P2a', ballot, slot, command });
  }

  /** A P2b for a proposal of our ballot: accepted by a majority, it is chosen. */
  protected onAccepted(from: NodeId, ballot: Ballot, slot: number, command: Command): void {
    if (this.role !== 'leader' || !sameBallot(ballot, this.ballot)) return;
    const proposal = this.proposals.get(slot);
    if (proposal === undefined || !sameCommand(proposal.command, command) || proposal.acceptedBy.includes(from)) return;
    proposal.acceptedBy.push(from);
    proposal.acceptedBy.sort((left, right) => left - right);
    if (proposal.acceptedBy.length < this.majority()) return;
    this.proposals.delete(slot);
    this.decide(slot, command);
  }

  // Clients and duplicates

  protected onClientRequest(from: NodeId, command: KvCommand): void {
    if (this.role !== 'leader') {
      this.send(from, { type: 'ClientRedirect', sequence: command.sequence, leader: this.leader });
      return;
    }
    if (this.answerFromTable(from, command) || this.isPending(command)) return;
    this.propose(this.slotIn, command);
    this.slotIn++;
  }

  /**
   * The at-most-once table (part of the replicated state) says the command was executed: its
   * reply was lost, and the client retried. The client's latest is answered with the result it
   * had; an older one was answered long ago. True if the table had it.
   */
  protected answerFromTable(from: NodeId, command: KvCommand): boolean {
    const session = kvSession(this.kvState, command.client);
    if (session === undefined || command.sequence > session.sequence) return false;
    if (command.sequence === session.sequence) this.reply(from, command.sequence, session.result);
    return true;
  }

  /** Already in the log, chosen or proposed, and not yet executed: its client is answered when it is. */
  protected isPending(command: KvCommand): boolean {
    for (let slot = this.slotOut; slot < this.slotIn; slot++) {
      const logged = this.decisions.get(slot) ?? this.proposals.get(slot)?.command ?? null;
      if (logged !== null && sameCommand(logged, command)) return true;
    }
    return false;
  }

  protected reply(to: NodeId, sequence: number, result: KvResult): void {
    this.send(to, { type: 'ClientReply', sequence, result });
  }

  // Decisions and execution

  /**
   * `command` is chosen in `slot`: log it (once: Chosen is said once per slot) and execute what
   * can be. A slot already collected here is executed, and every server has checkpointed it.
   */
  protected decide(slot: number, command: Command): void {
    if (slot < this.collectedBelow || this.decisions.has(slot)) return;
    this.decisions.set(slot, command);
    this.output({ type: 'Chosen', slot, command });
    this.executeDecided();
  }

  /**
   * Execute every chosen slot from slotOut on, in order, up to the first one not known chosen.
   * The state machine skips a duplicate (a command chosen in two slots: a client's retry that
   * two leaders both proposed). The leader answers the client of each command it executes.
   */
  protected executeDecided(): void {
    for (let command = this.decisions.get(this.slotOut); command !== undefined; command = this.decisions.get(this.slotOut)) {
      const slot = this.slotOut;
      this.slotOut++;
      if (command === null) continue;
      const { state, result, applied } = this.execute(command);
      this.kvState = state;
      if (applied) this.output({ type: 'Executed', index: slot, client: command.client, sequence: command.sequence, result: result as KvResult });
      if (this.role === 'leader' && result !== null) this.reply(command.client, command.sequence, result);
    }
  }

  /** The state machine's step: applyKvCommand checks the at-most-once table, and skips a duplicate. */
  protected execute(command: KvCommand): KvApplication {
    return applyKvCommand(this.kvState, command);
  }

  // Heartbeats and failure detection

  /** The leader's period: checkpoint, collect, heartbeats, and proposals that waited a whole period sent again. */
  protected onHeartbeatTick(): void {
    this.writeCheckpoint();
    this.collect(this.collectBelow());
    this.sendHeartbeats();
    this.resendProposals();
    this.setTimer({ type: 'HeartbeatTick' }, this.config.heartbeatMs);
  }

  /** Every slot below slotOut is chosen (the leader executed it): followers may take it as chosen with what they accepted in our ballot. */
  protected sendHeartbeats(): void {
    this.heartbeatChosenBelow = this.slotOut;
    for (const peer of this.peers) {
      this.send(peer, { type: 'Heartbeat', ballot: this.ballot, chosenBelow: this.slotOut, collectBelow: this.collectedBelow });
    }
  }

  /** A P2a or its P2b may have been lost: the acceptors that have not answered are asked again, once a proposal has waited a whole period. */
  protected resendProposals(): void {
    for (const [slot, proposal] of this.proposals) {
      if (!proposal.waitedOneHeartbeat) {
        proposal.waitedOneHeartbeat = true;
        continue;
      }
      for (const peer of this.peers) {
        if (!proposal.acceptedBy.includes(peer)) this.send(peer, { type: 'P2a', ballot: this.ballot, slot, command: proposal.command });
      }
    }
  }

  /**
   * A leader's heartbeat. From a ballot below our promise: refused, so that a stale leader
   * learns it was replaced. Otherwise its sender leads: wait for it (no phase 1 while it is
   * up), learn what it says is chosen, collect what it says is collectable, checkpoint, answer.
   */
  protected onHeartbeat(from: NodeId, heartbeat: Message<'Heartbeat'>): void {
    const { ballot } = heartbeat;
    if (compareBallots(ballot, this.promised) < 0) {
      this.send(from, { type: 'Preempted', ballot, promised: this.promised });
      return;
    }
    this.noteRound(ballot);
    if (this.role !== 'follower') this.becomeFollower();
    this.followLeader(ballot);
    this.learnFromHeartbeat(ballot, heartbeat.chosenBelow);
    this.collect(heartbeat.collectBelow);
    this.writeCheckpoint();
    this.send(from, { type: 'HeartbeatReply', ballot, slotOut: this.slotOut, checkpointSlot: this.checkpointSlot });
  }

  /** The leader of `ballot` is up: clients are sent to it, and no phase 1 runs while its heartbeats come. */
  protected followLeader(ballot: Ballot): void {
    this.leader = ballot.leader;
    this.resetLeaderTimeout();
  }

  /**
   * Every slot below chosenBelow is chosen. The leader proposes one command per slot in its
   * ballot, and what it proposed in a slot it knows chosen is the chosen command: a value we
   * accepted in its ballot is it. A value accepted in an older ballot may not be.
   */
  protected learnFromHeartbeat(ballot: Ballot, chosenBelow: number): void {
    for (let slot = this.slotOut; slot < chosenBelow; slot++) {
      const pvalue = this.accepted.get(slot);
      if (pvalue !== undefined && this.acceptedInBallot(pvalue, ballot)) this.decide(slot, pvalue.command);
    }
  }

  protected acceptedInBallot(pvalue: PValue, ballot: Ballot): boolean {
    return sameBallot(pvalue.ballot, ballot);
  }

  // Catch-up

  /**
   * A server's answer to our heartbeat: remember its progress, and send it the decisions it
   * lacks below the heartbeat's chosenBelow (it could not learn them from the heartbeat: it
   * did not accept them in our ballot).
   */
  protected onHeartbeatReply(from: NodeId, reply: Message<'HeartbeatReply'>): void {
    if (this.role !== 'leader' || !sameBallot(reply.ballot, this.ballot)) return;
    const known = this.progress.get(from);
    this.progress.set(from, { slotOut: reply.slotOut, checkpointSlot: Math.max(reply.checkpointSlot, known?.checkpointSlot ?? 0) });
    for (let slot = reply.slotOut; slot < this.heartbeatChosenBelow; slot++) {
      const command = this.decisions.get(slot);
      if (command !== undefined) this.send(from, { type: 'Decision', slot, command });
      else this.recover(slot);
    }
  }

  /**
   * A slot below our slotOut that we no longer hold (we restarted from a checkpoint past it) and
   * a replica still needs: proposed again with the value phase 1 bound it to. Safe: that replica
   * has not checkpointed it, so no acceptor has collected it, and phase 1 saw its chosen value.
   */
  protected recover(slot: number): void {
    const pvalue = this.recoverable.get(slot);
    if (pvalue === undefined || this.proposals.has(slot)) return;
    this.recoverable.delete(slot);
    this.propose(slot, pvalue.command);
  }

  // Garbage collection

  /** The checkpoint: the state after every slot below slotOut, durably, before any HeartbeatReply reports it. */
  protected writeCheckpoint(): void {
    if (this.slotOut <= this.checkpointSlot) return;
    this.storage.set('checkpoint', { slot: this.slotOut, state: this.kvState });
    this.checkpointSlot = this.slotOut;
  }

  /**
   * The leader: every server has checkpointed every slot below the lowest checkpoint slot of all
   * of them (ours included). Until every server has answered, nothing more than before.
   */
  protected collectBelow(): number {
    let lowest = this.checkpointSlot;
    for (const peer of this.peers) {
      const known = this.progress.get(peer);
      if (known === undefined) return this.collectedBelow;
      lowest = Math.min(lowest, known.checkpointSlot);
    }
    return Math.max(this.collectedBelow, lowest);
  }

  /** Delete every accepted value and log entry below `collectBelow`: no server will ever need them again. */
  protected collect(collectBelow: number): void {
    if (collectBelow <= this.collectedBelow) return;
    for (const slot of [...this.accepted.keys()]) {
      if (slot >= collectBelow) continue;
      this.storage.delete(acceptedKey(slot));
      this.accepted.delete(slot);
    }
    for (const slot of [...this.decisions.keys()]) if (slot < collectBelow) this.decisions.delete(slot);
    for (const slot of [...this.recoverable.keys()]) if (slot < collectBelow) this.recoverable.delete(slot);
    this.collectedBelow = collectBelow;
  }
}
