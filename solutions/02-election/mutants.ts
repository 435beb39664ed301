import type { Mutant } from 'distlab/testing';

/**
 * Deliberately broken solutions: classic student bugs, each subtle enough to pass its
 * part's fault-free smoke test and each caught by the test it names, on the property it
 * targets. The last is hostile rather than mistaken: it attacks what the checks read.
 */
export const mutants: readonly Mutant[] = [
  { name: 'bully-waits-forever', bug: 'never times out waiting for the Coordinator after an Ok', failsTest: '2A.8', property: 'the highest live id leads' },
  { name: 'bully-ignores-recovered', bug: 'ignores a recovered higher id', failsTest: '2A.9', property: 'the highest live id leads' },
  {
    name: 'bully-leaderless-follows-any-heartbeat',
    bug: "a node that knows no leader follows any node's heartbeat: a restarted highest node gives up its election for a lower leader",
    failsTest: '2A.16',
    property: 'a leader is learned from the election',
  },
  {
    name: 'bully-follows-any-heartbeat',
    bug: "follows any node's heartbeat, so a leader follows a lower one after a heal instead of bullying it",
    failsTest: '2A.6',
    property: 'a leader is learned from the election',
  },
  {
    name: 'bully-follows-heartbeat-below-leader',
    bug: 'follows the heartbeat of any node higher than itself, even one lower than its leader: a late heartbeat of the old leader takes it back',
    failsTest: '2A.16',
    property: 'a leader is learned from the election',
  },
  {
    name: 'bully-reelects-while-waiting',
    bug: 'starts a new election on an Election from a lower id while it waits for the Coordinator',
    failsTest: '2A.11',
    property: 'election messages',
  },
  { name: 'bully-restart-skips-election', bug: 'a restarted node holds no election of its own', failsTest: '2A.12', property: 'the highest live id leads' },
  {
    name: 'bully-accepts-lower-coordinator',
    bug: 'follows a Coordinator from a lower id instead of taking over',
    failsTest: '2A.13',
    property: 'the highest live id leads',
  },
  { name: 'ring-no-skip', bug: 'does not skip a dead successor', failsTest: '2B.8', property: 'the highest live id leads' },
  {
    name: 'ring-lone-leader-stays-participant',
    bug: 'a node whose Election found every other node dead leads but stays a participant: it starts a new election every coordinator timeout',
    failsTest: '2B.17',
    property: 'a lone leader holds no more elections',
  },
  {
    name: 'ring-stale-coordinator-timeout',
    bug: 'a CoordinatorTimeout does not check which election set it: the timer of an election that is over makes the node start another during the next one',
    failsTest: '2B.19',
    property: 'election messages',
  },
  {
    name: 'ring-restarts-own-election',
    bug: 'a node starts a new election whenever it is told to suspect its leader, even while it is a participant already: each suspicion sends another Election round the ring',
    failsTest: '2B.20',
    property: 'election messages',
  },
  {
    name: 'ring-leads-on-older-election',
    bug: 'any Election of a node that runs out of nodes to try makes it lead alone, not only its latest: a newer Election it passed on, from a larger node that came back, may be on its way',
    failsTest: '2B.21',
    property: 'a leader is learned from the election',
  },
  {
    name: 'ring-heartbeat-does-not-reset-suspicion',
    bug: "a heartbeat from the leader does not restart the suspicion timer: every node suspects its leader suspectAfterMs after learning it, and the ring holds elections for nothing",
    failsTest: '2B.2',
    property: 'a leader heard from is not suspected',
  },
  {
    name: 'ring-waits-forever',
    bug: 'a participant never times out waiting for the Coordinator, so an Election lost with a crashed node stalls the ring',
    failsTest: '2B.9',
    property: 'the highest live id leads',
  },
  {
    name: 'ring-only-initiator-times-out',
    bug: 'only the node that started an election times out waiting for the Coordinator; the nodes that joined wait for ever',
    failsTest: '2B.9',
    property: 'the highest live id leads',
  },
  {
    name: 'ring-announces-initiator',
    bug: 'announces the initiator instead of the largest id',
    failsTest: '2B.11',
    property: 'Elections carry the largest id',
  },
  {
    name: 'ring-forwards-smaller',
    bug: 'passes a smaller candidate on instead of putting its own id in its place',
    failsTest: '2B.11',
    property: 'Elections carry the largest id',
  },
  {
    name: 'ring-coordinator-stops-at-initiator',
    bug: 'the node that started the election keeps the Coordinator instead of passing it on',
    failsTest: '2B.11',
    property: 'the Coordinator goes once around',
  },
  {
    name: 'ring-no-suppression',
    bug: 'forwards smaller candidates instead of swallowing them',
    failsTest: '2B.12',
    property: 'participants swallow smaller candidates',
  },
  {
    name: 'ring-never-drops',
    bug: 'never drops an Election that has been round the ring: a dead candidate circulates for ever',
    failsTest: '2B.9',
    property: 'hops count the steps round the ring',
  },
  {
    name: 'ring-drops-without-ack',
    bug: 'drops a ring message with hops over N without acknowledging it: its live sender takes it for dead',
    failsTest: '2B.9',
    property: 'every ring message is acknowledged',
  },
  { name: 'ring-restart-skips-election', bug: 'a restarted node holds no election of its own', failsTest: '2B.13', property: 'the highest live id leads' },
  {
    name: 'bully-coordinator-timer-armed-once',
    bug: 'sets a CoordinatorTimeout only when its flag says none is pending, and clears the flag only when the timer fires: after the first election, none is set again',
    failsTest: '2A.19',
    property: 'the highest live id leads',
  },
  {
    name: 'bully-ignores-coordinator-below-leader',
    bug: 'ignores, unless electing, a Coordinator from a node below the leader it knows: a node that took no part in an election follows the dead leader',
    failsTest: '2A.20',
    property: 'the highest live id leads',
  },
  {
    name: 'bully-follows-without-watching',
    bug: "following a leader does not start the wait for its heartbeats: a leader that dies before its first heartbeat is never suspected",
    failsTest: '2A.21',
    property: 'the highest live id leads',
  },
  { name: 'bully-restart-clears-flag', bug: 'a restarted node clears startedBefore: its second restart holds no election', failsTest: '2A.22', property: 'the highest live id leads' },
  {
    name: 'ring-coordinator-timer-armed-once',
    bug: 'sets a CoordinatorTimeout only when its flag says none is pending, clears the flag only when the timer fires, and cancels the timer on a Coordinator',
    failsTest: '2B.22',
    property: 'the highest live id leads',
  },
  {
    name: 'ring-follows-without-watching',
    bug: "following the leader a Coordinator names does not start the wait for its heartbeats: a leader that dies before its first heartbeat is never suspected",
    failsTest: '2B.23',
    property: 'the highest live id leads',
  },
  {
    name: 'ring-ignores-smaller-coordinator',
    bug: 'follows a Coordinator naming a smaller node without starting an election of its own',
    failsTest: '2B.24',
    property: 'the highest live id leads',
  },
  { name: 'ring-restart-clears-flag', bug: 'a restarted node clears startedBefore: its second restart holds no election', failsTest: '2B.25', property: 'the highest live id leads' },
  {
    name: 'hostile-empties-servers',
    bug: 'claims n0 leads and tries to empty this.servers and this.peers and to change this.config',
    failsTest: '2A.3',
    property: 'a leader is learned from the election',
  },
];
