// The node runtime inside a submission's realm: a `node:vm` context of its own, with its own
// built-ins, evaluated before any of the submission's code. It hosts the submission's node
// objects and runs their reactions with the framework's one reaction code; everything it
// answers is numbers written into its own typed arrays and a string (see
// ../_internals/tape.ts), so the judging realm never holds an object of this one, nor this one
// an object of the judging realm.
//
// What it answers is not trusted: the judging realm checks every answer from the outside.
// What it does defend is the nodes from one another: before the submission's code runs, it
// freezes everything the realm's nodes have in common (see lockDown), so that they share
// nothing but their messages.
import { Node, unreachable, type NodeClass } from '../Node.ts';
import { nodeName, type NodeId, type Protocol, type Role, type Tagged } from '../types.ts';
import { DeterminismError, forbidden } from '../_internals/guards.ts';
import { cloneFields, copyPlain, NotPlain, objectWithFields, PlainDataError } from '../_internals/plainData.ts';
import { decodePlain, encodeTreeIfPlain, PlainTextError } from '../_internals/plainText.ts';
import { checkFields, NodeEnvironment, NoClockError, ReactionRecorder, ReactionStorage, Reactor, untypedMessage, type Effect, type RandomDraws, type ReactionFailure } from '../_internals/reaction.ts';
import { maxEffectDepth, ShapeStep, StringTable, TapeError, TapeOverflow, TapeReader, TapeWriter, tapeSizes, type Shape } from '../_internals/tape.ts';
import { Alea } from '../_internals/alea.ts';
import { applyKvCommand, describeKvOperation, initialKvState, kvSession, kvValue, replayKvCommands } from '../kv/stateMachine.ts';
import { realmScriptNames } from './names.ts';

// Captured before the submission's code runs, so that its patches of the globals do not
// reach the host's own frames (they may still reach what these call: that is its own loss).
const stringify = JSON.stringify;
const objectCreate = Object.create;
const defineProperty = Object.defineProperty;
const objectKeys = Object.keys;
const apply = Reflect.apply;
const StringConstructor = String;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const getPrototypeOf = Object.getPrototypeOf;
const preventExtensions = Object.preventExtensions;
const freeze = Object.freeze;
const ObjectPrototype = Object.prototype;
const Float64ArrayPrototype = Float64Array.prototype;
const TypedArrayPrototype = Object.getPrototypeOf(Float64ArrayPrototype) as object;
const ownKeys = Reflect.ownKeys;
const isView = ArrayBuffer.isView;
const SetConstructor = Set;
const TypeErrorConstructor = TypeError;
/** The realm's own global object, which no node code gets a reference to once the host is locked down. */
const realmGlobal = globalThis as unknown as Record<PropertyKey, unknown>;

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

/**
 * What the node code of one realm has in common besides its messages: the global object, the
 * built-ins and their prototypes, and the runtime's own exports. Nodes must not be able to
 * leave anything there for one another (a vote, a log, a clock), so once the host is
 * installed, and before any of the submission's code runs, all of it is frozen, and the
 * global's properties are made read-only. Each node's code gets a `globalThis` of its own
 * (see {@link nodeGlobal}), and runs in strict mode, so that no function can reach the
 * realm's global object through a missing `this`.
 *
 * Freezing a prototype would make a plain assignment of an inherited name fail (`this.name =
 * 'QuorumError'` in an Error subclass, `record.toString = ...`, a plain object used as a map
 * with the key `constructor`), which works on a machine of one's own. So the names a program
 * commonly assigns that way become accessors whose setter gives the object an own property,
 * as an assignment does when the prototype's property is writable.
 */
