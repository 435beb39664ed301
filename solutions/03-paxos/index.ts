export { PaxosNode } from './paxos.ts';
