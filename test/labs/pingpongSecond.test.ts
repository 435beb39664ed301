// Lab 0 graded, through the grader, on a third correct ping-pong and on classic bugs made in it:
//
// - test/fixtures/pingpong/second, written from the handout alone with other choices where it
//   leaves one open (a ping's retry timer armed before its Ping is sent and never cancelled,
//   left to fire and do nothing once the ping is answered; the client's waiting pings a map of
//   their send counts beside a set of the pings reported, a SendPing of either ignored; Pongs
//   taken only from the configured server; a server that counts its Pongs for the trace), must
//   pass every graded test, visible and hidden;
// - each folder of test/fixtures/pingpong/second-bugs changes one method of it (its first line
//   says how) and must fail the tests named below, on the property named.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';
import { suite } from '../../labs/00-pingpong/suite.ts';
import { bugFolders, gradedTests, summary } from './otherImplementations.ts';

const lab = '00-pingpong';
const fixtures = join(projectRoot, 'test', 'fixtures', 'pingpong');
const second = join(fixtures, 'second');

const graded = await gradedTests(suite);

interface Bug {
  /** Each test that must fail, with the property it must fail on. */
  readonly fails: Readonly<Record<string, string>>;
}

const bugs: Readonly<Record<string, Bug>> = {
  'server-answers-first-copy-only': { fails: { '0.2': 'every ping answered' } },
  'server-ignores-older-seq': { fails: { '0.1': 'every ping answered' } },
  'dedups-by-highest-seq': { fails: { '0.1': 'every ping answered' } },
  'tracks-only-latest-ping': { fails: { '0.1': 'every ping answered' } },
  'forgets-old-answers': { fails: { '0.3': 'each ping answered at most once', '0.4': 'each ping answered at most once' } },
  // Its timers double every retry period while the server is down or cut off: only a long
  // outage shows it in 0.5 (first on seed 23), at the event limit; hidden 0.7 holds the client to
  // the retry period, which the second timer breaks at once.
  'retry-timer-armed-twice': { fails: { '0.5': 'event limit', '0.7': 'no Ping sent again before retryMs' } },
  // Three that the layout and the short delays of the visible tests hide; hidden 0.8 changes both.
  'server-drops-recent-resends': { fails: { '0.8': 'the server answers every Ping' } },
  'answers-forgotten-after-a-second': { fails: { '0.8': 'each ping answered at most once' } },
  'sends-to-node-zero': { fails: { '0.8': 'the first Ping goes out on SendPing' } },
  // Answers every ping, only later: hidden 0.9's burst leaves pings waiting behind the oldest.
  'retries-only-oldest': { fails: { '0.9': 'outstanding pings are sent again' } },
};

const bugFolder = bugFolders(fixtures);

describe('lab 0 graded on a third correct ping-pong and its classic bugs', () => {
  it('the third correct ping-pong passes every graded test, visible and hidden', async () => {
    const report = await grade({ nodeStates: false, lab, implementation: second, tests: graded.map((test) => test.number), shrinkBudget: 0, jobs: 2, typecheck: true });
    expect(report.typeErrors).toEqual([]);
    expect(report.tests.map((test) => test.number).sort()).toEqual(graded.map((test) => test.number).sort());
    const notPassed = report.tests.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
    expect(report.tests.reduce((sum, test) => sum + test.score, 0)).toBe(report.tests.reduce((sum, test) => sum + test.maxScore, 0));
  });

  it.each(Object.keys(bugs))('the bug %s fails the tests that target it', async (name) => {
    const bug = bugs[name] as Bug;
    const tests = Object.keys(bug.fails);
    const report = await grade({ nodeStates: false, lab, implementation: bugFolder(name), tests, shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual([...tests].sort());
    const missed = report.tests.filter((test) => test.status !== 'failed' || test.failure?.property !== bug.fails[test.number]);
    expect(missed.length === 0 ? '' : summary(missed)).toBe('');
  });
});
