export { PingClient } from './client.ts';
export { PingServer } from './server.ts';
