// Mutant: the at-most-once table is read as "the client's last command only": a copy of an
// older command (a retry or a duplicate the network held back, arriving after the client's next
// command was executed) is taken for a new one, started, and executed again.
import { applyKvCommand, kvSession, type KvApplication, type KvCommand, type NodeId } from 'distlab';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';

export { RaftNode } from '../raft.ts';
export { KvClient } from '../kvClient.ts';

export class KvServer extends ReferenceKvServer {
  protected override answerFromTable(from: NodeId, command: KvCommand): boolean {
    const session = kvSession(this.kvState, command.client);
    if (session === undefined || command.sequence !== session.sequence) return false;
    return super.answerFromTable(from, command);
  }

  protected override execute(command: KvCommand): KvApplication {
    const session = kvSession(this.kvState, command.client);
    if (session === undefined || command.sequence >= session.sequence) return applyKvCommand(this.kvState, command);
    // An older command: executed as if the table held the one just before it.
    const sessions = { ...this.kvState.sessions, [String(command.client)]: { sequence: command.sequence - 1, result: session.result } };
    return applyKvCommand({ ...this.kvState, sessions }, command);
  }
}
