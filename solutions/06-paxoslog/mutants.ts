import type { Mutant } from 'distlab/testing';

/**
 * Deliberately broken solutions: each is the reference with one classic bug of the epoch and
 * overthrow design, subtle enough to pass the fault-free smoke test (6.1), and caught by the
 * test it names, on the property it breaks.
 */
export const mutants: readonly Mutant[] = [
  {
    name: 'session-table-not-rebuilt',
    bug: "a restarted server executes its finalized log again into the key-value map but starts its at-most-once table empty: a client's retry of a command executed before the crash is stored in a new slot and executed again",
    failsTest: '6.24',
    property: 'every command is applied at most once',
  },
  {
    name: 'reads-never-resent',
    bug: 'each Read of the recovery walk is sent once: on a lossy network a slot may never get a majority of answers, and the new leader serves nobody',
    failsTest: '6.22',
    property: 'every operation returns',
  },
  {
    name: 'never-resends-overthrow',
    bug: 'a walk short of a majority of answers never sends its Overthrow again: a granter down for good leaves it waiting for ever, though a server that did not grant is up',
    failsTest: '6.23',
    property: 'every operation returns',
  },
  {
    name: 'walk-settles-on-two-answers',
    bug: 'the recovery walk settles a slot once two servers answered, itself and one granter: a majority of 3, but with 5 a new leader may miss an operation a majority stored without that granter',
    failsTest: '6.10',
    property: 'a new leader reads from a majority',
  },
  {
    name: 'leader-skips-read',
    bug: 'a new leader does not read what earlier leaders stored: for each slot it has not finalized it stores again what it holds itself, or a no-op',
    failsTest: '6.S3',
    property: 'an operation stored by a majority is kept',
  },
  {
    name: 'store-below-epoch',
    bug: 'a server accepts a Store of an epoch below its own: it writes the operation and answers ok, so an overthrown leader can still finalize',
    failsTest: '6.5',
    property: 'replies follow storage',
  },
  {
    name: 'counts-duplicate-acks',
    bug: 'the leader counts StoreReply ok messages, not servers: a duplicated reply finalizes a slot before a majority stored it',
    failsTest: '6.8',
    property: 'finalized only after a majority stored it',
  },
  {
    name: 'counts-stale-store-acks',
    bug: 'the leader counts a StoreReply ok whatever its epoch: a late answer to a Store it sent while leading an earlier epoch counts for what it stores in the same slot in its current one',
    failsTest: '6.21',
    property: 'finalized only after a majority stored it',
  },
  {
    name: 'epoch-forgotten-on-restart',
    bug: 'a restarted server starts from epoch 0 instead of reading its epoch back from storage (it still writes it)',
    failsTest: '6.12',
    property: 'epochs never decrease',
  },
  {
    name: 'majority-half-rounded-up',
    bug: 'a majority is counted as half the servers rounded up: right for 3 or 5, but with 4, two servers overthrow, store and finalize',
    failsTest: '6.19',
    property: 'finalized only after a majority stored it',
  },
  {
    name: 'stale-query-resets-timeout',
    bug: 'a passive server sets its LeaderTimeout anew for any Query, before it looks at the epoch: an overthrown leader that can still send keeps everyone from leading once the real leader is gone',
    failsTest: '6.20',
    property: 'the clients reach the majority',
  },
  {
    name: 'only-first-server-leads',
    bug: 'only the first server ever tries to lead: while it is cut off from the majority, nobody overthrows it and the majority serves nobody',
    failsTest: '6.4',
    property: 'the clients reach the majority',
  },
  {
    name: 'keeps-leading-after-rejection',
    bug: 'a leader whose Store or Query is answered with a higher epoch adopts that epoch and goes on leading, storing in it',
    failsTest: '6.5',
    property: 'epochs are owned',
  },
  {
    name: 'rejection-epoch-not-written',
    bug: 'a server whose epoch a reply rejects becomes passive, but neither writes nor notes the higher epoch the reply carried: it stands again in an epoch the cluster has left',
    failsTest: '6.5',
    property: 'an overthrown server writes the higher epoch',
  },
  {
    name: 'ignores-query-rejection',
    bug: 'a leader does not step down when a QueryReply reports a higher epoch: overthrown while its log is idle, it goes on heartbeating in its old epoch until a Store of its is rejected',
    failsTest: '6.13',
    property: 'a rejected leader steps down',
  },
  {
    name: 'catch-up-never-stores',
    bug: 'when a lagging server answers a catch-up Finalize with missing, the leader does nothing: the server never catches up',
    failsTest: '6.12',
    property: 'completed operations reach every live replica',
  },
  {
    name: 'heartbeat-does-not-reset-timeout',
    bug: "a leader's Query does not reset a passive server's LeaderTimeout: while the log is idle, followers overthrow a working leader",
    failsTest: '6.6',
    property: 'no overthrow while a leader is heard',
  },
  {
    name: 'grant-keeps-timeout',
    bug: 'a server that grants an Overthrow notes who leads but leaves its LeaderTimeout running: when its timer was about to fire, it overthrows the candidate it has just backed',
    failsTest: '6.11',
    property: 'an overthrow granted resets the LeaderTimeout',
  },
  {
    name: 'candidate-not-rearmed',
    bug: 'a server that starts an overthrow does not set its LeaderTimeout again: when its Overthrows are lost, it waits for ever for grants, and refuses the servers that could lead instead',
    failsTest: '6.11',
    property: 'a candidate tries again',
  },
  {
    name: 'finalize-any-epoch',
    bug: 'a server told to finalize a slot flags what it holds there whatever epoch it was stored in: an operation an overthrown leader stored, never chosen, is taken as chosen',
    failsTest: '6.13',
    property: 'a finalized slot never changes',
  },
  {
    name: 'picks-first-read-answer',
    bug: 'the recovery walk keeps the first answer that holds an operation for a slot (its own record first), not the one stored in the highest epoch',
    failsTest: '6.S3',
    property: 'an operation stored by a majority is kept',
  },
  {
    name: 'walk-overwrites-late-finalize',
    bug: "a slot of the recovery walk that an older leader's late Finalize finalized meanwhile is stored again in the new epoch, not finalized",
    failsTest: '6.S10',
    property: 'a finalized slot never changes',
  },
];
