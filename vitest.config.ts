import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/longestFirst.ts';

export default defineConfig({
  resolve: {
    alias: [
      { find: /^distlab\/testing$/, replacement: fileURLToPath(new URL('./framework/testing.ts', import.meta.url)) },
      { find: /^distlab$/, replacement: fileURLToPath(new URL('./framework/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'labs/**/*.test.ts'],
    globalSetup: ['test/temporaryRoot.ts'],
    sequence: { sequencer: LongestFirst },
    // Lab suites run implementations in child processes; each test has its own wall-clock limit.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A worker goes on to its next test file with the modules it has loaded (the framework, the
    // grader, the child program it built for a lab): each file's tests make their own state.
    isolate: false,
    // At least two test files at once (by default one on two cores): many run in their worker
    // alone, and would leave the second core idle.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
