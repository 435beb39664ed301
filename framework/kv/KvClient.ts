import { Node, unreachable } from '../Node.ts';
import type { NodeId } from '../types.ts';
import { defaultKvClientSettings, type KvClientInput, type KvClientMessage, type KvClientProtocol, type KvClientSettings, type KvClientTimer } from './protocol.ts';
import type { KvCommand } from './stateMachine.ts';

/**
 * A key-value client: performs the operations it is given one at a time, in order. It sends
 * each command to the server it believes leads, follows redirects, and after `retryMs`
 * without an answer tries the next server with the same sequence number, until one answers.
 * Each operation's call is its `Invoke` input and its return the `Returned` output, so the
 * run's inputs and outputs are the client history a linearizability check reads.
 */
export class KvClient extends Node<KvClientProtocol> {
  /** Operations given while another was in progress. */
  waiting: KvClientInput['operation'][] = [];
  /** The command in progress, if any. */
  current: KvCommand | null = null;
  /** The last command answered: what an unreliable client sends again. */
  previous: KvCommand | null = null;
  /** Who this client believes leads; null: ask the servers in turn. */
  leader: NodeId | null = null;
  /** The server asked next when no leader is known. */
  nextServer = 0;
  /** Redirects followed without an answer, for the current command. */
  redirects = 0;
  lastSequence = 0;

  get settings(): KvClientSettings {
    return { ...defaultKvClientSettings, ...this.config.kvClient };
  }

  override onStart(): void {
    this.lastSequence = this.storage.get('kvClientSequence') ?? 0;
    // Clients start at different servers, so that a cluster's first requests do not all hit n0.
    this.nextServer = this.servers.length === 0 ? 0 : this.id % this.servers.length;
  }

  override onInput(input: KvClientInput): void {
    this.waiting.push(input.operation);
    if (this.current === null) this.startNext();
  }

  override onMessage(from: NodeId, message: KvClientMessage): void {
    switch (message.type) {
      case 'ClientReply': {
        const current = this.current;
        if (current === null || message.sequence !== current.sequence) return;
        this.cancelTimer({ type: 'ClientRetry', sequence: current.sequence });
        this.cancelTimer({ type: 'ClientResend', sequence: current.sequence });
        this.leader = from;
        this.previous = current;
        this.current = null;
        this.output({ type: 'Returned', sequence: current.sequence, operation: current.operation, result: message.result });
        this.startNext();
        return;
      }
      case 'ClientRedirect': {
        const current = this.current;
        if (current === null || message.sequence !== current.sequence) return;
        this.cancelTimer({ type: 'ClientRetry', sequence: current.sequence });
        this.redirects++;
        const named = message.leader !== null && message.leader !== from && this.servers.includes(message.leader);
        // A server that names a leader is followed at once, unless redirects go round in circles.
        if (named && this.redirects <= this.servers.length) {
          this.leader = message.leader;
          this.sendCurrent();
          return;
        }
        this.leader = null;
        this.nextServer = (this.servers.indexOf(from) + 1) % Math.max(1, this.servers.length);
        this.redirects = 0;
        // One resend pending at a time: every copy of a request (a duplicating network, or a
        // client that sends each twice) may come back redirected, and a resend for each would
        // double the requests every resendMs while no server leads.
        this.cancelTimer({ type: 'ClientResend', sequence: current.sequence });
        this.setTimer({ type: 'ClientResend', sequence: current.sequence }, this.settings.resendMs);
        return;
      }
      case 'ClientRequest':
        return;
      default:
        unreachable(message);
    }
  }

  override onTimer(timer: KvClientTimer): void {
    const current = this.current;
    if (current === null || timer.sequence !== current.sequence) return;
    switch (timer.type) {
      case 'ClientRetry':
        // The server asked may be down or cut off: the next one may know the leader.
        if (this.leader !== null) this.nextServer = (this.servers.indexOf(this.leader) + 1) % Math.max(1, this.servers.length);
        else this.nextServer = (this.nextServer + 1) % Math.max(1, this.servers.length);
        this.leader = null;
        this.sendCurrent();
        return;
      case 'ClientResend':
        this.sendCurrent();
        return;
      default:
        unreachable(timer);
    }
  }

  private startNext(): void {
    const operation = this.waiting.shift();
    if (operation === undefined) return;
    this.lastSequence++;
    this.storage.set('kvClientSequence', this.lastSequence);
    this.current = { client: this.id, sequence: this.lastSequence, operation };
    this.redirects = 0;
    this.sendCurrent();
  }

  private sendCurrent(): void {
    const current = this.current;
    if (current === null || this.servers.length === 0) return;
    const settings = this.settings;
    const target = this.leader ?? (this.servers[this.nextServer % this.servers.length] as NodeId);
    this.send(target, { type: 'ClientRequest', command: current });
    if (settings.duplicates) {
      this.send(target, { type: 'ClientRequest', command: current });
      if (this.previous !== null) this.send(target, { type: 'ClientRequest', command: this.previous });
    }
    this.setTimer({ type: 'ClientRetry', sequence: current.sequence }, settings.retryMs);
  }
}
