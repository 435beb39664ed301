export { RaftNode } from './raft.ts';
