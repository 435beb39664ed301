import type { FaultSchedule, SearchEvent, TraceEvent } from 'distlab/testing';
import type { TestOutcome } from './runTest.ts';

// Messages between the grader and the child process that runs one implementation, sent as
// frames (./channel.ts); the grader checks every reply against ./replySchema.ts.

export type ChildRequest =
  | { readonly type: 'run'; readonly testNumber: string; readonly seeds: readonly number[]; readonly shrinkBudget: number }
  | {
      readonly type: 'replay';
      readonly testNumber: string;
      readonly seed: number;
      readonly schedule: FaultSchedule;
      readonly path?: readonly SearchEvent[];
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
}

export type ChildReply =
  | { readonly type: 'ready'; readonly missingExports: readonly string[]; readonly exported: readonly string[] }
  | { readonly type: 'progress'; readonly seedsDone: number }
  | { readonly type: 'outcome'; readonly outcome: TestOutcome }
  | { readonly type: 'replayed'; readonly outcome: ReplayOutcome }
  | { readonly type: 'error'; readonly message: string };
