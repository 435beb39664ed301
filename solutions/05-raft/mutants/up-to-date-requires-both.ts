// Mutant: the up-to-date check asks for a last term at least ours AND a log at least as long:
// a candidate whose last entry is of a newer term but whose log is shorter is refused, and two
// servers that each hold what the other lacks refuse each other for ever.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override isUpToDate(lastLogIndex: number, lastLogTerm: number): boolean {
    return lastLogTerm >= this.lastLogTerm() && lastLogIndex >= this.lastLogIndex();
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
