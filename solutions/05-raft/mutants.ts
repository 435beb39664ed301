import type { Mutant } from 'distlab/testing';
import { membershipMutants } from './mutantsMembership.ts';
import { serviceMutants } from './mutantsService.ts';

/**
 * Deliberately broken solutions: each is the reference with one classic student bug, subtle
 * enough to pass its part's fault-free smoke test, and caught by the test it names, on the
 * property it breaks.
 */
export const mutants: readonly Mutant[] = [
  // Election
  {
    name: 'up-to-date-requires-both',
    bug: 'the up-to-date check asks for a last term at least ours and a log at least as long: a candidate with a newer last term and a shorter log is refused, and two servers can refuse each other for ever',
    failsTest: '5C.12',
    property: 'a leader is elected',
  },
  {
    name: 'deposed-leader-timer-not-armed',
    bug: 'a leader that steps down on a newer term stops its heartbeats and does not start its election timer again: it never stands, and a stale server that deposed it cannot win',
    failsTest: '5B.14',
    property: 'a leader is elected',
  },
  {
    name: 'vote-granted-in-stale-term',
    bug: "a RequestVote of a term below the voter's is not refused: the voter grants it in its own newer term, spending that term's vote on a candidate that cannot win it",
    failsTest: '5A.5',
    property: "a vote is granted in the candidate's term",
  },
  {
    name: 'vote-without-up-to-date-check',
    bug: "the vote is granted without the up-to-date check on the candidate's log",
    failsTest: '5A.S2',
    property: 'leader completeness',
  },
  {
    name: 'up-to-date-by-length-only',
    bug: "the up-to-date check compares only the logs' lengths: a longer log of an older term wins the vote over a shorter one whose last entry is newer",
    failsTest: '5C.12',
    property: 'leader completeness',
  },
  {
    name: 'install-discards-whole-log',
    bug: "a follower that installs a snapshot always discards its whole log, also the acknowledged entries after the snapshot's last index",
    failsTest: '5D.8',
    property: 'durability',
  },
  {
    name: 'install-keeps-conflicting-entries',
    bug: "a follower that installs a snapshot keeps the entries after it whenever its log is longer, without checking that its log holds the snapshot's last entry with its term",
    failsTest: '5D.7',
    property: 'log matching',
  },
  {
    name: 'own-vote-counted-twice',
    bug: 'a candidate counts its own vote twice when it tallies the votes it received (with 5 servers, its own vote and one other elect it)',
    failsTest: '5A.5',
    property: 'election safety',
  },
  {
    name: 'only-first-server-stands',
    bug: 'only the first server arms its election timer: when the leader is cut off, nobody else stands for election until it is back',
    failsTest: '5A.3',
    property: 'the others elect a new leader',
  },
  {
    name: 'election-timeout-not-randomized',
    bug: 'after the first one, every election timeout is exactly T, not drawn at random in [T, 2T]: split votes repeat',
    failsTest: '5A.5',
    property: 'a leader is elected',
  },
  {
    name: 'vote-without-timer-reset',
    bug: 'a server that grants its vote keeps its election timer running: it may stand right after voting and depose the leader it helped elect',
    failsTest: '5A.4',
    property: 'a server that grants its vote waits before it stands',
  },
  {
    name: 'install-snapshot-keeps-timer',
    bug: 'an InstallSnapshot of the current term does not reset the election timer: a follower that gets only snapshots stands against its leader',
    failsTest: '5D.6',
    property: 'nobody stands while the leader reaches everyone',
  },
  {
    name: 'heartbeat-does-not-reset-timer',
    bug: "an AppendEntries without entries (a heartbeat) does not reset the follower's election timer",
    failsTest: '5A.2',
    property: 'one leader while nothing fails',
  },
  {
    name: 'candidate-ignores-leader-of-its-term',
    bug: 'a candidate does not step down on an AppendEntries of its own term, and its election timer runs on',
    failsTest: '5A.7',
    property: 'one leader while nothing fails',
  },
  // Log replication
  {
    name: 'apply-before-commit',
    bug: 'a follower applies the entries it appends without waiting for the leader to commit them',
    failsTest: '5B.2',
    property: 'no commit without a majority',
  },
  {
    name: 'next-index-never-decremented',
    bug: 'after a failed consistency check the leader retries from the same nextIndex, never moving it back',
    failsTest: '5B.4',
    property: 'every command is applied everywhere',
  },
  {
    name: 'next-index-back-by-one',
    bug: 'after a failed consistency check the leader moves nextIndex back by one entry, ignoring conflictTerm and conflictIndex',
    failsTest: '5B.7',
    property: 'round trips to repair a log',
  },
  {
    name: 'conflict-index-without-snapshot-offset',
    bug: "a follower's fast-backup hint counts indexes from the first entry it keeps, not from index 1: after a snapshot, conflictIndex falls short by the snapshot's last index, and the leader resends what the follower holds (or a snapshot)",
    failsTest: '5D.5',
    property: 'a refusal names the conflict',
  },
  {
    name: 'unknown-conflict-term-back-by-one',
    bug: "when the leader holds no entry of the follower's conflicting term, it moves nextIndex back by one entry instead of to the follower's conflictIndex",
    failsTest: '5B.12',
    property: 'round trips to repair a log',
  },
  {
    name: 'append-without-consistency-check',
    bug: 'a follower appends entries without checking that its entry at prevLogIndex has prevLogTerm',
    failsTest: '5C.4',
    property: 'log matching',
  },
  {
    name: 'truncate-on-stale-append',
    bug: 'a follower deletes the entries after those of an AppendEntries even when they all match, so a late request cuts its log',
    failsTest: '5C.6',
    property: 'durability',
  },
  {
    name: 'timer-reset-only-on-success',
    bug: 'a follower restarts its election timer only for an AppendEntries that succeeds, so a follower whose log lags and whose answers are lost times out while its leader leads',
    failsTest: '5B.13',
    property: 'nobody stands while the leader reaches everyone',
  },
  {
    name: 'commit-previous-term-by-count',
    bug: 'the leader commits an entry of an earlier term once a majority holds it (Figure 8)',
    failsTest: '5C.4',
    property: 'leader completeness',
  },
  {
    name: 'commit-when-last-entry-is-own-term',
    bug: 'the leader commits an entry of an earlier term once a majority holds it and its own last entry is of its term, however few hold that one (Figure 8)',
    failsTest: '5C.13',
    property: 'leader completeness',
  },
  // Persistence
  {
    name: 'voted-for-not-persisted',
    bug: 'a granted vote is kept in memory only: votedFor is not written to durable storage',
    failsTest: '5C.2',
    property: 'durability',
  },
  {
    name: 'leader-ignores-reply-term',
    bug: 'the leader drops an AppendEntriesReply of another term before looking at it: the higher term of a follower that stood while cut off is never taken up, and the leader leads on in a term the cluster has left',
    failsTest: '5B.2',
    property: 'a higher term ends a leadership',
  },
  {
    name: 'counts-stale-vote-reply',
    bug: 'a candidate counts a granted RequestVoteReply of an earlier term as a vote of its current one: a vote for its previous candidacy, arriving late, counts again after it stands anew, and two servers win the same term',
    failsTest: '5A.14',
    property: 'election safety',
  },
  {
    name: 'votes-ignored-while-leader-known',
    bug: 'a follower that knows a leader ignores every RequestVote, however long ago it heard from it, not only within the minimum election timeout: when the leader crashes, the first candidate is ignored and must stand again, a timeout later',
    failsTest: '5A.15',
    property: 'a crashed leader is replaced within one election timeout',
  },
  {
    name: 'counts-stale-append-reply',
    bug: "the leader reads an AppendEntriesReply of an earlier term as one of its own: the reply answers an earlier leadership, whose entries another leader may since have replaced in this leader's log, so an entry of the new term is committed on fewer than a majority",
    failsTest: '5C.11',
    property: 'state machine safety',
  },
  {
    name: 'match-index-kept-from-earlier-term',
    bug: "a leader elected again takes up the matchIndex of its earlier leadership: what a follower acknowledged then may since have been replaced by another leader, so an entry of the new term is counted on a server that never stored it and committed on fewer than a majority",
    failsTest: '5C.14',
    property: 'state machine safety',
  },
  {
    name: 'log-before-snapshot',
    bug: 'on a Snapshot input the shortened log is written before the snapshot: a crash between the two writes leaves a log that starts past the stored snapshot, and the entries between are lost',
    failsTest: '5D.5',
    property: 'durability',
  },
  {
    name: 'majority-half-rounded-up',
    bug: 'a majority is counted as half the voters rounded up: right for 3, 5 or 7 servers, but with 4, two servers elect a leader and commit',
    failsTest: '5B.11',
    property: 'election safety',
  },
  {
    name: 'stale-append-resets-timer',
    bug: 'a follower resets its election timer for any AppendEntries, before it looks at the term: a deposed leader that can still send keeps everyone from standing once the real leader is gone',
    failsTest: '5A.12',
    property: 'a leader is elected',
  },
  {
    name: 'heartbeat-outlives-leadership',
    bug: 'the Heartbeat timer is set again whatever the role and never cancelled on stepping down: a server elected again runs a second heartbeat chain beside the first, and its followers get twice the heartbeats',
    failsTest: '5A.13',
    property: 'heartbeats per second',
  },
  {
    name: 'self-vote-not-persisted',
    bug: 'a candidate stores its new currentTerm but not votedFor = itself: restarted in that term, it may vote for another candidate too',
    failsTest: '5C.2',
    property: 'durability',
  },
  {
    name: 'current-term-not-persisted',
    bug: 'currentTerm is kept in memory only: a new term is never written to durable storage',
    failsTest: '5C.2',
    property: 'durability',
  },
  {
    name: 'vote-persisted-after-reply',
    bug: 'the vote is written to durable storage after the RequestVoteReply that grants it is sent',
    failsTest: '5C.9',
    property: 'durability',
  },
  // Snapshots
  {
    name: 'installs-snapshot-below-applied',
    bug: 'a follower installs any InstallSnapshot newer than its own snapshot, even one that covers no more than it has applied: the service goes back, and the entries after the snapshot are applied again',
    failsTest: '5D.6',
    property: 'in-order apply',
  },
  {
    name: 'snapshot-not-persisted',
    bug: 'on a Snapshot input the shortened log is stored but the snapshot that replaces the discarded entries is not',
    failsTest: '5D.4',
    property: 'durability',
  },
  // Part E: the key-value service and its client
  ...serviceMutants,
  // Part F: membership change
  ...membershipMutants,
];
