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
    include: ['test/**/*.test.ts', 'labs/**/*.test.ts'],
    // Lab suites run implementations in child processes; each test has its own wall-clock limit.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
