import { initialKvState, Node, unreachable, type KvCommand, type KvState, type NodeId } from 'distlab';
import type { Ballot, Command, MultiPaxos, PValue } from './protocol.ts';

/** Below every ballot a leader uses: what an acceptor has promised before it promises anything. */
export const zeroBallot: Ballot = { round: 0, leader: 0 };

/** Negative, zero or positive as `left` is below, equal to or above `right`: rounds first, then leader ids. */
export function compareBallots(left: Ballot, right: Ballot): number {
  return left.round !== right.round ? left.round - right.round : left.leader - right.leader;
}

type Message<Type extends MultiPaxos['message']['type']> = Extract<MultiPaxos['message'], { type: Type }>;

/**
 * MultiPaxos, as a replicated key-value store. Every server runs this class and plays three
 * roles at once: acceptor (promises and accepts), leader (phase 1 once when it takes over,
 * then phase 2 for each command) and replica (the log of chosen commands, executed in slot
 * order). The clients are the key-value kit's: they send ClientRequest { command } and expect
 * ClientReply { sequence, result } or ClientRedirect { sequence, leader }.
 *
 * From 'distlab': applyKvCommand(state, command) executes a command and returns { state,
 * result, applied } (applied is false for a duplicate the at-most-once table skipped);
 * kvSession(state, client) reads that table; initialKvState() is the empty state.
 *
 * What the tests watch: the outputs BecameLeader { ballot } when phase 1 succeeds, Chosen
 * { slot, command } when this server learns a slot is chosen (once per slot), Executed { index:
 * slot, client, sequence, result } when the state machine really applies a client's command;
 * every message (they count P1a, P1b, P2a, P2b, Preempted and Decision per chosen slot); and
 * this.storage: promised, accepted:<slot> (acceptedKey(slot) from protocol.ts) and checkpoint.
 * Write each of them BEFORE sending any message that depends on it. No handler may read the
 * clock (this.now()): the search tests have none. Use timers.
 */
export class MultiPaxosServer extends Node<MultiPaxos> {
  // State. Fields are this node's volatile memory (plain data only: Maps of plain data are fine);
  // a crash loses them, and onStart runs again with only this.storage.

  // Acceptor: copies of what is in this.storage, read back in onStart
  /** The highest ballot promised: nothing below it is accepted. */
  promised: Ballot = zeroBallot;
  /** By slot: the latest proposal accepted (also stored under acceptedKey(slot)). */
  accepted = new Map<number, PValue>();

  // Replica
  /** The state machine: the map and the at-most-once table, after every slot below slotOut. */
  kvState: KvState = initialKvState();
  /** The first slot not yet executed. */
  slotOut = 1;
  /** The log: by slot, the commands this server knows are chosen (null: a no-op). */
  decisions = new Map<number, Command>();
  /** The slot of the checkpoint last written to storage (1: none yet). */
  checkpointSlot = 1;

  // Ballots and leadership
  role: 'follower' | 'candidate' | 'leader' = 'follower';
  /** The ballot this server leads, or runs phase 1 for. */
  ballot: Ballot = zeroBallot;
  /** Who this server believes leads, for redirects; null when it knows of none. */
  leader: NodeId | null = null;
  /** The highest round seen in any ballot: the next phase 1 goes one above it. */
  highestRound = 0;

  // Phase 1 (candidate)
  /** By acceptor: the proposals it reported in its P1b for the current ballot. */
  promises = new Map<NodeId, readonly PValue[]>();

  // Phase 2 (leader)
  /** The first slot the leader has proposed nothing for: the next client command goes there. */
  slotIn = 1;
  /** By slot: the leader's proposals in its ballot not yet chosen, and the acceptors that answered P2b. */
  proposals = new Map<number, { command: Command; acceptedBy: NodeId[] }>();

  // Catch-up and garbage collection (leader)
  /** By server: what its last HeartbeatReply said. */
  progress = new Map<NodeId, { slotOut: number; checkpointSlot: number }>();

