// Lab 6's graded suite: a replicated log in the epoch and overthrow design, serving the
// key-value kit's clients. Run tests with the kit's clients (basicTests.ts: the service in a
// stable network and under partitions, a rejected old leader, what a stable leader and a
// leadership change cost; faultTests.ts: loss, crashes of followers and leaders, duels, a
// lagging follower, repartitioning, a whole-cluster restart) and search tests (searchTests.ts).
// Data only: it names the class it needs and never imports an implementation.
import type { LabSuite } from 'distlab/testing';
import { basicTests } from './basicTests.ts';
import { faultTests } from './faultTests.ts';
import { lab, type PaxosLogImplementation } from './harness.ts';
import { searchTests } from './searchTests.ts';

export * from './harness.ts';

export const suite: LabSuite<PaxosLogImplementation> = {
  lab,
  title: 'Lab 6: a Paxos-based replicated log',
  exports: ['PaxosLogServer'],
  tests: [...basicTests, ...faultTests, ...searchTests],
};

export default suite;
