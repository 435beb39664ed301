import type { Mutant } from 'distlab/testing';

/**
 * Deliberately broken solutions: classic student bugs, each subtle enough to pass its
 * part's fault-free smoke test and each caught by the test it names, on the property it
 * breaks.
 */
export const mutants: readonly Mutant[] = [
  { name: 'centralized-grant-before-release', bug: 'the coordinator grants before the holder released', failsTest: '1A.2', property: 'one Grant at a time, from the coordinator' },
  {
    name: 'centralized-falsy-holder',
    bug: 'the coordinator asks `!this.holder` whether the resource is free: while n0 holds it, id 0 reads as nobody, and the next request is granted at once',
    failsTest: '1A.6',
    property: 'one Grant at a time, from the coordinator',
  },
  { name: 'centralized-lifo', bug: 'the coordinator serves the newest request first', failsTest: '1A.4', property: 'FIFO grants' },
  { name: 'token-pass-while-holding', bug: 'passes the token on while still in the critical section', failsTest: '1B.2', property: 'mutual exclusion' },
  { name: 'lamport-early-entry', bug: 'enters before hearing from every other node', failsTest: '1C.2', property: 'hears from every other node before entering' },
  { name: 'lamport-no-tiebreak', bug: 'compares timestamps without the id tie-break', failsTest: '1C.2', property: 'enters at the head of its queue' },
  { name: 'lamport-no-tick-on-send', bug: 'the clock moves only when a message arrives, never before a send: a later message of a node can carry the stamp of its earlier one', failsTest: '1C.5', property: 'stamps increase at every node' },
  {
    name: 'lamport-counts-any-message',
    bug: 'takes any message from another node since its Acquire as that node\'s answer, whatever its stamp: a late Reply to its previous request counts for the next one',
    failsTest: '1C.11',
    property: 'hears from every other node before entering',
  },
  { name: 'ra-reply-in-cs', bug: 'replies to requests while in the critical section', failsTest: '1D.2', property: 'mutual exclusion' },
  { name: 'ra-clock-not-advanced', bug: 'does not move its clock past received timestamps', failsTest: '1D.5', property: 'clock condition' },
  { name: 'ra-no-tick-on-send', bug: 'Requests and Replies carry the current clock, which moves only when a message arrives: a later message of a node can carry the stamp of its earlier one', failsTest: '1D.5', property: 'stamps increase at every node' },
];
