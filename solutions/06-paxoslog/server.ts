import { applyKvCommand, initialKvState, kvSession, Node, unreachable, type KvApplication, type KvCommand, type KvResult, type KvState, type NodeId } from 'distlab';
import type { Operation, PaxosLog, SlotKey, SlotRecord } from '../../labs/06-paxoslog/src/protocol.ts';

/** The storage key of slot `slot` (protocol.ts's slotKey: a solution imports only its types). */
const slotKey = (slot: number): SlotKey => `slot:${slot}`;

/** The server that owns `epoch` (protocol.ts's epochOwner): its position in `servers`. */
const epochOwner = (epoch: number, serverCount: number): number => epoch % serverCount;

/** What a server holds in a slot it has no record for: what a Read of it answers. */
export const emptyRecord: SlotRecord = { epoch: 0, operation: null, finalized: false };

/** The same operation: both no-ops, or the same client's same sequence number (which names one command). */
export function sameOperation(left: Operation, right: Operation): boolean {
  if (left === null || right === null) return left === right;
  return left.client === right.client && left.sequence === right.sequence;
}

/** A slot the leader has stored in its epoch, on itself, and is storing on the others. */
export interface PendingStore {
  readonly operation: Operation;
  /** The servers that answered ok (the leader first), each once. */
  readonly storedBy: NodeId[];
  /** Already pending at the last heartbeat: if it still is at the next one, its Store is sent again. */
  waitedOneHeartbeat: boolean;
}

/** A slot of the new leader's recovery walk: what the servers that granted its overthrow hold there. */
export interface RecoverySlot {
  /** The servers that answered the Read (the leader first, read locally), each once. */
  readonly answeredBy: NodeId[];
  /** The answer that decides the slot so far: a finalized one, else the one stored in the highest epoch. */
  choice: SlotRecord;
  /** Already unanswered at the last heartbeat: if it still is at the next one, its Reads are sent again. */
  waitedOneHeartbeat: boolean;
}

/** The most Finalize messages one QueryReply sends a lagging server: it gets the rest at the next heartbeats. */
export const catchUpBatch = 64;

type Message<Type extends PaxosLog['message']['type']> = Extract<PaxosLog['message'], { type: Type }>;

/**
 * A replicated log in the epoch and overthrow design (Ongaro's "How to apply and flesh out
 * Paxos"), serving the key-value kit's clients. Every server runs this class, and is at any
 * time in one of three roles:
 *
 * - passive: it answers the five RPCs (Overthrow, Store, Finalize, Read, Query), writing its
 *   epoch and its slots to durable storage before each answer that reports them, and waits for
 *   a leader's heartbeats;
 * - candidate: its LeaderTimeout fired; it took the next epoch it owns and asked every other
 *   server to accept it (Overthrow);
 * - leader: a majority, itself included, accepted its epoch. It reads the slots no leader
 *   finalized from the servers that accepted it and stores again, in its own epoch, the
 *   operation that may have been chosen there (the recovery walk), and stores each new client
 *   command in the next free slot. A slot stored by a majority in its epoch is finalized.
 *
 * Every server executes its finalized slots in slot order on the kit's state machine. The
 * leader answers the client of each command it executes. No handler reads the clock: timers only.
 *
 * One invariant keeps the code short: when a server is not passive, `epoch` (its stored epoch)
 * is the epoch it leads or runs for. Any epoch it writes above it makes it passive first.
 */
export class PaxosLogServer extends Node<PaxosLog> {
  // Storage copies: what this.storage holds, read back on a restart

  /** The highest epoch accepted (or taken, as a candidate): no store below it is accepted. */
  epoch = 0;
  /** By slot: this server's record, as stored under slot:<n>. */
  slots = new Map<number, SlotRecord>();
  /** The highest slot this server holds a record for (0: none). */
  lastUsedSlot = 0;

  // State machine

  /** The key-value map and the at-most-once table, after every slot below nextToExecute. */
  kvState: KvState = initialKvState();
  /** The first slot not executed: every slot below is finalized here, so it is also the first slot not finalized. */
  nextToExecute = 1;

  // Roles

