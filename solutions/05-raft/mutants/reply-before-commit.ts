// Mutant: the leader acknowledges a write (put or append) as soon as it has appended it to its
// log, without waiting for a majority to commit it; gets still wait. A leader cut off from the
// majority acknowledges writes that are then lost.
import type { KvCommand, NodeId } from 'distlab';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';

export { RaftNode } from '../raft.ts';
export { KvClient } from '../kvClient.ts';

export class KvServer extends ReferenceKvServer {
  protected override startCommand(from: NodeId, command: KvCommand): void {
    super.startCommand(from, command);
    if (command.operation.kind !== 'get') this.reply(from, command.sequence, {});
  }
}
