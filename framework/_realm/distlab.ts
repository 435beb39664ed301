// What a submission's `import ... from 'distlab'` becomes inside its realm: the node runtime's
// own `Node`, `unreachable` and `nodeName`. (Its types are checked against the real entry.)
import type { Node as NodeBase, unreachable as unreachableCase } from '../Node.ts';
import type { nodeName as nameOfNode } from '../types.ts';

interface RealmFramework {
  readonly Node: typeof NodeBase;
  readonly unreachable: typeof unreachableCase;
  readonly nodeName: typeof nameOfNode;
  /** Hands the runtime the submission's exports (its entry's namespace). */
  readonly register: (namespace: Record<string, unknown>) => void;
}

const framework = (globalThis as unknown as { readonly __distlab: RealmFramework }).__distlab;

export const Node = framework.Node;
export const unreachable = framework.unreachable;
export const nodeName = framework.nodeName;
export const register = framework.register;
