// The classes the tests load from your implementation.
export { RaftNode } from './raft.ts';
export { KvServer } from './kvServer.ts';
export { KvClient } from './kvClient.ts';
