// A search test judges the protocol, not only its two safety-and-progress questions: a
// Lamport node that lets n0 in on its own say, with n1 silent, keeps mutual exclusion and
// has a node enter, yet earns nothing from lab 1's search test.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';

const limits = { memoryMb: 512, timeoutMs: 120_000 };

describe('a search test and a node that solves nothing', () => {
  it("fails a Lamport node that enters on its own say on Lamport's rule for entering", async () => {
    const report = await grade({
      lab: 'mutex',
      implementation: join(projectRoot, 'test', 'fixtures', 'lone-entrant-mutex'),
      tests: ['1C.8'],
      limits,
      typecheck: false,
    });
    const [test] = report.tests;
    expect(test?.status).toBe('failed');
    expect(test?.score).toBe(0);
    expect(test?.failure?.property).toBe('hears from every other node before entering');
    expect(test?.failure?.message).toMatch(/n0 entered the critical section without sending a Request/);
  }, 180_000);
});