function lockDown(): string {
  try {
    const assignable: readonly (readonly [object, readonly PropertyKey[] | 'all'])[] = [
      [Object.prototype, 'all'],
      [Function.prototype, ['toString']],
      ...[Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError, AggregateError].map(
        (constructor) => [constructor.prototype, ['name', 'message', 'toString', 'constructor']] as const,
      ),
    ];
    for (const [prototype, names] of assignable) {
      for (const name of names === 'all' ? ownKeys(prototype) : names) keepAssignable(prototype, name);
    }
    // The legacy RegExp statics (RegExp.$1, lastMatch, ...) hold the last match of any node.
    for (const name of ownKeys(RegExp)) {
      if (typeof name === 'string' && (name.startsWith('$') || ['input', 'lastMatch', 'lastParen', 'leftContext', 'rightContext'].includes(name))) {
        Reflect.deleteProperty(RegExp, name);
      }
    }
    // The judging realm has picked up the runtime's functions: node code must not find them
    // (they would let one node read another's fields, or react in its place). Deleting them
    // from the context's object outside leaves them on the realm's own global object.
    Reflect.deleteProperty(realmGlobal, '__distlabHost');
    if ('__distlabHost' in realmGlobal) return 'the runtime\'s functions are still on the global object';
    // The global object's prototype (in a `node:vm` context an object of its own, not
    // Object.prototype), through which every name a script does not declare is looked up; and
    // the runtime's own classes, whose objects node code is handed (`this.storage`) or sees
    // thrown (a DeterminismError, a PlainDataError): a method put on one of their prototypes
    // would run in every node's reactions.
    const roots: unknown[] = [...hiddenIntrinsics(), getPrototypeOf(realmGlobal), ...runtimeClasses()];
    const ownGlobal = objectCreate(null) as PropertyDescriptorMap;
    for (const key of ownKeys(realmGlobal)) {
      const descriptor = getOwnPropertyDescriptor(realmGlobal, key) as PropertyDescriptor;
      const enumerable = descriptor.enumerable ?? false;
      if ('value' in descriptor) {
        roots.push(descriptor.value);
        // A name for the global object itself (`globalThis`) names each node's own: see nodeGlobal.
        if (descriptor.value === realmGlobal) selfNames.push(key);
        else ownGlobal[key as string] = { value: descriptor.value, enumerable, writable: true, configurable: true };
      } else {
        roots.push(descriptor.get, descriptor.set);
        ownGlobal[key as string] = { get: descriptor.get, set: descriptor.set, enumerable, configurable: true };
      }
      // A script assigns a name it does not declare to the global object, unless the name is
      // one of the wrapping function's parameters (then the parameter changes). The wrapped
      // names are made read-only too: node code never gets the realm's global object, and if a
      // way to it were found, it would still find nothing there to write. A `node:vm` global
      // cannot be frozen; its properties can be made read-only, with their whole descriptor (a
      // partial one would define the property afresh, without its value).
      if (descriptor.configurable === false && descriptor.writable !== true) continue;
      if ('value' in descriptor) defineProperty(realmGlobal, key, { value: descriptor.value, enumerable, writable: false, configurable: false });
      else defineProperty(realmGlobal, key, { get: descriptor.get, set: descriptor.set, enumerable, configurable: false });
    }
    nodeGlobalProperties = ownGlobal;
    freezeAll(roots);
    return '';
  } catch (error) {
    return describe(error);
  }
}

/** Freezes every object reachable from `roots` through properties (getters and setters included) and prototypes. */
function freezeAll(roots: readonly unknown[]): void {
  // The global object cannot be frozen (its properties are made read-only instead).
  const seen = new SetConstructor<unknown>([realmGlobal]);
  const pending = [...roots];
  while (pending.length > 0) {
    const value = pending.pop();
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) continue;
    seen.add(value);
    pending.push(getPrototypeOf(value));
    // A typed array with elements cannot be frozen (and its elements are no properties to walk); none is reachable from the globals.
    if (isView(value)) continue;
    const isFunction = typeof value === 'function';
    // `Object.freeze` also changes how V8 keeps an object's (empty) elements, and on
    // `Object.prototype` and the prototypes of the runtime's typed arrays that made every
    // reaction of the realm about twice as slow: those are frozen property by property
    // instead, which on every other object would make V8 keep its properties in a dictionary
    // (grading lab 3 took a third longer).
    const byProperty = value === ObjectPrototype || value === TypedArrayPrototype || value === Float64ArrayPrototype;
    if (!byProperty) freeze(value);
    const keys = ownKeys(value);
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as PropertyKey;
      // A function's length and name are numbers and strings.
      if (isFunction && (key === 'length' || key === 'name')) continue;
      const descriptor = getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
      if ('value' in descriptor) {
        pending.push(descriptor.value);
        if (byProperty && (descriptor.writable === true || descriptor.configurable === true)) {
          defineProperty(value, key, { value: descriptor.value, writable: false, enumerable: descriptor.enumerable ?? false, configurable: false });
        }
      } else {
        pending.push(descriptor.get, descriptor.set);
        if (byProperty && descriptor.configurable === true) {
          defineProperty(value, key, { get: descriptor.get, set: descriptor.set, enumerable: descriptor.enumerable ?? false, configurable: false });
        }
      }
    }
    if (byProperty) preventExtensions(value);
  }
}

/** Every class of the runtime's own: each reaches node code, or could once the runtime changes. */
function runtimeClasses(): unknown[] {
  return [
    Node, NodeEnvironment, NoClockError, ReactionRecorder, ReactionStorage, Reactor, DeterminismError, PlainDataError, NotPlain,
    PlainTextError, ShapeStep, StringTable, TapeError, TapeOverflow, TapeReader, TapeWriter, Alea, Draws, TapeRecorder,
  ];
}

