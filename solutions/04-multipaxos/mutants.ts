import type { Mutant } from 'distlab/testing';

/**
 * Deliberately broken solutions: each is the reference with one classic MultiPaxos bug, subtle
 * enough to pass the fault-free smoke test (4.1), and caught by the test it names, on the
 * property it breaks.
 */
export const mutants: readonly Mutant[] = [
  {
    name: 'recovers-with-own-accepted',
    bug: 'a new leader catches a replica up below its checkpoint with its own accepted proposals, not with what phase 1 reported: a proposal it accepted that lost in a later ballot is sent as chosen',
    failsTest: '4.30',
    property: 'a command accepted by a majority is kept',
  },
  {
    name: 'majority-half-rounded-up',
    bug: 'a majority is counted as half the servers rounded up: right for 3 or 5 servers, but with 4, two of them complete phase 1 and choose a slot',
    failsTest: '4.29',
    property: 'chosen by a majority in one ballot',
  },
  {
    name: 'p1b-below-promise',
    bug: 'an acceptor answers a P1a below its promise with a P1b (keeping its higher promise) instead of Preempted: a candidate of the lower ballot counts it towards a majority and leads where it can get nothing accepted',
    failsTest: '4.2',
    property: 'acceptors keep their promises',
  },
  {
    name: 'candidate-not-rearmed',
    bug: 'a server that starts phase 1 does not set its LeaderTimeout again: when its P1as are lost, it waits for ever for promises that will not come',
    failsTest: '4.5',
    property: 'a candidate tries again',
  },
  {
    name: 'promise-keeps-leader-timeout',
    bug: "a follower that promises another server's higher ballot does not reset its own LeaderTimeout: it starts phase 1 over the candidate moments later",
    failsTest: '4.10',
    property: 'a promise to another server resets the LeaderTimeout',
  },
  {
    name: 'holes-never-filled',
    bug: 'a new leader proposes again only the slots some P1b reported: a slot nobody reported (a hole) gets no no-op, and nothing after it is executed',
    failsTest: '4.18',
    property: 'every operation returns',
  },
  {
    name: 'duplicate-executed-twice',
    bug: 'the at-most-once check lives only at the leader, when a request arrives: a retried command chosen in two slots is applied twice',
    failsTest: '4.12',
    property: 'every command is applied at most once',
  },
  {
    name: 'collected-before-every-server-executed',
    bug: 'the leader computes collectBelow from the servers that answered its heartbeats, not from all of them: slots a cut-off server still needs are deleted',
    failsTest: '4.11',
    property: 'safe garbage collection',
  },
  {
    name: 'collect-ignores-own-checkpoint',
    bug: "the leader computes collectBelow from its followers' checkpoints and leaves its own out: a leader that is behind deletes slots it has not executed yet",
    failsTest: '4.27',
    property: 'safe garbage collection',
  },
  {
    name: 'leader-skips-phase-one-on-takeover',
    bug: 'a server that takes over from a leader it followed leads a higher ballot without phase 1, continuing at its own slotIn: it proposes over slots already chosen',
    failsTest: '4.17',
    property: 'a command accepted by a majority is kept',
  },
  {
    name: 'p1b-reports-first-accepted',
    bug: 'a P1b reports, for each slot, the first proposal the acceptor accepted there since it started, not its latest',
    failsTest: '4.16',
    property: 'acceptors keep their promises',
  },
  {
    name: 'adopts-any-accepted-value',
    bug: 'phase 1 adopts, per slot, the first proposal a P1b reported, not the one with the highest ballot',
    failsTest: '4.S4',
    property: 'a command accepted by a majority is kept',
  },
  {
    name: 'acceptor-forgets-accepted-on-restart',
    bug: "a restarted acceptor reads its promise back from storage but not its accepted:s, so its P1bs leave out what it accepted before the crash",
    failsTest: '4.16',
    property: 'acceptors keep their promises',
  },
  {
    name: 'acceptor-forgets-promise-on-restart',
    bug: 'a restarted acceptor starts from promised {0, 0} instead of reading its promise back from storage',
    failsTest: '4.16',
    property: 'acceptors keep their promises',
  },
  {
    name: 'preempted-echoes-ballot',
    bug: "every Preempted carries the refused ballot as its promise, not the acceptor's: the stale leader learns of nothing higher and does not step down, and a refused candidate does not learn the round to outrank",
    failsTest: '4.2',
    property: 'a Preempted names the promise that beat it',
  },
  {
    name: 'ignores-preemption',
    bug: 'a leader that gets a Preempted for its own ballot remembers the higher round but does not step down: cut off from the acceptor that promised the higher ballot, it goes on proposing and heartbeating in its old one',
    failsTest: '4.12',
    property: 'a preempted leader steps down',
  },
  {
    name: 'preempted-round-not-noted',
    bug: 'a Preempted makes the leader or candidate a follower, but the round it names is not remembered: its next ballot is one round above its own, still below the promise that refused it',
    failsTest: '4.12',
    property: 'a preempted leader steps down',
  },
  {
    name: 'ballot-reused-after-restart',
    bug: 'a new ballot is one round above the rounds seen in messages only, and a restart does not read them back from the stored promise: a restarted server that stands before it hears another ballot runs phase 1 again with a ballot it already used',
    failsTest: '4.25',
    property: 'a ballot is used once',
  },
  {
    name: 'heartbeats-do-not-suppress-elections',
    bug: "a follower's LeaderTimeout is not reset by the leader's heartbeats: followers run phase 1 again and again",
    failsTest: '4.10',
    property: 'phase 1 only on leader change',
  },
  {
    name: 'executes-accepted-value-of-older-ballot',
    bug: "a follower takes every value it accepted below the heartbeat's chosenBelow as chosen, whatever the ballot it accepted it in",
    failsTest: '4.18',
    property: 'chosen by a majority in one ballot',
  },
  {
    name: 'accepts-without-raising-promise',
    bug: 'an acceptor that accepts a P2a above its promise does not store that ballot as its promise',
    failsTest: '4.4',
    property: 'acceptors keep their promises',
  },
  {
    name: 'only-first-server-stands',
    bug: 'only the first server arms its LeaderTimeout: when it is down or cut off, nobody runs phase 1 until it is back',
    failsTest: '4.17',
    property: 'a new leader takes over',
  },
  {
    name: 'counts-p2b-of-any-ballot',
    bug: "the leader counts a P2b towards a slot's majority whatever its ballot: a late P2b of its earlier ballot adds to the acceptances of its new one",
    failsTest: '4.28',
    property: 'chosen by a majority in one ballot',
  },
  {
    name: 'restarted-leader-forgets-old-slots',
    bug: 'a leader that restarted from a checkpoint does not propose again the slots below it that phase 1 reported: a replica behind that checkpoint never learns them',
    failsTest: '4.22',
    property: 'completed operations reach every live replica',
  },
  {
    name: 'chosen-output-repeated',
    bug: 'a slot counts as new when it is at or above slotOut rather than when it is not decided yet: a slot decided while an earlier one is missing is output Chosen again each time the server hears of it',
    failsTest: '4.12',
    property: 'Chosen once per slot',
  },
  {
    name: 'collected-slots-kept-in-memory',
    bug: 'garbage collection deletes accepted:s from storage but keeps the proposals in memory: the log grows for ever, and later P1bs report collected slots',
    failsTest: '4.17',
    property: 'acceptors keep their promises',
  },
  {
    name: 'adopt-round-only',
    bug: 'phase 1 adopts, for each slot, the proposal of the highest round it heard of, comparing ballots by round alone: of two proposals of one round from different leaders it keeps the first, which may have lost',
    failsTest: '4.S8',
    property: 'a command accepted by a majority is kept',
  },
  {
    name: 'heartbeat-ballot-round-only',
    bug: "a follower takes a value it accepted below the heartbeat's chosenBelow as chosen when it accepted it in the heartbeat's round, whoever led that ballot",
    failsTest: '4.S8',
    property: 'chosen by a majority in one ballot',
  },
  {
    name: 'command-outranks-no-op',
    bug: 'phase 1 adopts a reported client command over a reported no-op, whatever their ballots: a no-op chosen in a higher ballot is replaced by a command of a lower one',
    failsTest: '4.S9',
    property: 'a command accepted by a majority is kept',
  },
  {
    name: 'command-outranks-no-op-at-heartbeat',
    bug: 'command-outranks-no-op in a leader that proposes what phase 1 bound at its next heartbeat tick: a client command proposed at once in the next slot is chosen first',
    failsTest: '4.S9',
    property: 'a command accepted by a majority is kept',
  },
  {
    name: 'heartbeat-same-leader',
    bug: "a follower takes a value it accepted below the heartbeat's chosenBelow as chosen when it accepted it in any ballot of the heartbeat's leader: that leader may have lost the slot to another leader before it led again",
    failsTest: '4.31',
    property: 'chosen by a majority in one ballot',
  },
];
