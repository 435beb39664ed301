import { initialKvState, type KvCommand, type KvState, type NodeId } from 'distlab';
import type { Raft } from './protocol.ts';
import { RaftNode } from './raft.ts';

/**
 * Part E: the key-value service on your Raft (the paper's section 8, "Client interaction").
 * Every server runs this class. It answers clients' messages itself and passes every other
 * message to Raft (super.onMessage); it puts each client's command in the log as its JSON text
 * with this.start(JSON.stringify(command)); and it sees Raft's own outputs by overriding
 * output(), to execute each committed command on the key-value state machine.
 *
 * From 'distlab': applyKvCommand(state, command) executes a command and returns { state,
 * result, applied }: applied is false for a duplicate (a sequence number at or below the
 * client's last executed one), which changes nothing; kvSession(state, client) reads the
 * at-most-once table; initialKvState() is the empty map with an empty table.
 *
 * What the tests watch: ClientReply and ClientRedirect to the clients; the output
 * { type: 'Executed', index, client, sequence } each time the state machine really executes a
 * command (never for a duplicate it skipped); and the Snapshot it gives Raft (part D's log bound).
 */
export class KvServer extends RaftNode {
  // State. Plain data only; a crash loses it, and Raft gives it back: SnapshotInstalled (after a
  // restart, with the stored snapshot), then Applied for each committed entry after it.

  /** The state machine: the map and the at-most-once table, after every entry applied so far. */
  kvState: KvState = initialKvState();

  override onMessage(from: NodeId, message: Raft['message']): void {
    if (message.type === 'ClientRequest') {
      this.onClientRequest(from, message.command);
      return;
    }
    super.onMessage(from, message);
  }

  /** Raft's outputs pass through here: keep them (super.output first), then act on those the service needs. */
  override output(value: Raft['output']): void {
    super.output(value);
    switch (value.type) {
      case 'Applied':
        this.onApplied(value.index, value.command);
        return;
      case 'SnapshotInstalled':
        this.onSnapshotInstalled(value.snapshot.data);
        return;
      case 'BecameLeader':
        this.onBecameLeader();
        return;
      default:
        return;
    }
  }

  // Clients and redirects

  protected onClientRequest(from: NodeId, command: KvCommand): void {
    // TODO: only the leader takes commands. A server that does not lead answers
    // { type: 'ClientRedirect', sequence: command.sequence, leader } with the leader it believes
    // in (null if it knows of none), and the client asks that one.
    // TODO (duplicates): the leader starts the command (below). It may first look the command
    // up in the at-most-once table and answer a retry the table has the result of at once; that
    // is an optimization, and anything the table does not have goes through the log.
    void from;
    void command;
  }

  // Duplicates and the at-most-once table

  // TODO: a command whose sequence number is at or below the client's last executed one
  // (kvSession(this.kvState, command.client)) was executed already: its reply was lost, and the
  // client retried. Executing it again would apply it twice: when it comes out of the log, skip
  // it, and answer the client with the result the table kept (or, as the optimization above,
  // answer a retry at once from the table before it reaches the log). The table is part of
  // kvState, so every server has it, a new leader included.

  // Starting commands

  // TODO: this.start(JSON.stringify(command)) appends the command at the index after the last
  // entry of the log (snapshot.lastIncludedIndex + logEntries.length + 1, with the stub's fields),
  // this server being the leader. Remember who waits for which index, in a field of plain data:
  // the reply goes out only once that entry is committed and executed. A get goes through the
  // log too: a leader cut off from the others may have been replaced without knowing it, and
  // its own state may be stale (the handout says why).

  // Applying committed entries and answering

  protected onApplied(index: number, command: string): void {
    // TODO: Raft applied the committed entry at index. "" is a no-op (a new leader's, or a
    // configuration entry in part F): skip it. Otherwise JSON.parse it into a KvCommand and
    // execute it with applyKvCommand. If it really executed (applied is true), output
    // { type: 'Executed', index, client, sequence }. Then answer whoever waits for this index,
    // with ClientReply { sequence, result }, if the entry holds their command; if it holds
    // another (leadership changed, their entry was lost), answer nothing: the client retries.
    // TODO (snapshots): then see whether the log needs a snapshot (below).
    void index;
    void command;
  }

  protected onBecameLeader(): void {
    // TODO: start a no-op, this.start(''): entries of earlier terms are committed only with an
    // entry of the leader's own term (Figure 8), so without one, their clients could wait until
    // the next command comes.
  }

  // Snapshots of the service's state

  protected onSnapshotInstalled(data: string): void {
    // TODO: the service's state is replaced by the snapshot's: kvState = JSON.parse(data) (or
    // the initial state for ""). Requests waiting for indexes the snapshot covers get no answer
    // here: their clients retry, and the table answers them.
    void data;
  }

  // TODO: once the log holds more than this.config.maxLogEntries entries after the snapshot
  // (this.logEntries.length; no limit when it is undefined), give Raft a snapshot of everything
  // applied: this.takeSnapshot(this.lastApplied, JSON.stringify(this.kvState)). The
  // at-most-once table must be in it: a server restarted from the snapshot must still recognize
  // a retry of a command executed before it.
}
