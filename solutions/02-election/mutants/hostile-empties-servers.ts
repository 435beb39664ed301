// Mutant (2A), hostile: a node told to suspect its leader does not hold an election. It
// claims that n0 leads and tries to empty the cluster lists and to switch heartbeats off in
// the config, so that checks reading those would find no node to complain about and every
// other node would stop watching its leader. Each node holds its own frozen copies, and the
// checks read the cluster's own view: the wrong belief is caught all the same.
import type { Bully } from '../../../labs/02-election/src/protocol.ts';
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  override onInput(input: Bully['input']): void {
    if (input.type !== 'SuspectLeader') return;
    this.output({ type: 'Leader', leader: 0 });
    // Reflect.set reports a refused write instead of throwing: the node keeps running.
    Reflect.set(this.servers, 'length', 0);
    Reflect.set(this.peers, 'length', 0);
    Reflect.set(this.config, 'heartbeatMs', null);
    Reflect.set(this.config, 'suspectAfterMs', Number.MAX_SAFE_INTEGER);
  }
}
