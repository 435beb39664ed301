import type { Mutant } from 'distlab/testing';

/**
 * Deliberately broken solutions: classic student bugs, each subtle enough to pass the
 * fault-free smoke test and each caught by the test it names, on the property it targets.
 */
export const mutants: readonly Mutant[] = [
  { name: 'no-dedup', bug: 'reports duplicate Pongs as new answers', failsTest: '0.3', property: 'each ping answered at most once' },
  { name: 'no-retry', bug: 'never re-sends a lost Ping', failsTest: '0.2', property: 'every ping answered' },
  { name: 'gives-up', bug: 'stops re-sending after three tries', failsTest: '0.5', property: 'every ping answered' },
  { name: 'retry-after-answer', bug: 're-sends a Ping after its answer arrived', failsTest: '0.6', property: 'two messages per ping' },
];
