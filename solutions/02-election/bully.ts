import { Node, unreachable, type NodeId } from 'distlab';
import type { Bully } from '../../labs/02-election/src/protocol.ts';

/**
 * 2A. The bully algorithm: the highest live id leads. A node that suspects the leader asks
 * every higher id; any live one answers Ok and takes over the election; a node that hears
 * no Ok declares itself and tells everyone. Failure detection rests on timeouts, which
 * work because delays are bounded.
 */
export class BullyNode extends Node<Bully> {
  leader: NodeId | null = null;
  /** Counts this node's elections, so that timers of an older one are ignored. */
  election = 0;
  /** Holding an election: Elections sent, waiting for an Ok or for the answer timeout. */
  electing = false;
  /** An Ok came: a higher node took over; waiting for its Coordinator. */
  waitingForCoordinator = false;

  override onStart(): void {
    if (this.storage.get('startedBefore') === true) {
      // A restart: a recovered node may be the highest alive, so it holds an election.
      this.startElection();
      return;
    }
    this.storage.set('startedBefore', true);
    this.watchLeader();
  }

  override onInput(input: Bully['input']): void {
    switch (input.type) {
      case 'SuspectLeader':
        this.startElection();
        return;
      default:
        unreachable(input.type);
    }
  }

  override onMessage(from: NodeId, message: Bully['message']): void {
    switch (message.type) {
      case 'Election':
        this.send(from, { type: 'Ok' });
        this.startElection();
        return;
      case 'Ok':
        if (!this.electing || this.waitingForCoordinator) return;
        this.waitingForCoordinator = true;
        this.cancelTimer({ type: 'AnswerTimeout', election: this.election });
        this.setTimer({ type: 'CoordinatorTimeout', election: this.election }, this.config.coordinatorTimeoutMs);
        return;
      case 'Coordinator':
        this.follow(from);
        // A lower node claims to lead while a higher one is alive: the higher one bullies it.
        if (from < this.id) this.startElection();
        return;
      case 'Heartbeat':
        if (from === this.leader) this.watchLeader();
        else if (from > this.id && (this.leader === null || from > this.leader)) this.follow(from);
        else if (from < this.id) this.startElection();
        return;
      default:
        unreachable(message);
    }
  }

  override onTimer(timer: Bully['timer']): void {
    switch (timer.type) {
      case 'AnswerTimeout':
        if (timer.election === this.election && this.electing && !this.waitingForCoordinator) this.declare();
        return;
      case 'CoordinatorTimeout':
        // The node that answered Ok died before announcing itself: start over.
        if (timer.election === this.election && this.waitingForCoordinator) {
          this.electing = false;
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
    if (this.electing) return;
    this.election++;
    this.electing = true;
    this.waitingForCoordinator = false;
    const higher = this.servers.filter((id) => id > this.id);
    if (higher.length === 0) {
      this.declare();
      return;
    }
    for (const id of higher) this.send(id, { type: 'Election' });
    this.setTimer({ type: 'AnswerTimeout', election: this.election }, this.config.answerTimeoutMs);
  }

  private declare(): void {
    this.electing = false;
    this.waitingForCoordinator = false;
    this.setLeader(this.id);
    this.broadcast({ type: 'Coordinator' });
    this.cancelTimer({ type: 'SuspectTimeout' });
    if (this.config.heartbeatMs !== null) {
      this.cancelTimer({ type: 'HeartbeatTick' });
      this.setTimer({ type: 'HeartbeatTick' }, this.config.heartbeatMs);
    }
  }

  protected follow(leader: NodeId): void {
    this.electing = false;
    this.waitingForCoordinator = false;
    this.cancelTimer({ type: 'AnswerTimeout', election: this.election });
    this.cancelTimer({ type: 'CoordinatorTimeout', election: this.election });
    this.setLeader(leader);
    this.watchLeader();
  }

  private setLeader(leader: NodeId): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.output({ type: 'Leader', leader });
  }

  /** (Re)starts the wait for the leader's next heartbeat. */
  protected watchLeader(): void {
    if (this.config.heartbeatMs === null) return;
    this.cancelTimer({ type: 'SuspectTimeout' });
    this.setTimer({ type: 'SuspectTimeout' }, [this.config.suspectAfterMs, 2 * this.config.suspectAfterMs]);
  }
}