  override onStart(): void {
    // TODO (acceptor): read promised and every accepted:<slot> back from this.storage
    // (this.storage.keys() lists the keys): after a restart they are all the acceptor remembers.
    // TODO (replica): restart from the stored checkpoint, if there is one: kvState = its state,
    // slotOut = its slot. Slots after it are learned again from the leader.
    // TODO (failure detection): every server starts as a follower, with its LeaderTimeout set at
    // random in this.config.leaderTimeoutMs: this.setTimer({ type: 'LeaderTimeout' }, this.config.leaderTimeoutMs).
  }

  // Messages

  override onMessage(from: NodeId, message: MultiPaxos['message']): void {
    switch (message.type) {
      case 'P1a':
        this.onPrepare(from, message);
        return;
      case 'P1b':
        this.onPromise(from, message);
        return;
      case 'P2a':
        this.onAccept(from, message);
        return;
      case 'P2b':
        this.onAccepted(from, message);
        return;
      case 'Preempted':
        this.onPreempted(from, message);
        return;
      case 'Decision':
        this.onDecision(from, message);
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
        // Only clients receive these.
        return;
      default:
        unreachable(message);
    }
  }

  // Timers

  override onTimer(timer: MultiPaxos['timer']): void {
    switch (timer.type) {
      case 'LeaderTimeout':
        this.onLeaderTimeout();
        return;
      case 'HeartbeatTick':
        this.onHeartbeatTick();
        return;
      default:
        unreachable(timer);
    }
  }

  // Ballots and leadership

  // TODO: a ballot is { round, leader }, compared round first, then leader id (compareBallots).
  // Keep the highest round seen in any message: a new ballot goes one round above it (and above
  // your own promise, so that a restarted server never uses a ballot twice).
  // TODO: a leader or candidate that learns of a higher ballot (a Preempted, a P1a or P2a it
  // promises, a Heartbeat) becomes a follower again: it stops its HeartbeatTick, forgets its
  // proposals, and sets its LeaderTimeout anew.

  protected onPreempted(from: NodeId, message: Message<'Preempted'>): void {
    // TODO: an acceptor refused our ballot because it promised a higher one: if that is about
    // our current ballot, give it up (see above).
    void from;
    void message;
  }

  // Phase 1

  protected onLeaderTimeout(): void {
    // TODO: no heartbeat from a leader for a whole timeout (or our own phase 1 did not finish in
    // one): run phase 1 (a scout) with ballot { round: highest round seen + 1, leader: this.id }:
    // P1a to every server, this one included (its own acceptor promises too, and writes it to
    // storage). Set the LeaderTimeout again, so that phase 1 is retried, higher, if it stalls.
  }

  protected onPrepare(from: NodeId, message: Message<'P1a'>): void {
    // TODO (acceptor): if the ballot is at least promised, promise it (write promised to storage
    // first, if it changed) and answer P1b { ballot, accepted: every PValue you hold }; else
    // answer Preempted { ballot, promised }.
    void from;
    void message;
  }

  protected onPromise(from: NodeId, message: Message<'P1b'>): void {
    // TODO (candidate): count P1bs for the current ballot, each acceptor once. With a majority of
    // the servers: for every slot from slotOut up to the highest slot any P1b reported, propose
    // (phase 2) the command of the highest-ballot PValue reported for it, or null, a no-op, where
    // none was (a hole: execution would wait on it for ever). slotIn = that highest slot + 1.
    // Output BecameLeader { ballot }, cancel the LeaderTimeout, start heartbeats at once.
    // From now on this leader proposes new commands with phase 2 only: phase 1 runs only when
    // the leader changes.
    void from;
    void message;
  }

  // Phase 2

