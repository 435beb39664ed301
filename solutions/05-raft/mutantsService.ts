import type { Mutant } from 'distlab/testing';

/**
 * Part E's deliberately broken solutions: the reference key-value service or client with one
 * classic bug each, caught by the test it names, on the property it breaks.
 */
export const serviceMutants: readonly Mutant[] = [
  {
    name: 'service-ignores-installed-snapshot',
    bug: 'the service loads a snapshot into its map and its at-most-once table only when it restarts from one: a follower caught up by InstallSnapshot applies the later entries to the state it had before, and serves stale values once it leads',
    failsTest: '5E.19',
    property: 'client histories are linearizable',
  },
  {
    name: 'retried-command-applied-twice',
    bug: 'the state machine does not check the at-most-once table when it executes a committed command, so a retry appended before the first copy was executed is executed too',
    failsTest: '5E.4',
    property: 'every command is applied at most once',
  },
  {
    name: 'duplicate-table-last-only',
    bug: "the at-most-once table is read as the client's last command only: a copy of an older command, held back by the network until the client's next one was executed, is executed again",
    failsTest: '5E.18',
    property: 'every command is applied at most once',
  },
  {
    name: 'duplicate-table-not-in-snapshot',
    bug: 'the snapshot holds the map but not the at-most-once table: a server restarted from it executes retries of commands it had executed',
    failsTest: '5E.8',
    property: 'every append takes effect exactly once',
  },


  {
    name: 'client-gives-up-after-timeout',
    bug: 'a client that gets no answer in time sends the operation again as a new command with the next sequence number, so an operation whose reply was lost takes effect twice',
    failsTest: '5E.4',
    property: 'every append takes effect exactly once',
  },
  {
    name: 'client-sequence-in-memory',
    bug: 'the client counts its sequence numbers in memory, not in storage: restarted, it numbers its next command 1 again, and the servers take it for a duplicate of a command they executed',
    failsTest: '5E.16',
    property: 'a client returns only what a server replied',
  },
  {
    name: 'client-sequence-stored-on-return',
    bug: 'the client stores its sequence number when an operation returns, not before it sends it: crashed in the middle of an operation, it gives its next command the number of the one it abandoned, which the servers take for a duplicate',
    failsTest: '5E.17',
    property: 'client histories are linearizable',
  },

];
