// The class the tests load from the reference solution.
export { PaxosLogServer } from './server.ts';
