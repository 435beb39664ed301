export { BullyNode } from './bully.ts';
export { RingNode } from './ring.ts';
