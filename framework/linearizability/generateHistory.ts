import { RandomSource } from '../_internals/random.ts';
import { keyValueModel, registerModel, type KeyValueInput, type KeyValueOutput, type RegisterInput, type RegisterOutput } from './models.ts';
import type { HistoryOperation, SequentialModel } from './types.ts';

/**
 * Histories that are linearizable by construction: closed-loop clients call operations at
 * random times, each takes effect at a random instant between its call and its return, and the
 * model applied in the order of those instants gives the outputs. Used by the checker's tests
 * and benchmark.
 */
export interface GeneratedHistorySettings {
  readonly model: 'kv' | 'register';
  readonly operations: number;
  readonly clients: number;
  readonly seed: string | number;
  /** Keys of a key-value history (default 3). */
  readonly keys?: number;
  /** The chance that a returned operation's output is unknown (default 0.05). */
  readonly unknownOutputChance?: number;
  /** The chance that an operation never returns, retiring its client (default 0.01). */
  readonly neverReturnChance?: number;
  /** The chance that a key-value write is an append rather than a put (default 0.8). */
  readonly appendChance?: number;
  /** The longest an operation takes, in clock units (default 20). */
  readonly maxDuration?: number;
}

type AnyInput = KeyValueInput | RegisterInput;
type AnyOutput = KeyValueOutput | RegisterOutput;

export function generateHistory(settings: GeneratedHistorySettings): HistoryOperation<AnyInput, AnyOutput>[] {
  const random = RandomSource.fork(settings.seed, 'history');
  const unknownOutputChance = settings.unknownOutputChance ?? 0.05;
  const neverReturnChance = settings.neverReturnChance ?? 0.01;
  const appendChance = settings.appendChance ?? 0.8;
  const maxDuration = settings.maxDuration ?? 20;
  const keys = Array.from({ length: settings.keys ?? 3 }, (_unused, index) => String.fromCharCode(120 + (index % 3)) + (index >= 3 ? String(index) : ''));
  const freeAt = Array.from({ length: settings.clients }, () => random.integer(0, 5));
  const active = new Set(freeAt.map((_time, client) => client));
  interface Planned {
    readonly client: number;
    readonly callTime: number;
    readonly returnTime: number | null;
    readonly input: AnyInput;
    /** When it takes effect; null: never (a never-returned operation that did not). */
    readonly effectTime: number | null;
    readonly unknown: boolean;
  }
  const planned: Planned[] = [];
  for (let index = 0; index < settings.operations && active.size > 0; index++) {
    let client = -1;
    for (const candidate of active) if (client === -1 || (freeAt[candidate] as number) < (freeAt[client] as number)) client = candidate;
    const callTime = (freeAt[client] as number) + random.integer(0, 3);
    const duration = random.integer(0, maxDuration);
    const neverReturns = active.size > 1 && random.chance(neverReturnChance);
    const returnTime = neverReturns ? null : callTime + duration;
    let input: AnyInput;
    if (settings.model === 'kv') {
      const key = random.pick(keys);
      const kind = random.chance(0.5) ? 'get' : random.chance(appendChance) ? 'append' : 'put';
      input = kind === 'get' ? { kind, key } : { kind, key, value: `${client}.${index} ` };
    } else {
      const kind = random.pick(['read', 'write', 'cas'] as const);
      input = kind === 'read' ? { kind } : kind === 'write' ? { kind, value: random.integer(0, 4) } : { kind, from: random.integer(0, 4), to: random.integer(0, 4) };
    }
    const effectTime = neverReturns ? (random.chance(0.5) ? callTime + random.next() * maxDuration * 3 : null) : callTime + random.next() * duration;
    planned.push({ client, callTime, returnTime, input, effectTime, unknown: neverReturns || random.chance(unknownOutputChance) });
    if (neverReturns) active.delete(client);
    else freeAt[client] = callTime + duration;
  }
  const outputs = new Map<number, AnyOutput>();
  const model = (settings.model === 'kv' ? keyValueModel : registerModel) as SequentialModel<unknown, AnyInput, AnyOutput>;
  let state = model.initial();
  const order = planned.map((_operation, index) => index).filter((index) => (planned[index] as Planned).effectTime !== null);
  order.sort((left, right) => ((planned[left] as Planned).effectTime as number) - ((planned[right] as Planned).effectTime as number) || left - right);
  for (const index of order) {
    const step = model.step(state, (planned[index] as Planned).input, null);
    outputs.set(index, step.expected);
    state = step.next;
  }
  return planned.map((operation, index) => ({
    client: operation.client,
    callTime: operation.callTime,
    returnTime: operation.returnTime,
    input: operation.input,
    output: operation.unknown ? null : (outputs.get(index) as AnyOutput),
  }));
}

/**
 * Makes a linearizable generated history non-linearizable: one returned read (or get) with a
 * known output reports a value no operation ever wrote. Returns the index changed, or null when
 * the history has no such read.
 */
export function corruptHistory(history: HistoryOperation<AnyInput, AnyOutput>[], random: RandomSource): number | null {
  const reads = history
    .map((operation, index) => ({ operation, index }))
    .filter(({ operation }) => operation.returnTime !== null && operation.output !== null && (operation.input.kind === 'get' || operation.input.kind === 'read'));
  if (reads.length === 0) return null;
  const { operation, index } = random.pick(reads);
  const output = operation.input.kind === 'get' ? { value: `${(operation.output as { value: string }).value}never written` } : { value: 'never written' };
  history[index] = { ...operation, output };
  return index;
}
