// The two ways the conformance test lines the drivers up: a run whose stimuli the reference
// driver and the model checker follow, and a path of the model checker's own choices that
// the reference driver follows. Each throws the first difference it finds.
import fc from 'fast-check';
import { replaySearchPath, type SearchEvent, type SearchSettings } from '../../framework/search.ts';
import { simulate, type SimulationResult } from '../../framework/simulation.ts';
import type { FaultAction, FaultSchedule } from '../../framework/faults.ts';
import type { NetworkSettings } from '../../framework/network.ts';
import type { NodeId, Protocol, Tagged } from '../../framework/types.ts';
import { firstDifference, normalizeTrace } from './normalize.ts';
import { historyProbe } from './observe.ts';
import { ReferenceDriver } from './referenceDriver.ts';
import type { InitialInput, Subject } from './subjects.ts';

const searchStepsMax = 40;
/** Crash faults per run, and the most effects a run's crash may wait for. */
const runCrashesMax = 3;
const afterEffectsMax = 3;
/** A run that reaches this many events fails with "event limit": the drivers are compared up to there. */
const runEventsMax = 5_000;
/** The model checker may crash a node after 0 or 1 of a reaction's surviving effects. */
const midReactionChoices = 2;

/** Throws the first difference between two line lists, named for the report. */
function expectSame(expected: readonly string[], actual: readonly string[], what: string, names: { expected: string; actual: string }): void {
  const difference = firstDifference(expected, actual, names);
  if (difference !== undefined) throw new Error(`${what}: ${difference}`);
}

// A run, and the reference driver and the model checker made to follow it.

export interface RunCase<P extends Protocol> {
  readonly seed: string;
  readonly network: Partial<NetworkSettings>;
  readonly faults: FaultSchedule;
  readonly initialInputs: readonly InitialInput<P>[];
  readonly laterInputs: readonly { readonly atMs: number; readonly node: NodeId; readonly input: P['input'] }[];
}

export function runCases<P extends Protocol>(subject: Subject<P>): fc.Arbitrary<RunCase<P>> {
  const crash = fc.record({
    atMs: fc.integer({ min: 1, max: subject.durationMs }),
    node: fc.constantFrom(...(subject.crashable.length > 0 ? subject.crashable : [0])),
    afterEffects: fc.option(fc.integer({ min: 0, max: afterEffectsMax }), { nil: undefined }),
    restartAfterMs: fc.option(fc.integer({ min: 1, max: 150 }), { nil: undefined }),
  });
  const faults =
    subject.crashable.length === 0
      ? fc.constant<FaultSchedule>([])
      : fc.array(crash, { maxLength: runCrashesMax }).map((crashes) =>
          crashes.flatMap(({ atMs, node, afterEffects, restartAfterMs }): FaultAction[] => [
            afterEffects === undefined ? { atMs, type: 'crash', node } : { atMs, type: 'crash', node, afterEffects },
            ...(restartAfterMs === undefined ? [] : [{ atMs: atMs + restartAfterMs, type: 'restart' as const, node }]),
          ]),
        );
  const network = fc.record({
    maxDelayMs: fc.integer({ min: 1, max: 30 }),
    dropRate: fc.constantFrom(0, 0, 0.1, 0.3),
    duplicateRate: subject.duplicates ? fc.constantFrom(0, 0, 0.2) : fc.constant(0),
  });
  return fc.record({
    seed: fc.integer({ min: 1, max: 1_000_000 }).map(String),
    network: network.map(({ maxDelayMs, dropRate, duplicateRate }) => ({ delay: { kind: 'uniform' as const, minMs: 1, maxMs: maxDelayMs }, dropRate, duplicateRate, fifo: subject.fifo })),
    faults,
    initialInputs: subject.initialInputs,
    // Mostly none: the model checker follows a run only up to its first input after the start.
    laterInputs: fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, { arbitrary: subject.laterInputs, weight: 1 }),
  });
}

