// Mutant: the leader answers a command as soon as it has appended it to its log, with the result
// it would have on the state executed so far, without waiting for a majority to commit it. A
// leader cut off from the majority acknowledges writes that are then lost.
import { applyKvCommand, type KvCommand, type NodeId } from 'distlab';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';

export { RaftNode } from '../raft.ts';
export { KvClient } from '../kvClient.ts';

export class KvServer extends ReferenceKvServer {
  protected override startCommand(from: NodeId, command: KvCommand): void {
    super.startCommand(from, command);
    const { result } = applyKvCommand(this.kvState, command);
    if (result !== null) this.reply(from, command.sequence, result);
  }
}
