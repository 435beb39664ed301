// Mutant: a majority is counted as half the voters, rounded up: right for 3, 5 or 7 servers,
// but 2 of 4 then decide, and the two halves of an even cluster each elect a leader and commit.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override isQuorum(nodes: readonly number[]): boolean {
    return this.quorumSets(this.configuration).every((voters) => voters.filter((voter) => nodes.includes(voter)).length >= Math.ceil(voters.length / 2));
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
