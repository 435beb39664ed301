import { keyValueModel, registerModel, type KeyValueInput, type KeyValueOutput, type RegisterInput, type RegisterOutput } from './models.ts';
import type { HistoryOperation } from './types.ts';

/** The models a history file may name. */
export type HistoryModelName = 'kv' | 'register';
export const historyModelNames: readonly HistoryModelName[] = ['kv', 'register'];
export const historyModels = { kv: keyValueModel, register: registerModel } as const;

export type ParsedHistory =
  | { readonly model: 'kv'; readonly operations: readonly HistoryOperation<KeyValueInput, KeyValueOutput>[] }
  | { readonly model: 'register'; readonly operations: readonly HistoryOperation<RegisterInput, RegisterOutput>[] };

const keyValueKinds = new Set(['get', 'put', 'append']);
const registerKinds = new Set(['read', 'write', 'cas']);

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function checkFields(object: JsonObject, allowed: readonly string[], where: string, problem: (message: string) => never): void {
  for (const field of Object.keys(object)) {
    if (!allowed.includes(field)) problem(`${where} has an unknown field "${field}" (the fields are ${allowed.map((name) => `"${name}"`).join(', ')})`);
  }
  for (const field of allowed) {
    if (!(field in object)) problem(`${where} has no "${field}"`);
  }
}

function parseKeyValue(input: JsonObject, output: unknown, where: string, problem: (message: string) => never): { input: KeyValueInput; output: KeyValueOutput | null } {
  if (typeof input.key !== 'string') problem(`${where}.input.key must be a string, not ${shown(input.key)}`);
  const key = input.key;
  let parsedInput: KeyValueInput;
  if (input.kind === 'get') {
    checkFields(input, ['kind', 'key'], `${where}.input`, problem);
    parsedInput = { kind: 'get', key };
  } else {
    checkFields(input, ['kind', 'key', 'value'], `${where}.input`, problem);
    if (typeof input.value !== 'string') problem(`${where}.input.value must be a string, not ${shown(input.value)}`);
    parsedInput = { kind: input.kind as 'put' | 'append', key, value: input.value };
  }
  if (output === null) return { input: parsedInput, output: null };
  if (!isObject(output)) problem(`${where}.output must be an object or null, not ${shown(output)}`);
  if (parsedInput.kind === 'get') {
    checkFields(output, ['value'], `${where}.output`, problem);
    if (typeof output.value !== 'string') problem(`${where}.output.value must be a string (a get's value; a key never written reads as ""), not ${shown(output.value)}`);
    return { input: parsedInput, output: { value: output.value } };
  }
  if (Object.keys(output).length > 0) problem(`${where}.output of a ${parsedInput.kind} must be {} or null, not ${shown(output)}`);
  return { input: parsedInput, output: {} };
}

function parseRegister(input: JsonObject, output: unknown, where: string, problem: (message: string) => never): { input: RegisterInput; output: RegisterOutput | null } {
  let parsedInput: RegisterInput;
  if (input.kind === 'read') {
    checkFields(input, ['kind'], `${where}.input`, problem);
    parsedInput = { kind: 'read' };
  } else if (input.kind === 'write') {
    checkFields(input, ['kind', 'value'], `${where}.input`, problem);
    parsedInput = { kind: 'write', value: input.value };
  } else {
    checkFields(input, ['kind', 'from', 'to'], `${where}.input`, problem);
    parsedInput = { kind: 'cas', from: input.from, to: input.to };
  }
  if (output === null) return { input: parsedInput, output: null };
  if (!isObject(output)) problem(`${where}.output must be an object or null, not ${shown(output)}`);
  switch (parsedInput.kind) {
    case 'read':
      checkFields(output, ['value'], `${where}.output`, problem);
      return { input: parsedInput, output: { value: output.value } };
    case 'cas':
      checkFields(output, ['ok'], `${where}.output`, problem);
      if (typeof output.ok !== 'boolean') problem(`${where}.output.ok must be true or false, not ${shown(output.ok)}`);
      return { input: parsedInput, output: { ok: output.ok } };
    case 'write':
      if (Object.keys(output).length > 0) problem(`${where}.output of a write must be {} or null, not ${shown(output)}`);
      return { input: parsedInput, output: {} };
  }
}

