// Lab 3's 3.18 loses the lower proposer on some seeds and the higher on others. When the higher
// one is lost, the acceptors may have promised its ballot, and the survivor's first ballot of
// the same round is lower: a ballot order without the proposer-id tie-break lets an acceptor
// take it as higher, and its promise goes back.
import { describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';

describe('3.18, the first proposer lost for good', () => {
  it('fails a Paxos whose ballots of one round are ordered without the proposer id', async () => {
    const report = await grade({ nodeStates: false, lab: '03-paxos', implementation: 'mutant:no-tiebreak', tests: ['3.18'], shrinkBudget: 0, jobs: 2 });
    const [graded] = report.tests;
    expect(graded?.status).toBe('failed');
    expect(graded?.failure?.property).toBe('a promise never decreases');
  });
});
