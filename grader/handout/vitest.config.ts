// `npm test`: each lab's graded tests on your code in labs/<lab>/src, the same tests, seeds
// and limits as `npm run grade -- <lab>`, and nothing else.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      { find: /^distlab\/testing$/, replacement: fileURLToPath(new URL('./framework/testing.ts', import.meta.url)) },
      { find: /^distlab$/, replacement: fileURLToPath(new URL('./framework/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['labs/**/*.test.ts'],
    // Each test runs your code in a child process with its own wall-clock limit.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
