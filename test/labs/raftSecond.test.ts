// Lab 5 graded on a third correct Raft (test/fixtures/raft/second), written from the handout
// alone with other choices wherever it leaves one open, and on classic student bugs made in it
// (test/fixtures/raft/second-bugs, one folder each, whose first line says the bug):
//
// - the correct one must pass every graded test, visible and hidden: a test it fails demands
//   more than the handout does;
// - each bug must fail the tests named for it here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { withHiddenTests } from '../../grader/hiddenTests.ts';
import { projectRoot } from '../../grader/labs.ts';
import { hiddenTests } from '../../labs/05-raft/hidden.ts';
import { suite } from '../../labs/05-raft/suite.ts';
import { summary } from './otherImplementations.ts';

const fixtures = join(projectRoot, 'test', 'fixtures', 'raft');
const second = join(fixtures, 'second');
const protocol = join(projectRoot, 'labs', '05-raft', 'src', 'protocol.ts');
const scratchFolders: string[] = [];
afterAll(() => {
  for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
});

/** The lab's protocol, imported by a relative path that holds only in this checkout. */
const protocolImport = /'(\.\.\/)+labs\/05-raft\/src\/protocol\.ts'/g;

/** A scratch folder holding the reference solution's files and `index` as its index.ts (which imports them as ./raft.ts, ...). */
function referenceWithIndex(prefix: string, index: string): string {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  scratchFolders.push(scratch);
  const reference = join(projectRoot, 'solutions', '05-raft');
  for (const file of ['raft.ts', 'kvServer.ts', 'kvClient.ts']) {
    writeFileSync(join(scratch, file), readFileSync(join(reference, file), 'utf8').replace(protocolImport, `'${protocol}'`));
  }
  writeFileSync(join(scratch, 'index.ts'), index);
  return scratch;
}

/**
 * A submission imports only its own files: the bug's index.ts goes into a scratch folder beside
 * copies of the correct implementation's files, its imports of them made local.
 */
function bugFolder(name: string): string {
  const scratch = mkdtempSync(join(tmpdir(), `distlab-raft-second-${name}-`));
  scratchFolders.push(scratch);
  for (const file of ['raft.ts', 'kvServer.ts', 'kvClient.ts']) {
    writeFileSync(join(scratch, file), readFileSync(join(second, file), 'utf8').replace(protocolImport, `'${protocol}'`));
  }
  const index = readFileSync(join(fixtures, 'second-bugs', name, 'index.ts'), 'utf8');
  writeFileSync(join(scratch, 'index.ts'), index.replaceAll('../../second/', './').replace(protocolImport, `'${protocol}'`));
  return scratch;
}

/** Each bug, and the tests that catch it (on their default seeds). */
const bugs: Readonly<Record<string, readonly string[]>> = {
  // Durability: a crash between the success reply and the log's write.
  'log-stored-after-ack': ['5C.8'],
  // State machine safety: the rejoining old leader applies its own uncommitted leftovers.
  'commit-to-end-of-log': ['5B.6'],
  // Election safety: a vote of the previous candidacy makes a leader without a majority.
  'stale-vote-reply-counted': ['5A.S1', '5A.14'],
  // A new leader announces itself at once: this one waits for its first heartbeat.
  'leader-waits-for-first-heartbeat': ['5A.1'],
  // State machine safety: entries applied that fewer than a majority store.
  'match-index-from-what-was-sent': ['5B.1'],
  // State machine safety: a success of the leader's earlier term, for indexes another leader's entries have since taken, counted.
  'stale-append-reply-counted': ['5C.11'],
  // In-order apply: a snapshot of what the follower had already applied, sent while its answers were lost, taken back.
  'stale-snapshot-installed': ['5D.6'],
  // Heartbeats per second: a server elected again runs the heartbeat timer of each of its leaderships.
  'heartbeat-timer-outlives-leadership': ['5A.13'],
  // The deposed leader's AppendEntries rewrite the followers of the new one.
  'stale-leader-append-accepted': ['5A.3'],
  // A client answered with another command's result, where leaders lose entries.
  'kv-answers-whoever-waits-at-index': ['5E.6'],
  // Leader completeness: a server whose snapshot emptied its log votes for a candidate that lacks the snapshot's entries.
  'last-log-term-zero-after-compaction': ['5D.2'],
  // Every command applied everywhere: the follower gets the same snapshot again and again, never the entries after it.
  'next-index-kept-after-snapshot-reply': ['5D.5'],
  // A leader is elected (searched), and a crashed leader is replaced within one election timeout (run): once they have heard
  // from a leader, the servers grant no vote until their own timers fire.
  'votes-ignored-while-leader-known': ['5A.S2', '5A.15'],
  // Exactly once: a redirected retry, under a new sequence number, executes the operation a second time.
  'kv-client-new-sequence-on-redirect': ['5E.4'],
  // The clients reach the majority: after a timeout they ask the stale leader again, and wait for the heal.
  'kv-client-retries-believed-leader': ['5E.15'],
  // No decision by one configuration alone: the leader and two learners commit what no other voter stores.
  'learner-counted-in-quorum': ['5F.12'],
  // No decision by one configuration alone: a majority of C_old and C_new together is a majority of neither.
  'joint-majority-of-union': ['5F.2'],
  // A removed leader finishes its change: it leaves as it appends C_new, and another server has to be elected to commit it.
  'removed-leader-steps-down-at-append': ['5F.13'],
  // One change at a time: a server caught up from a snapshot forgot the configuration, and starts a change from the initial one.
  'snapshot-without-configuration': ['5F.5'],
  // State machine safety: the leader counts replicas that a follower threw away with its log when it installed a snapshot.
  'snapshot-discards-matching-log': ['5E.8'],
};

