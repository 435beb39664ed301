// Golden traces: each lab's scenarios (labs/<lab>/scenarios.json) re-run on its reference
// solution must print the trace lines and outcome written in the file. A change to a random
// source's label, to the order of events or to the trace format changes what every replay
// code shows, so it must be a diff someone reviews. After an intended change:
//   DISTLAB_REWRITE_SCENARIOS=1 npx vitest run test/scenarios
// rewrites the expected lines (the scenarios' tests, seeds, schedules and paths stay), and
// `git diff labs/*/scenarios.json` shows what changed.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { LabSuite } from '../../framework/suite.ts';
import { hiddenTests as pingPongHidden } from '../../labs/00-pingpong/hidden.ts';
import { suite as pingPongVisible } from '../../labs/00-pingpong/suite.ts';
import { suite as mutexSuite } from '../../labs/01-mutex/suite.ts';
import { suite as electionSuite } from '../../labs/02-election/suite.ts';
import { hiddenTests as paxosHidden } from '../../labs/03-paxos/hidden.ts';
import { suite as paxosVisible } from '../../labs/03-paxos/suite.ts';
import { hiddenTests as multipaxosHidden } from '../../labs/04-multipaxos/hidden.ts';
import { suite as multipaxosVisible } from '../../labs/04-multipaxos/suite.ts';
import { hiddenTests as raftHidden } from '../../labs/05-raft/hidden.ts';
import { suite as raftVisible } from '../../labs/05-raft/suite.ts';
import { hiddenTests as paxosLogHidden } from '../../labs/06-paxoslog/hidden.ts';
import { suite as paxosLogVisible } from '../../labs/06-paxoslog/suite.ts';
import * as pingPong from '../../solutions/00-pingpong/index.ts';
import * as mutex from '../../solutions/01-mutex/index.ts';
import * as election from '../../solutions/02-election/index.ts';
import * as paxos from '../../solutions/03-paxos/index.ts';
import * as multipaxos from '../../solutions/04-multipaxos/index.ts';
import * as raft from '../../solutions/05-raft/index.ts';
import * as paxosLog from '../../solutions/06-paxoslog/index.ts';
import { withHiddenTests } from '../../grader/hiddenTests.ts';
import { firstDifference } from '../conformance/normalize.ts';
import { playScenario, readScenarioFile, scenarioPath, writeScenarioFile, type Played, type Scenario } from './scenarioFile.ts';

const rewrite = process.env.DISTLAB_REWRITE_SCENARIOS === '1';

/** A lab and its reference solution, whatever its implementation type. */
interface Lab {
  readonly lab: string;
  play(scenario: Scenario): Played;
}

// Golden traces cover hidden tests too: the suites as the grader merges them.
const pingPongSuite = withHiddenTests(pingPongVisible, pingPongHidden);
const paxosSuite = withHiddenTests(paxosVisible, paxosHidden);
const multipaxosSuite = withHiddenTests(multipaxosVisible, multipaxosHidden);
const raftSuite = withHiddenTests(raftVisible, raftHidden);
const paxosLogSuite = withHiddenTests(paxosLogVisible, paxosLogHidden);

function lab<I>(suite: LabSuite<I>, implementation: I): Lab {
  return { lab: suite.lab, play: (scenario) => playScenario(suite, implementation, scenario) };
}

const labs: readonly Lab[] = [lab(pingPongSuite, pingPong), lab(mutexSuite, mutex), lab(electionSuite, election), lab(paxosSuite, paxos), lab(multipaxosSuite, multipaxos), lab(raftSuite, raft), lab(paxosLogSuite, paxosLog)];

for (const { lab: name, play } of labs) {
  if (!existsSync(scenarioPath(name))) {
    // A lab whose suite cannot run yet has no file; the skipped test keeps the gap in sight.
    describe.skip(`labs/${name}/scenarios.json does not exist yet`, () => {
      it('has scenarios', () => {});
    });
    continue;
  }
  describe(`labs/${name}/scenarios.json`, () => {
    const file = readScenarioFile(name);
    const rewritten = new Map<string, Played>();

    it('has scenarios', () => {
      expect(file.scenarios.length).toBeGreaterThan(0);
    });

    for (const scenario of file.scenarios) {
      it(`${scenario.name} (test ${scenario.test}, seed ${scenario.seed})`, () => {
        const played = play(scenario);
        if (rewrite) {
          rewritten.set(scenario.name, played);
          return;
        }
        if (scenario.trace === undefined || scenario.outcome === undefined) {
          throw new Error(`no expected trace yet: write it with DISTLAB_REWRITE_SCENARIOS=1 npx vitest run test/scenarios`);
        }
        const difference = firstDifference([...scenario.trace, scenario.outcome], [...played.trace, played.outcome], { expected: 'expected', actual: 'actual' });
        if (difference !== undefined) {
          throw new Error(
            `labs/${name}/scenarios.json, scenario "${scenario.name}" (test ${scenario.test}, seed ${scenario.seed}) no longer gives its trace.\n` +
              `${difference}\n` +
              'A replay code of this test and seed, as students hold them, would now show a different run. If that is intended, rewrite the expected traces with\n' +
              '  DISTLAB_REWRITE_SCENARIOS=1 npx vitest run test/scenarios\n' +
              'and review `git diff labs/*/scenarios.json`.',
          );
        }
      });
    }

    afterAll(() => {
      if (!rewrite || rewritten.size === 0) return;
      writeScenarioFile({
        ...file,
        scenarios: file.scenarios.map((scenario) => {
          const played = rewritten.get(scenario.name);
          return played === undefined ? scenario : { ...scenario, trace: played.trace, outcome: played.outcome };
        }),
      });
    });
  });
}