/** The built-in prototypes that no global names, reached through objects that have them. */
function hiddenIntrinsics(): unknown[] {
  function* generator(): Generator<never> {}
  async function asyncFunction(): Promise<void> {}
  async function* asyncGenerator(): AsyncGenerator<never> {}
  const strictArguments = (function (this: unknown) {
    // eslint-disable-next-line prefer-rest-params
    return arguments;
  })();
  return [
    generator, generator(), asyncFunction, asyncGenerator, asyncGenerator(), strictArguments,
    [][Symbol.iterator](), new Map().entries(), new Set().values(), ''[Symbol.iterator](), /a/[Symbol.matchAll](''),
    getPrototypeOf(Uint8Array), asyncFunction(),
  ];
}

/**
 * Turns the data property `name` of a built-in prototype into an accessor: reading it gives
 * the built-in's value, and assigning it on an object that inherits it gives that object an own
 * property, as it would if the prototype were not frozen.
 */
function keepAssignable(prototype: object, name: PropertyKey): void {
  const descriptor = getOwnPropertyDescriptor(prototype, name);
  if (descriptor === undefined || !('value' in descriptor) || descriptor.configurable !== true) return;
  const value: unknown = descriptor.value;
  defineProperty(prototype, name, {
    get: function () {
      return value;
    },
    set: function (this: unknown, assigned: unknown) {
      if (this === prototype) throw new TypeErrorConstructor(`Cannot assign to ${StringConstructor(name)} of a built-in: every node shares it.`);
      defineProperty(this, name, { value: assigned, writable: true, enumerable: true, configurable: true });
    },
    enumerable: descriptor.enumerable ?? false,
    configurable: false,
  });
}

/**
 * A global object for one node's code: the realm's globals as the node's own properties, which
 * the node may change and add to without another node seeing it (as on a machine of its own).
 */
function nodeGlobal(): Record<PropertyKey, unknown> {
  if (nodeGlobalProperties === undefined) throw new TypeErrorConstructor('the realm was not locked down');
  const global = objectCreate(getPrototypeOf(realmGlobal), nodeGlobalProperties) as Record<PropertyKey, unknown>;
  // The realm's `globalThis` names the realm's global object, which every node would share:
  // each node's names its own.
  for (let index = 0; index < selfNames.length; index++) {
    defineProperty(global, selfNames[index] as PropertyKey, { value: global, writable: true, enumerable: false, configurable: true });
  }
  return global;
}

/** The realm global's names for itself (`globalThis`), taken as the realm is locked down. */
const selfNames: PropertyKey[] = [];

/** The realm's globals as a node's own properties, taken once as the realm is locked down (reading the global object is slow). */
let nodeGlobalProperties: PropertyDescriptorMap | undefined;

/** Alea, continuing from a state the judging realm handed in, noting whether it was drawn from. */
class Draws extends Alea implements RandomDraws {
  drawn = false;

  override next(): number {
    this.drawn = true;
    return super.next();
  }
}

/** The one source every reaction draws from, loaded with the reacting node's state (reactions run one at a time). */
const draws = new Draws({ s0: 0, s1: 0, s2: 0, c: 0 });

/**
 * The submission's code, as a function that evaluates all its modules afresh: each node gets
 * an instance of its own, so that a module-level variable belongs to one node, as it would on
 * a machine of its own, and nodes share nothing but the messages they send.
 */
let submissionFactory: { readonly evaluate: (...globals: unknown[]) => void; readonly globals: readonly unknown[] } | undefined;
/** The exports of the instance being evaluated (set by `register`, which its entry calls). */
let evaluating: Record<string, unknown> | undefined;
/** The instance evaluated when the realm was loaded: its exports say what the submission exports, and the first node gets it. */
let registered: Record<string, unknown> = objectCreate(null) as Record<string, unknown>;
let loadedInstanceTaken = false;
let submissionLoaded = false;
let environments: (NodeEnvironment<Protocol> | undefined)[] = [];
let reactors: (Reactor<Protocol> | undefined)[] = [];
let recorders: (TapeRecorder | undefined)[] = [];
let instances: (object | undefined)[] = [];
/** Each node's reactions on its object since it started (see liveCopyEvery). */
let liveReactions: number[] = [];

/**
 * In a run, every this many reactions a node goes on from a fresh copy of its fields, as the
 * model checker rebuilds one for every reaction. What a node keeps by its object's identity (a
 * module-level WeakMap keyed by `this`, a property that is no field) is then lost as often in a
 * run as in the live check's walks, which follow a run as long as a search goes: a node cannot
 * count its object's reactions to behave one way under search and another after a run's
 * hundredth reaction.
 */
const liveCopyEvery = 8;

