/**
 * distlab for students: what a node is made of. A lab's stub imports from here and from its
 * own protocol file; everything about running and checking nodes is in `distlab/testing`.
 *
 * @example
 * import { Node, unreachable, type NodeId } from 'distlab';
 */
export { Node, unreachable, type NodeClass } from './Node.ts';
export type { DurableStorage } from './DurableStorage.ts';
export { nodeName, type Delay, type NodeId, type Protocol, type Role, type Tagged } from './types.ts';
export {
  applyKvCommand,
  describeKvOperation,
  initialKvState,
  kvSession,
  kvValue,
  replayKvCommands,
  type KvApplication,
  type KvCommand,
  type KvOperation,
  type KvResult,
  type KvSession,
  type KvState,
} from './kv/stateMachine.ts';
export type {
  KvClientConfig,
  KvClientInput,
  KvClientMessage,
  KvClientOutput,
  KvClientProtocol,
  KvClientSettings,
  KvClientStorage,
  KvClientTimer,
  KvServerOutput,
} from './kv/protocol.ts';
