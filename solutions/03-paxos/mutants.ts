import type { Mutant } from 'distlab/testing';

/**
 * Deliberately broken solutions: classic student bugs, each subtle enough to pass the
 * fault-free smoke test (3.1) and each caught by the test it names, on the property it breaks.
 */
export const mutants: readonly Mutant[] = [
  { name: 'accept-ignores-ballot', bug: 'the acceptor accepts an Accept below its promise', failsTest: '3.3', property: 'no acceptance below the promise' },
  { name: 'no-tiebreak', bug: 'ballots are compared by round only, without the proposer id', failsTest: '3.3', property: 'a promise never decreases' },
  {
    name: 'half-quorum',
    bug: 'a quorum of ceil(N/2) acceptors: half of them, not a majority, when N is even',
    failsTest: '3.4',
    property: 'phase 2 follows its Promises',
  },
  {
    name: 'own-value',
    bug: 'the proposer proposes its own value despite a value reported in the Promises',
    failsTest: '3.5',
    property: 'phase 2 follows its Promises',
  },
  {
    name: 'accepted-written-before-promise',
    bug: 'on an Accept the acceptor writes its acceptance before its raised promise and reads the promise back as stored: a crash between the two writes leaves a promise below its acceptance, and the restarted acceptor promises a ballot in between',
    failsTest: '3.11',
    property: 'a promise never decreases',
  },
  {
    name: 'nack-echoes-ballot',
    bug: "a Nack for a refused Prepare carries the refused ballot as its promise, not the acceptor's: the proposer learns nothing from it and climbs one round per retry past a promise it could outrank at once",
    failsTest: '3.2',
    property: 'a Nack names the promise that beat it',
  },
  {
    name: 'promise-in-memory',
    bug: 'the acceptor keeps its promise only in memory, not in durable storage',
    failsTest: '3.6',
    property: 'durable before answering',
  },
  {
    name: 'learner-mixes-ballots',
    bug: 'the learner counts acceptances of the same value across different ballots',
    failsTest: '3.7',
    property: 'only a chosen value is learned',
  },
  {
    name: 'promise-before-write',
    bug: 'the acceptor sends its Promise and Accepted first and writes them to durable storage after',
    failsTest: '3.11',
    property: 'durable before answering',
  },
  {
    name: 'accepted-before-write',
    bug: 'the acceptor writes its promise before answering a Prepare, but sends Accepted before it writes the acceptance',
    failsTest: '3.11',
    property: 'durable before answering',
  },
  {
    name: 'first-promise-value',
    bug: 'the proposer adopts the value of the first Promise that reports one, not the highest-ballot one',
    failsTest: '3.12',
    property: 'phase 2 follows its Promises',
  },
  {
    name: 'counts-duplicate-promises',
    bug: 'the proposer counts Promise messages rather than acceptors, so a duplicated Promise counts twice',
    failsTest: '3.7',
    property: 'phase 2 follows its Promises',
  },
  {
    name: 'late-promise-counts',
    bug: 'the proposer counts late Promises of its own older ballot toward the current one',
    failsTest: '3.12',
    property: 'phase 2 follows its Promises',
  },
  {
    name: 'repropose-same-ballot',
    bug: "a Propose during an attempt runs phase 1 again with the attempt's own ballot, its Accept already sent",
    failsTest: '3.23',
    property: 'a ballot is used once',
  },
  {
    name: 'same-ballot-retry',
    bug: 'a retry with no Nack in between reuses the ballot of the attempt before',
    failsTest: '3.12',
    property: 'a ballot is used once',
  },
  {
    name: 'ignores-nack-promise',
    bug: 'a proposer takes nothing from a Nack: its next ballot is one round above its own rounds only, so a retry after a Nack from a higher promise is refused again',
    failsTest: '3.6',
    property: 'a new ballot outranks every Nack',
  },
  {
    name: 'ignores-late-nack',
    bug: "a proposer takes a Nack's promise only when the Nack answers its current ballot: one that comes back after a retry is dropped",
    failsTest: '3.17',
    property: 'a new ballot outranks every Nack',
  },
  {
    name: 'restart-forgets-round',
    bug: 'a restarted proposer starts again from round 0, not from the round of its stored promise',
    failsTest: '3.13',
    property: 'a ballot is used once',
  },
  {
    name: 'restart-round-from-accepted',
    bug: "a restarted proposer takes its round from its acceptor's accepted proposal, not its promise: a ballot promised but never accepted is used again",
    failsTest: '3.16',
    property: 'a ballot is used once',
  },
  {
    name: 'acceptance-under-old-promise',
    bug: 'the acceptor stores an accepted proposal under the ballot it had promised before, not the Accept\'s ballot',
    failsTest: '3.6',
    property: 'accepts only what an Accept asked for',
  },
  {
    name: 'promise-reports-first-accepted',
    bug: 'an acceptor\'s Promise reports the first proposal it accepted since it started, not its highest-ballot one',
    failsTest: '3.5',
    property: 'a Promise reports the accepted proposal',
  },
  {
    name: 'promise-reports-under-promised-ballot',
    bug: 'a Promise reports the accepted value under the ballot being promised, not the ballot it was accepted in',
    failsTest: '3.12',
    property: 'a Promise reports the accepted proposal',
  },
  {
    name: 'accept-keeps-promise',
    bug: 'an acceptor that accepts a ballot above its promise does not raise its promise to it',
    failsTest: '3.6',
    property: 'a promise never decreases',
  },
  {
    name: 'learner-needs-one-more',
    bug: 'the learner waits for one acceptance more than a majority: it never learns while a minority of acceptors is down',
    failsTest: '3.15',
    property: 'every learner learns',
  },
  {
    name: 'retry-checks-highest-round',
    bug: 'a Retry is matched against the highest round seen: after a Nack of a higher round the proposer stops trying',
    failsTest: '3.15',
    property: 'an undecided proposer tries again',
  },
  {
    name: 'only-first-proposer-proposes',
    bug: 'only the first proposer acts on Propose; the others ignore it, so there is never a duel',
    failsTest: '3.3',
    property: 'a proposer asked to propose runs phase 1',
  },
  {
    name: 'asks-learners-only',
    bug: 'an undecided learner asks only the other learners, not the proposers: when no learner heard enough Accepted messages, nobody it asks knows',
    failsTest: '3.19',
    property: 'every learner learns',
  },
  {
    name: 'retries-at-once-on-nack',
    bug: 'a proposer refused with a Nack for its current ballot starts a new attempt at once instead of waiting its random Retry: proposers in step interrupt each other for ever',
    failsTest: '3.20',
    property: 'every learner learns',
  },
];
