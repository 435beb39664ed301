// The flood workload's node: imports only `distlab`, so it can also run in a realm of its own
// (`npm run bench -- --isolated`), the way the grader runs a submission.
import { Node, type NodeId, type Protocol } from 'distlab';

export interface Flood extends Protocol {
  message: { type: 'Hop'; hop: number };
  timer: never;
  input: never;
  output: never;
  config: { initial: number };
  storage: Record<never, never>;
}

/** Sends `initial` messages at start, then forwards every message it receives to a random peer. */
export class FloodNode extends Node<Flood> {
  received = 0;

  override onStart(): void {
    for (let index = 0; index < this.config.initial; index++) this.forward(0);
  }

  override onMessage(_from: NodeId, message: Flood['message']): void {
    this.received++;
    this.forward(message.hop + 1);
  }

  private forward(hop: number): void {
    const peers = this.peers;
    this.send(peers[this.randomInt(0, peers.length - 1)] as NodeId, { type: 'Hop', hop });
  }
}
