// The node runtime inside a submission's realm: a `node:vm` context of its own, with its own
// built-ins, evaluated before any of the submission's code. It hosts the submission's node
// objects and runs their reactions with the framework's one reaction code; everything it
// answers is numbers written into its own typed arrays and a string (see
// ../_internals/tape.ts), so the judging realm never holds an object of this one, nor this one
// an object of the judging realm.
//
// Nothing here is a defence: the submission can patch anything in this realm, and doing so
// can only change what its own nodes do, which the judging realm checks from the outside.
import { Node, unreachable, type NodeClass } from '../Node.ts';
import { nodeName, type NodeId, type Protocol, type Role, type Tagged } from '../types.ts';
import { DeterminismError, forbidden } from '../_internals/guards.ts';
import { PlainDataError } from '../_internals/plainData.ts';
import { decodePlain, encodeTree, encodeTreeIfPlain } from '../_internals/plainText.ts';
import { checkFields, NodeEnvironment, Reactor, type Effect, type RandomDraws, type ReactionFailure } from '../_internals/reaction.ts';
import { StringTable, TapeOverflow, TapeReader, TapeWriter, tapeSizes } from '../_internals/tape.ts';
import { Alea } from '../_internals/alea.ts';
import { applyKvCommand, describeKvOperation, initialKvState, kvSession, kvValue, replayKvCommands } from '../kv/stateMachine.ts';
import { realmScriptNames } from './names.ts';

// Captured before the submission's code runs, so that its patches of the globals do not
// reach the host's own frames (they may still reach what these call: that is its own loss).
const stringify = JSON.stringify;
const objectCreate = Object.create;
const defineProperty = Object.defineProperty;
const objectKeys = Object.keys;
const StringConstructor = String;

const useClock = 'Use this.now() for simulated time in milliseconds.';

/** Replaces, for good, what would make a run depend on anything but its seed. */
function installGuards(global: Record<string, unknown>): void {
  const fixed = (target: object, name: string, value: unknown) =>
    defineProperty(target, name, { value, writable: false, configurable: false, enumerable: false });
  fixed(Math, 'random', forbidden('Math.random()', "Use this.random() or this.randomInt(min, max): the node's own seeded source."));
  // A function, not an arrow: `new Date()` must reach the guard too.
  const GuardedDate = function Date(): never {
    throw new DeterminismError('Date', useClock);
  };
  fixed(GuardedDate, 'now', forbidden('Date.now()', useClock));
  fixed(global, 'Date', GuardedDate);
  const missing: readonly (readonly [string, string])[] = [
    ['Intl', 'Intl reads the clock and the machine’s locale; format numbers and text yourself.'],
    ['WeakRef', 'WeakRef depends on garbage collection; keep plain data in fields instead.'],
    ['FinalizationRegistry', 'FinalizationRegistry depends on garbage collection; keep plain data in fields instead.'],
    ['SharedArrayBuffer', 'nodes share nothing but messages.'],
    ['Atomics', 'nodes share nothing but messages.'],
    ['WebAssembly', 'node code is TypeScript or JavaScript only.'],
  ];
  for (const [name, instead] of missing) {
    defineProperty(global, name, { get: forbidden(name, instead), configurable: false, enumerable: false });
  }
}

/** What the node code's `console` prints, collected for the report (bounded). */
const consoleLimitCharacters = 16_000;
let consoleLines: string[] = [];
let consoleCharacters = 0;
let consoleDropped = 0;

function formatConsole(parts: readonly unknown[]): string {
  let line = '';
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index];
    let text: string;
    try {
      text = typeof part === 'string' ? part : (stringify(part) ?? StringConstructor(part));
    } catch {
      text = '[unprintable]';
    }
    line += (index > 0 ? ' ' : '') + text;
  }
  return line;
}

function installConsole(global: Record<string, unknown>): void {
  const print = (...parts: unknown[]) => {
    const line = formatConsole(parts);
    // A line counts its line break too: empty lines are not free.
    if (consoleCharacters + line.length + 1 > consoleLimitCharacters) {
      consoleDropped++;
      return;
    }
    consoleCharacters += line.length + 1;
    consoleLines.push(line);
  };
  const console = { log: print, info: print, warn: print, error: print, debug: print, trace: print };
  defineProperty(global, 'console', { value: console, writable: true, configurable: true, enumerable: false });
}

