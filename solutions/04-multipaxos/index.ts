export { MultiPaxosServer } from './server.ts';
