import { Node, unreachable, type KvClientInput, type KvClientMessage, type KvClientProtocol, type KvClientTimer, type KvCommand, type KvOperation, type KvResult, type NodeId } from 'distlab';

/** How long a client waits for an answer before it tries another server, unless config.kvClient.retryMs says otherwise. */
const defaultRetryMs = 100;
/** After a redirect that names no leader (an election is on), how long it waits before it asks the next server. */
const defaultResendMs = 10;

/**
 * The client of the key-value service (section 8 of the paper). It performs its operations
 * one at a time, in the order given. Each gets the next sequence number, and a retry sends the
 * SAME number again, so that a server that executed the command already answers from its
 * at-most-once table instead of executing it twice. The client sends to the server it believes
 * leads, follows redirects, and after retryMs without an answer tries the next server.
 */
export class KvClient extends Node<KvClientProtocol> {
  /** Operations given while another was in progress, in order. */
  queued: KvOperation[] = [];
  /** The command in progress; null when idle. */
  current: KvCommand | null = null;
  /** Who this client believes leads (the last server that answered or was named); null: none known. */
  leader: NodeId | null = null;
  /** Position in this.servers of the server tried last when no leader was known: retries go round the servers from there. */
  cursor = 0;
  /** Redirects followed since the last timeout: past one per server, they go round in circles. */
  redirectsFollowed = 0;

  override onStart(): void {
    // Clients start at different servers, so that their first requests are spread out.
    this.cursor = this.id % Math.max(1, this.servers.length);
  }

  override onInput(input: KvClientInput): void {
    this.queued.push(input.operation);
    if (this.current === null) this.startNext();
  }

  override onMessage(from: NodeId, message: KvClientMessage): void {
    switch (message.type) {
      case 'ClientReply':
        if (this.isCurrent(message.sequence)) this.onReply(from, message.result);
        return;
      case 'ClientRedirect':
        if (this.isCurrent(message.sequence)) this.onRedirect(from, message.leader);
        return;
      case 'ClientRequest':
        // Servers' business: a client never gets one.
        return;
      default:
        unreachable(message);
    }
  }

  override onTimer(timer: KvClientTimer): void {
    if (!this.isCurrent(timer.sequence)) return;
    switch (timer.type) {
      case 'ClientRetry':
        this.onRetryTimeout();
        return;
      case 'ClientResend':
        this.sendToNextServer();
        return;
      default:
        unreachable(timer);
    }
  }

  // Operations, one at a time

  /** The next operation gets the next sequence number, stored first: a restarted client must never reuse one. */
  protected startNext(): void {
    const operation = this.queued.shift();
    if (operation === undefined) return;
    const sequence = (this.storage.get('kvClientSequence') ?? 0) + 1;
    this.storage.set('kvClientSequence', sequence);
    this.current = { client: this.id, sequence, operation };
    this.redirectsFollowed = 0;
    if (this.leader !== null) this.sendTo(this.leader);
    else this.sendToNextServer();
  }

  /** The leader executed the command: return its result, and remember who leads. */
  protected onReply(from: NodeId, result: KvResult): void {
    const current = this.current;
    if (current === null) return;
    this.cancelTimers(current.sequence);
    this.leader = from;
    this.current = null;
    this.output({ type: 'Returned', sequence: current.sequence, operation: current.operation, result });
    this.startNext();
  }

  // Redirects and retries

  /** A server that does not lead: go to the leader it names, or, naming none, ask the next server a little later. */
  protected onRedirect(from: NodeId, named: NodeId | null): void {
    const current = this.current;
    if (current === null) return;
    this.cancelTimers(current.sequence);
    if (named !== null && named !== from && this.servers.includes(named) && this.redirectsFollowed < this.servers.length) {
      this.redirectsFollowed++;
      this.leader = named;
      this.sendTo(named);
      return;
    }
    this.leader = null;
    this.setTimer({ type: 'ClientResend', sequence: current.sequence }, this.config.kvClient?.resendMs ?? defaultResendMs);
  }

  /**
   * No answer in time: the request or its reply was lost, or the server is down or cut off.
   * Send the SAME command (same sequence number) to the next server; if it was executed
   * already, the leader answers from its table.
   */
  protected onRetryTimeout(): void {
    this.leader = null;
    this.redirectsFollowed = 0;
    this.sendToNextServer();
  }

  /** Round the servers: the one after the server tried last this way (redirects do not move the cursor, so a stale leader cannot trap the client). */
  protected sendToNextServer(): void {
    if (this.servers.length === 0) return;
    this.cursor = (this.cursor + 1) % this.servers.length;
    this.sendTo(this.servers[this.cursor] as NodeId);
  }

  protected sendTo(server: NodeId): void {
    const current = this.current;
    if (current === null) return;
    this.send(server, { type: 'ClientRequest', command: current });
    this.setTimer({ type: 'ClientRetry', sequence: current.sequence }, this.config.kvClient?.retryMs ?? defaultRetryMs);
  }

  protected isCurrent(sequence: number): boolean {
    return this.current !== null && this.current.sequence === sequence;
  }

  protected cancelTimers(sequence: number): void {
    this.cancelTimer({ type: 'ClientRetry', sequence });
    this.cancelTimer({ type: 'ClientResend', sequence });
  }
}
