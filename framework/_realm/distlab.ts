// What a submission's `import ... from 'distlab'` becomes inside its realm: the node runtime's
// own `Node`, `unreachable`, `nodeName` and the key-value state machine. (Its types are checked
// against the real entry.)
import type { Node as NodeBase, unreachable as unreachableCase } from '../Node.ts';
import type { nodeName as nameOfNode } from '../types.ts';
import type * as keyValue from '../kv/stateMachine.ts';

interface RealmFramework {
  readonly Node: typeof NodeBase;
  readonly unreachable: typeof unreachableCase;
  readonly nodeName: typeof nameOfNode;
  readonly applyKvCommand: typeof keyValue.applyKvCommand;
  readonly describeKvOperation: typeof keyValue.describeKvOperation;
  readonly initialKvState: typeof keyValue.initialKvState;
  readonly kvSession: typeof keyValue.kvSession;
  readonly kvValue: typeof keyValue.kvValue;
  readonly replayKvCommands: typeof keyValue.replayKvCommands;
  /** Hands the runtime the submission's exports (its entry's namespace). */
  readonly register: (namespace: Record<string, unknown>) => void;
}

const framework = (globalThis as unknown as { readonly __distlab: RealmFramework }).__distlab;

export const Node = framework.Node;
export const unreachable = framework.unreachable;
export const nodeName = framework.nodeName;
export const register = framework.register;
export const applyKvCommand = framework.applyKvCommand;
export const describeKvOperation = framework.describeKvOperation;
export const initialKvState = framework.initialKvState;
export const kvSession = framework.kvSession;
export const kvValue = framework.kvValue;
export const replayKvCommands = framework.replayKvCommands;