/** Stack traces show the realm's own frames only: what called it is not the submission's business. */
function installStackFormat(): void {
  const format = (error: unknown, frames: readonly { getFileName(): string | null | undefined; toString(): string }[]) => {
    let text: string;
    try {
      text = error instanceof Error ? `${error.name}: ${error.message}` : StringConstructor(error);
    } catch {
      text = 'Error';
    }
    for (const frame of frames) {
      const file = frame.getFileName();
      if (file !== realmScriptNames.submission && file !== realmScriptNames.host) break;
      text += `\n    at ${frame.toString()}`;
    }
    return text;
  };
  defineProperty(Error, 'prepareStackTrace', { value: format, writable: false, configurable: false });
  defineProperty(Error, 'stackTraceLimit', { value: 30, writable: false, configurable: false });
}

/** Alea, continuing from a state the judging realm handed in, noting whether it was drawn from. */
class Draws extends Alea implements RandomDraws {
  drawn = false;

  override next(): number {
    this.drawn = true;
    return super.next();
  }
}

/** The submission's exports by name: a record without prototype, read with the captured `Object.keys`. */
const registered: Record<string, unknown> = objectCreate(null) as Record<string, unknown>;
let environments: (NodeEnvironment<Protocol> | undefined)[] = [];
let reactors: (Reactor<Protocol> | undefined)[] = [];
let instances: (object | undefined)[] = [];
const storageCache: { text: string; map: ReadonlyMap<string, unknown> }[] = [];
const noStorage: ReadonlyMap<string, unknown> = new Map();

function register(namespace: Record<string, unknown>): void {
  const names = objectKeys(namespace);
  for (let index = 0; index < names.length; index++) {
    const name = names[index] as string;
    registered[name] = namespace[name];
  }
}

/** The exported names, and which of them are node classes: `{"Server":1,"helper":0}`. */
function exportsText(): string {
  const described: Record<string, number> = {};
  const names = objectKeys(registered);
  for (let index = 0; index < names.length; index++) {
    const name = names[index] as string;
    const value = registered[name];
    described[name] = typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Node ? 1 : 0;
  }
  return stringify(described);
}

interface SetupData {
  readonly nodes: readonly ({ readonly exportName: string; readonly role: Role } | null)[];
  readonly servers: readonly NodeId[];
  readonly config: object;
}

/** Builds the cluster's environments; '' when done, else the problem. */
function setup(text: string): string {
  try {
    const data = decodePlain(text) as SetupData;
    const count = data.nodes.length;
    environments = [];
    reactors = [];
    instances = [];
    for (let id = 0; id < count; id++) {
      const spec = data.nodes[id];
      if (spec === null || spec === undefined) {
        environments[id] = undefined;
        reactors[id] = undefined;
        continue;
      }
      const nodeClass = registered[spec.exportName];
      if (typeof nodeClass !== 'function') return `the implementation does not export a node class named ${spec.exportName}`;
      const environment = new NodeEnvironment<Protocol>(id, spec.role, nodeClass as NodeClass<Protocol>, data.servers, data.config, count);
      environments[id] = environment;
      reactors[id] = new Reactor(environment);
    }
    return '';
  } catch (error) {
    return describe(error);
  }
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : StringConstructor(error);
  } catch {
    return 'an error that cannot be described';
  }
}

function storageFor(node: NodeId, text: string): ReadonlyMap<string, unknown> {
  if (text === '') return noStorage;
  const cached = storageCache[node];
  if (cached !== undefined && cached.text === text) return cached.map;
  const map = decodePlain(text) as ReadonlyMap<string, unknown>;
  storageCache[node] = { text, map };
  return map;
}

/** A node object with the given fields, of the node's class, built without running its constructor. */
function rebuild(environment: NodeEnvironment<Protocol>, fieldsText: string): object {
  const fields = decodePlain(fieldsText, true) as Record<string, unknown>;
  const instance = objectCreate((environment.nodeClass as { prototype: object }).prototype) as Record<string, unknown>;
  // Assigned as the framework's own copy of a node object assigns them (cloneFields).
  for (const key of objectKeys(fields)) instance[key] = fields[key];
  return instance;
}

/** The fields of a node object as a tree and its flag, or `!` and the plain-data problem. */
function fieldsTree(environment: NodeEnvironment<Protocol>, instance: object): [0 | 1, unknown] | string {
  const tree = encodeTreeIfPlain({ ...instance });
  if (tree !== undefined) return tree;
  return '!' + (checkFields(environment, instance)?.message ?? `${environment.name} holds a value that is not plain data`);
}

