import { Node, unreachable, type NodeId } from 'distlab';
import type { RicartAgrawala } from '../../labs/01-mutex/src/protocol.ts';
import { earlier } from './lamport.ts';

/**
 * 1D. A node asks everyone and enters with a reply from everyone. It answers a request at
 * once unless it is inside, or is asking itself with an earlier (timestamp, id); those
 * replies are deferred until it leaves. No release messages.
 */
export class RicartAgrawalaNode extends Node<RicartAgrawala> {
  clock = 0;
  requesting = false;
  requestTimestamp = 0;
  inCriticalSection = false;
  repliesFrom: NodeId[] = [];
  deferred: NodeId[] = [];

  override onInput(input: RicartAgrawala['input']): void {
    switch (input.type) {
      case 'Acquire':
        this.clock += 1;
        this.requesting = true;
        this.requestTimestamp = this.clock;
        this.repliesFrom = [];
        this.broadcast({ type: 'Request', timestamp: this.requestTimestamp });
        this.maybeEnter();
        return;
      case 'Release':
        this.inCriticalSection = false;
        this.requesting = false;
        for (const peer of this.deferred) this.reply(peer);
        this.deferred = [];
        return;
      default:
        unreachable(input);
    }
  }

  override onMessage(from: NodeId, message: RicartAgrawala['message']): void {
    this.clock = Math.max(this.clock, message.timestamp) + 1;
    switch (message.type) {
      case 'Request':
        if (this.mustDefer(message.timestamp, from)) this.deferred.push(from);
        else this.reply(from);
        return;
      case 'Reply':
        if (!this.repliesFrom.includes(from)) this.repliesFrom.push(from);
        this.maybeEnter();
        return;
      default:
        unreachable(message);
    }
  }

  protected mustDefer(timestamp: number, from: NodeId): boolean {
    return this.inCriticalSection || (this.requesting && earlier(this.requestTimestamp, this.id, timestamp, from));
  }

  protected reply(to: NodeId): void {
    this.clock += 1;
    this.send(to, { type: 'Reply', timestamp: this.clock });
  }

  protected maybeEnter(): void {
    if (!this.requesting || this.inCriticalSection || this.repliesFrom.length < this.peers.length) return;
    this.inCriticalSection = true;
    this.output({ type: 'Enter' });
  }
}
