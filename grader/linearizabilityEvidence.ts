// What a failure of the key-value kit's "client histories are linearizable" keeps for the
// reports: the clients' history the checker judged, cut to a bounded size, and the verdict.
// The HTML report draws it as a timeline (grader/reports/historyTimeline.ts).
import {
  checkLinearizability,
  historyDocument,
  keyValueModel,
  kvHistory,
  parseHistory,
  type HistoryOperation,
  type KvHistoryOperation,
  type LinearizabilityResult,
  type SequentialModel,
} from 'distlab/testing';
import { clientHistoriesLinearizableName } from '../framework/kv/properties.ts';

/** The most operations a failure keeps: a timeline wider than this shows nothing anyway. */
export const maxEvidenceOperations = 300;
/** The longest string (a key, a value) a kept operation may hold. */
const maxEvidenceStringLength = 4_000;
/** The most characters the kept operations may take as JSON. */
const maxEvidenceJsonLength = 200_000;

/** Which operations of the history a failure keeps. */
export type EvidenceShown = 'whole history' | 'failing key' | 'smaller failing history' | 'none';

/** A failed linearizability check, as a failure record keeps it. */
export interface LinearizabilityEvidence {
  readonly model: 'kv';
  /** The checker's verdict on the whole history. */
  readonly verdict: 'not linearizable' | 'unknown';
  /** Why, as the checker puts it (untrusted: it quotes keys and values). */
  readonly reason: string;
  /** How many operations the whole history had. */
  readonly historyOperations: number;
  readonly shown: EvidenceShown;
  /**
   * The kept operations in the history file format of docs/testing.md (`client`, `call`,
   * `return`, `input`, `output`), in history order; `parseHistory` reads them back.
   */
  readonly operations: readonly unknown[];
}

type AnyModel = SequentialModel<unknown, unknown, unknown>;

function documentOperations(operations: readonly KvHistoryOperation[]): readonly unknown[] {
  return (historyDocument('kv', operations) as { readonly operations: readonly unknown[] }).operations;
}

/** Whether these operations fit the bounds a failure record keeps. */
function fits(operations: readonly KvHistoryOperation[]): boolean {
  if (operations.length > maxEvidenceOperations) return false;
  const tooLong = (text: unknown) => typeof text === 'string' && text.length > maxEvidenceStringLength;
  for (const { input, output } of operations) {
    if (tooLong(input.key) || tooLong((input as { value?: unknown }).value) || tooLong((output as { value?: unknown } | null)?.value)) return false;
  }
  return JSON.stringify(documentOperations(operations)).length <= maxEvidenceJsonLength;
}

/** The longest reason kept: it quotes values, which may be long. */
const maxReasonLength = 2_000;

/** The reason of a verdict that is not `linearizable`, in one line. */
function reasonOf(result: Exclude<LinearizabilityResult, { verdict: 'linearizable' }>): string {
  if (result.verdict === 'not linearizable') {
    const reason = result.failures[0]?.reason ?? 'not linearizable';
    return reason.length > maxReasonLength ? `${reason.slice(0, maxReasonLength - 1)}…` : reason;
  }
  return result.exhausted === 'memo entries'
    ? `unknown: the checker's memo reached its limit of ${result.maxMemoEntries ?? 'its'} entries; an unknown verdict is a failure, not a pass`
    : `unknown: the checker gave up after ${result.maxSteps} steps; an unknown verdict is a failure, not a pass`;
}

/**
 * The evidence for a failure of `property` in `run`, or undefined when the property is not the
 * key-value kit's linearizability property or the history checks out (a check with a smaller
 * budget of steps may have given up where this one decides). Keeps the whole history when it
 * is small, else the failing key's operations, else the checker's smaller failing history, else
 * no operations (the verdict and reason only).
 */
export function linearizabilityEvidence(
  property: string | undefined,
  run: { readonly inputs: readonly { readonly step: number }[]; readonly outputs: readonly { readonly step: number }[] },
): LinearizabilityEvidence | undefined {
  if (property !== clientHistoriesLinearizableName) return undefined;
  const history = kvHistory(run as Parameters<typeof kvHistory>[0]);
  const result = checkLinearizability(keyValueModel, history);
  if (result.verdict === 'linearizable') return undefined;
  const base = { model: 'kv' as const, verdict: result.verdict, reason: reasonOf(result), historyOperations: history.length };
  const pick = (indexes: readonly number[]) => indexes.map((index) => history[index] as KvHistoryOperation);
  const candidates: [EvidenceShown, readonly KvHistoryOperation[]][] = [['whole history', history]];
  if (result.verdict === 'not linearizable') {
    const [failure] = result.failures;
    if (failure !== undefined) {
      candidates.push(['failing key', pick(failure.operations)]);
      if (failure.minimalHistory !== null) candidates.push(['smaller failing history', pick(failure.minimalHistory)]);
    }
  }
  for (const [shown, operations] of candidates) {
    if (fits(operations)) return { ...base, shown, operations: documentOperations(operations) };
  }
  return { ...base, shown: 'none', operations: [] };
}

/** The kept history, read back (and checked) as the checker reads a history file; undefined when it holds none or cannot be read. */
export function evidenceHistory(evidence: LinearizabilityEvidence): { readonly model: AnyModel; readonly operations: readonly HistoryOperation<unknown, unknown>[] } | undefined {
  if (evidence.operations.length === 0) return undefined;
  try {
    const parsed = parseHistory(JSON.stringify({ model: evidence.model, operations: evidence.operations }), 'the failure record');
    return { model: keyValueModel as unknown as AnyModel, operations: parsed.operations as readonly HistoryOperation<unknown, unknown>[] };
  } catch {
    return undefined;
  }
}
