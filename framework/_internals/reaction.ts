import type { DurableStorage } from '../DurableStorage.ts';
import type { Delay, NodeId, Protocol } from '../types.ts';

/** What a driver (simulator, model checker, replayer) offers the node that is reacting. */
export interface NodeHost {
  readonly nodeId: NodeId;
  readonly servers: readonly NodeId[];
  readonly peers: readonly NodeId[];
  readonly config: object;
  send(to: NodeId, message: Protocol['message']): void;
  broadcast(message: Protocol['message']): void;
  setTimer(timer: Protocol['timer'], delay: Delay): void;
  cancelTimer(timer: Protocol['timer']): void;
  now(): number;
  random(): number;
  readonly storage: DurableStorage<object>;
  log(text: string): void;
  output(value: Protocol['output']): void;
}

let activeHost: NodeHost | undefined;
let activeNode: object | undefined;

/** Makes `host` serve the calls made by `node` until {@link exitReaction} (call it in a finally). */
export function enterReaction(host: NodeHost, node: object | undefined): void {
  activeHost = host;
  activeNode = node;
}

export function exitReaction(): void {
  activeHost = undefined;
  activeNode = undefined;
}

export function hostFor(node: object, action: string): NodeHost {
  if (activeHost === undefined) {
    throw new Error(
      `${action} was called outside a reaction. A node acts only while it handles start, a message, ` +
        'a timer or an input; do the work inside onStart/onMessage/onTimer/onInput.',
    );
  }
  if (activeNode !== undefined && activeNode !== node) {
    throw new Error(`${action} was called on another node's object. A node can only act for itself.`);
  }
  return activeHost;
}