export function checkRun<P extends Protocol>(subject: Subject<P>, run: RunCase<P>): void {
  const simulated = historyProbe<P>();
  const result: SimulationResult<P> = simulate<P>({
    seed: run.seed,
    nodes: subject.nodes,
    config: subject.config,
    network: run.network,
    faults: run.faults,
    inputs: [...run.initialInputs.map(({ node, input }) => ({ atMs: 0, node, input })), ...run.laterInputs],
    ...(subject.workload === undefined ? {} : { workload: subject.workload() }),
    properties: [simulated.property],
    durationMs: subject.durationMs,
    maxEvents: runEventsMax,
    trace: 'full',
  });
  const reference = new ReferenceDriver<P>({ nodes: subject.nodes, config: subject.config, seed: run.seed, fifo: subject.fifo });
  // The path the model checker follows: the run's stimuli up to its first input after the start.
  const path: SearchEvent[] = [];
  const searchInputs: InitialInput<P>[] = [];
  let started = false;
  let cut: { lines: string[]; history: string[]; cluster: string[] } | undefined;
  const armed = new Map<NodeId, number>();
  const takeArmed = (node: NodeId) => {
    const afterEffects = armed.get(node);
    armed.delete(node);
    return afterEffects;
  };
  const follow = (event: SearchEvent, afterEffects: number | undefined, cutShort: boolean) => {
    if (cut !== undefined) return;
    if (afterEffects !== undefined && cutShort && (event.kind === 'deliver' || event.kind === 'timer')) path.push({ ...event, crashAfter: afterEffects });
    else path.push(event);
    // An armed crash that cut nothing: under search, the reaction and then a crash.
    if (afterEffects !== undefined && !cutShort && (event.kind === 'deliver' || event.kind === 'timer')) path.push({ kind: 'crash', node: event.kind === 'deliver' ? event.to : event.node });
  };
  reference.guarded(() => {
    for (const event of result.trace) {
      reference.setClock(event.timeMs);
      switch (event.kind) {
        case 'start':
          reference.start(event.node);
          break;
        case 'input': {
          if (event.reason !== undefined) break;
          const input = event.detail as P['input'];
          // Inputs at 0 ms come right after the start, as a search's initial inputs do.
          if (!started && event.timeMs === 0) searchInputs.push({ node: event.node, input });
          else cut ??= { lines: reference.renderLines('search'), history: reference.renderHistory('search'), cluster: reference.clusterLines() };
          reference.input(event.node, input, takeArmed(event.node), true);
          break;
        }
        case 'deliver': {
          started = true;
          const message = event.detail as Tagged;
          const afterEffects = takeArmed(event.node);
          const cutShort = reference.deliver(event.peer, event.node, message, afterEffects, true);
          follow({ kind: 'deliver', from: event.peer, to: event.node, message }, afterEffects, cutShort);
          break;
        }
        case 'timer-fire': {
          started = true;
          const timer = event.detail as Tagged;
          const afterEffects = takeArmed(event.node);
          const cutShort = reference.fire(event.node, timer, afterEffects, true);
          follow({ kind: 'timer', node: event.node, timer }, afterEffects, cutShort);
          break;
        }
        case 'crash':
          // A crash in the middle of a reaction was the reaction's own doing (above).
          if (event.reason?.startsWith('in on') === true) break;
          started = true;
          armed.delete(event.node);
          reference.crash(event.node);
          follow({ kind: 'crash', node: event.node }, undefined, false);
          break;
        case 'restart':
          started = true;
          reference.restart(event.node);
          follow({ kind: 'restart', node: event.node }, undefined, false);
          break;
        case 'fault': {
          const armedCrash = /crash n(\d+) in its next reaction, after (\d+) effect/.exec(event.label);
          if (armedCrash !== null && !reference.isCrashed(Number(armedCrash[1]))) armed.set(Number(armedCrash[1]), Number(armedCrash[2]));
          break;
        }
        default:
          break;
      }
      if (event.kind === 'violation') break;
    }
  });
  const context = `run seed ${run.seed}, network ${JSON.stringify(run.network)}, faults ${JSON.stringify(run.faults)}`;
  const simulatorLines = normalizeTrace(result.trace, { withDueTimes: true });
  // The event limit is the run's verdict, not a node's doing: the reference cannot know it.
  if (result.failure?.kind === 'limit') simulatorLines.pop();
  expectSame(reference.renderLines('run'), simulatorLines, `simulator trace (${context})`, {
    expected: 'reference',
    actual: 'simulator',
  });
  expectSame(reference.renderHistory('run'), simulated.latest.history, `simulator history (${context})`, { expected: 'reference', actual: 'simulator' });
  expectSame(reference.clusterLines(), simulated.latest.cluster, `simulator cluster view at the end (${context})`, { expected: 'reference', actual: 'simulator' });

  const searched = historyProbe<P>();
  const everyone = subject.nodes.map((_spec, id) => id);
  const settings: SearchSettings<P> = {
    seed: run.seed,
    nodes: subject.nodes,
    config: subject.config,
    inputs: searchInputs,
    // Under duplication a delivered message stays in flight, so every delivery of the run is possible.
    duplicates: true,
    fifo: subject.fifo,
    // Enough for every crash of the run, and every cut a run's `afterEffects` can make.
    crashes: { nodes: everyone, max: runCrashesMax * 2, restart: true, midReaction: afterEffectsMax + 1 },
    properties: [searched.property],
  };
  const replay = replaySearchPath(settings, path);
  const expected = cut ?? { lines: reference.renderLines('search'), history: reference.renderHistory('search'), cluster: reference.clusterLines() };
  const searchContext = `${context}, followed for ${path.length} events`;
  expectSame(expected.lines, normalizeTrace(replay.trace, { withDueTimes: false }), `model checker trace (${searchContext})`, {
    expected: 'reference',
    actual: 'model checker',
  });
  expectSame(expected.history, searched.latest.history, `model checker history (${searchContext})`, { expected: 'reference', actual: 'model checker' });
  expectSame(expected.cluster, searched.latest.cluster, `model checker cluster view (${searchContext})`, { expected: 'reference', actual: 'model checker' });
}

