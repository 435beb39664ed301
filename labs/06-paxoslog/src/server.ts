import { initialKvState, Node, unreachable, type KvCommand, type KvState, type NodeId } from 'distlab';
import type { Operation, PaxosLog, SlotRecord } from './protocol.ts';

type Message<Type extends PaxosLog['message']['type']> = Extract<PaxosLog['message'], { type: Type }>;

/**
 * A replicated log in the epoch and overthrow design, serving the key-value kit's clients.
 * Every server runs this class and is, at any time, passive (it answers the five RPCs and
 * waits for a leader's heartbeats), a candidate (its LeaderTimeout fired: it asked every other
 * server to accept its new epoch) or the leader of its epoch (a majority, itself included,
 * accepted it). The clients are the key-value kit's: they send ClientRequest { command } and
 * expect ClientReply { sequence, result } or ClientRedirect { sequence, leader }.
 *
 * From 'distlab': applyKvCommand(state, command) executes a command and returns { state,
 * result, applied } (applied is false for a duplicate the at-most-once table skipped);
 * kvSession(state, client) reads that table; initialKvState() is the empty state. From
 * protocol.ts: slotKey(slot) is a slot's storage key, epochOwner(epoch, N) the position in
 * this.servers of the server that owns an epoch (servers are node ids 0..N-1).
 *
 * What the tests watch: the outputs BecameLeader { epoch } when an overthrow succeeds and
 * Executed { index: slot, client, sequence, result } when the state machine really applies a
 * client's command; every message (its type, epoch, slot, operation and ok flag: they count
 * Overthrow, Store, Finalize and Read per operation and per leadership change); and
 * this.storage: `epoch` and slot:<n> = { epoch, operation, finalized }. Never your fields.
 *
 * The rules: write each of them to storage BEFORE sending any message that depends on it (a
 * reply that reports it, an Overthrow of a new epoch). No handler may read the clock
 * (this.now()): the search tests have none. Use timers. Fields hold plain data only.
 */
export class PaxosLogServer extends Node<PaxosLog> {
  // State. Fields are this node's volatile memory (plain data only: Maps and Sets of plain data
  // are fine); a crash loses them, and onStart runs again with only this.storage.

  // Storage copies: what is in this.storage, read back in onStart
  /** The highest epoch accepted (or taken as a candidate): no store below it is accepted. */
  epoch = 0;
  /** By slot: this server's record (also stored under slotKey(slot)). */
  slots = new Map<number, SlotRecord>();

  // State machine
  /** The key-value map and the at-most-once table, after every slot below nextToExecute. */
  kvState: KvState = initialKvState();
  /** The first slot not executed (every slot below is finalized here and executed). */
  nextToExecute = 1;

  // Roles
  role: 'passive' | 'candidate' | 'leader' = 'passive';
  /** Who this server believes leads, for redirects; null when it knows of none. */
  leader: NodeId | null = null;
  /** The highest epoch seen in storage or in any message: a new epoch goes above it. */
  highestEpochSeen = 0;

  // Candidate and leader
  /** By server: the lastUsedSlot it reported when it granted this server's overthrow (this server included). */
  grants = new Map<NodeId, number>();

  // Leader
  /** The next free slot: where the next client command goes. */
  nextSlot = 1;
  /** By slot: what the leader stores in its epoch and has not finalized, and the servers that answered ok. */
  pending = new Map<number, { operation: Operation; storedBy: NodeId[] }>();
  /** By slot: the recovery walk's slots not yet answered by a majority, the servers that answered, and the answer that decides it so far. */
  recovery = new Map<number, { answeredBy: NodeId[]; choice: SlotRecord }>();

  override onStart(): void {
    // TODO (storage): read epoch and every slot:<n> back from this.storage (this.storage.keys()
    // lists the keys): after a restart they are all this server remembers.
    // TODO (state machine): execute the finalized prefix again, from the empty state.
    // TODO (roles): every server starts passive, with its LeaderTimeout set at random in
    // this.config.leaderTimeoutMs: this.setTimer({ type: 'LeaderTimeout' }, this.config.leaderTimeoutMs).
  }

