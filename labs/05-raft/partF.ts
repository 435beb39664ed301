// Lab 5, part F: membership change by joint consensus, under the key-value service of part E.
import type { SuiteTest } from 'distlab/testing';
import type { RaftImplementation } from './harness.ts';

export const membershipTests: readonly SuiteTest<RaftImplementation>[] = [];
