import type { LabSuite, SuiteTest } from 'distlab/testing';

/** Made once: `localeCompare` with options builds a collator on every call, which a child's start would pay for thousands of times. */
const numberOrder = new Intl.Collator('en', { numeric: true });

/** Test numbers in reading order: 3.9 before 3.10, numbers before letters (3.10 before 3.S1). */
function compareNumbers(left: string, right: string): number {
  return numberOrder.compare(left, right);
}

/**
 * A lab's suite with its hidden tests (from `hidden.ts`), each placed after the visible test
 * it follows in number order. Throws when the two files disagree about what is hidden: a test
 * in suite.ts marked hidden would reach every student's handout, and one in hidden.ts marked
 * visible would be described as visible in reports while no student can run it.
 */
export function withHiddenTests<Implementation>(suite: LabSuite<Implementation>, hiddenTests: readonly SuiteTest<Implementation>[]): LabSuite<Implementation> {
  const markedHidden = suite.tests.filter((test) => test.visibility !== 'visible').map((test) => test.number);
  if (markedHidden.length > 0) {
    throw new Error(`${suite.lab}: suite.ts holds hidden test ${markedHidden.join(', ')}: move it to hidden.ts, which handouts leave out`);
  }
  const markedVisible = hiddenTests.filter((test) => test.visibility !== 'hidden').map((test) => test.number);
  if (markedVisible.length > 0) throw new Error(`${suite.lab}: hidden.ts holds test ${markedVisible.join(', ')}, which is not marked hidden`);
  const tests = [...suite.tests];
  for (const hidden of hiddenTests) {
    let after = -1;
    tests.forEach((test, index) => {
      if (compareNumbers(test.number, hidden.number) < 0) after = index;
    });
    tests.splice(after + 1, 0, hidden);
  }
  return { ...suite, tests };
}
