// The replicated key-value state machine the Raft, MultiPaxos and Paxos-log labs share. It is
// plain data and pure: a server applies each command of its log, in log order, and every
// replica that applies the same commands reaches the same state. The at-most-once table is
// part of that state, so a new leader, and a server rebuilding its state from its log, knows
// which commands were applied already.
import type { NodeId } from '../types.ts';

/** What a client asks for. A key never written reads as "". */
export type KvOperation =
  | { readonly kind: 'get'; readonly key: string }
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  | { readonly kind: 'append'; readonly key: string; readonly value: string };

/** What an operation returns: a get its value, a put or an append nothing. */
export type KvResult = { readonly value: string } | Record<string, never>;

/**
 * One command of the log: an operation with the client that asked for it and the client's
 * sequence number (1, 2, 3, ... per client; a retry sends the same number again).
 */
export interface KvCommand {
  readonly client: NodeId;
  readonly sequence: number;
  readonly operation: KvOperation;
}

/** Per client: the last command applied and its result, to answer a retry without applying it again. */
export interface KvSession {
  readonly sequence: number;
  readonly result: KvResult;
}

/** The state machine's state. Plain data: it may be kept in a node's fields, durable storage or a snapshot. */
export interface KvState {
  /** The map itself. */
  readonly data: Readonly<Record<string, string>>;
  /** The at-most-once table, by client id (as a string key). */
  readonly sessions: Readonly<Record<string, KvSession>>;
  /** How many commands were applied (duplicates not counted). */
  readonly applied: number;
}

/** What applying a command gives. */
export interface KvApplication {
  readonly state: KvState;
  /**
   * The result to send the client. For a duplicate of the client's last command, the result
   * it had the first time; for an older one, null: the client got its answer long ago and
   * waits for it no more.
   */
  readonly result: KvResult | null;
  /** False for a duplicate: the state is unchanged. */
  readonly applied: boolean;
}

/** The empty map with an empty at-most-once table. */
export function initialKvState(): KvState {
  return { data: {}, sessions: {}, applied: 0 };
}

/** The value of `key` in `state` ("" when never written). */
export function kvValue(state: KvState, key: string): string {
  // Own properties only: a key like "constructor" must not read Object.prototype.
  return Object.hasOwn(state.data, key) ? (state.data[key] as string) : '';
}

/** The at-most-once entry of `client`, if it has one. */
export function kvSession(state: KvState, client: NodeId): KvSession | undefined {
  const key = String(client);
  return Object.hasOwn(state.sessions, key) ? state.sessions[key] : undefined;
}

/**
 * Applies `command` to `state` and returns the new state and the client's result; `state`
 * itself is not changed. A command whose sequence number is at or below the client's last
 * applied one is a duplicate: it changes nothing.
 *
 * @example
 * let state = initialKvState();
 * ({ state } = applyKvCommand(state, { client: 3, sequence: 1, operation: { kind: 'append', key: 'x', value: 'a' } }));
 * applyKvCommand(state, { client: 3, sequence: 1, operation: { kind: 'append', key: 'x', value: 'a' } }).applied; // false
 */
export function applyKvCommand(state: KvState, command: KvCommand): KvApplication {
  const session = kvSession(state, command.client);
  if (session !== undefined && command.sequence <= session.sequence) {
    return { state, result: command.sequence === session.sequence ? session.result : null, applied: false };
  }
  const { operation } = command;
  let data = state.data;
  let result: KvResult;
  switch (operation.kind) {
    case 'get':
      result = { value: kvValue(state, operation.key) };
      break;
    case 'put':
      data = { ...data, [operation.key]: operation.value };
      result = {};
      break;
    case 'append':
      data = { ...data, [operation.key]: kvValue(state, operation.key) + operation.value };
      result = {};
      break;
    default:
      throw new Error(`unknown key-value operation ${JSON.stringify(operation)}`);
  }
  const sessions = { ...state.sessions, [String(command.client)]: { sequence: command.sequence, result } };
  return { state: { data, sessions, applied: state.applied + 1 }, result, applied: true };
}

/** The state after applying `commands` in order, from the empty state: what a server rebuilds from its log. */
export function replayKvCommands(commands: Iterable<KvCommand>): KvState {
  let state = initialKvState();
  for (const command of commands) state = applyKvCommand(state, command).state;
  return state;
}

/** An operation as people read it: `append(x, "a")`, `get(x)`. */
export function describeKvOperation(operation: KvOperation): string {
  return operation.kind === 'get' ? `get(${operation.key})` : `${operation.kind}(${operation.key}, ${JSON.stringify(operation.value)})`;
}
