// The handout's vitest configuration (copied to the handout's root by `npm run handout`):
// `npm test` runs each lab's visible graded tests on the student's code, and nothing else.
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
