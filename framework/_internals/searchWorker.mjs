// A worker thread of a breadth-first search (exploreInParallel in framework/search.ts). The
// framework and the labs are TypeScript, and a worker does not inherit the loader of the
// thread that started it, so it registers one before it loads them.
import { register } from 'tsx/esm/api';
import { parentPort } from 'node:worker_threads';

register();
const { serveSearchWorker } = await import('../search.ts');
serveSearchWorker(parentPort);
