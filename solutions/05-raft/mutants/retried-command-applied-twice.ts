// Mutant: the state machine does not check the at-most-once table when it executes a committed
// command; only the leader does, when a request arrives. A retry (or a duplicated request) that
// arrives before the first copy is executed is appended again, and both copies are executed.
import { applyKvCommand, type KvApplication, type KvCommand } from 'distlab';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';

export { RaftNode } from '../raft.ts';
export { KvClient } from '../kvClient.ts';

export class KvServer extends ReferenceKvServer {
  protected override execute(command: KvCommand): KvApplication {
    // The client's own entry taken out of the table: the command always looks new.
    const sessions = Object.fromEntries(Object.entries(this.kvState.sessions).filter(([client]) => client !== String(command.client)));
    return applyKvCommand({ ...this.kvState, sessions }, command);
  }
}
