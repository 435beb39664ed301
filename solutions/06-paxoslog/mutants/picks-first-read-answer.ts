// Mutant: the recovery walk keeps, for each slot, the first answer that holds an operation (its
// own record first), not the one stored in the highest epoch. A finalized answer still wins.
import type { SlotRecord } from '../../../labs/06-paxoslog/src/protocol.ts';
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override betterAnswer(current: SlotRecord, answer: SlotRecord): SlotRecord {
    if (current.finalized) return current;
    if (answer.finalized) return answer;
    return current.epoch > 0 ? current : answer;
  }
}
