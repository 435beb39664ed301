/**
 * distlab's framework: the one module labs, solutions, suites and the grader import.
 *
 * Students need {@link Node}, {@link unreachable} and the types of their lab's protocol;
 * suites and tools use the simulator, properties, fault schedules and traces.
 */
export { Node, unreachable, type NodeClass } from './Node.ts';
export type { DurableStorage } from './DurableStorage.ts';
export { nodeName, type Delay, type NodeId, type Protocol, type Role, type Tagged } from './types.ts';
export {
  simulate,
  SettingsError,
  type EndReason,
  type Failure,
  type FailureKind,
  type NodeSpec,
  type ScheduledInput,
  type SimulationResult,
  type SimulationSettings,
} from './simulation.ts';
export { defaultNetwork, validateNetwork, type DelayDistribution, type NetworkSettings } from './network.ts';
export { describeFault, validateSchedule, type FaultAction, type FaultSchedule } from './faults.ts';
export { formatTraceEvent, serializeTrace, type TraceEvent, type TraceKind } from './trace.ts';
export {
  always,
  eventually,
  type Counters,
  type InputRecord,
  type MessageEvent,
  type OutputRecord,
  type Property,
  type Workload,
  type WorkloadContext,
  type World,
} from './world.ts';
export { RandomSource } from './_internals/random.ts';
export { DeterminismError } from './_internals/guards.ts';
export { PlainDataError, copyPlain, equalPlain, hashPlain, formatPlain, toJsonValue } from './_internals/plainData.ts';
export {
  explore,
  probe,
  traceSearchPath,
  replaySearchPath,
  describeSearchEvent,
  NoClockError,
  SearchState,
  type ProbeSettings,
  type SearchEvent,
  type SearchGoal,
  type SearchOutcome,
  type SearchResult,
  type SearchSettings,
  type SearchStatistics,
  type SearchView,
  type StateInvariant,
  type TransitionInvariant,
} from './search.ts';