const kinds = ['message', 'timer', 'input'] as const;

function effectTree(effect: Effect): unknown[] {
  switch (effect.kind) {
    case 'send':
      return [0, effect.to, ...encodeTree(effect.message)];
    case 'set-timer':
      return [1, ...encodeTree(effect.timer), effect.minMs, effect.maxMs];
    case 'cancel-timer':
      return [2, ...encodeTree(effect.timer)];
    case 'storage-set':
      return [3, effect.key, ...encodeTree(effect.value)];
    case 'storage-delete':
      return [4, effect.key];
    case 'output':
      return [5, ...encodeTree(effect.output)];
    case 'log':
      return [6, effect.text];
  }
}

/**
 * Numbers passed both ways without text (formatting and parsing doubles costs more than the
 * rest of a small reaction): the random state in and out, whether it was drawn from, and the
 * clock. The judging realm reads and writes its elements only, which runs no code.
 */
const numbers = new Float64Array(8);
const numberSlots = { s0: 0, s1: 1, s2: 2, c: 3, drawn: 4, clockMs: 5 } as const;

/** The tapes of a reaction (see ../_internals/tape.ts): the question's payload, and the answer. */
const questionTape = new Float64Array(tapeSizes.question);
const answerTape = new Float64Array(tapeSizes.answer);
const strings = new StringTable();
const questionReader = new TapeReader(questionTape, strings, false, tapeSizes.question);
const answerWriter = new TapeWriter(answerTape, strings, true, tapeSizes.answer);

/** A reaction's answer on the tape: the strings' text after `#`. Throws a TapeOverflow when it does not fit. */
function answerOnTape(failure: ReactionFailure | undefined, effects: readonly Effect[], environment: NodeEnvironment<Protocol>, after: object | undefined, wantState: number, lines: readonly string[]): string {
  const writer = answerWriter;
  writer.reset();
  if (failure === undefined) writer.number(0);
  else {
    writer.number(1);
    writer.string(failure.handler, false);
    writer.string(failure.message, false);
    writer.number(failure.plainData ? 1 : 0);
    writer.string(failure.where, false);
  }
  writer.number(effects.length);
  for (let index = 0; index < effects.length; index++) {
    const effect = effects[index] as Effect;
    switch (effect.kind) {
      case 'send':
        writer.number(0);
        writer.number(effect.to);
        writer.value(effect.message);
        break;
      case 'set-timer':
        writer.number(1);
        writer.value(effect.timer);
        writer.number(effect.minMs);
        writer.number(effect.maxMs);
        break;
      case 'cancel-timer':
        writer.number(2);
        writer.value(effect.timer);
        break;
      case 'storage-set':
        writer.number(3);
        writer.string(effect.key);
        writer.value(effect.value);
        break;
      case 'storage-delete':
        writer.number(4);
        writer.string(effect.key);
        break;
      case 'output':
        writer.number(5);
        writer.value(effect.output);
        break;
      case 'log':
        writer.number(6);
        writer.string(effect.text, false);
        break;
    }
  }
  if (wantState === 1 && after !== undefined && failure === undefined) {
    const fieldsAt = writer.position;
    try {
      writer.number(1);
      writer.sharedValue({ ...after });
    } catch (error) {
      if (!(error instanceof TapeOverflow) || error.reason !== 'not plain') throw error;
      writer.position = fieldsAt;
      writer.number(2);
      writer.string(checkFields(environment, after)?.message ?? `${environment.name} holds a value that is not plain data`, false);
    }
  } else writer.number(0);
  writer.number(lines.length);
  for (let index = 0; index < lines.length; index++) writer.string(lines[index] as string, false);
  writer.finish();
  return '#' + writer.text;
}

/**
 * One reaction of node `node`: `kind` 0 starts a fresh object, 1–3 deliver a message, fire a
 * timer, give an input. `payload` is `#` and the strings of a payload on the question tape, or
 * its plain-data text. `state` is the node's fields as text (the model checker's copy) or ''
 * for the object kept here. The random state and the clock are in `numbers`. The answer is
 * `#` and the strings of an answer on the answer tape (see answerOnTape), or, when it does not
 * fit there, its text: `[failure, effects, fields as [flag, tree] (or '!' and a problem, or ''), console lines]`.
 */
