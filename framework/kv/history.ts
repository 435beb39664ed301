// The client history of a key-value run, built from the run's record of inputs (each
// operation's call) and outputs (its return), as the linearizability checker reads it.
import type { InputRecord, OutputRecord } from '../simulation.ts';
import type { HistoryEvent } from '../properties.ts';
import type { HistoryOperation } from '../linearizability/types.ts';
import type { NodeId, Protocol, Tagged } from '../types.ts';
import type { KvClientInput, KvClientOutput } from './protocol.ts';
import { describeKvOperation, type KvOperation, type KvResult } from './stateMachine.ts';

/** One operation of a key-value client history. */
export type KvHistoryOperation = HistoryOperation<KvOperation, KvResult>;

/** An operation being recorded: plain data, kept in a property's memory. */
interface RecordedOperation {
  readonly client: NodeId;
  /** The client's incarnation when it was called: a restarted client never returns it. */
  readonly incarnation: number;
  readonly callTime: number;
  returnTime: number | null;
  readonly input: KvOperation;
  output: KvResult | null;
}

/** A history as it is recorded, event by event (plain data: a property's memory). */
export interface KvHistoryRecording {
  readonly operations: RecordedOperation[];
  /** Indexes of the operations called and not returned yet, oldest first (a client performs them in order). */
  pending: number[];
  /** How many operations returned. */
  returned: number;
}

export function emptyKvHistory(): KvHistoryRecording {
  return { operations: [], pending: [], returned: 0 };
}

/** The longest part of a malformed result a problem quotes. */
const malformedShownCharacters = 60;

/** A result as a problem quotes it: never throws, whatever the result holds. */
function describeResult(result: unknown): string {
  let text: string;
  try {
    text = typeof result === 'bigint' ? `${result}n` : (JSON.stringify(result, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value)) ?? String(result));
  } catch {
    text = typeof result;
  }
  return text.length > malformedShownCharacters ? `${text.slice(0, malformedShownCharacters)}…` : text;
}

/**
 * What a returned operation's result stands for in the history. A put or an append returned:
 * it is acknowledged, whatever came with it. A get's result is `{ value: string }`; anything
 * else is a wrong answer, recorded as a value no state can have (it starts with U+0000) so that
 * the history fails, never as an unknown result, which the checker would accept whatever the
 * value (`problem` says what was wrong).
 */
export function returnedOutput(operation: KvOperation, result: unknown): { readonly output: KvResult; readonly problem?: string } {
  if (operation.kind !== 'get') return { output: {} };
  const value = typeof result === 'object' && result !== null && !Array.isArray(result) ? (result as { value?: unknown }).value : undefined;
  if (typeof value === 'string') return { output: { value } };
  const shown = describeResult(result);
  return { output: { value: `\u0000not a value: ${shown}` }, problem: `a get's result is { value: string } ("" for a key never written), not ${shown}` };
}

/** Records a call (an `Invoke` input). */
export function recordKvCall(recording: KvHistoryRecording, client: NodeId, incarnation: number, timeMs: number, input: Tagged): void {
  if (input.type !== 'Invoke') return;
  recording.pending.push(recording.operations.length);
  recording.operations.push({ client, incarnation, callTime: timeMs, returnTime: null, input: (input as KvClientInput).operation, output: null });
}

/**
 * Records a return (a `Returned` output): it completes the client's oldest pending operation.
 * Returns what is wrong when the output matches no call (a client that returns an operation
 * it was never given), undefined otherwise.
 */
export function recordKvReturn(recording: KvHistoryRecording, client: NodeId, incarnation: number, timeMs: number, output: Tagged): string | undefined {
  if (output.type !== 'Returned') return undefined;
  const returned = output as KvClientOutput;
  // Operations of an earlier incarnation of this client never return: its restart forgot them.
  const position = recording.pending.findIndex((index) => {
    const operation = recording.operations[index] as RecordedOperation;
    return operation.client === client && operation.incarnation === incarnation;
  });
  if (position < 0) return `n${client} returned ${describeResult(returned.operation)} at ${timeMs} ms, but no operation of it was pending`;
  const operation = recording.operations[recording.pending[position] as number] as RecordedOperation;
  recording.pending.splice(position, 1);
  operation.returnTime = timeMs;
  const { output: recorded, problem } = returnedOutput(operation.input, returned.result);
  operation.output = recorded;
  recording.returned++;
  return problem === undefined ? undefined : `n${client} returned ${describeKvOperation(operation.input)} at ${timeMs} ms with a malformed result: ${problem}`;
}


/** Records a history event of a run (inputs and outputs; others are ignored). */
export function recordKvEvent<P extends Protocol>(recording: KvHistoryRecording, event: HistoryEvent<P>): string | undefined {
  if (event.kind === 'input') recordKvCall(recording, event.node, event.incarnation, event.timeMs, event.input);
  else if (event.kind === 'output') return recordKvReturn(recording, event.node, event.incarnation, event.timeMs, event.output);
  return undefined;
}

/** The history recorded so far: operations still pending never returned (their results are unknown). */
export function kvHistoryOf(recording: KvHistoryRecording): KvHistoryOperation[] {
  return recording.operations.map((operation) => ({
    client: operation.client,
    callTime: operation.callTime,
    returnTime: operation.returnTime,
    input: operation.input,
    output: operation.output,
  }));
}

/**
 * The operations still pending whose client can still return them: not those of a client that
 * crashed since it was called (a restart forgets them; they may or may not have taken effect).
 */
export function unfinishedKvOperations(recording: KvHistoryRecording, clients: { isCrashed(node: NodeId): boolean; incarnation(node: NodeId): number }): KvHistoryOperation[] {
  return kvHistoryOf(recording).filter((operation, index) => {
    const recorded = recording.operations[index] as RecordedOperation;
    return operation.returnTime === null && !clients.isCrashed(recorded.client) && clients.incarnation(recorded.client) === recorded.incarnation;
  });
}

/**
 * The client history of a finished run, from its `inputs` and `outputs`.
 *
 * @example
 * const result = simulate(settings);
 * const verdict = checkLinearizability(keyValueModel, kvHistory(result));
 */
export function kvHistory<P extends Protocol>(run: { readonly inputs: readonly InputRecord<P>[]; readonly outputs: readonly OutputRecord<P>[] }): KvHistoryOperation[] {
  const recording = emptyKvHistory();
  let inputIndex = 0;
  let outputIndex = 0;
  const { inputs, outputs } = run;
  // In event order; an input comes before the outputs of the reaction it caused (same step).
  while (inputIndex < inputs.length || outputIndex < outputs.length) {
    const input = inputs[inputIndex];
    const output = outputs[outputIndex];
    if (input !== undefined && (output === undefined || input.step <= output.step)) {
      recordKvCall(recording, input.node, input.incarnation, input.timeMs, input.input);
      inputIndex++;
    } else if (output !== undefined) {
      recordKvReturn(recording, output.node, output.incarnation, output.timeMs, output.output);
      outputIndex++;
    }
  }
  return kvHistoryOf(recording);
}