// A path chosen among the model checker's own choices, replayed by it and by the reference.

export interface SearchCase<P extends Protocol> {
  readonly seed: string;
  readonly initialInputs: readonly InitialInput<P>[];
  /** Per step: which enabled event, and whether (and after how many effects) it crashes its node. */
  readonly choices: readonly { readonly pick: number; readonly crash: number }[];
}

export function searchCases<P extends Protocol>(subject: Subject<P>): fc.Arbitrary<SearchCase<P>> {
  return fc.record({
    seed: fc.integer({ min: 1, max: 1_000_000 }).map(String),
    initialInputs: subject.initialInputs,
    choices: fc.array(fc.record({ pick: fc.nat(), crash: fc.integer({ min: 0, max: 7 }) }), { maxLength: searchStepsMax }),
  });
}

export function checkSearchPath<P extends Protocol>(subject: Subject<P>, search: SearchCase<P>): void {
  const maxCrashes = 3;
  const reference = new ReferenceDriver<P>({ nodes: subject.nodes, config: subject.config, seed: search.seed, fifo: subject.fifo });
  const path: SearchEvent[] = [];
  reference.guarded(() => {
    for (let id = 0; id < reference.nodeCount; id++) reference.start(id);
    for (const { node, input } of search.initialInputs) reference.input(node, input);
    for (const choice of search.choices) {
      if (reference.failure !== undefined) break;
      const events = reference.enabled(subject.crashable, maxCrashes, true);
      if (events.length === 0) break;
      const event = events[choice.pick % events.length] as SearchEvent;
      const mayCrash = (node: NodeId) => subject.crashable.includes(node) && reference.crashes < maxCrashes && choice.crash < midReactionChoices;
      switch (event.kind) {
        case 'deliver': {
          const crashAfter = mayCrash(event.to) ? choice.crash : undefined;
          const cutShort = reference.deliver(event.from, event.to, event.message, crashAfter);
          path.push(cutShort ? { ...event, crashAfter } : event);
          break;
        }
        case 'timer': {
          const crashAfter = mayCrash(event.node) ? choice.crash : undefined;
          const cutShort = reference.fire(event.node, event.timer, crashAfter);
          path.push(cutShort ? { ...event, crashAfter } : event);
          break;
        }
        case 'crash':
          reference.crash(event.node);
          path.push(event);
          break;
        case 'restart':
          reference.restart(event.node);
          path.push(event);
          break;
        case 'drop':
          break;
      }
    }
  });
  const searched = historyProbe<P>();
  const settings: SearchSettings<P> = {
    seed: search.seed,
    nodes: subject.nodes,
    config: subject.config,
    inputs: search.initialInputs,
    fifo: subject.fifo,
    crashes: { nodes: subject.crashable, max: maxCrashes, restart: true, midReaction: midReactionChoices },
    properties: [searched.property],
  };
  const replay = replaySearchPath(settings, path);
  const context = `search seed ${search.seed}, ${path.length} events`;
  expectSame(reference.renderLines('search'), normalizeTrace(replay.trace, { withDueTimes: false }), `model checker trace (${context})`, {
    expected: 'reference',
    actual: 'model checker',
  });
  expectSame(reference.renderHistory('search'), searched.latest.history, `model checker history (${context})`, { expected: 'reference', actual: 'model checker' });
  expectSame(reference.clusterLines(), searched.latest.cluster, `model checker cluster view (${context})`, { expected: 'reference', actual: 'model checker' });
}
