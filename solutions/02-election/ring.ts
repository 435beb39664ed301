import { Node, unreachable, type NodeId } from 'distlab';
import type { Ring } from '../../labs/02-election/src/protocol.ts';

/** An Election or a Coordinator, before it is numbered for its Ack. */
type RingMessage =
  | { readonly type: 'Election'; readonly candidate: NodeId; readonly hops: number }
  | { readonly type: 'Coordinator'; readonly leader: NodeId; readonly hops: number };

/** A message on its way to the successor, kept until the successor acknowledges it. */
interface Unacknowledged {
  readonly message: RingMessage;
  /** Which successor it was sent to: 1 the next node, 2 the one after, ... */
  readonly distance: number;
}

/**
 * 2B. Chang and Roberts' ring election. An Election carries the largest id seen; each node
 * forwards the larger of its own id and the carried one, and swallows a smaller one when
 * it already takes part. The node that gets its own id back has the largest id: it sends
 * Coordinator once around the ring. Every ring message is acknowledged; a successor that
 * does not acknowledge in time is taken for dead and skipped.
 */
export class RingNode extends Node<Ring> {
  leader: NodeId | null = null;
  participant = false;
  /** Counts this node's elections, so that timers of an older one are ignored. */
  election = 0;
  /** Numbers the messages this node sends around the ring, for acknowledgements. */
  lastMessageId = 0;
  /** The number of the last Election this node sent: only that one can find it alone. */
  lastElectionId = 0;
  unacknowledged = new Map<number, Unacknowledged>();

  override onStart(): void {
    if (this.storage.get('startedBefore') === true) {
      this.startElection();
      return;
    }
    this.storage.set('startedBefore', true);
    this.watchLeader();
  }

  override onInput(input: Ring['input']): void {
    switch (input.type) {
      case 'SuspectLeader':
        this.startElection();
        return;
      default:
        unreachable(input.type);
    }
  }

  override onMessage(from: NodeId, message: Ring['message']): void {
    switch (message.type) {
      case 'Election':
        this.send(from, { type: 'Ack', id: message.id });
        this.onElection(message.candidate, message.hops);
        return;
      case 'Coordinator':
        this.send(from, { type: 'Ack', id: message.id });
        this.onCoordinator(message.leader, message.hops);
        return;
      case 'Ack': {
        if (!this.unacknowledged.delete(message.id)) return;
        this.cancelTimer({ type: 'AckTimeout', id: message.id });
        return;
      }
      case 'Heartbeat':
        if (from === this.leader) this.watchLeader();
        // Two leaders (a healed partition): an election settles it, as the largest id wins.
        else if (this.leader === this.id) this.startElection();
        return;
      default:
        unreachable(message);
    }
  }

  override onTimer(timer: Ring['timer']): void {
    switch (timer.type) {
      case 'AckTimeout': {
        // The successor did not answer: take it for dead and try the one after it.
        const pending = this.unacknowledged.get(timer.id);
        if (pending === undefined) return;
        this.unacknowledged.delete(timer.id);
        this.sendOn(pending.message, pending.distance + 1, timer.id);
        return;
      }
      case 'CoordinatorTimeout':
        if (timer.election === this.election && this.participant) {
          this.participant = false;
          this.startElection();
        }
        return;
      case 'HeartbeatTick':
        if (this.leader !== this.id || this.config.heartbeatMs === null) return;
        this.broadcast({ type: 'Heartbeat' });
        this.setTimer({ type: 'HeartbeatTick' }, this.config.heartbeatMs);
        return;
      case 'SuspectTimeout':
        if (this.leader !== this.id) this.startElection();
        return;
      default:
        unreachable(timer);
    }
  }

  protected startElection(): void {
    if (this.participant) return;
    this.participant = true;
    this.election++;
    this.setTimer({ type: 'CoordinatorTimeout', election: this.election }, this.config.coordinatorTimeoutMs);
    this.sendOn({ type: 'Election', candidate: this.id, hops: 1 }, 1);
  }

  protected onElection(candidate: NodeId, hops: number): void {
    // An election that went all the way round without finding its candidate: the candidate
    // died; drop it, and let the participants' timeouts start a new one.
    if (hops > this.servers.length) return;
    if (candidate === this.id) {
      this.announce();
    } else if (candidate > this.id) {
      this.joinElection();
      this.sendOn({ type: 'Election', candidate, hops: hops + 1 }, 1);
    } else if (!this.participant) {
      this.joinElection();
      this.sendOn({ type: 'Election', candidate: this.id, hops: 1 }, 1);
    }
    // else: a smaller candidate while already taking part: swallowed.
  }

  protected announce(): void {
    this.participant = false;
    this.setLeader(this.id);
    this.sendOn({ type: 'Coordinator', leader: this.id, hops: 1 }, 1);
    this.beat();
  }

  /** A leader suspects nobody and sends heartbeats from now on (to the dead too: they may come back). */
  private beat(): void {
    this.cancelTimer({ type: 'SuspectTimeout' });
    if (this.config.heartbeatMs !== null) {
      this.cancelTimer({ type: 'HeartbeatTick' });
      this.setTimer({ type: 'HeartbeatTick' }, this.config.heartbeatMs);
    }
  }

  protected onCoordinator(leader: NodeId, hops: number): void {
    if (leader === this.id || hops > this.servers.length) return;
    this.participant = false;
    this.setLeader(leader);
    this.watchLeader();
    this.sendOn({ type: 'Coordinator', leader, hops: hops + 1 }, 1);
    // A smaller leader's election went round without this node (it was down, or a stale Election
    // skipped it): it is alive and larger, so it takes over, as in the bully algorithm.
    if (leader < this.id) this.startElection();
  }

  private joinElection(): void {
    if (this.participant) return;
    this.participant = true;
    this.election++;
    this.setTimer({ type: 'CoordinatorTimeout', election: this.election }, this.config.coordinatorTimeoutMs);
  }

  /**
   * Sends to the node `distance` places further round the ring, and waits for its Ack.
   * `unanswered` is the number of the message it sends on past a successor that did not answer.
   */
  protected sendOn(message: RingMessage, distance: number, unanswered?: number): void {
    const ring = this.servers;
    if (distance >= ring.length) {
      // Every other node seemed dead: this one is alone, and leads. Unless it has sent an
      // Election since (it took part in another node's election): someone answered that one.
      if (message.type === 'Election' && (unanswered === undefined || unanswered === this.lastElectionId)) this.announceAlone();
      return;
    }
    const to = ring[(ring.indexOf(this.id) + distance) % ring.length] as NodeId;
    this.lastMessageId++;
    const id = this.lastMessageId;
    if (message.type === 'Election') this.lastElectionId = id;
    this.unacknowledged.set(id, { message, distance });
    this.send(to, { ...message, id });
    this.setTimer({ type: 'AckTimeout', id }, this.config.ackTimeoutMs);
  }

  private announceAlone(): void {
    this.participant = false;
    this.setLeader(this.id);
    this.beat();
  }

  private setLeader(leader: NodeId): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.output({ type: 'Leader', leader });
  }

  protected watchLeader(): void {
    if (this.config.heartbeatMs === null) return;
    this.cancelTimer({ type: 'SuspectTimeout' });
    this.setTimer({ type: 'SuspectTimeout' }, [this.config.suspectAfterMs, 2 * this.config.suspectAfterMs]);
  }
}
