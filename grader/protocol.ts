import type { FaultSchedule, Role, SearchEvent, StateChange, TraceEvent } from 'distlab/testing';
import type { TestOutcome } from './runTest.ts';

// Messages between the grader and the child process that runs one implementation, sent as
// frames (./channel.ts); the grader checks every reply against ./replySchema.ts.

export type ChildRequest = (
  | {
      readonly type: 'run';
      readonly testNumber: string;
      readonly seeds: readonly number[];
      readonly shrinkBudget: number;
      /** False: a failure's trace comes without the nodes' states (see RunOptions.nodeStates). */
      readonly nodeStates?: boolean;
    }
  | {
      readonly type: 'replay';
      readonly testNumber: string;
      readonly seed: number;
      readonly schedule: FaultSchedule;
      readonly path?: readonly SearchEvent[];
    }
  /** One seed of a run test with its own schedule, unshrunk, and the full trace: answered with `replayed`. */
  | { readonly type: 'watch'; readonly testNumber: string; readonly seed: number }
) & {
  /** How often the child reports while it works (about once a second by default): well within the grader's stall limit. */
  readonly heartbeatMs?: number;
  /** Report each reaction before it starts (progress with `reaction`): to find the handler that never returns, in a run known to stall. */
  readonly locate?: boolean;
};

export interface ReplayOutcome {
  readonly passed: boolean;
  readonly failure?: {
    readonly kind: string;
    readonly property: string;
    readonly message: string;
    readonly step: number;
    readonly timeMs: number;
    /** The failing event's number in the trace (`#N`), as the graded report shows it. */
    readonly traceIndex?: number;
  };
  readonly steps: number;
  readonly endTimeMs: number;
  readonly trace: readonly TraceEvent[];
  /** What each reaction changed in a node's state, for the trace's events (see StateChange). */
  readonly states?: readonly StateChange[];
  /** Each node's role, by node id. */
  readonly roles?: readonly Role[];
  /** What a watch adds to a run: the schedule it ran with, and how long the whole trace was. */
  readonly watched?: WatchedDetails;
}

export interface WatchedDetails {
  /** The test's fixed scenario, then the faults the seed drew: what grading runs first, before any shrinking. */
  readonly schedule: FaultSchedule;
  /** How many of the schedule's first actions are the test's scenario. */
  readonly scenarioActions: number;
  /** Events of the whole run; the outcome's trace holds its last events when there were more. */
  readonly totalEvents: number;
  /** The figures a passing run reports (messages per operation, ...). */
  readonly measurements?: Readonly<Record<string, number>>;
}

/** A reaction about to start, as the child tells it when asked to `locate` a stall. */
export interface ReactionStarted {
  readonly node: number;
  readonly handler: 'onStart' | 'onMessage' | 'onTimer' | 'onInput';
  /** The sender of a message; -1 otherwise. */
  readonly from: number;
  /** The message's, timer's or input's type; empty for onStart. */
  readonly type: string;
  readonly timeMs: number;
}

/** What the child is working on, so that a stall can be placed: a seed's runs, its shrinking, its search. */
export type WorkActivity = 'running' | 'shrinking' | 'searching';

export type ChildReply =
  | { readonly type: 'ready'; readonly missingExports: readonly string[]; readonly exported: readonly string[] }
  /**
   * Sent when a seed is done, when work on a seed or on shrinking starts, and at least about
   * once a second while reactions keep returning: a child silent for long is stuck in a handler.
   */
  | { readonly type: 'progress'; readonly seedsDone: number; readonly seed?: number; readonly activity?: WorkActivity; readonly reaction?: ReactionStarted }
  | { readonly type: 'outcome'; readonly outcome: TestOutcome }
  | { readonly type: 'replayed'; readonly outcome: ReplayOutcome }
  | { readonly type: 'error'; readonly message: string };
