// Mutant: the leader answers a get from its own state at once, without putting it in the log.
// A leader cut off from the majority does not know it has been replaced, and returns a value
// the new leader's writes have overwritten.
import { kvValue, type KvCommand, type NodeId } from 'distlab';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';

export { RaftNode } from '../raft.ts';
export { KvClient } from '../kvClient.ts';

export class KvServer extends ReferenceKvServer {
  protected override startCommand(from: NodeId, command: KvCommand): void {
    if (command.operation.kind === 'get') {
      this.reply(from, command.sequence, { value: kvValue(this.kvState, command.operation.key) });
      return;
    }
    super.startCommand(from, command);
  }
}
