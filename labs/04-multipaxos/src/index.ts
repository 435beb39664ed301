// The class the tests load from your implementation.
export { MultiPaxosServer } from './server.ts';