function react(node: number, kind: number, from: number, payload: string, storage: string, state: string, wantState: number): string {
  const definedBefore = strings.strings.length;
  try {
    const reactor = reactors[node];
    const environment = environments[node];
    if (reactor === undefined || environment === undefined) {
      return stringify([['runtime', `the node runtime has no ${nodeName(node)}: node code changed the built-ins the runtime is made of`, 0, ''], [], '', []]);
    }
    const draws = new Draws({
      s0: numbers[numberSlots.s0] as number,
      s1: numbers[numberSlots.s1] as number,
      s2: numbers[numberSlots.s2] as number,
      c: numbers[numberSlots.c] as number,
    });
    const base = storageFor(node, storage);
    const clockMs = numbers[numberSlots.clockMs] as number;
    const clock = Number.isNaN(clockMs) ? undefined : clockMs;
    if (kind === 0) reactor.start(base, draws, clock);
    else {
      const instance = state === '' ? instances[node] : rebuild(environment, state);
      if (instance === undefined) return stringify([['runtime', `${nodeName(node)} has no node object (it has not started)`, 0, ''], [], '', []]);
      let delivered: Tagged;
      if (payload.charCodeAt(0) === 35 /* # */) {
        questionReader.reset(payload, 1);
        delivered = questionReader.value() as Tagged;
      } else delivered = decodePlain(payload) as Tagged;
      reactor.handle(instance, kinds[kind - 1] ?? 'message', from, delivered, base, draws, clock);
    }
    const after = reactor.instance;
    instances[node] = after;
    const failure = reactor.failure;
    const effects = reactor.effects;
    const lines = consoleLines;
    if (consoleDropped > 0) lines.push(`… ${consoleDropped} more console lines were not kept`);
    consoleLines = [];
    consoleCharacters = 0;
    consoleDropped = 0;
    numbers[numberSlots.drawn] = draws.drawn ? 1 : 0;
    if (draws.drawn) {
      const after = draws.state();
      numbers[numberSlots.s0] = after.s0;
      numbers[numberSlots.s1] = after.s1;
      numbers[numberSlots.s2] = after.s2;
      numbers[numberSlots.c] = after.c;
    }
    try {
      return answerOnTape(failure, effects, environment, after, wantState, lines);
    } catch (error) {
      if (!(error instanceof TapeOverflow)) throw error;
      // Strings defined for an answer that is not sent are not known on the other side.
      strings.truncate(definedBefore);
    }
    const trees: unknown[] = new Array<unknown>(effects.length);
    for (let index = 0; index < effects.length; index++) trees[index] = effectTree(effects[index] as Effect);
    const fields = wantState === 1 && after !== undefined && failure === undefined ? fieldsTree(environment, after) : '';
    return stringify([failure === undefined ? 0 : [failure.handler, failure.message, failure.plainData ? 1 : 0, failure.where], trees, fields, lines]);
  } catch (error) {
    strings.truncate(definedBefore);
    numbers[numberSlots.drawn] = 0;
    return stringify([['runtime', `the node runtime failed: ${describe(error)}`, error instanceof PlainDataError ? 1 : 0, ''], [], '', []]);
  }
}

/** The fields of node `node`'s object as `[flag, tree]` JSON (or `!` and the problem), '' when it has none. */
function fields(node: number): string {
  try {
    const environment = environments[node];
    const instance = instances[node];
    if (environment === undefined || instance === undefined) return '';
    const tree = fieldsTree(environment, instance);
    return typeof tree === 'string' ? tree : stringify(tree);
  } catch (error) {
    return '!' + describe(error);
  }
}

/**
 * Installs the host: the guards, the console, the stack format, and what the submission's
 * bundle imports as `distlab`. Returns the functions the judging realm calls.
 */
export function installHost(): Readonly<Record<string, unknown>> {
  const global = globalThis as unknown as Record<string, unknown>;
  installGuards(global);
  installConsole(global);
  installStackFormat();
  // The key-value state machine is pure code a student's server applies, so it runs in this realm too.
  const framework = Object.freeze({ Node, unreachable, nodeName, register, applyKvCommand, describeKvOperation, initialKvState, kvSession, kvValue, replayKvCommands });
  defineProperty(global, '__distlab', { value: framework, writable: false, configurable: false, enumerable: false });
  return { setup, react, fields, exportsText, numbers, questionTape, answerTape };
}