  protected onClientRequest(from: NodeId, command: KvCommand): void {
    // TODO: a server that does not lead answers ClientRedirect { sequence, leader } with the
    // leader it believes in (or null).
    // TODO (duplicates): the leader looks the command up in the at-most-once table
    // (kvSession(this.kvState, command.client)): executed already, it answers the client's latest
    // with the result the table kept (an older one was answered long ago); already proposed and
    // not yet executed, it ignores it (the client is answered when it is executed).
    // TODO: otherwise propose it at slotIn (slotIn += 1): P2a { ballot, slot, command } to every
    // server, this one included.
    void from;
    void command;
  }

  protected onAccept(from: NodeId, message: Message<'P2a'>): void {
    // TODO (acceptor): if the ballot is at least promised: write promised (if it changed) and
    // accepted:<slot> = { ballot, slot, command } to storage, then answer P2b { ballot, slot,
    // command }; else answer Preempted { ballot, promised }.
    void from;
    void message;
  }

  protected onAccepted(from: NodeId, message: Message<'P2b'>): void {
    // TODO (leader): count P2bs for (current ballot, slot), each acceptor once. A majority: the
    // slot is chosen (see decisions and execution).
    void from;
    void message;
  }

  // Decisions and execution

  // TODO: when this server learns that a slot is chosen, it keeps the command in its log and
  // outputs Chosen { slot, command }, once per slot. Then it executes every chosen slot from
  // slotOut on, in order, up to the first one not known chosen: a no-op changes nothing; a
  // command goes through applyKvCommand, and if it was really applied, output Executed { index:
  // slot, client, sequence, result }. The leader answers the client of each command it
  // executes: ClientReply { sequence, result }.

  // Heartbeats and failure detection

  protected onHeartbeatTick(): void {
    // TODO (leader): every this.config.heartbeatMs: Heartbeat { ballot, chosenBelow: every slot
    // below it is chosen and known to you, collectBelow } to every other server; and P2a again
    // for the proposals not yet chosen that have waited a whole period (messages may be lost;
    // one sent a moment ago is only waiting for its P2bs). Set the timer again.
  }

  protected onHeartbeat(from: NodeId, message: Message<'Heartbeat'>): void {
    // TODO: a heartbeat whose ballot is below promised comes from a stale leader: answer
    // Preempted. Otherwise its sender leads: a leader or candidate steps down; remember the
    // leader (for redirects) and reset the LeaderTimeout: no phase 1 while the leader is up.
    // TODO: every slot below chosenBelow that you accepted IN THE HEARTBEAT'S BALLOT is chosen,
    // with the command you accepted (the leader proposes one command per slot per ballot). A
    // value accepted in an older ballot may not be the one chosen. Execute what you can.
    // TODO: then garbage-collect below collectBelow, write your checkpoint if slotOut advanced,
    // and answer HeartbeatReply { ballot, slotOut, checkpointSlot }.
    void from;
    void message;
  }

  // Catch-up

  protected onHeartbeatReply(from: NodeId, message: Message<'HeartbeatReply'>): void {
    // TODO (leader, for its current ballot): remember the server's slotOut and checkpointSlot.
    // If its slotOut is below the chosenBelow of your last heartbeat, it lacks decisions it could not learn
    // from the heartbeat: send it Decision { slot, command } for each chosen slot from its
    // slotOut up to there that you hold.
    void from;
    void message;
  }

  protected onDecision(from: NodeId, message: Message<'Decision'>): void {
    // TODO: the leader says the slot is chosen: learn it, and execute what you can.
    void from;
    void message;
  }

  // Garbage collection

  // TODO: every server writes a checkpoint { slot: slotOut, state: kvState } to storage (a
  // follower before the HeartbeatReply that reports it, the leader on its HeartbeatTick).
  // TODO (leader): collectBelow = the lowest checkpointSlot over ALL servers, itself included,
  // once it has heard from every one of them (until then, 1). Every server deletes accepted:s
  // (this.storage.delete) and its log entries for every slot s below collectBelow: every server's
  // durable checkpoint covers them, and nobody will need them again.
}
