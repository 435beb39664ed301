// The classes the tests load from your implementation.
export { PingClient } from './client.ts';
export { PingServer } from './server.ts';
