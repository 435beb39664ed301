// Mutant: a leader's Query does not reset a passive server's LeaderTimeout (its Stores still
// do): while the log is idle, followers time out and overthrow a leader that works.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

type QueryReply = ReturnType<ReferenceServer['answerQuery']>;

export class PaxosLogServer extends ReferenceServer {
  protected override answerQuery(epoch: number): QueryReply {
    this.noteEpoch(epoch);
    if (epoch > this.epoch && this.role !== 'passive') this.becomePassive();
    return { type: 'QueryReply', epoch, currentEpoch: this.epoch, firstUnfinalizedSlot: this.nextToExecute };
  }
}