  // Messages

  override onMessage(from: NodeId, message: PaxosLog['message']): void {
    switch (message.type) {
      case 'Overthrow':
        this.onOverthrow(from, message);
        return;
      case 'OverthrowReply':
        this.onOverthrowReply(from, message);
        return;
      case 'Store':
        this.onStore(from, message);
        return;
      case 'StoreReply':
        this.onStoreReply(from, message);
        return;
      case 'Finalize':
        this.onFinalize(from, message);
        return;
      case 'FinalizeReply':
        this.onFinalizeReply(from, message);
        return;
      case 'Read':
        this.onRead(from, message);
        return;
      case 'ReadReply':
        this.onReadReply(from, message);
        return;
      case 'Query':
        this.onQuery(from, message);
        return;
      case 'QueryReply':
        this.onQueryReply(from, message);
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

  override onTimer(timer: PaxosLog['timer']): void {
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

  // State machine

  // TODO: every server executes its finalized slots in slot order, from nextToExecute up to the
  // first slot not finalized here: a no-op (null) changes nothing; a command goes through
  // applyKvCommand, and if it was really applied, output Executed { index: slot, client,
  // sequence, result }. The leader answers the client of each command it executes:
  // ClientReply { sequence, result } (result is null for an old duplicate: no reply then).

  // Roles

  // TODO: a leader or candidate that learns of a higher epoch (an Overthrow or Store it accepts,
  // a Query of a higher epoch, any reply with ok false or currentEpoch above its epoch) writes
  // the higher epoch if it came in a reply, and becomes passive: it stops its HeartbeatTick,
  // drops what it was storing (the clients retry), and sets its LeaderTimeout anew. A leader
  // whose store is rejected NEVER keeps leading, not even with the epoch it learned.
  // TODO: a Store, Finalize or Query of an epoch at or above yours, and an Overthrow you grant,
  // reset a passive server's LeaderTimeout and tell it who leads (the epoch's owner), for redirects.

  // Candidate

  protected onLeaderTimeout(): void {
    // TODO: no leader heard for a whole timeout (or your own overthrow did not finish in one):
    // become a candidate. Take the smallest epoch you own (epochOwner(epoch, N) is your
    // position) above every epoch you have seen, write it to storage, count yourself as granted
    // (with your lastUsedSlot: the highest slot you hold a record for, 0 if none), send
    // Overthrow { epoch } to every other server, and set the LeaderTimeout again, so that the
    // overthrow is tried again, higher, if it stalls.
  }

  protected onOverthrowReply(from: NodeId, message: Message<'OverthrowReply'>): void {
    // TODO (candidate): count the grants of your current epoch, each server once, with the
    // lastUsedSlot each reported. With a majority (you included), you lead: output BecameLeader
    // { epoch }, cancel the LeaderTimeout, start heartbeats, and start the recovery walk (below).
    // New client commands go to the slots after the highest lastUsedSlot any grant reported.
    // TODO: ok false: your epoch was overthrown (see Roles).
    void from;
    void message;
  }

  // Leader recovery

  // TODO: for each slot from your first unfinalized slot up to the highest lastUsedSlot the
  // grants reported, that you have not finalized: Read { epoch, slot } from the servers that GRANTED
  // this overthrow (only those: one that did not may still accept an older epoch's store), your
  // own record counted at once. Once a majority (you included) answered for a slot: if an
  // answer is finalized, its operation; else the operation stored in the highest epoch; if
  // nobody stored anything, a no-op (null). Then store it in your own epoch like a new operation.

  protected onReadReply(from: NodeId, message: Message<'ReadReply'>): void {
    // TODO (leader): one more answer for a slot of the recovery walk, each granted server once,
    // and only an answer to this epoch's Read (forEpoch): a late answer to an earlier walk may be stale.
    void from;
    void message;
  }

  // Leader replication

  // TODO: to store an operation in slot s: write slot s = { epoch, operation, finalized: false }
  // to your own storage, then send Store { epoch, slot, operation } to every other server.

  protected onStoreReply(from: NodeId, message: Message<'StoreReply'>): void {
    // TODO (leader): count the ok answers of your epoch for the slot, each server once. With a
    // majority (you included) the operation is chosen: write the slot finalized, execute what
    // you can (the client is answered now, after one store round), then send Finalize { epoch,
    // slot } to the servers that stored it; one whose ok comes later gets its Finalize then (sent
    // earlier, it could overtake the Store). One store round and one finalize round per operation.
    // TODO: ok false: you were overthrown (see Roles).
    void from;
    void message;
  }

  protected onHeartbeatTick(): void {
    // TODO (leader): every this.config.heartbeatMs: Query { epoch } to every other server; Store
    // again to the servers that have not answered a pending slot's store, and Read again for
    // recovery slots not yet answered by a majority (messages may be lost); if a recovery slot
    // has lacked a majority of answers for a whole period, Overthrow again to the servers that
    // have not granted your epoch (a granter may be down for good). Set the timer again.
  }

  // Catch-up

  protected onQueryReply(from: NodeId, message: Message<'QueryReply'>): void {
    // TODO (leader): currentEpoch above your epoch: you were overthrown (see Roles). Otherwise
    // the server lacks every finalized flag from firstUnfinalizedSlot on: for each slot from
    // there that you finalized before the heartbeat before last (a Finalize sent since may
    // still be on its way: never send it twice), send Finalize { epoch of your record, slot }.
    void from;
    void message;
  }

  protected onFinalizeReply(from: NodeId, message: Message<'FinalizeReply'>): void {
    // TODO (leader): ok false means missing: the server does not hold the slot stored in that
    // epoch. Send it Store { your epoch, slot, your operation }; on its StoreReply ok, Finalize {
    // your epoch, slot }.
    void from;
    void message;
  }

  // Follower RPCs

  protected onOverthrow(from: NodeId, message: Message<'Overthrow'>): void {
    // TODO: if the epoch is at least yours: write it (if higher) to storage, then reply
    // OverthrowReply { epoch, ok: true, lastUsedSlot }; a leader or candidate of a lower epoch
    // becomes passive. Else reply { epoch, ok: false, currentEpoch: your epoch }.
    void from;
    void message;
  }

  protected onStore(from: NodeId, message: Message<'Store'>): void {
    // TODO: if the epoch is below yours: reply StoreReply { epoch, slot, ok: false, currentEpoch }.
    // Else write the epoch if higher; if the slot is finalized here change nothing, else write
    // slot = { epoch, operation, finalized: false }; then reply { epoch, slot, ok: true }.
    void from;
    void message;
  }

  protected onFinalize(from: NodeId, message: Message<'Finalize'>): void {
    // TODO: if the slot is finalized here: ok. If you hold it stored in that epoch: write it
    // finalized (same epoch and operation), execute what you can, ok. Else ok: false (missing).
    // Each epoch has one leader that stores one operation per slot: (epoch, slot) names one operation.
    void from;
    void message;
  }

  protected onRead(from: NodeId, message: Message<'Read'>): void {
    // TODO: reply ReadReply { forEpoch: the Read's epoch, slot, epoch, operation, finalized } of
    // your record (0, null, false if none).
    void from;
    void message;
  }

  protected onQuery(from: NodeId, message: Message<'Query'>): void {
    // TODO: the leader's heartbeat: reply QueryReply { epoch, currentEpoch: your epoch,
    // firstUnfinalizedSlot } (see Roles for what a Query of your epoch or above also does).
    void from;
    void message;
  }

  // Clients

  protected onClientRequest(from: NodeId, command: KvCommand): void {
    // TODO: a server that does not lead answers ClientRedirect { sequence, leader } with the
    // leader it believes in (or null).
    // TODO (duplicates): the leader looks the command up in the at-most-once table
    // (kvSession(this.kvState, command.client)): executed already, it answers the client's latest
    // with the result the table kept (an older one was answered long ago); already in a slot of
    // yours not yet executed, it ignores it (the client is answered when it is executed).
    // TODO: otherwise store it in nextSlot (nextSlot += 1). It need not wait for the recovery walk.
    void from;
    void command;
  }
}
