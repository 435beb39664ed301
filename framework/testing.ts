/**
 * distlab for suite authors: run nodes (`simulate`), search their interleavings (`explore`,
 * `probe`), state properties once for both (`always`, `eventually`, `sometimes`, `budget`),
 * generate fault schedules, and declare graded tests (`runTest`, `searchTest`).
 * See docs/testing.md.
 */
export * from './index.ts';
export {
  simulate,
  SettingsError,
  type EndReason,
  type Failure,
  type FailureFields,
  type FailureKind,
  type InputRecord,
  type NodeSpec,
  type OutputRecord,
  type ScheduledInput,
  type SimulationResult,
  type SimulationSettings,
  type Workload,
  type WorkloadContext,
} from './simulation.ts';
export {
  always,
  budget,
  eventually,
  sometimes,
  type ClusterLayout,
  type ClusterView,
  type Counters,
  type HistoryEvent,
  type HistoryKind,
  type InFlightMessage,
  type Property,
  type PropertyDefinition,
  type PropertyKind,
} from './properties.ts';
export {
  clientsSpeakTheKitProtocol,
  keepsTheDeclaredState,
  kvClientMessages,
  kvCommandShape,
  kvServerOutputs,
  speaksTheProtocol,
  type DeclaredMessage,
  type DeclaredOutput,
  type DeclaredShape,
  type DeclaredState,
  type DeclaredValue,
  type FieldKind,
  type MessageRoute,
} from './protocolShape.ts';
export { defaultNetwork, validateNetwork, type DelayDistribution, type NetworkSettings } from './network.ts';
export { describeFault, validateSchedule, type CrashReaction, type FaultAction, type FaultSchedule } from './faults.ts';
export * from './faultGenerators.ts';
export {
  bridge,
  cutBetween,
  drawNodes,
  halves,
  lateAnswerScenario,
  lateAnswerTimes,
  majorityPhases,
  majorityRing,
  n0LeadsFirst,
  onlyThroughNode,
  serversApart,
  shapedPartitions,
  slowMoment,
  stabilize,
  type LateAnswerTimes,
} from './partitionShapes.ts';
export {
  formatTraceEvent,
  initialNodeState,
  nodeStatesAt,
  serializeTrace,
  stateChangesFrom,
  type NodeStateSnapshot,
  type StateChange,
  type StatePatch,
  type StatePathKey,
  type TraceEvent,
  type TraceKind,
} from './trace.ts';
export { applyStatePatches } from './_internals/stateDiff.ts';
export {
  explore,
  exploreInParallel,
  probe,
  probeInParallel,
  traceSearchPath,
  replaySearchPath,
  describeSearchEvent,
  checkLiveAgreement,
  NoClockError,
  SearchState,
  type LiveCheckSettings,
  type LiveDisagreement,
  type ParallelSettings,
  type ProbeSettings,
  type SettingsSource,
  type SearchEvent,
  type SearchOutcome,
  type SearchResult,
  type SearchSettings,
  type SearchStatistics,
} from './search.ts';
export {
  checkSuite,
  runSeed,
  runTest,
  searchTest,
  type FaultContext,
  type SuiteTest,
  type LabSuite,
  type Mutant,
  type PreparedRun,
  type PreparedSearch,
  type RunSetup,
  type RunTest,
  type SearchSpec,
  type SearchTest,
  type TestInfo,
  type TestKind,
  type Visibility,
} from './suite.ts';
export { RandomSource } from './_internals/random.ts';
export { DeterminismError } from './_internals/guards.ts';
export { PlainDataError, copyPlain, equalPlain, hashPlain, formatPlain, toJsonValue } from './_internals/plainData.ts';
export { checkLinearizability, formatLinearizabilityResult } from './linearizability/checker.ts';
export {
  keyValueModel,
  registerModel,
  type KeyValueInput,
  type KeyValueOutput,
  type KeyValueState,
  type RegisterInput,
  type RegisterOutput,
  type RegisterValue,
} from './linearizability/models.ts';
export { parseHistory, historyDocument, historyModels, historyModelNames, type HistoryModelName, type ParsedHistory } from './linearizability/historyFile.ts';
export type {
  HistoryOperation,
  LinearizabilityOptions,
  LinearizabilityResult,
  LinearizabilityVerdict,
  LinearizableResult,
  ModelStep,
  NotLinearizableResult,
  PartFailure,
  SequentialModel,
  UnknownResult,
} from './linearizability/types.ts';
export { KvClient } from './kv/KvClient.ts';
export { defaultKvClientSettings } from './kv/protocol.ts';
export { kvClientNodes, kvWorkload, type KvWorkload, type KvWorkloadOptions } from './kv/workload.ts';
export { emptyKvHistory, kvHistory, kvHistoryOf, recordKvEvent, type KvHistoryOperation, type KvHistoryRecording } from './kv/history.ts';
export { kvRun, kvRunProperties, type KvLab, type KvRunOptions } from './kv/run.ts';
export { boundedRetryClient, boundedRetryClientNode, clientResultsLinearizable, everyOperationReturned, missingReturns, noOperationReturnsInMinority } from './kv/search.ts';
export {
  clientHistoriesLinearizable,
  clientsMakeProgress,
  clientHistoriesStayLinearizable,
  clientLatency,
  clientsReachTheMajority,
  commandsAppliedAtMostOnce,
  completedOperationsReachEveryLiveReplica,
  describeKvVerdict,
  everyOperationReturns,
  kvServiceProperties,
  measureKvHistory,
  nothingCompletesInMinority,
  operationsCompleteAfterHeal,
  type LinearizabilityAlongOptions,
  type LinearizabilityCheckOptions,
  type ReachOptions,
} from './kv/properties.ts';
