import type { Mutant } from 'distlab/testing';

/**
 * Deliberately broken solutions: classic student bugs, each subtle enough to pass its
 * part's fault-free smoke test and each caught by the test it names, on the property it
 * targets. The last is hostile rather than mistaken: it attacks what the checks read.
 */
export const mutants: readonly Mutant[] = [
  { name: 'bully-waits-forever', bug: 'never times out waiting for the Coordinator after an Ok', failsTest: '2A.8', property: 'the highest live id leads' },
  { name: 'bully-ignores-recovered', bug: 'ignores a recovered higher id', failsTest: '2A.9', property: 'the highest live id leads' },
  { name: 'ring-no-skip', bug: 'does not skip a dead successor', failsTest: '2B.8', property: 'the highest live id leads' },
  { name: 'ring-announces-initiator', bug: 'announces the initiator instead of the largest id', failsTest: '2B.11', property: 'the highest live id leads' },
  { name: 'ring-no-suppression', bug: 'forwards smaller candidates instead of swallowing them', failsTest: '2B.12', property: 'election messages' },
  {
    name: 'hostile-empties-servers',
    bug: 'claims n0 leads and tries to empty this.servers and this.peers and to change this.config',
    failsTest: '2A.3',
    property: 'the highest live id leads',
  },
];