  role: 'passive' | 'candidate' | 'leader' = 'passive';
  /** Who this server believes leads (the owner of the last epoch it heard a leader of), for redirects; null when none. */
  leader: NodeId | null = null;
  /** The highest epoch seen in storage or in any message: the next candidacy goes above it. */
  highestEpochSeen = 0;

  // Candidate and leader: reset for each candidacy

  /** By server: the lastUsedSlot it reported when it granted our overthrow (this server included). */
  grants = new Map<NodeId, number>();

  // Leader: reset when it takes over

  /** The next free slot: where the next client command goes. */
  nextSlot = 1;
  /** By slot: what this leader stores in its epoch and has not yet finalized. */
  pending = new Map<number, PendingStore>();
  /** By slot: the recovery walk's slots not yet answered by a majority. */
  recovery = new Map<number, RecoverySlot>();
  /**
   * The slots this leader finalized since its last heartbeat, and in the period before it. A
   * Finalize for them may still be on its way: catch-up does not send it again.
   */
  finalizedThisPeriod = new Set<number>();
  finalizedLastPeriod = new Set<number>();

  override onStart(): void {
    this.epoch = this.readEpoch();
    this.highestEpochSeen = this.epoch;
    for (const key of this.storage.keys()) {
      if (!key.startsWith('slot:')) continue;
      const record = this.storage.get(key as SlotKey);
      const slot = Number(key.slice('slot:'.length));
      if (record === undefined) continue;
      this.slots.set(slot, record);
      this.lastUsedSlot = Math.max(this.lastUsedSlot, slot);
    }
    // The finalized prefix is executed again from the empty state: a new incarnation's state machine.
    this.executeFinalized();
    this.resetLeaderTimeout();
  }

  /** The stored epoch: it must hold across a crash, or a restarted server could accept a store from an epoch it overthrew. */
  protected readEpoch(): number {
    return this.storage.get('epoch') ?? 0;
  }

  // Messages

  override onMessage(from: NodeId, message: PaxosLog['message']): void {
    switch (message.type) {
      case 'Overthrow':
        this.send(from, this.answerOverthrow(message.epoch));
        return;
      case 'OverthrowReply':
        this.onOverthrowReply(from, message);
        return;
      case 'Store':
        this.send(from, this.answerStore(message.epoch, message.slot, message.operation));
        return;
      case 'StoreReply':
        this.onStoreReply(from, message);
        return;
      case 'Finalize':
        this.send(from, this.answerFinalize(message.epoch, message.slot));
        return;
      case 'FinalizeReply':
        if (!message.ok) this.onFinalizeMissing(from, message.slot);
        return;
      case 'Read':
        this.send(from, this.answerRead(message.epoch, message.slot));
        return;
      case 'ReadReply':
        this.onReadReply(from, message);
        return;
      case 'Query':
        this.send(from, this.answerQuery(message.epoch));
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
        // No leader heard for a whole timeout (or our own overthrow did not finish in one): try to lead.
        if (this.role !== 'leader') this.startOverthrow();
        return;
      case 'HeartbeatTick':
        if (this.role === 'leader') this.onHeartbeatTick();
        return;
      default:
        unreachable(timer);
    }
  }

  // Storage copies

  protected majority(): number {
    return Math.floor(this.servers.length / 2) + 1;
  }

  protected noteEpoch(epoch: number): void {
    this.highestEpochSeen = Math.max(this.highestEpochSeen, epoch);
  }

  /** Raise the stored epoch to `epoch` (never lower it): written before any message that depends on it. */
  protected writeEpoch(epoch: number): void {
    this.noteEpoch(epoch);
    if (epoch <= this.epoch) return;
    this.storage.set('epoch', epoch);
    this.epoch = epoch;
  }

  protected writeSlot(slot: number, record: SlotRecord): void {
    this.storage.set(slotKey(slot), record);
    this.slots.set(slot, record);
    this.lastUsedSlot = Math.max(this.lastUsedSlot, slot);
  }

  protected record(slot: number): SlotRecord {
    return this.slots.get(slot) ?? emptyRecord;
  }

  // State machine

