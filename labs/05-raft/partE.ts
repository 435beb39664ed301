// Lab 5, part E: a linearizable key-value service on Raft, with exactly-once clients.
import type { SuiteTest } from 'distlab/testing';
import type { RaftImplementation } from './harness.ts';

export const serviceTests: readonly SuiteTest<RaftImplementation>[] = [];
