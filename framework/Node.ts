import type { DurableStorage } from './DurableStorage.ts';
import { hostFor } from './_internals/reaction.ts';
import type { Delay, NodeId, Protocol } from './types.ts';

/**
 * The base class of every node. A subclass's own fields are its volatile state and must be
 * plain data; its handlers react to start, messages, timers and inputs, synchronously, and
 * act only through the methods below. Handlers default to doing nothing.
 *
 * @example
 * class Echo extends Node<EchoProtocol> {
 *   echoed = 0;
 *   override onMessage(from: NodeId, message: EchoProtocol['message']): void {
 *     switch (message.type) {
 *       case 'Say':
 *         this.echoed++;
 *         this.send(from, { type: 'Said', text: message.text });
 *         return;
 *       case 'Said':
 *         return;
 *       default:
 *         unreachable(message);
 *     }
 *   }
 * }
 */
export abstract class Node<P extends Protocol> {
  /** This node's id. */
  get id(): NodeId {
    return hostFor(this, 'this.id').nodeId;
  }

  /** Every server node's id, this one included when it is a server, in ascending order. */
  get servers(): readonly NodeId[] {
    return hostFor(this, 'this.servers').servers;
  }

  /** The other server nodes' ids, in ascending order. */
  get peers(): readonly NodeId[] {
    return hostFor(this, 'this.peers').peers;
  }

  /** The settings the test gives this node. */
  get config(): P['config'] {
    return hostFor(this, 'this.config').config as P['config'];
  }

  /** Durable storage: the only thing a node keeps across a crash and restart. */
  get storage(): DurableStorage<P['storage']> {
    return hostFor(this, 'this.storage').storage as DurableStorage<P['storage']>;
  }

  /** Simulated time in milliseconds. */
  now(): number {
    return hostFor(this, 'this.now()').now();
  }

  /** Sends a copy of `message` to `to`. A send to oneself is delivered locally and not counted. */
  send(to: NodeId, message: P['message']): void {
    hostFor(this, 'this.send()').send(to, message);
  }

  /** Sends a copy of `message` to every other server node (not to clients). */
  broadcast(message: P['message']): void {
    hostFor(this, 'this.broadcast()').broadcast(message);
  }

  /** Fires `timer` after `delay` simulated ms, or after a time drawn from `[minMs, maxMs]`. */
  setTimer(timer: P['timer'], delay: Delay): void {
    hostFor(this, 'this.setTimer()').setTimer(timer, delay);
  }

  /** Cancels every pending timer equal (as data) to `timer`. */
  cancelTimer(timer: P['timer']): void {
    hostFor(this, 'this.cancelTimer()').cancelTimer(timer);
  }

  /** Uniform in [0, 1), from this node's own seeded random source. */
  random(): number {
    return hostFor(this, 'this.random()').random();
  }

  /** Uniform integer in [minInclusive, maxInclusive], from this node's random source. */
  randomInt(minInclusive: number, maxInclusive: number): number {
    return minInclusive + Math.floor(hostFor(this, 'this.randomInt()').random() * (maxInclusive - minInclusive + 1));
  }

  /** Writes a line into the trace, stamped with the time and this node. */
  log(...parts: unknown[]): void {
    hostFor(this, 'this.log()').log(parts.map((part) => (typeof part === 'string' ? part : safeFormat(part))).join(' '));
  }

  /** Reports an observable event the tests check (entering a critical section, a decision, ...). */
  output(value: P['output']): void {
    hostFor(this, 'this.output()').output(value);
  }

  /** Called when the node starts, and again after every restart (volatile fields are fresh then). */
  onStart(): void {}

  /** Called for each delivered message. */
  onMessage(_from: NodeId, _message: P['message']): void {}

  /** Called when a timer fires. */
  onTimer(_timer: P['timer']): void {}

  /** Called for each input from the test's workload. */
  onInput(_input: P['input']): void {}
}

function safeFormat(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Marks a case that cannot happen: put it in a switch's `default` so that a forgotten
 * message, timer or input type is a type error.
 */
export function unreachable(value: never): never {
  throw new Error(`Unhandled case: ${safeFormat(value)}`);
}

/** A node class the framework can instantiate. */
export type NodeClass<P extends Protocol> = new () => Node<P>;