/**
 * Reads a history file (format in docs/testing.md). `modelName` overrides the file's `"model"`;
 * without either, the model is the one whose operation kinds the file uses.
 * Throws an Error whose message names the file and the problem.
 */
export function parseHistory(text: string, fileName: string, modelName?: HistoryModelName): ParsedHistory {
  const problem = (message: string): never => {
    throw new Error(`${fileName}: ${message}`);
  };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    problem(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(document)) return problem('the file must hold a JSON object with "operations" (and optionally "model")');
  for (const field of Object.keys(document)) {
    if (field !== 'model' && field !== 'operations') problem(`unknown top-level field "${field}" (the fields are "model" and "operations")`);
  }
  const fileModel = document.model;
  if (fileModel !== undefined && !historyModelNames.includes(fileModel as HistoryModelName)) {
    problem(`"model" must be ${historyModelNames.map((name) => `"${name}"`).join(' or ')}, not ${shown(fileModel)}`);
  }
  const operations = document.operations;
  if (!Array.isArray(operations)) return problem(`"operations" must be an array, not ${shown(operations)}`);
  let model = modelName ?? (fileModel as HistoryModelName | undefined);
  if (model === undefined) {
    const first = operations.find((operation) => isObject(operation) && isObject(operation.input) && typeof operation.input.kind === 'string') as JsonObject | undefined;
    const kind = first === undefined ? undefined : ((first.input as JsonObject).kind as string);
    model = kind !== undefined && registerKinds.has(kind) ? 'register' : kind !== undefined && keyValueKinds.has(kind) ? 'kv' : undefined;
    if (model === undefined) problem('the file names no "model" and its operations do not show one (give "model": "kv" or "register")');
  }
  const kinds = model === 'kv' ? keyValueKinds : registerKinds;
  const parsed = operations.map((operation: unknown, index) => {
    const where = `operations[${index}]`;
    if (!isObject(operation)) return problem(`${where} must be an object, not ${shown(operation)}`);
    checkFields(operation, ['client', 'call', 'return', 'input', 'output'], where, problem);
    const { client, call, input, output } = operation;
    const returned = operation.return;
    if (!Number.isSafeInteger(client) || (client as number) < 0) problem(`${where}.client must be a non-negative integer, not ${shown(client)}`);
    if (typeof call !== 'number' || !Number.isFinite(call)) problem(`${where}.call must be a number, not ${shown(call)}`);
    if (returned !== null && (typeof returned !== 'number' || !Number.isFinite(returned))) problem(`${where}.return must be a number or null (never returned), not ${shown(returned)}`);
    if (typeof returned === 'number' && returned < (call as number)) problem(`${where}.return (${returned}) is before its call (${call as number})`);
    if (!isObject(input)) return problem(`${where}.input must be an object, not ${shown(input)}`);
    if (typeof input.kind !== 'string' || !kinds.has(input.kind)) {
      problem(`${where}.input.kind must be ${[...kinds].map((kind) => `"${kind}"`).join(', ')} for the ${model} model, not ${shown(input.kind)}`);
    }
    const body = model === 'kv' ? parseKeyValue(input, output, where, problem) : parseRegister(input, output, where, problem);
    return { client: client as number, callTime: call as number, returnTime: returned as number | null, input: body.input, output: body.output };
  });
  return model === 'kv'
    ? { model, operations: parsed as HistoryOperation<KeyValueInput, KeyValueOutput>[] }
    : { model: 'register', operations: parsed as HistoryOperation<RegisterInput, RegisterOutput>[] };
}

/** A history in the file format, for writing one out (`JSON.stringify` of the result). */
export function historyDocument<Input, Output>(model: HistoryModelName, operations: readonly HistoryOperation<Input, Output>[]): unknown {
  return {
    model,
    operations: operations.map((operation) => ({
      client: operation.client,
      call: operation.callTime,
      return: operation.returnTime,
      input: operation.input,
      output: operation.output,
    })),
  };
}
