import type { Mutant } from 'distlab/testing';

/**
 * Part F's deliberately broken solutions: each is the reference (its Raft and, on it, its
 * key-value service) with one classic bug of membership change, caught by the test it names,
 * on the property it breaks. test/labs/raftMembership.test.ts shows each bug doing damage in a
 * plain Raft cluster.
 */
export const membershipMutants: readonly Mutant[] = [
  {
    name: 'change-effective-when-committed',
    bug: 'on a follower or candidate, a configuration entry takes effect only once it is known to be committed: a candidate whose log ends with C_old,new wins with the votes of a majority of C_old alone',
    failsTest: '5F.6',
    property: 'at most one leader per term',
  },
  {
    name: 'install-keeps-own-configuration',
    bug: "a server that installs a snapshot, and then holds no configuration entry in its log, keeps the configuration it had instead of the snapshot's: a follower cut off through a change votes and stands with the old voters",
    failsTest: '5F.19',
    property: 'a candidate asks every voter',
  },
  {
    name: 'candidate-asks-old-voters-only',
    bug: 'a candidate asks only the voters of C_old for votes, also while C_old,new is in force',
    failsTest: '5F.16',
    property: 'a candidate asks every voter',
  },
  {
    name: 'new-configuration-alone-during-joint',
    bug: 'while C_old,new is in force, elections and commitment count a majority of C_new only, not of C_old as well',
    failsTest: '5F.2',
    property: 'no decision by one configuration alone while a joint configuration is in force',
  },
  {
    name: 'learner-counted-before-caught-up',
    bug: 'with several servers added at once, C_old,new is appended as soon as one of them has caught up: the others count in the majorities of C_new while they still lack the log',
    failsTest: '5F.9',
    property: 'new servers catch up before they count',
  },
  {
    name: 'removed-leader-steps-down-silently',
    bug: 'a leader that is not in C_new steps down as soon as C_new is committed, without sending the followers the new leaderCommit',
    failsTest: '5F.4',
    property: 'a removed leader tells the followers C_new is committed',
  },
  {
    name: 'request-votes-never-ignored',
    bug: 'a server never ignores a RequestVote, even within the minimum election timeout of hearing from its leader: a removed server that missed C_new deposes the leader again and again',
    failsTest: '5F.8',
    property: 'removed servers do not disrupt the cluster',
  },
  {
    name: 'removed-leader-keeps-leading',
    bug: 'a leader that is not in C_new does not step down once C_new is committed: it goes on sending heartbeats and taking commands',
    failsTest: '5F.4',
    property: 'a removed leader steps down',
  },
  {
    name: 'change-before-own-term-commit',
    bug: "a leader refuses a change only while a change it started itself is in progress: a new leader starts one before it has committed an entry of its term, over an earlier leader's unfinished change",
    failsTest: '5F.10',
    property: "a change waits for an entry of the leader's term",
  },
  {
    name: 'snapshot-without-configuration',
    bug: 'the snapshot keeps the service state but not the configuration of the entries it replaces: a server that catches up from it, or restarts from it, counts majorities of config.initialVoters',
    failsTest: '5F.5',
    property: 'a snapshot keeps the configuration in force at its last index',
  },
  {
    name: 'announces-only-own-change',
    bug: "a leader outputs MembershipChanged only for a C_new of its own term: a new leader whose no-op commits an earlier leader's C_new applies it without a word",
    failsTest: '5F.14',
    property: 'the membership change completes',
  },
  {
    name: 'configuration-kept-when-cut',
    bug: 'a server keeps the configuration it is in when the entry that holds it is cut from its log: leading later, it finishes a change nobody asked for',
    failsTest: '5F.15',
    property: 'one change at a time',
  },
  {
    name: 'configuration-before-snapshot',
    bug: 'a restarted server works out its configuration before it reads back its snapshot and log: where the configuration in force is in its snapshot alone, it counts votes among the first voters until its log next changes the configuration',
    failsTest: '5F.20',
    property: 'a candidate asks every voter',
  },
];
