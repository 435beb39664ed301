// The class the tests load from your implementation.
export { RaftNode } from './raft.ts';
