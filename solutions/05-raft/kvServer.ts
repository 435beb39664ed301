import { applyKvCommand, initialKvState, kvSession, type KvApplication, type KvCommand, type KvResult, type KvState, type NodeId } from 'distlab';
import type { Raft } from '../../labs/05-raft/src/protocol.ts';
import { RaftNode } from './raft.ts';

/** A client's request the leader started, waiting for its entry to be committed and executed. */
export interface WaitingRequest {
  /** The log index the leader appended the command at. */
  readonly index: number;
  /** Who sent the request: the node to answer. */
  readonly from: NodeId;
  readonly client: NodeId;
  readonly sequence: number;
}

/**
 * The key-value service on Raft (section 8 of the paper, "Client interaction"). Raft itself is
 * untouched: this subclass answers clients before Raft sees their messages, puts each command
 * in the log as its JSON text, and watches Raft's outputs to execute the committed entries.
 *
 * - Every command, a get included, goes through the log: the leader answers only once the
 *   entry is committed and executed. A leader cut off from the majority may not know it has
 *   been replaced; its own state may be stale, so it must not answer a get from it.
 * - The at-most-once table (per client: the last sequence number executed and its result) is
 *   part of the state machine's state, so every server, a new leader and a server rebuilt from
 *   a snapshot know which commands were executed already. A retry is answered from it.
 * - A request whose entry is lost with a leadership change gets no answer: the client retries.
 */
export class KvServer extends RaftNode {
  /** The state machine: the map and the at-most-once table, after every entry up to lastApplied. */
  kvState: KvState = initialKvState();
  /** Leader: the requests started and not yet executed, in index order. Volatile: a crash forgets them, and the clients retry. */
  waiting: WaitingRequest[] = [];

  override onMessage(from: NodeId, message: Raft['message']): void {
    if (message.type === 'ClientRequest') {
      this.onClientRequest(from, message.command);
      return;
    }
    super.onMessage(from, message);
  }

  // Clients and redirects

  /** A client's command: only the leader takes it; a retry of one already executed is answered at once. */
  protected onClientRequest(from: NodeId, command: KvCommand): void {
    if (this.role !== 'leader') {
      this.send(from, { type: 'ClientRedirect', sequence: command.sequence, leader: this.leaderId });
      return;
    }
    if (this.answerFromTable(from, command)) return;
    this.startCommand(from, command);
  }

  // Duplicates and the at-most-once table

  /**
   * A command at or below the client's last executed sequence number was executed already:
   * the last one is answered with the result it had then (its reply was lost); an older one
   * was answered long ago and the client waits for it no more. True if the table had it.
   */
  protected answerFromTable(from: NodeId, command: KvCommand): boolean {
    const session = kvSession(this.kvState, command.client);
    if (session === undefined || command.sequence > session.sequence) return false;
    if (command.sequence === session.sequence) this.reply(from, command.sequence, session.result);
    return true;
  }

  // Starting commands

  /**
   * Appends the command to the log and remembers who waits for it. A copy already in the log
   * and not yet executed may be started again (a retry, a duplicated request): the state
   * machine executes the first and skips the others.
   */
  protected startCommand(from: NodeId, command: KvCommand): void {
    // Noted before start(): a cluster of one commits, and executes, inside it.
    this.waiting.push({ index: this.lastLogIndex() + 1, from, client: command.client, sequence: command.sequence });
    this.start(JSON.stringify(command));
  }

  // Applying committed entries and answering

  /** Raft's outputs, seen by the service: they stay in the trace, and drive the state machine. */
  override output(value: Raft['output']): void {
    super.output(value);
    switch (value.type) {
      case 'Applied':
        // A no-op (a new leader's first entry) or a configuration entry changes nothing here.
        if (value.command !== '') this.applyCommand(value.index, JSON.parse(value.command) as KvCommand);
        this.snapshotIfLong();
        return;
      case 'SnapshotInstalled':
        this.kvState = value.snapshot.data === '' ? initialKvState() : (JSON.parse(value.snapshot.data) as KvState);
        // What the snapshot covers was executed here or elsewhere; its clients retry and are answered from the table.
        this.waiting = this.waiting.filter((request) => request.index > value.snapshot.lastIncludedIndex);
        return;
      case 'BecameLeader':
        // Entries of earlier terms commit only with one of the leader's own (Figure 8): a no-op
        // commits them at once, so that their clients, and reads behind them, are answered promptly.
        this.start('');
        return;
      default:
        return;
    }
  }

  /** The committed command at `index`: execute it (unless it is a duplicate) and answer whoever waits for it here. */
  protected applyCommand(index: number, command: KvCommand): void {
    const { state, result, applied } = this.execute(command);
    this.kvState = state;
    if (applied) this.output({ type: 'Executed', index, client: command.client, sequence: command.sequence });
    this.answerWaiting(index, command, result);
  }

  /** The state machine's step: applyKvCommand checks the at-most-once table, and skips a duplicate. */
  protected execute(command: KvCommand): KvApplication {
    return applyKvCommand(this.kvState, command);
  }

  /**
   * Answers the requests started at `index` if it holds their command. One whose index holds
   * another command lost its entry when leadership changed: it is dropped, and its client retries.
   */
  protected answerWaiting(index: number, command: KvCommand, result: KvResult | null): void {
    for (const request of this.waiting) {
      if (request.index !== index || request.client !== command.client || request.sequence !== command.sequence) continue;
      if (result !== null) this.reply(request.from, request.sequence, result);
    }
    this.waiting = this.waiting.filter((request) => request.index > index);
  }

  protected reply(to: NodeId, sequence: number, result: KvResult): void {
    this.send(to, { type: 'ClientReply', sequence, result });
  }

  // Snapshots of the service's state

  /**
   * Once the log holds more than config.maxLogEntries entries after the snapshot, everything
   * executed so far is folded into a snapshot, and Raft discards those entries.
   */
  protected snapshotIfLong(): void {
    const maxLogEntries = this.config.maxLogEntries;
    if (maxLogEntries === undefined || this.logEntries.length <= maxLogEntries) return;
    if (this.lastApplied > this.snapshot.lastIncludedIndex) this.takeSnapshot(this.lastApplied, this.snapshotData());
  }

  /** The whole state machine's state, the at-most-once table included: a server restarted from it must still recognize retries. */
  protected snapshotData(): string {
    return JSON.stringify(this.kvState);
  }
}
