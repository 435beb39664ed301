// Mutant: the at-most-once check lives only at the leader, when a request arrives; execution
// applies every chosen command. A retried command that two leaders proposed in two slots (the
// second did not know of the first) is applied twice.
import { applyKvCommand, type KvApplication, type KvCommand } from 'distlab';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override execute(command: KvCommand): KvApplication {
    // The client's own entry taken out of the table: the command always looks new.
    const sessions = Object.fromEntries(Object.entries(this.kvState.sessions).filter(([client]) => client !== String(command.client)));
    return applyKvCommand({ ...this.kvState, sessions }, command);
  }
}
