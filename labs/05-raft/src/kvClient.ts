import { Node, unreachable, type KvClientInput, type KvClientMessage, type KvClientProtocol, type KvClientTimer, type KvCommand, type KvOperation, type NodeId } from 'distlab';

/**
 * Part E: the client of the key-value service. The tests give it operations (the Invoke input)
 * and read what it returns (the output { type: 'Returned', sequence, operation, result }), and
 * check that the history of calls and returns is linearizable.
 *
 * It performs its operations one at a time, in the order given. Each is sent as a KvCommand
 * { client: this.id, sequence, operation }, sequence numbers 1, 2, 3, ...; the sequence number
 * is what lets the servers recognize a retry of a command they executed already.
 */
export class KvClient extends Node<KvClientProtocol> {
  // State. Plain data only; a crash loses it, but not this.storage.

  /** Operations given while another was in progress, in order. */
  queued: KvOperation[] = [];
  /** The command in progress; null when idle. */
  current: KvCommand | null = null;

  override onInput(input: KvClientInput): void {
    // TODO: queue the operation; if none is in progress, start it (below).
    void input;
  }

  override onMessage(from: NodeId, message: KvClientMessage): void {
    switch (message.type) {
      case 'ClientReply':
        this.onReply(from, message);
        return;
      case 'ClientRedirect':
        this.onRedirect(from, message);
        return;
      case 'ClientRequest':
        // Servers' business: a client never gets one.
        return;
      default:
        unreachable(message);
    }
  }

  override onTimer(timer: KvClientTimer): void {
    switch (timer.type) {
      case 'ClientRetry':
        this.onRetryTimeout(timer.sequence);
        return;
      case 'ClientResend':
        this.onResend(timer.sequence);
        return;
      default:
        unreachable(timer);
    }
  }

  // Operations, one at a time

  // TODO: the next operation gets the next sequence number. Keep the last one in
  // this.storage ('kvClientSequence'), written before the request goes out: a restarted client
  // must never reuse a number, or the servers would take its new command for an old one.
  // Send { type: 'ClientRequest', command } to the server you believe leads (at first, any:
  // this.servers), and set a timer { type: 'ClientRetry', sequence } for
  // this.config.kvClient?.retryMs (default 100 ms).

  protected onReply(from: NodeId, reply: Extract<KvClientMessage, { type: 'ClientReply' }>): void {
    // TODO: a reply for the command in progress (same sequence; ignore any other, a late or
    // duplicated one): cancel its timers, remember `from` as the leader, output Returned with
    // the result, and start the next operation.
    void from;
    void reply;
  }

  // Redirects and retries

  protected onRedirect(from: NodeId, redirect: Extract<KvClientMessage, { type: 'ClientRedirect' }>): void {
    // TODO: the server does not lead. If it names a leader (other than itself), send the
    // command there at once; if it names none (an election is on), ask the next server a little
    // later: a timer { type: 'ClientResend', sequence } for this.config.kvClient?.resendMs
    // (default 10 ms). Redirects can go round in circles (two servers that each believe the
    // other leads): follow only so many before going round the servers yourself.
    void from;
    void redirect;
  }

  protected onRetryTimeout(sequence: number): void {
    // TODO: no answer in time for the command in progress: the request or the reply was lost,
    // or the server is down or cut off from the others. Send the SAME command, with the SAME
    // sequence number, to the next server: never give up on it, and never give it a new number
    // (it may have been executed already; the leader's at-most-once table answers the retry).
    // Go round all the servers: a stale leader, and the followers cut off with it that still
    // name it, must not keep the client from the others.
    void sequence;
  }

  protected onResend(sequence: number): void {
    // TODO: after a redirect that named no leader: ask the next server.
    void sequence;
  }
}