/** A fresh object with a copy of `instance`'s fields; `instance` itself when they cannot be copied (the check after the reaction names why). */
function freshCopy(instance: object): object {
  try {
    return cloneFields(instance);
  } catch {
    return instance;
  }
}
/** Each node's storage as of its last reaction, and the text it came as (undefined when it was made here). */
let storageBases: ({ text: string | undefined; map: ReadonlyMap<string, unknown> } | undefined)[] = [];
/** The storage writes of each node's last reaction (a key, and its value or {@link deletedValue}), when its answer was read from the tape. */
let storageWrites: (readonly (readonly [string, unknown])[] | undefined)[] = [];
const deletedValue: unique symbol = Symbol('deleted');
const noStorage: ReadonlyMap<string, unknown> = new Map();

/** Runs the submission's modules once more; returns their exports (a record without prototype). */
function evaluateInstance(): Record<string, unknown> {
  const factory = submissionFactory;
  if (factory === undefined) throw new TypeError('the submission\'s code was not loaded');
  const exports = objectCreate(null) as Record<string, unknown>;
  evaluating = exports;
  try {
    const globals = factory.globals.map((value) => (value === realmGlobal ? nodeGlobal() : value));
    apply(factory.evaluate, undefined, globals);
  } finally {
    evaluating = undefined;
  }
  return exports;
}

/**
 * Called once by the submission's script, with its modules wrapped in a function. It only
 * keeps them: the judging realm evaluates the first instance by calling {@link loadSubmission}
 * once the script is done. A script's end drains the realm's promise jobs, so modules evaluated
 * inside it would have their load-time jobs run, and the first node alone would get them.
 */
function defineSubmission(evaluate: (...globals: unknown[]) => void, globals: readonly unknown[]): void {
  if (submissionFactory !== undefined) return;
  submissionFactory = { evaluate, globals: [...globals] };
}

/** Evaluates the first instance of the submission's modules (the first node gets it); throws what loading it threw. */
function loadSubmission(): string {
  if (submissionLoaded) return '';
  submissionLoaded = true;
  registered = evaluateInstance();
  return '';
}

