export { CentralizedNode } from './centralized.ts';
export { LamportNode } from './lamport.ts';
export { RicartAgrawalaNode } from './ricartAgrawala.ts';
export { TokenRingNode } from './tokenRing.ts';
