// The classes the tests load from your implementation.
export { BullyNode } from './bully.ts';
export { RingNode } from './ring.ts';
