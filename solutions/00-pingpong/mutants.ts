import type { Mutant } from 'distlab/testing';

/**
 * Deliberately broken solutions: classic student bugs, each subtle enough to pass the
 * fault-free smoke test and each caught by the test it names, on the property it targets.
 */
export const mutants: readonly Mutant[] = [
  { name: 'no-dedup', bug: 'reports duplicate Pongs as new answers', failsTest: '0.3', property: 'each ping answered at most once' },
  { name: 'no-retry', bug: 'never re-sends a lost Ping', failsTest: '0.2', property: 'every ping answered' },
  { name: 'gives-up', bug: 'stops re-sending after three tries', failsTest: '0.5', property: 'every ping answered' },
  { name: 'answers-on-resend', bug: 'reports a ping answered when it re-sends its Ping, before any Pong', failsTest: '0.2', property: 'each answer follows its Pong' },
  {
    name: 'stale-pong-to-oldest',
    bug: 'takes a duplicate or late Pong as the answer to its oldest outstanding ping',
    failsTest: '0.3',
    property: 'each answer follows its Pong',
  },
  { name: 'stray-answer-first', bug: 'reports a ping never asked for, then the right answer, in one reaction', failsTest: '0.2', property: 'only pings asked for are answered' },
  { name: 'retry-after-answer', bug: 're-sends a Ping after its answer arrived', failsTest: '0.6', property: 'two messages per ping' },
  { name: 'two-timers-per-ping', bug: 'sets a second RetryPing timer on SendPing: an unanswered Ping goes out twice every retry period', failsTest: '0.7', property: 'no Ping sent again before retryMs' },
  { name: 'retry-period-hard-coded', bug: 'retries every 100 ms, written in, instead of this.config.retryMs', failsTest: '0.8', property: 'no Ping sent again before retryMs' },
  {
    name: 'one-timer-for-all',
    bug: 'one RetryPing timer for all pings, set again at every SendPing: while new pings keep coming it never fires',
    failsTest: '0.10',
    property: 'outstanding pings are sent again',
  },
];