describe('lab 5 graded on a third implementation and its classic bugs', () => {
  it('the third implementation passes every graded test, visible and hidden', async () => {
    const tests = withHiddenTests(suite, hiddenTests).tests;
    // Two seeds for each run (both cluster sizes where a test alternates them); searches on their own seeds.
    const runs = await grade({ nodeStates: false, lab: '05-raft', implementation: second, tests: tests.filter((test) => test.kind !== 'search').map((test) => test.number), seeds: 2, shrinkBudget: 0, jobs: 2, typecheck: true });
    const searches = await grade({ nodeStates: false, lab: '05-raft', implementation: second, tests: tests.filter((test) => test.kind === 'search').map((test) => test.number), shrinkBudget: 0, jobs: 2 });
    expect(runs.typeErrors).toEqual([]);
    const graded = [...runs.tests, ...searches.tests];
    expect(graded.map((test) => test.number).sort()).toEqual(tests.map((test) => test.number).sort());
    expect(graded.some((test) => test.visibility === 'hidden')).toBe(true);
    const notPassed = graded.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it('a leader whose heartbeats go at nextIndex - 1 while entries are in flight, which the handout allows, keeps within the heartbeat and backup budgets', async () => {
    // Such a heartbeat may overtake the entries before it, fail the consistency check and be
    // answered at once by a probe: 5A.8 once counted that probe (seed 27) and 5B.7 the failures
    // it costs (seed 24). The reference, with the rest of its files.
    const scratch = referenceWithIndex(
      'distlab-raft-heartbeat-',
      [
        "import type { NodeId } from 'distlab';",
        "import { RaftNode as Reference } from './raft.ts';",
        "export { KvServer } from './kvServer.ts';",
        "export { KvClient } from './kvClient.ts';",
        'export class RaftNode extends Reference {',
        '  protected override sendHeartbeat(peer: NodeId): void {',
        '    const matchIndex = this.matchIndex[peer] as number;',
        '    const inFlight = (this.inSync[peer] as boolean) && matchIndex + 1 < (this.nextIndex[peer] as number);',
        '    if (!inFlight || this.matchIndexAtHeartbeat[peer] === matchIndex) return super.sendHeartbeat(peer);',
        '    this.sendEntries(peer, (this.nextIndex[peer] as number) - 1, []);',
        '    this.matchIndexAtHeartbeat[peer] = matchIndex;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const report = await grade({ nodeStates: false, lab: '05-raft', implementation: scratch, tests: ['5A.8', '5B.7'], seeds: 30, shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual(['5A.8', '5B.7']);
    const notPassed = report.tests.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it('a fourth Raft whose leader pipelines entries, which the handout allows, keeps within the repair and entry budgets', async () => {
    // test/fixtures/raft/pipelined, written from the handout alone: a follower in sync gets each new entry at once, without
    // waiting for the earlier ones to be answered, so entries overtake one another and some are refused on the way. 5B.7
    // failed it on about one seed in ten when it counted those refusals as repairs.
    const tests = ['5B.7', '5B.9'];
    const report = await grade({ nodeStates: false, lab: '05-raft', implementation: join(projectRoot, 'test', 'fixtures', 'raft', 'pipelined'), tests, seeds: 30, shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual(tests);
    const notPassed = report.tests.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it('the reference whose leader appends C_new before C_old,new is committed fails every test of part F on that rule', async () => {
    // test/fixtures/raft/reference-bugs: before the rule, it failed only 5F.6, on one seed in twenty ("leader completeness").
    const bug = readFileSync(join(projectRoot, 'test', 'fixtures', 'raft', 'reference-bugs', 'new-configuration-before-joint-commits.ts'), 'utf8');
    const scratch = referenceWithIndex('distlab-raft-joint-', bug.replaceAll('../../../../solutions/05-raft/', './'));
    const partF = withHiddenTests(suite, hiddenTests).tests.filter((test) => test.part === 'F').map((test) => test.number);
    const report = await grade({ nodeStates: false, lab: '05-raft', implementation: scratch, tests: partF, shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual([...partF].sort());
    const notCaught = report.tests.filter((test) => test.status !== 'failed' || test.failure?.property !== 'C_new only once C_old,new is committed');
    expect(notCaught.length === 0 ? '' : summary(notCaught)).toBe('');
  });

  it.each(Object.keys(bugs))('the bug %s fails the tests that catch it', async (name) => {
    const numbers = bugs[name] as readonly string[];
    const report = await grade({ nodeStates: false, lab: '05-raft', implementation: bugFolder(name), tests: [...numbers], shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual([...numbers].sort());
    // Failed on a property of the suite, not for want of loading.
    const notCaught = report.tests.filter((test) => test.status !== 'failed' || test.failure?.property === undefined);
    expect(notCaught.length === 0 ? '' : summary(notCaught)).toBe('');
  });
});
