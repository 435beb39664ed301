// The class the tests load from your implementation.
export { PaxosNode } from './paxos.ts';
