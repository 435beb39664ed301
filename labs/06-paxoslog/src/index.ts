// The class the tests load from your implementation.
export { PaxosLogServer } from './server.ts';