  /**
   * Execute every finalized slot from nextToExecute on, in order, up to the first one not
   * finalized here. A no-op changes nothing; the state machine skips a duplicate (a client's
   * retry stored in two slots by two leaders). The leader answers the client of each command.
   */
  protected executeFinalized(): void {
    for (let record = this.slots.get(this.nextToExecute); record?.finalized === true; record = this.slots.get(this.nextToExecute)) {
      const slot = this.nextToExecute;
      this.nextToExecute++;
      const command = record.operation;
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

  // Roles

  /** Passive servers and candidates: a new timeout drawn at random, so that two servers rarely try to lead at once. */
  protected resetLeaderTimeout(): void {
    this.cancelTimer({ type: 'LeaderTimeout' });
    this.setTimer({ type: 'LeaderTimeout' }, this.config.leaderTimeoutMs);
  }

  /** The leader of `epoch` is about (its Store, Finalize or Query, or its Overthrow we granted): send clients to it, and do not try to lead. */
  protected heardFromLeader(epoch: number): void {
    if (this.role !== 'passive') return;
    this.leader = this.servers[epochOwner(epoch, this.servers.length)] ?? null;
    this.resetLeaderTimeout();
  }

  /** A higher epoch is about: a leader or candidate gives up its own, drops what it was storing (the clients retry) and waits for a leader again. */
  protected becomePassive(): void {
    if (this.role === 'leader') this.cancelTimer({ type: 'HeartbeatTick' });
    this.role = 'passive';
    this.leader = null;
    this.grants = new Map();
    this.pending = new Map();
    this.recovery = new Map();
    this.finalizedThisPeriod = new Set();
    this.finalizedLastPeriod = new Set();
    this.resetLeaderTimeout();
  }

  /** Accept `epoch` (at or above ours): write it, and a leader or candidate of a lower one steps down. */
  protected acceptEpoch(epoch: number): void {
    if (epoch > this.epoch && this.role !== 'passive') this.becomePassive();
    this.writeEpoch(epoch);
  }

  /** A reply says our epoch was overthrown: `currentEpoch` is above it. Never keep leading, not even with the epoch learned. */
  protected onRejected(currentEpoch: number): void {
    this.noteEpoch(currentEpoch);
    if (currentEpoch <= this.epoch) return;
    this.acceptEpoch(currentEpoch);
  }

  // Candidate

  /** The smallest epoch this server owns above every epoch it has seen: no two servers ever use the same one. */
  protected nextOwnedEpoch(): number {
    const serverCount = this.servers.length;
    const position = this.servers.indexOf(this.id);
    let epoch = Math.max(this.highestEpochSeen, this.epoch) + 1;
    while (epochOwner(epoch, serverCount) !== position) epoch++;
    return epoch;
  }

  /**
   * Take the next epoch we own, durably first (a restarted server never uses an epoch twice),
   * count our own grant, and ask every other server. What an earlier candidacy gathered is
   * dropped, and the LeaderTimeout is set anew: if this overthrow does not finish in time, it
   * is tried again, higher.
   */
  protected startOverthrow(): void {
    this.becomePassive();
    this.writeEpoch(this.nextOwnedEpoch());
    this.role = 'candidate';
    this.grants = new Map([[this.id, this.lastUsedSlot]]);
    const epoch = this.epoch;
    for (const peer of this.peers) this.send(peer, { type: 'Overthrow', epoch });
    if (this.grants.size >= this.majority()) this.becomeLeader();
  }

  protected onOverthrowReply(from: NodeId, reply: Message<'OverthrowReply'>): void {
    if (!reply.ok) {
      this.onRejected(reply.currentEpoch);
      return;
    }
    if (this.role === 'passive' || reply.epoch !== this.epoch || this.grants.has(from)) return;
    this.grants.set(from, reply.lastUsedSlot);
    if (this.role === 'candidate') {
      if (this.grants.size >= this.majority()) this.becomeLeader();
      return;
    }
    // A grant after we lead: one more server to read the walk's slots from.
    for (const slot of this.recovery.keys()) this.send(from, { type: 'Read', epoch: this.epoch, slot });
  }

  // Leader recovery

  /**
   * A majority granted our epoch: none of them accepts a store of an older one any more. New
   * client commands go after the highest slot any of them used; below it, the recovery walk
   * settles every slot we have not finalized. Heartbeats start at once.
   */
  protected becomeLeader(): void {
    this.role = 'leader';
    this.leader = this.id;
    this.cancelTimer({ type: 'LeaderTimeout' });
    this.output({ type: 'BecameLeader', epoch: this.epoch });
    this.pending = new Map();
    this.recovery = new Map();
    this.finalizedThisPeriod = new Set();
    this.finalizedLastPeriod = new Set();
    const lastUsed = Math.max(...this.grants.values());
    this.nextSlot = lastUsed + 1;
    this.sendQueries();
    this.setTimer({ type: 'HeartbeatTick' }, this.config.heartbeatMs);
    this.startRecovery(lastUsed);
  }

  /**
   * Read every slot up to `lastUsed` that we have not finalized from the servers that granted
   * this epoch (only those: one that did not may still accept an older epoch's store), our own
   * record read at once. A slot we finalized is settled: every server that finalizes it
   * finalizes the same operation.
   */
  protected startRecovery(lastUsed: number): void {
    for (let slot = this.nextToExecute; slot <= lastUsed; slot++) {
      if (this.record(slot).finalized) continue;
      this.recovery.set(slot, { answeredBy: [this.id], choice: this.record(slot), waitedOneHeartbeat: false });
      for (const server of this.grants.keys()) {
        if (server !== this.id) this.send(server, { type: 'Read', epoch: this.epoch, slot });
      }
    }
    for (const slot of [...this.recovery.keys()]) this.settleIfAnswered(slot);
  }

  protected onReadReply(from: NodeId, reply: Message<'ReadReply'>): void {
    const walk = this.recovery.get(reply.slot);
    // An answer to an earlier epoch's walk may be stale: the server may have stored more since.
    if (this.role !== 'leader' || reply.forEpoch !== this.epoch || walk === undefined || !this.grants.has(from) || walk.answeredBy.includes(from)) return;
    walk.answeredBy.push(from);
    walk.choice = this.betterAnswer(walk.choice, { epoch: reply.epoch, operation: reply.operation, finalized: reply.finalized });
    this.settleIfAnswered(reply.slot);
  }

  /**
   * Of two answers for a slot, the one that decides it: a finalized one (its operation was
   * chosen), else the one stored in the higher epoch. If an operation was chosen in an older
   * epoch, a majority stored it there, one of them answered, and every leader since stored
   * that same operation: the highest epoch among the answers holds it.
   */
  protected betterAnswer(current: SlotRecord, answer: SlotRecord): SlotRecord {
    if (current.finalized) return current;
    if (answer.finalized) return answer;
    return answer.epoch > current.epoch ? answer : current;
  }

  /** A majority answered for `slot`: store its operation in our epoch like a new one (a no-op if nobody stored anything). */
  protected settleIfAnswered(slot: number): void {
    const walk = this.recovery.get(slot);
    if (walk === undefined || walk.answeredBy.length < this.majority()) return;
    this.recovery.delete(slot);
    // Finalized here meanwhile (an older leader's Finalize arrived): settled already.
    if (this.record(slot).finalized) return;
    this.store(slot, walk.choice.operation);
  }

  // Leader replication

  /** Store `operation` in `slot` in our epoch: on ourselves first, at once, then on every other server. */
  protected store(slot: number, operation: Operation): void {
    const epoch = this.epoch;
    this.writeSlot(slot, { epoch, operation, finalized: false });
    const pendingStore: PendingStore = { operation, storedBy: [this.id], waitedOneHeartbeat: false };
    this.pending.set(slot, pendingStore);
    for (const peer of this.peers) this.send(peer, { type: 'Store', epoch, slot, operation });
    if (pendingStore.storedBy.length >= this.majority()) this.finalize(slot);
  }

  protected onStoreReply(from: NodeId, reply: Message<'StoreReply'>): void {
    if (!reply.ok) {
      this.onRejected(reply.currentEpoch);
      return;
    }
    if (this.role !== 'leader' || reply.epoch !== this.epoch) return;
    const pendingStore = this.pending.get(reply.slot);
    if (pendingStore === undefined) {
      // Stored after we finalized the slot (a slow server, or a catch-up Store): now it can be finalized there.
      if (this.record(reply.slot).finalized) this.send(from, { type: 'Finalize', epoch: this.epoch, slot: reply.slot });
      return;
    }
    this.countStored(pendingStore, from);
    if (pendingStore.storedBy.length >= this.majority()) this.finalize(reply.slot);
  }

  /** Each server counts once: a duplicated StoreReply is not a second server. */
  protected countStored(pendingStore: PendingStore, from: NodeId): void {
    if (!pendingStore.storedBy.includes(from)) pendingStore.storedBy.push(from);
  }

  /**
   * A majority, us included, stored the slot's operation in our epoch: it is chosen. Finalize
   * it here, execute what can be (the client is answered now, after one store round), then
   * tell the servers that stored it. A server whose StoreReply comes later is told then: a
   * Finalize that overtook its Store would find the slot missing.
   */
  protected finalize(slot: number): void {
    const pendingStore = this.pending.get(slot);
    if (pendingStore === undefined) return;
    this.pending.delete(slot);
    this.writeSlot(slot, { epoch: this.epoch, operation: pendingStore.operation, finalized: true });
    this.finalizedThisPeriod.add(slot);
    this.executeFinalized();
    for (const server of pendingStore.storedBy) {
      if (server !== this.id) this.send(server, { type: 'Finalize', epoch: this.epoch, slot });
    }
  }

  /** The leader's period: a Query to every server, and the Stores and Reads that waited a whole period sent again. */
  protected onHeartbeatTick(): void {
    this.finalizedLastPeriod = this.finalizedThisPeriod;
    this.finalizedThisPeriod = new Set();
    this.sendQueries();
    this.resendStores();
    this.resendReads();
    this.setTimer({ type: 'HeartbeatTick' }, this.config.heartbeatMs);
  }

  protected sendQueries(): void {
    for (const peer of this.peers) this.send(peer, { type: 'Query', epoch: this.epoch });
  }

  /** A Store or its reply may have been lost: the servers that have not answered are asked again, once a slot has waited a whole period. */
  protected resendStores(): void {
    for (const [slot, pendingStore] of this.pending) {
      if (!pendingStore.waitedOneHeartbeat) {
        pendingStore.waitedOneHeartbeat = true;
        continue;
      }
      for (const peer of this.peers) {
        if (!pendingStore.storedBy.includes(peer)) this.send(peer, { type: 'Store', epoch: this.epoch, slot, operation: pendingStore.operation });
      }
    }
  }

  /**
   * The same for the walk's Reads. And if a slot still lacks a majority of answers, some server
   * that granted us may be down: the servers that have not granted are asked again (granting
   * an epoch they already hold changes nothing), so that more of them can answer.
   */
  protected resendReads(): void {
    let stalled = false;
    for (const [slot, walk] of this.recovery) {
      if (!walk.waitedOneHeartbeat) {
        walk.waitedOneHeartbeat = true;
        continue;
      }
      stalled = true;
      for (const server of this.grants.keys()) {
        if (!walk.answeredBy.includes(server)) this.send(server, { type: 'Read', epoch: this.epoch, slot });
      }
    }
    if (!stalled) return;
    for (const peer of this.peers) {
      if (!this.grants.has(peer)) this.send(peer, { type: 'Overthrow', epoch: this.epoch });
    }
  }

  // Catch-up

  /**
   * A server's answer to our heartbeat: its epoch above ours means we were overthrown.
   * Otherwise it lacks every finalized flag from firstUnfinalizedSlot on: Finalize again each
   * slot we finalized before the last two heartbeats (a Finalize sent since may be on its way).
   */
  protected onQueryReply(from: NodeId, reply: Message<'QueryReply'>): void {
    if (reply.currentEpoch > reply.epoch) {
      this.onRejected(reply.currentEpoch);
      return;
    }
    if (this.role !== 'leader' || reply.epoch !== this.epoch) return;
    let sent = 0;
    for (let slot = reply.firstUnfinalizedSlot; slot <= this.lastUsedSlot && sent < catchUpBatch; slot++) {
      const record = this.record(slot);
      if (!record.finalized || this.finalizedThisPeriod.has(slot) || this.finalizedLastPeriod.has(slot)) continue;
      this.send(from, { type: 'Finalize', epoch: record.epoch, slot });
      sent++;
    }
  }

  /** The server does not hold the slot in the Finalize's epoch: store it there in our epoch; its StoreReply brings the Finalize. */
  protected onFinalizeMissing(from: NodeId, slot: number): void {
    const record = this.record(slot);
    if (this.role !== 'leader' || !record.finalized) return;
    this.send(from, { type: 'Store', epoch: this.epoch, slot, operation: record.operation });
  }

  // Follower RPCs

  /** Grant `epoch` if it is at or above ours (durably first) and report the highest slot we hold; else refuse it with ours. */
  protected answerOverthrow(epoch: number): Message<'OverthrowReply'> {
    this.noteEpoch(epoch);
    if (epoch < this.epoch) return { type: 'OverthrowReply', epoch, ok: false, currentEpoch: this.epoch };
    this.acceptEpoch(epoch);
    this.heardFromLeader(epoch);
    return { type: 'OverthrowReply', epoch, ok: true, lastUsedSlot: this.lastUsedSlot };
  }

  /**
   * Hold `operation` in `slot` as stored in `epoch` (durably first), unless the slot is
   * finalized here: it never changes then. A Store below our epoch comes from an overthrown
   * leader: refused, so that it learns it and steps down.
   */
  protected answerStore(epoch: number, slot: number, operation: Operation): Message<'StoreReply'> {
    this.noteEpoch(epoch);
    if (epoch < this.epoch) return { type: 'StoreReply', epoch, slot, ok: false, currentEpoch: this.epoch };
    this.acceptEpoch(epoch);
    this.heardFromLeader(epoch);
    const held = this.record(slot);
    // A Store sent again finds its operation stored already.
    if (!held.finalized && (held.epoch !== epoch || !sameOperation(held.operation, operation))) {
      this.writeSlot(slot, { epoch, operation, finalized: false });
    }
    return { type: 'StoreReply', epoch, slot, ok: true };
  }

  /**
   * Flag the slot finalized if we hold it as stored in `epoch`: one leader per epoch and one
   * operation per slot in it, so (epoch, slot) names the operation that was chosen. Else it is
   * missing here: the leader stores it first.
   */
  protected answerFinalize(epoch: number, slot: number): Message<'FinalizeReply'> {
    this.noteEpoch(epoch);
    if (epoch >= this.epoch) this.heardFromLeader(epoch);
    const held = this.record(slot);
    if (held.finalized) return { type: 'FinalizeReply', epoch, slot, ok: true };
    if (this.slots.has(slot) && held.epoch === epoch) {
      this.writeSlot(slot, { ...held, finalized: true });
      this.executeFinalized();
      return { type: 'FinalizeReply', epoch, slot, ok: true };
    }
    return { type: 'FinalizeReply', epoch, slot, ok: false };
  }

  protected answerRead(forEpoch: number, slot: number): Message<'ReadReply'> {
    const { epoch, operation, finalized } = this.record(slot);
    return { type: 'ReadReply', forEpoch, slot, epoch, operation, finalized };
  }

  /**
   * The leader's heartbeat: a leader of our epoch or above is about (one above ours stops our
   * own leading or candidacy); answer with where our log is, and our epoch, which tells an
   * overthrown leader that it is.
   */
  protected answerQuery(epoch: number): Message<'QueryReply'> {
    this.noteEpoch(epoch);
    if (epoch > this.epoch && this.role !== 'passive') this.becomePassive();
    if (epoch >= this.epoch) this.heardFromLeader(epoch);
    return { type: 'QueryReply', epoch, currentEpoch: this.epoch, firstUnfinalizedSlot: this.nextToExecute };
  }

  // Clients

  protected onClientRequest(from: NodeId, command: KvCommand): void {
    if (this.role !== 'leader') {
      this.send(from, { type: 'ClientRedirect', sequence: command.sequence, leader: this.leader });
      return;
    }
    if (this.answerFromTable(from, command) || this.isInLog(command)) return;
    const slot = this.nextSlot;
    this.nextSlot++;
    this.store(slot, command);
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

  /** Already in a slot of ours not yet executed: its client is answered when it is. */
  protected isInLog(command: KvCommand): boolean {
    for (let slot = this.nextToExecute; slot <= this.lastUsedSlot; slot++) {
      const held = this.slots.get(slot);
      if (held !== undefined && sameOperation(held.operation, command)) return true;
    }
    return false;
  }

  protected reply(to: NodeId, sequence: number, result: KvResult): void {
    this.send(to, { type: 'ClientReply', sequence, result });
  }
}
