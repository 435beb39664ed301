// Lab 4's graded suite: MultiPaxos, a replicated key-value store. Run tests with the key-value
// kit's clients (basicTests.ts: the service in a stable network and under partitions;
// faultTests.ts: garbage collection, loss, repartitioning, crashes, leader changes, holes) and
// search tests (searchTests.ts). Data only: it names the class it needs and never imports an
// implementation.
import type { LabSuite } from 'distlab/testing';
import { basicTests } from './basicTests.ts';
import { faultTests } from './faultTests.ts';
import { lab, type MultiPaxosImplementation } from './harness.ts';
import { searchTests } from './searchTests.ts';

export * from './harness.ts';

export const suite: LabSuite<MultiPaxosImplementation> = {
  lab,
  title: 'Lab 4: MultiPaxos',
  exports: ['MultiPaxosServer'],
  tests: [...basicTests, ...faultTests, ...searchTests],
};

export default suite;