/** Called by the submission's entry as its modules are evaluated: what that instance exports. */
function register(namespace: Record<string, unknown>): void {
  const exports = evaluating;
  if (exports === undefined) return;
  const names = objectKeys(namespace);
  for (let index = 0; index < names.length; index++) {
    const name = names[index] as string;
    exports[name] = namespace[name];
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

/** Lets go of every node of the cluster set up last. */
function forgetNodes(): void {
  environments = [];
  reactors = [];
  recorders = [];
  instances = [];
  storageBases = [];
  storageWrites = [];
  liveReactions = [];
}

/** Builds the cluster's environments; '' when done, else the problem. */
function setup(text: string): string {
  try {
    const data = decodePlain(text) as SetupData;
    const count = data.nodes.length;
    forgetNodes();
    for (let id = 0; id < count; id++) {
      const spec = data.nodes[id];
      if (spec === null || spec === undefined) {
        environments[id] = undefined;
        reactors[id] = undefined;
        recorders[id] = undefined;
        continue;
      }
      // The first node gets the instance loaded with the realm; every other node an instance of its own.
      const exports = loadedInstanceTaken ? evaluateInstance() : registered;
      loadedInstanceTaken = true;
      const problem = placeNode(id, spec.exportName, spec.role, exports, data, count);
      if (problem !== '') return problem;
    }
    setupData = data;
    return '';
  } catch (error) {
    return describe(error);
  }
}

/** The cluster set up last: what a node restarted in a run is placed again with. */
let setupData: SetupData | undefined;

/** Node `id`'s environment, recorder and reactor, with its class from `exports`; '' when done, else the problem. */
function placeNode(id: NodeId, exportName: string, role: Role, exports: Record<string, unknown>, data: SetupData, count: number): string {
  const nodeClass = exports[exportName];
  if (typeof nodeClass !== 'function') return `the implementation does not export a node class named ${exportName}`;
  const environment = new NodeEnvironment<Protocol>(id, role, nodeClass as NodeClass<Protocol>, data.servers, data.config, count);
  environments[id] = environment;
  const recorder = new TapeRecorder(environment);
  recorders[id] = recorder;
  reactors[id] = new Reactor(environment, recorder);
  return '';
}

/**
 * A node of a run that restarts gets its modules evaluated afresh, as a restarted process
 * would: what it kept in module-level variables is lost with its object, and only its durable
 * storage is left. (Under search, where a node's module-level state is never part of its state,
 * a restart keeps the modules: the live check judges what a node keeps outside its fields.)
 */
function renewModules(node: NodeId): string {
  const data = setupData;
  const spec = data?.nodes[node];
  if (data === undefined || spec === null || spec === undefined) return `${nodeName(node)} has no node class to restart with`;
  return placeNode(node, spec.exportName, spec.role, evaluateInstance(), data, data.nodes.length);
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : StringConstructor(error);
  } catch {
    return 'an error that cannot be described';
  }
}

/**
 * A reaction's storage, as the judging realm hands it over: '' for none; '=' for the storage of
 * the node's last reaction; '+' and a count for that storage with the last reaction's writes
 * made, which the judging realm found to be what it holds now; else the storage as text.
 */
function storageFor(node: NodeId, argument: string, writes: readonly (readonly [string, unknown])[] | undefined): ReadonlyMap<string, unknown> {
  if (argument === '') {
    storageBases[node] = { text: '', map: noStorage };
    return noStorage;
  }
  const held = storageBases[node];
  if (argument === '=') {
    if (held === undefined) throw new Error(`the node runtime holds no storage of ${nodeName(node)}`);
    return held.map;
  }
  if (argument.charCodeAt(0) === 43 /* + */) {
    if (held === undefined || writes === undefined || writes.length !== Number(argument.slice(1))) throw new Error(`the node runtime's storage of ${nodeName(node)} is out of step`);
    const map = new Map(held.map);
    for (let index = 0; index < writes.length; index++) {
      const [key, value] = writes[index] as readonly [string, unknown];
      if (value === deletedValue) map.delete(key);
      else map.set(key, value);
    }
    storageBases[node] = { text: undefined, map };
    return map;
  }
  if (held !== undefined && held.text === argument) return held.map;
  const map = decodePlain(argument) as ReadonlyMap<string, unknown>;
  storageBases[node] = { text: argument, map };
  return map;
}

/** A node object with the given fields, of the node's class, built without running its constructor. */
function rebuild(environment: NodeEnvironment<Protocol>, fieldsText: string): object {
  const fields = decodePlain(fieldsText, true) as Record<string, unknown>;
  // Made as the framework's own copy of a node object makes it (cloneFields).
  return objectWithFields((environment.nodeClass as { prototype: object }).prototype, fields);
}

/** The fields of a node object as a tree and its flag, or `!` and the plain-data problem. */
function fieldsTree(environment: NodeEnvironment<Protocol>, instance: object): [0 | 1, unknown] | string {
  // Checked first, as the framework checks a node in this realm: plain data, and no more values
  // than the model checker reads back.
  const problem = checkFields(environment, instance);
  if (problem !== undefined) return '!' + problem.message;
  const tree = encodeTreeIfPlain({ ...instance });
  if (tree !== undefined) return tree;
  return `!${environment.name} holds a value that is not plain data`;
}

const kinds = ['message', 'timer', 'input'] as const;

/**
 * Numbers passed both ways without text (formatting and parsing doubles costs more than the
 * rest of a small reaction): the random state in and out, whether it was drawn from, the
 * clock, the answer tape's length, and how many times the tape was replaced (a tape given
 * back its first length and grown again in one reaction has the length the judging realm
 * last read, but is another array). The judging realm reads and writes its elements only,
 * which runs no code.
 */
const numbers = new Float64Array(8);
const numberSlots = { random: 0, drawn: 4, clockMs: 5, answerLength: 6, answerReplaced: 7 } as const;

/**
 * The most text the effects of one reaction may have: the judging realm takes an answer of at
 * most 32 Mi characters, and the failure, fields and console lines need room after them.
 */
const maxEffectsTextCharacters = 31 * 1024 * 1024;

/** The longest the answer tape grows, in doubles: one reaction's effects, fields and console lines. */
const maxAnswerLength = tapeSizes.maxAnswer;

/** The tapes of a reaction (see ../_internals/tape.ts): the question's payload, and the answer. */
const questionTape = new Float64Array(tapeSizes.question);
let answerTape = new Float64Array(tapeSizes.answer);
numbers[numberSlots.answerLength] = answerTape.length;

/** Gives the answer tape twice its length, up to the longest it may be. */
function longerAnswerTape(full: Float64Array): Float64Array | undefined {
  if (full.length >= maxAnswerLength) return undefined;
  const longer = new Float64Array(Math.min(full.length * 2, maxAnswerLength));
  longer.set(full);
  answerTape = longer;
  numbers[numberSlots.answerLength] = longer.length;
  numbers[numberSlots.answerReplaced]++;
  return longer;
}

/**
 * The strings and shapes defined on the tapes, which both realms keep in step. A run's are its
 * own: how much of an answer fits on the tape depends on what is already defined, so a table
 * that outlived its run would let a node learn what an earlier run's nodes sent (see endRun).
 */
let strings = new StringTable();
let questionReader = new TapeReader(questionTape, strings, false, tapeSizes.question);
let answerWriter = new TapeWriter(answerTape, strings, true, tapeSizes.answer, longerAnswerTape);

function freshTables(): void {
  strings = new StringTable();
  questionReader = new TapeReader(questionTape, strings, false, tapeSizes.question);
  answerWriter = new TapeWriter(answerTape, strings, true, tapeSizes.answer, longerAnswerTape);
}

/**
 * Gives the answer tape back its first length when a reaction grew it. A grown tape held on to
 * would stay with the realm after its run; the engine may keep a finished realm for several
 * collections, so a grader running many runs at once would hold one long tape for each.
 */
function shortenAnswerTape(): void {
  if (answerTape.length === tapeSizes.answer) return;
  answerTape = new Float64Array(tapeSizes.answer);
  numbers[numberSlots.answerLength] = answerTape.length;
  numbers[numberSlots.answerReplaced]++;
  answerWriter.useTape(answerTape);
}

/**
 * Takes the builder the judging realm compiled for shape `shape` (a function of this realm;
 * this realm may not compile code from strings): objects of the shape on the question tape are
 * built with it from then on.
 */
function defineShapeBuilder(shape: number, build: unknown): void {
  const known = strings.shapes[shape];
  if (known === undefined || typeof build !== 'function') return;
  // Defined, not assigned: a setter node code put on the record must not run here, outside any handler.
  defineProperty(known, 'build', { value: build as Shape['build'], writable: true, enumerable: true, configurable: true });
}

/** The answer tape as it is now: the judging realm asks for it when its length changed. */
function currentAnswerTape(): Float64Array {
  return answerTape;
}

/**
 * What a node acts through in this realm: each effect goes onto the answer tape as it is
 * made, in order, and a message is written there straight from the node's object, as it is at
 * the send (the tape is its copy). The answer's layout: the number of effects, the effects,
 * then what {@link finishAnswer} adds.
 */
class TapeRecorder extends ReactionRecorder {
  private effectCount = 0;
  /** Set while a value is written: a getter that acts while its object is copied must not cut into it. */
  private writing = false;

  /** The storage writes on the tape, in its order: what the judging realm will make of the node's storage. */
  storageWrites: (readonly [string, unknown])[] = [];

  override begin(baseStorage: ReadonlyMap<string, unknown>, randomSource: RandomDraws, clockMs: number | undefined): void {
    super.begin(baseStorage, randomSource, clockMs);
    this.storageWrites = [];
    shortenAnswerTape();
    const writer = answerWriter;
    writer.reset();
    writer.depthLimit = maxEffectDepth;
    writer.number(0);
    this.effectCount = 0;
    this.writing = false;
  }

  /** The number of effects the reaction wrote. */
  get effectsWritten(): number {
    return this.effectCount;
  }

  override add(effect: Effect): void {
    this.write(effect, undefined, undefined);
  }

  protected override recordSend(to: NodeId, message: Tagged): void {
    // Asked of the node's own object, as the framework's copy would be asked.
    if (typeof message !== 'object' || message === null || isArray(message) || typeof message.type !== 'string') throw untypedMessage();
    // The framework's copy is what is written, never the node's own object: how the writer walks
    // a value depends on the table of strings and shapes (a shape it knows is walked fewer times
    // than one it defines), which the other nodes of the realm filled, so a getter or a proxy's
    // trap that counted the walks would read what other nodes sent. The copy walks it once, the
    // same way whatever the table holds.
    this.write(undefined, to, copyPlain(message, 'message'));
  }

  /**
   * Writes one effect (or, for a send, the copy of its message) after the ones before it.
   * What does not fit, or is not plain data, leaves nothing on the tape: not its numbers, its
   * text or its strings, so both realms' tables stay the same.
   */
  private write(effect: Effect | undefined, to: NodeId | undefined, message: Tagged | undefined): void {
    if (this.writing) throw new Error('a node acted while one of its values was being copied (a getter that sends, logs or sets a timer)');
    this.writing = true;
    const writer = answerWriter;
    const before = writtenSoFar(writer);
    try {
      // A send's message is the framework's copy (see recordSend), plain data of this realm: what
      // it is refused for is the same whatever the table of strings and shapes holds.
      if (effect !== undefined) {
        writeEffect(writer, effect);
        if (writer.text.length > maxEffectsTextCharacters) throw new TapeOverflow('full');
      } else writeSend(writer, to as NodeId, message);
      // Judged as if every string and shape had been written in full: whether an answer fits
      // must not depend on what the table held before it (what other nodes sent), or a node
      // could learn that by trying.
      if (writer.position + writer.byReferenceNumbers > maxAnswerLength || writer.text.length + writer.byReferenceCharacters > maxEffectsTextCharacters) {
        throw new TapeOverflow('full');
      }
    } catch (error) {
      takeBack(writer, before);
      if (!(error instanceof TapeOverflow)) throw error;
      if (error.reason === 'full') throw new Error(`the effects of one reaction take more than the ${maxAnswerLength * 8} bytes a reaction may answer with`, { cause: error });
      throw new PlainDataError('message', 'is not plain data');
    } finally {
      this.writing = false;
    }
    this.effectCount++;
    // The value is the frozen copy the node's storage made when it was set, as the tape has it.
    if (effect?.kind === 'storage-set') this.storageWrites.push([effect.key, effect.value === undefined ? deletedValue : effect.value]);
    else if (effect?.kind === 'storage-delete') this.storageWrites.push([effect.key, deletedValue]);
  }
}

/** How much of an answer was written, and of the table defined: what {@link takeBack} goes back to. */
interface Written {
  readonly position: number;
  readonly textLength: number;
  readonly byReferenceNumbers: number;
  readonly byReferenceCharacters: number;
  readonly defined: number;
  readonly shapes: number;
}

function writtenSoFar(writer: TapeWriter): Written {
  return {
    position: writer.position,
    textLength: writer.text.length,
    byReferenceNumbers: writer.byReferenceNumbers,
    byReferenceCharacters: writer.byReferenceCharacters,
    defined: strings.strings.length,
    shapes: strings.shapes.length,
  };
}

/** Takes back what was written of an effect: its numbers, its text and the strings and shapes it defined. */
function takeBack(writer: TapeWriter, to: Written): void {
  writer.position = to.position;
  writer.text = writer.text.slice(0, to.textLength);
  writer.byReferenceNumbers = to.byReferenceNumbers;
  writer.byReferenceCharacters = to.byReferenceCharacters;
  strings.truncate(to.defined, to.shapes);
}

/** A send's effect; a {@link TapeOverflow} when the message does not fit or is not plain data. */
function writeSend(writer: TapeWriter, to: NodeId, message: Tagged | undefined): void {
  writer.number(0);
  writer.number(to);
  writer.value(message);
  // The text of the strings is bounded as the tape is: what the judging realm takes of one answer.
  if (writer.text.length > maxEffectsTextCharacters) throw new TapeOverflow('full');
}

function writeEffect(writer: TapeWriter, effect: Effect): void {
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

const isArray = Array.isArray;

/**
 * Ends the answer on the tape whose effects the reaction wrote: their number at the start,
 * then the failure, the node's fields when asked for, and the console lines; returns `#` and
 * the strings' text. Throws a TapeOverflow when even the longest tape cannot hold it.
 */
function finishAnswer(recorder: TapeRecorder, failure: ReactionFailure | undefined, environment: NodeEnvironment<Protocol>, after: object | undefined, wantState: number, lines: readonly string[]): string {
  const writer = answerWriter;
  writer.depthLimit = maxEffectDepth;
  writer.tape[0] = recorder.effectsWritten;
  if (failure === undefined) writer.number(0);
  else {
    writer.number(1);
    writer.string(failure.handler, false);
    writer.string(failure.message, false);
    writer.number(failure.plainData ? 1 : 0);
    writer.string(failure.where, false);
  }
  if (wantState === 1 && after !== undefined && failure === undefined) {
    const fieldsAt = writer.position;
    const textLength = writer.text.length;
    const defined = strings.strings.length;
    try {
      writer.depthLimit = maxFieldsDepth;
      writer.number(1);
      writer.sharedValue({ ...after });
    } catch (error) {
      if (!(error instanceof TapeOverflow) || error.reason === 'full') throw error;
      writer.position = fieldsAt;
      writer.text = writer.text.slice(0, textLength);
      strings.truncate(defined);
      writer.number(2);
      writer.string(checkFields(environment, after)?.message ?? `${environment.name} holds a value that is not plain data`, false);
    }
  } else writer.number(0);
  writer.number(lines.length);
  for (let index = 0; index < lines.length; index++) writer.string(lines[index] as string, false);
  writer.finish();
  return '#' + writer.text;
}

/** How deep a node's fields may nest on the tape; deeper ones are named by the plain-data check. */
const maxFieldsDepth = 256;

const noLines: readonly string[] = [];

/** The console lines of the reaction that just ran, and a fresh list for the next. */
function takeConsoleLines(): readonly string[] {
  if (consoleLines.length === 0 && consoleDropped === 0) return noLines;
  const lines = consoleLines;
  if (consoleDropped > 0) lines.push(`… ${consoleDropped} more console lines were not kept`);
  consoleLines = [];
  consoleCharacters = 0;
  consoleDropped = 0;
  return lines;
}

/** The answer when the runtime itself failed: text, which says everything. */
function runtimeFailure(message: string, plainData = false): string {
  return stringify([['runtime', message, plainData ? 1 : 0, ''], [], '', []]);
}

/**
 * One reaction of node `node`: `kind` 0 starts a fresh object, 1–3 deliver a message, fire a
 * timer, give an input. `payload` is `#` and the strings of a payload on the question tape, or
 * its plain-data text. `state` is the node's fields as text (the model checker's copy) or ''
 * for the object kept here. The random state and the clock are in `numbers`. The answer is
 * `#` and the strings of an answer on the answer tape (see TapeRecorder and finishAnswer), or,
 * when the runtime failed, its text: `[failure, effects, fields, console lines]`.
 */
function react(node: number, kind: number, from: number, payload: string, storage: string, state: string, wantState: number): string {
  const definedBefore = strings.strings.length;
  const shapesBefore = strings.shapes.length;
  try {
    if (kind === 0 && wantState === 0 && instances[node] !== undefined) {
      let problem: string;
      try {
        problem = renewModules(node);
      } catch (error) {
        problem = `loading its modules again threw: ${describe(error)}`;
      }
      if (problem !== '') return runtimeFailure(`${nodeName(node)} could not restart: ${problem}`);
    }
    const reactor = reactors[node];
    const environment = environments[node];
    if (reactor === undefined || environment === undefined) {
      return runtimeFailure(`the node runtime has no ${nodeName(node)}: node code changed the built-ins the runtime is made of`);
    }
    draws.resumeFrom(numbers, numberSlots.random);
    draws.drawn = false;
    const writes = storageWrites[node];
    storageWrites[node] = undefined;
    const base = storageFor(node, storage, writes);
    const clockMs = numbers[numberSlots.clockMs] as number;
    const clock = clockMs === clockMs ? clockMs : undefined;
    if (kind === 0) {
      liveReactions[node] = 0;
      reactor.start(base, draws, clock);
    } else {
      let instance = state === '' ? instances[node] : rebuild(environment, state);
      if (state === '' && instance !== undefined) {
        const reactions = (liveReactions[node] ?? 0) + 1;
        liveReactions[node] = reactions;
        if (reactions % liveCopyEvery === 0) instance = freshCopy(instance);
      }
      if (instance === undefined) return runtimeFailure(`${nodeName(node)} has no node object (it has not started)`);
      let delivered: Tagged;
      if (payload.charCodeAt(0) === 35 /* # */) {
        questionReader.reset(payload, 1);
        delivered = questionReader.value() as Tagged;
      } else delivered = decodePlain(payload) as Tagged;
      reactor.handle(instance, kinds[kind - 1] ?? 'message', from, delivered, base, draws, clock);
    }
    const after = reactor.instance;
    instances[node] = after;
    const lines = takeConsoleLines();
    numbers[numberSlots.drawn] = draws.drawn ? 1 : 0;
    if (draws.drawn) draws.saveTo(numbers, numberSlots.random);
    const recorder = recorders[node] as TapeRecorder;
    const answer = finishAnswer(recorder, reactor.failure, environment, after, wantState, lines);
    storageWrites[node] = recorder.storageWrites;
    return answer;
  } catch (error) {
    strings.truncate(definedBefore, shapesBefore);
    numbers[numberSlots.drawn] = 0;
    return runtimeFailure(`the node runtime failed: ${describe(error)}`, error instanceof PlainDataError);
  }
}

/**
 * Ends a run, after which the realm may serve another (see RealmProgram.take in
 * ../_internals/realm.ts): lets go of the run's nodes, of console lines no reaction took, and
 * of the strings and shapes the run defined on the tapes, so that the next run's setup starts
 * from what a new realm would hold. The next run's nodes each get a new instance of the
 * submission's modules, as every node but a new realm's first does.
 */
function endRun(): string {
  forgetNodes();
  setupData = undefined;
  loadedInstanceTaken = true;
  consoleLines = [];
  consoleCharacters = 0;
  consoleDropped = 0;
  shortenAnswerTape();
  // The judging realm starts its own afresh too (RealmSession.endRun).
  freshTables();
  return '';
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
 * The frames of what loading the submission threw, in this realm's stack format (the judging
 * realm places them in the student's files): its message alone does not say which line of
 * module-level code threw. Empty for anything but an Error of this realm with a stack.
 */
function loadFailureFrames(thrown: unknown): string {
  try {
    if (!(thrown instanceof Error)) return '';
    const stack: unknown = thrown.stack;
    if (typeof stack !== 'string') return '';
    // Only the frames: the judging realm's vm decorates the stack of what a script threw with the line's text above its message.
    return stack
      .split('\n')
      .filter((line) => line.startsWith('    at '))
      .slice(0, 5)
      .join('\n');
  } catch {
    return '';
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
  // The base class is every node's: frozen, so that no node can leave anything on it for another.
  Object.freeze(Node.prototype);
  Object.freeze(Node);
  const framework = Object.freeze({ Node, unreachable, nodeName, register, defineSubmission, applyKvCommand, describeKvOperation, initialKvState, kvSession, kvValue, replayKvCommands });
  defineProperty(global, '__distlab', { value: framework, writable: false, configurable: false, enumerable: false });
  return { setup, endRun, react, fields, exportsText, lockDown, loadSubmission, loadFailureFrames, numbers, questionTape, answerTape, currentAnswerTape, defineShapeBuilder };
}
