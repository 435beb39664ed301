import type { Mutant } from 'distlab/testing';

/**
 * Deliberately broken solutions: classic student bugs, each subtle enough to pass its
 * part's fault-free smoke test and each caught by the test it names.
 */
export const mutants: readonly Mutant[] = [
  { name: 'centralized-grant-before-release', bug: 'the coordinator grants before the holder released', failsTest: '1A.2' },
  { name: 'centralized-lifo', bug: 'the coordinator serves the newest request first', failsTest: '1A.4' },
  { name: 'token-pass-while-holding', bug: 'passes the token on while still in the critical section', failsTest: '1B.2' },
  { name: 'lamport-early-entry', bug: 'enters before hearing from every other node', failsTest: '1C.2' },
  { name: 'lamport-no-tiebreak', bug: 'compares timestamps without the id tie-break', failsTest: '1C.2' },
  { name: 'ra-reply-in-cs', bug: 'replies to requests while in the critical section', failsTest: '1D.2' },
  { name: 'ra-clock-not-advanced', bug: 'does not move its clock past received timestamps', failsTest: '1D.5' },
];
