// The judging side of the boundary with a submission's realm. A submission's node classes run
// in a `node:vm` context of their own (see ../_realm/host.ts); this realm keeps the simulator,
// the model checker and the properties, and never hands the other realm an object: it calls
// the four functions the node runtime left for it with numbers and strings, and reads back
// one string per call. A reaction's answer is on the realm's answer tape (numbers in a typed
// array, see ./tape.ts) with its strings in that string, or, when it does not fit there, in
// the string as text, which this realm parses with its own JSON; either way every field is
// checked. Nothing the submission does can give this realm an object of its own, a getter or
// a proxy.
import { types } from 'node:util';
import { SourceMap } from 'node:module';
import vm from 'node:vm';
import { Node, type NodeClass } from '../Node.ts';
import type { NodeId, Protocol, Role, Tagged } from '../types.ts';
import { deepFreeze, PlainDataError, plainBytes, toJsonValue } from './plainData.ts';
import { decodeTree, encodePlain, PlainTextError } from './plainText.ts';
import type { Effect, NodeEnvironment, NodeReactor, RandomDraws, ReactionFailure } from './reaction.ts';
import { Reactor, snapshotFields } from './reaction.ts';
import { realmScriptNames } from '../_realm/names.ts';
import { Alea } from './alea.ts';
import { shapeBuilder, shapeBuilderBody, StringTable, type Shape, TapeError, TapeOverflow, TapeReader, TapeWriter, tapeSizes } from './tape.ts';

/** The largest answer a reaction may give, in characters. */
const maxReactionCharacters = 32 * 1024 * 1024;
/** The longest failure message, log line or console line kept. */
const maxTextCharacters = 8_000;

/** The code of a realm: the node runtime's script and the submission's bundle. */
export interface RealmCode {
  readonly host: string;
  readonly submission: string;
  /** The submission script's source map (JSON), whose sources are named as reports should show them. */
  readonly submissionMap?: string;
}

type RealmFunction = (...args: (number | string)[]) => unknown;

/** Where the lines a submission's `console` printed go (the grader keeps the last of them). */
let outputSink: ((line: string) => void) | undefined;

export function setRealmOutput(sink: ((line: string) => void) | undefined): void {
  outputSink = sink;
}

/**
 * Told after every reaction that returned: the grader's child process beats from here, so that
 * its parent can tell a handler that never returns from slow work. The listener reads the
 * clock (about 50 ns, against microseconds for a reaction across the realm boundary) and
 * writes only when its interval has passed. It is asked after every reaction, not every few
 * hundred, because a submission's reactions may each take a second: counting them would leave
 * minutes between two looks at the clock.
 */
let heartbeat: (() => void) | undefined;

export function setRealmHeartbeat(listener: (() => void) | undefined): void {
  heartbeat = listener;
}

/**
 * Told before every reaction when set: the grader's child sets it only to find which handler
 * of a seed known to stall never returns, since once it is stuck nothing can be told.
 */
let reactionStarting: ((node: NodeId, kind: 'start' | 'message' | 'timer' | 'input', from: NodeId, type: string, clockMs: number | undefined) => void) | undefined;

export function setRealmReactionStart(listener: typeof reactionStarting): void {
  reactionStarting = listener;
}

/** Why a realm could not be opened: the submission's code failed while it was loaded. */
export class RealmLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RealmLoadError';
  }
}

/**
 * A submission compiled once, and the realms opened from it. A run takes a realm that an
 * earlier run has finished with where there is one (see {@link RealmProgram.take}), else a new one.
 */
export class RealmProgram {
  private readonly host: vm.Script;
  private readonly submission: vm.Script;
  /** Turns the frames of a failure's stack into places in the submission's own files. */
  private readonly placeFrames: (stack: string) => string;
  /** The node classes, as this realm refers to them: classes of its own that stand for them. */
  readonly classes: Readonly<Record<string, NodeClass<Protocol>>>;
  readonly exported: readonly string[];

  constructor(code: RealmCode) {
    this.host = new vm.Script(code.host, { filename: realmScriptNames.host });
    this.submission = new vm.Script(code.submission, { filename: realmScriptNames.submission });
    this.placeFrames = stackPlacer(code.submissionMap);
    const probe = this.open();
    const exports = probe.exports();
    this.exported = Object.keys(exports).sort();
    const classes: Record<string, NodeClass<Protocol>> = {};
    for (const name of this.exported) {
      const standIn = exports[name] === 1 ? this.nodeClass<Protocol>(name) : undefined;
      if (standIn !== undefined) classes[name] = standIn;
    }
    this.classes = Object.freeze(classes);
    // Its modules' first instance was evaluated and nothing else: the first run takes it as it would a new realm.
    this.idle.push(probe);
  }

  /**
   * A class of this realm that stands for the submission's node class `name`: drivers see a
   * NodeClass, and the reactors they make for it run the real one in a realm of its own.
   */
  nodeClass<P extends Protocol>(name: string): NodeClass<P> {
    const standIn = { [name]: class extends Node<P> {} }[name] as NodeClass<P>;
    standIns.set(standIn, { program: this, exportName: name });
    return standIn;
  }

  /** How many realms were opened from this program: a run that reuses one opens none. */
  realmsOpened = 0;

  /** A new realm with the node runtime and the submission loaded. */
  open(): RealmSession {
    this.realmsOpened++;
    return new RealmSession(this.host, this.submission, this.placeFrames);
  }

  /** Realms that a run finished with, ready for another. */
  private readonly idle: RealmSession[] = [];
  /** Realms handed out and not given back. */
  private readonly taken = new WeakSet<RealmSession>();

  /**
   * A realm for one run or search, given back with {@link RealmProgram.giveBack} when it is
   * over: one that an earlier run finished with, or else a new one.
   *
   * Runs share a realm on the grounds that the nodes of one run do: before any of the
   * submission's code runs, everything the realm's nodes have in common is frozen (see lockDown
   * in ../_realm/host.ts), each node gets its own instance of the submission's modules and its
   * own global object; when a run ends the runtime lets go of its nodes, and both realms start
   * their tables of strings and shapes afresh (see {@link RealmSession.endRun}). A run can no
   * more find what an earlier run left than one node what another left. What a realm does carry from
   * one run to the next is the engine's compiled code and type feedback for the same functions,
   * so that a run's code is warm from its first event: in a new realm every run began cold,
   * which cost Raft's runs in the grader half their time or more (docs/performance.md).
   */
  take(): RealmSession {
    const session = this.idle.pop() ?? this.open();
    session.program = this;
    this.taken.add(session);
    return session;
  }

  /**
   * Takes back a realm whose run or search is over (and was not cut short by an error thrown
   * through it). A realm whose answers were ever malformed is let go instead.
   */
  giveBack(session: RealmSession): void {
    if (!this.taken.delete(session)) return;
    if (!session.reusable || this.idle.length >= maxIdleRealms) return;
    try {
      if (!session.endRun()) return;
    } catch {
      return;
    }
    this.idle.push(session);
  }
}

/** Realms kept idle per program: one per run a process has under way at once (a run, and a search inside it). */
const maxIdleRealms = 4;

/** Gives the realms of a run's or a search's reactors back to their programs, each once. */
export function giveBackRealms(reactors: readonly object[]): void {
  for (const reactor of reactors) {
    if (reactor instanceof RealmReactor) reactor.giveBackRealm();
  }
}

const standIns = new WeakMap<object, { readonly program: RealmProgram; readonly exportName: string }>();

/** Whether `nodeClass` stands in for a class that lives in a submission's realm. */
export function isStandIn(nodeClass: object): boolean {
  return standIns.has(nodeClass);
}

function keepFrames(stack: string): string {
  return stack;
}

/** A frame's place in the submission's script: `submission.js:140:11`. */
const submissionPlace = new RegExp(`${realmScriptNames.submission.replace('.', '\\.')}:(\\d+):(\\d+)`, 'g');

/**
 * What turns a failure's stack, as the realm wrote it, into one a student can follow: each
 * place in the submission's bundle becomes the place in its own file (`lamport.ts:71:12`),
 * and the node runtime's frames, which are not the student's code, are left out. The stack
 * is the realm's text: only its places are read, and the result is bounded as it was.
 */
function stackPlacer(sourceMapText: string | undefined): (stack: string) => string {
  let map: SourceMap | undefined;
  try {
    if (sourceMapText !== undefined) map = new SourceMap(JSON.parse(sourceMapText) as ConstructorParameters<typeof SourceMap>[0]);
  } catch {
    map = undefined;
  }
  const runtimeFrame = realmScriptNames.host + ':';
  return (stack) => {
    if (stack === '') return stack;
    const lines = stack.split('\n').filter((line) => !line.includes(runtimeFrame));
    const placed = lines.map((line) =>
      map === undefined
        ? line
        : line.replace(submissionPlace, (whole, line: string, column: string) => {
            const entry = (map as SourceMap).findEntry(Number(line) - 1, Number(column) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
            if (typeof entry.originalSource !== 'string' || typeof entry.originalLine !== 'number' || typeof entry.originalColumn !== 'number') return whole;
            return `${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
          }),
    );
    // The bundle's generated entry, which only imports the student's files, is no place of theirs either.
    return bound(placed.filter((line) => !generatedEntryFrame.test(line)).join('\n'), 4000);
  };
}

/** A frame in the entry the grader generates for a submission's bundle (its name, as a source map spells it). */
const generatedEntryFrame = /(<|%3C)distlab submission entry(>|%3E)/;

/** Describes what a realm threw, without running any of its code (no getters, no proxies). */
/** What V8 says when code changes a frozen object: at load, most likely one of the realm's built-ins. */
const changesBuiltIn = /^Cannot (assign to read only property|define property|add property|redefine property|delete property)|object is not extensible/;
const frozenBuiltInsHint =
  ' (if that is a built-in, such as a prototype, Math or JSON: every node of a run shares them, so they are frozen; put the helper in a module of your own)';

export function describeThrown(thrown: unknown): string {
  if (typeof thrown === 'string') return bound(thrown);
  if (typeof thrown === 'symbol') return 'a symbol';
  if (typeof thrown !== 'object' || thrown === null) return typeof thrown === 'function' ? 'a function' : bound(String(thrown));
  // A proxy's traps are the submission's code: it is not even asked for its message.
  if (types.isProxy(thrown)) return 'a proxy';
  try {
    const message = Object.getOwnPropertyDescriptor(thrown, 'message');
    if (message !== undefined && typeof message.value === 'string') return bound(message.value);
  } catch {
    // A proxy: nothing more to say.
  }
  return 'a value that is not an Error';
}

function bound(text: string, limit = maxTextCharacters): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length - limit} more characters)`;
}

let sessionsOpened = 0;

/**
 * Messages as a realm wrote them on its answer tape, kept until they are delivered, so that a
 * message sent from a realm's node to a node of the same realm crosses back without being
 * written again: its numbers are copied onto the question tape as they are. Only a message
 * that refers to nothing but strings and shapes both realms already hold is kept (it defined
 * none and has no text of its own), so its numbers mean the same when the realm reads them back.
 *
 * One ring for every realm of the process: each entry is the realm's serial, the message's
 * length, then its numbers. An entry that the ring has since written over, or that another
 * realm wrote, is not used: the message is then written from its object, as any other.
 */
export class KeptEncodings {
  private ring: Float64Array | undefined = undefined;
  /** How many numbers were ever written: positions count from the first, never wrapping. */
  private written = 0;
  /** A longer message is written from its object: copying it is no cheaper than writing it. */
  static readonly longest = 512;

  constructor(
    /** The ring's length in numbers (2 MB by default: far more than the messages a run has in flight at once). */
    private readonly size = 1 << 18,
  ) {}

  /** Keeps `tape[start, end)` for realm `serial`; returns where, or -1. */
  keep(serial: number, tape: Float64Array, start: number, end: number): number {
    const length = end - start;
    if (length > KeptEncodings.longest) return -1;
    const size = this.size;
    const ring = (this.ring ??= new Float64Array(size));
    let at = this.written;
    // An entry never wraps around the ring's end: it starts again at the beginning.
    if ((at % size) + length + 2 > size) at += size - (at % size);
    const offset = at % size;
    ring[offset] = serial;
    ring[offset + 1] = length;
    // A loop, not `set` over a subarray: a view made per message costs more than the copy.
    for (let index = 0; index < length; index++) ring[offset + 2 + index] = tape[start + index] as number;
    this.written = at + length + 2;
    return at;
  }

  /**
   * Writes the message kept at `at` for realm `serial` onto `tape` from its start and says its
   * length, or -1 when it is no longer there.
   */
  copyTo(serial: number, at: number, tape: Float64Array): number {
    const ring = this.ring;
    if (ring === undefined || at < 0 || this.written - at > this.size) return -1;
    const offset = at % this.size;
    if (ring[offset] !== serial) return -1;
    const length = ring[offset + 1] as number;
    if (length > tape.length) return -1;
    for (let index = 0; index < length; index++) tape[index] = ring[offset + 2 + index] as number;
    return length;
  }
}

const keptEncodings = new KeptEncodings();

/** One realm: a fresh context with the node runtime and the submission's code loaded. */
export class RealmSession {
  private readonly setupFunction: RealmFunction;
  private readonly reactFunction: RealmFunction;
  private readonly fieldsFunction: RealmFunction;
  private readonly exportsFunction: RealmFunction;
  private readonly answerTapeFunction: RealmFunction;
  readonly endRunFunction: RealmFunction;
  /** The program that handed this realm out (RealmProgram.take), which takes it back once a run is over. */
  program: RealmProgram | undefined = undefined;
  /** False once an answer was malformed: the realm's runtime cannot be relied on to start another run clean. */
  private answersWellFormed = true;
  private readonly shapeBuilderFunction: (shape: number, build: unknown) => unknown;
  private readonly context: vm.Context;
  /** The shapes whose builders the realm has: the first so many the table gave a builder. */
  private shapesBuilt = 0;
  /** How many times the realm said it replaced its answer tape when the tape was last read anew. */
  answerTapeReplaced = 0;
  /** Names this realm among the realms of the process: what marks the messages it wrote that are kept encoded. */
  serial = ++sessionsOpened;

  /** The number of shapes the realm has builders for. */
  get shapesKnown(): number {
    return this.shapesBuilt;
  }
  /**
   * The random state and the clock, passed without text: a typed array of the other realm,
   * whose elements this realm only reads and writes (element access runs no code).
   */
  readonly numbers: Float64Array;
  /** Reads the reactions' answers off the realm's answer tape (see ./tape.ts). */
  answers: TapeReader;
  /** Writes payloads onto the realm's question tape. */
  questions: TapeWriter;

  constructor(
    host: vm.Script,
    submission: vm.Script,
    /** Turns the frames of a failure's stack into places in the submission's own files. */
    readonly placeFrames: (stack: string) => string = keepFrames,
  ) {
    // The global object starts empty: a context's global built on an object of this realm
    // would hand the other realm this realm's Object through `constructor`.
    const sandbox = Object.create(null) as Record<string, unknown>;
    const context = vm.createContext(sandbox, {
      name: 'submission',
      codeGeneration: { strings: false, wasm: false },
      // Promise jobs stay in the realm's own queue, which is never run: node code is synchronous.
      // (A script's end would drain it, so no submission code runs inside one; see loadSubmission.)
      microtaskMode: 'afterEvaluate',
    });
    host.runInContext(context);
    // Read before any of the submission's code runs: nothing of it can have been changed yet.
    const functions = sandbox.__distlabHost as Record<string, RealmFunction>;
    // The realm's lockDown removes them from its global object (deleting them here would not).
    delete sandbox.__distlabHost;
    this.setupFunction = functions.setup as RealmFunction;
    this.reactFunction = functions.react as RealmFunction;
    this.fieldsFunction = functions.fields as RealmFunction;
    this.exportsFunction = functions.exportsText as RealmFunction;
    const loadFailureFrames = functions.loadFailureFrames as unknown as (thrown: unknown) => unknown;
    const loadSubmission = functions.loadSubmission as RealmFunction;
    this.answerTapeFunction = functions.currentAnswerTape as RealmFunction;
    this.endRunFunction = functions.endRun as RealmFunction;
    this.shapeBuilderFunction = functions.defineShapeBuilder as unknown as (shape: number, build: unknown) => unknown;
    // Before any of the submission's code runs: from here on, nothing its nodes share can be changed.
    const lockedDown = (functions.lockDown as RealmFunction)();
    if (lockedDown !== '') throw new RealmLoadError(`the node runtime could not lock the realm down: ${String(lockedDown)}`);
    this.context = context;
    const numbers = functions.numbers;
    const questionTape = functions.questionTape;
    const answerTape = functions.answerTape;
    // Taken before any of the submission's code runs.
    if (
      !types.isFloat64Array(numbers) ||
      !types.isFloat64Array(questionTape) ||
      !types.isFloat64Array(answerTape)
    ) {
      throw new RealmLoadError('the node runtime did not start');
    }
    // This realm reads and writes the arrays through views of its own over their memory: an
    // array of the other realm has that realm's hidden class, so code reading the arrays of
    // every realm a grader opens (one per run) would see a new class each time and go
    // megamorphic (four times slower per element) after the fourth.
    this.numbers = ownView(numbers, 8);
    const questions = ownView(questionTape, tapeSizes.question);
    const answers = ownView(answerTape, tapeSizes.answer);
    const strings = new StringTable(shapeBuilder);
    this.answers = new TapeReader(answers, strings, true, tapeSizes.answer);
    this.questions = new TapeWriter(questions, strings, false, tapeSizes.question);
    try {
      submission.runInContext(context);
      // Its modules are evaluated by this call, not inside the script, whose end drains the
      // realm's promise jobs: none of them ever runs, at load or later.
      loadSubmission();
    } catch (thrown) {
      const reason = describeThrown(thrown);
      // Where it threw, in the student's files: the realm reads the stack (its own code does), this realm only places it.
      let frames = '';
      try {
        const text = loadFailureFrames(thrown);
        if (typeof text === 'string') frames = placeFrames(bound(text, 4000));
      } catch {
        frames = '';
      }
      throw new RealmLoadError(`loading it threw: ${reason}${changesBuiltIn.test(reason) ? frozenBuiltInsHint : ''}${frames === '' ? '' : `\n${frames}`}`);
    }
  }

  /** Calls into the realm; its answer must be a string of bounded length. */
  call(name: string, realmFunction: RealmFunction, args: (number | string)[], limit = maxReactionCharacters): string {
    let answer: unknown;
    try {
      answer = realmFunction(...args);
      return checkedAnswer(name, answer, limit);
    } catch (thrown) {
      this.answersWellFormed = false;
      if (thrown instanceof RealmProtocolError) throw thrown;
      throw new RealmProtocolError(`the node runtime's ${name} threw: ${describeThrown(thrown)}`);
    }
  }

  /**
   * Ends a run in this realm, which may then serve another: the realm lets go of the run's
   * nodes, and both realms start their tables of strings and shapes afresh. A table kept from
   * one run to the next would be something a run's nodes could read (how much of an answer fits
   * on the tape depends on what is already defined there). The realm also takes a new serial,
   * so that no message kept encoded against the old table is taken for one of the new.
   */
  endRun(): boolean {
    if (this.call('endRun', this.endRunFunction, [], 1000) !== '') return false;
    const strings = new StringTable(shapeBuilder);
    this.answers = new TapeReader(this.answers.tape, strings, true, this.answers.tape.length);
    this.questions = new TapeWriter(this.questions.tape, strings, false, tapeSizes.question);
    this.shapesBuilt = 0;
    this.serial = ++sessionsOpened;
    return true;
  }

  /** Notes that the realm gave a malformed answer: it will serve no other run. */
  answeredMalformed(): void {
    this.answersWellFormed = false;
  }

  /** Whether the realm may serve another run: its answers were always well formed. */
  get reusable(): boolean {
    return this.answersWellFormed;
  }

  /** The submission's exports: 1 for a node class, 0 for anything else. */
  exports(): Record<string, number> {
    const parsed: unknown = JSON.parse(this.call('exports', this.exportsFunction, [], 1_000_000));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new RealmProtocolError('the exports are not a list of names');
    const exports: Record<string, number> = {};
    for (const [name, kind] of Object.entries(parsed as Record<string, unknown>)) {
      if (name.length <= 200) exports[name] = kind === 1 ? 1 : 0;
    }
    return exports;
  }

  /**
   * Reads the answer tape anew: the realm grew it (a reaction answered with more than it held).
   * The new tape must be an array of the realm's with the length the realm announced, no longer
   * than an answer may be.
   */
  refreshAnswerTape(): void {
    const length = this.numbers[6] as number;
    this.answerTapeReplaced = this.numbers[7] as number;
    let tape: unknown;
    try {
      tape = this.answerTapeFunction();
    } catch (thrown) {
      throw new RealmProtocolError(`the node runtime's answer tape could not be read: ${describeThrown(thrown)}`);
    }
    if (!types.isFloat64Array(tape) || !Number.isInteger(length) || length < tapeSizes.answer || length > tapeSizes.maxAnswer) {
      throw new RealmProtocolError('the answer tape is out of shape');
    }
    let view: Float64Array;
    try {
      view = ownView(tape, length);
    } catch {
      throw new RealmProtocolError('the answer tape is out of shape');
    }
    this.answers.useTape(view);
  }

  /**
   * Gives the realm a builder for each shape it defined since the last time: a function of its
   * own realm, compiled here from the shape's names quoted as JSON strings (a realm may not make
   * code from strings itself), which builds an object with all its fields at once.
   */
  buildShapes(): void {
    const built = this.answers.table.built;
    for (let index = this.shapesBuilt; index < built.length; index++) {
      const shape = built[index] as Shape;
      const build = realmShapeBuilder(shape.fields, this.context);
      try {
        this.shapeBuilderFunction(shape.number, build);
      } catch (thrown) {
        throw new RealmProtocolError(`the node runtime's shape builders could not be set: ${describeThrown(thrown)}`);
      }
    }
    this.shapesBuilt = built.length;
  }

  setup(text: string): string {
    this.heldStorage = [];
    this.lastStorageWrites = [];
    return this.call('setup', this.setupFunction, [text], maxTextCharacters * 2);
  }

  /**
   * Each node's storage as the realm holds it after the node's last reaction, and that
   * reaction's storage writes, which the realm keeps too: both known only once the reaction's
   * answer was read from the tape. Raft's log, say, is written whole by most reactions of a
   * leader: handing the storage over again as text would cost an encoding here and a decoding
   * there every time. What judges durability is this realm's storage; the realm's copy is only
   * what the node reads.
   */
  private heldStorage: (ReadonlyMap<string, unknown> | undefined)[] = [];
  private lastStorageWrites: (readonly StorageWrite[] | undefined)[] = [];

  /** How `storage` is handed to the realm for a reaction of `node` (see storageFor in ../_realm/host.ts). */
  storageArgument(node: NodeId, storage: ReadonlyMap<string, unknown>): string {
    if (storage.size === 0) return '';
    const held = this.heldStorage[node];
    if (held === storage) return '=';
    const writes = this.lastStorageWrites[node];
    if (held !== undefined && writes !== undefined && writes.length > 0 && madeBy(storage, held, writes)) return `+${writes.length}`;
    return storageText(storage);
  }

  /** After a reaction of `node`: the storage the realm now holds and the reaction's effects, or undefined when its answer was not read from the tape. */
  storageHeldAfter(node: NodeId, storage: ReadonlyMap<string, unknown> | undefined, effects: readonly Effect[] | undefined): void {
    this.heldStorage[node] = storage;
    if (storage === undefined || effects === undefined) {
      this.lastStorageWrites[node] = undefined;
      return;
    }
    // Most reactions write nothing: no list is made for them.
    let writes: StorageWrite[] | undefined;
    for (let index = 0; index < effects.length; index++) {
      const effect = effects[index] as Effect;
      if (effect.kind === 'storage-set' || effect.kind === 'storage-delete') (writes ??= []).push(effect);
    }
    this.lastStorageWrites[node] = writes ?? noStorageWrites;
  }

  /** One reaction (see `react` in ../_realm/host.ts); called with its arguments spelled out, since a spread call costs more than the rest of a small call. */
  react(node: NodeId, kind: number, from: NodeId, payload: string, storage: string, state: string, wantState: number): string {
    let answer: unknown;
    // Called without a receiver: no object of this realm is handed to the other, even as `this`.
    const realmReact = this.reactFunction;
    try {
      answer = realmReact(node, kind, from, payload, storage, state, wantState);
    } catch (thrown) {
      this.answersWellFormed = false;
      throw new RealmProtocolError(`the node runtime's react threw: ${describeThrown(thrown)}`);
    }
    return checkedAnswer('react', answer, maxReactionCharacters);
  }

  fields(node: NodeId): string {
    return this.call('fields', this.fieldsFunction, [node]);
  }
}

/**
 * A builder of the shape's objects, as a function of the realm `context`: an object literal
 * whose names are quoted as JSON strings (string literals of JavaScript; a shape never has the
 * name `__proto__`). Compiled, not run: no code of the realm runs, not even its promise jobs.
 */
function realmShapeBuilder(fields: readonly string[], context: vm.Context): unknown {
  return vm.compileFunction(shapeBuilderBody(fields), ['reader', 'depth'], { parsingContext: context, filename: realmScriptNames.host });
}

/** This realm's typed-array built-ins, taken when the module loads: they read internal slots, which run no code. */
const typedArrayPrototype = Object.getPrototypeOf(Float64Array.prototype) as object;
const typedArrayBuffer = Object.getOwnPropertyDescriptor(typedArrayPrototype, 'buffer')?.get as (this: Float64Array) => ArrayBufferLike;
const typedArrayByteOffset = Object.getOwnPropertyDescriptor(typedArrayPrototype, 'byteOffset')?.get as (this: Float64Array) => number;
const typedArrayLength = Object.getOwnPropertyDescriptor(typedArrayPrototype, 'length')?.get as (this: Float64Array) => number;
const bufferResizable = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get as ((this: ArrayBuffer) => boolean) | undefined;

/**
 * A Float64Array of this realm over the memory of `array`, an array of the submission's realm
 * that must hold `length` numbers. The memory cannot be taken away from under the view: a
 * realm has no way to detach or resize an ArrayBuffer it did not make resizable, and a
 * resizable one is refused.
 */
function ownView(array: Float64Array, length: number): Float64Array {
  const buffer = typedArrayBuffer.call(array);
  if (!types.isArrayBuffer(buffer) || typedArrayLength.call(array) !== length || bufferResizable?.call(buffer) !== false) throw new RealmLoadError('the node runtime did not start');
  return new Float64Array(buffer, typedArrayByteOffset.call(array), length);
}

/** A realm function's answer: text of bounded length, or a {@link RealmProtocolError}. */
function checkedAnswer(name: string, answer: unknown, limit: number): string {
  if (typeof answer !== 'string') throw new RealmProtocolError(`the node runtime's ${name} answered with a ${typeof answer}, not text`);
  if (answer.length > limit) throw new RealmProtocolError(`the node runtime's ${name} answered with ${answer.length} characters, more than the ${limit} allowed`);
  return answer;
}

/** The realm answered with something that is not a reaction: its runtime was tampered with. */
export class RealmProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RealmProtocolError';
  }
}

/** Texts of values handed to a realm, so that handing them over again costs no new encoding: payloads, and node states (whose containers may be shared). */
const texts = new WeakMap<object, string>();
const fieldsTexts = new WeakMap<object, string>();
const storageTexts = new WeakMap<ReadonlyMap<string, unknown>, string>();

function textOf(value: unknown, sharing = false): string {
  if (typeof value !== 'object' || value === null) return encodePlain(value);
  const cache = sharing ? fieldsTexts : texts;
  const known = cache.get(value);
  if (known !== undefined) return known;
  const text = encodePlain(value, sharing);
  cache.set(value, text);
  return text;
}

type StorageWrite = Extract<Effect, { kind: 'storage-set' | 'storage-delete' }>;
const noStorageWrites: readonly StorageWrite[] = [];

/**
 * Whether `storage` holds exactly what `held` does with `writes` made (the same values, not
 * copies). Without a map of its own: a storage may hold a key for every slot of a log, and a
 * reaction writes a few of them.
 */
export function madeBy(storage: ReadonlyMap<string, unknown>, held: ReadonlyMap<string, unknown>, writes: readonly StorageWrite[]): boolean {
  let size = held.size;
  for (let index = 0; index < writes.length; index++) {
    const key = (writes[index] as StorageWrite).key;
    // Each key once, as its last write left it.
    let later = false;
    for (let next = index + 1; next < writes.length && !later; next++) later = (writes[next] as StorageWrite).key === key;
    if (later) continue;
    const write = writes[index] as StorageWrite;
    const value = write.kind === 'storage-set' ? write.value : undefined;
    if (value === undefined) {
      if (storage.has(key)) return false;
      if (held.has(key)) size--;
    } else {
      if (storage.get(key) !== value) return false;
      if (!held.has(key)) size++;
    }
  }
  if (storage.size !== size) return false;
  for (const [key, value] of storage) {
    if (held.get(key) === value && held.has(key)) continue;
    if (!writes.some((write) => write.key === key)) return false;
  }
  return true;
}

function storageText(storage: ReadonlyMap<string, unknown>): string {
  if (storage.size === 0) return '';
  let text = storageTexts.get(storage);
  if (text === undefined) {
    text = encodePlain(storage);
    storageTexts.set(storage, text);
  }
  return text;
}

/** A node's object in a realm that keeps it (the simulator): only its id is kept here. */
class LiveNode {
  constructor(readonly node: NodeId) {}
}

const stateProblems = new WeakMap<object, PlainDataError>();

function plainDataProblem(environment: { readonly name: string }, text: string): PlainDataError {
  const error = new PlainDataError(environment.name, 'is not plain data');
  error.message = bound(text);
  return error;
}

/**
 * The reactor of a node whose class runs in a submission's realm. In `live` mode (runs) the
 * realm keeps the node's object from one reaction to the next; in `copies` mode (search) the
 * node's state is its fields as plain data of this realm, handed over as text each time.
 */
export class RealmReactor<P extends Protocol> implements NodeReactor<P> {
  readonly copiesPayloads = true;
  effects: Effect[] = [];
  failure: ReactionFailure | undefined = undefined;
  instance: object | undefined = undefined;
  private readonly live: LiveNode;

  constructor(
    readonly environment: NodeEnvironment<P>,
    private readonly session: RealmSession,
    private readonly mode: 'live' | 'copies',
  ) {
    this.live = new LiveNode(environment.nodeId);
  }

  start(storage: ReadonlyMap<string, unknown>, random: RandomDraws, clockMs: number | undefined): boolean {
    reactionStarting?.(this.environment.nodeId, 'start', -1, '', clockMs);
    this.react(0, -1, '', storage, random, clockMs, '');
    return this.failure === undefined;
  }

  handle(
    instance: object,
    kind: 'message' | 'timer' | 'input',
    from: NodeId,
    payload: Tagged,
    storage: ReadonlyMap<string, unknown>,
    random: RandomDraws,
    clockMs: number | undefined,
    encoded = -1,
  ): boolean {
    const code = kind === 'message' ? 1 : kind === 'timer' ? 2 : 3;
    reactionStarting?.(this.environment.nodeId, kind, from, payload.type, clockMs);
    const state = this.mode === 'live' ? '' : textOf(instance, true);
    this.react(code, from, this.payloadText(payload, encoded), storage, random, clockMs, state);
    return this.failure === undefined;
  }

  /**
   * `#` and the strings of `payload` written on the question tape, or its text when it does not
   * fit there. A message this realm sent, kept as it wrote it, is copied there as it is.
   */
  private payloadText(payload: Tagged, encoded: number): string {
    const session = this.session;
    if (encoded >= 0 && keptEncodings.copyTo(session.serial, encoded, session.questions.tape) >= 0) return '#';
    const writer = session.questions;
    writer.reset();
    try {
      writer.value(payload);
      writer.finish();
    } catch (error) {
      if (error instanceof TapeOverflow) return textOf(payload);
      throw error;
    }
    return '#' + writer.text;
  }

  /** Gives this node's realm back to its program (once for all the nodes that share it: later calls do nothing). */
  giveBackRealm(): void {
    this.session.program?.giveBack(this.session);
  }

  copy(instance: object): object {
    // A node's state here is never changed: each reaction answers with a new one.
    return instance;
  }

  checkState(instance: object): PlainDataError | undefined {
    if (this.mode === 'copies') return stateProblems.get(instance);
    let text: string;
    try {
      text = this.session.fields(this.environment.nodeId);
    } catch (error) {
      return plainDataProblem(this.environment, (error as Error).message);
    }
    return text.startsWith('!') ? plainDataProblem(this.environment, text.slice(1)) : undefined;
  }

  snapshot(instance: object): unknown {
    if (this.mode === 'copies') return stateProblems.has(instance) ? undefined : snapshotFields(instance);
    let text: string;
    try {
      text = this.session.fields(this.environment.nodeId);
    } catch {
      return undefined;
    }
    if (text === '' || text.startsWith('!')) return undefined;
    // A full trace takes a snapshot after every reaction, and many reactions change nothing:
    // the same text is the same state, whose snapshot (never changed by its readers) is kept.
    if (text === this.lastSnapshot?.text) return this.lastSnapshot.value;
    let value: unknown;
    try {
      const [flag, tree] = JSON.parse(text) as [unknown, unknown];
      value = toJsonValue(decodeTree(flag, tree, true));
    } catch {
      return undefined;
    }
    this.lastSnapshot = { text, value };
    return value;
  }

  private lastSnapshot: { readonly text: string; readonly value: unknown } | undefined = undefined;

  /** One call into the realm. */
  private react(kind: number, from: NodeId, payload: string, storage: ReadonlyMap<string, unknown>, random: RandomDraws, clockMs: number | undefined, state: string): void {
    const numbers = this.session.numbers;
    if (random instanceof Alea) random.saveTo(numbers, 0);
    else {
      const draws = random.current();
      numbers[0] = draws.s0;
      numbers[1] = draws.s1;
      numbers[2] = draws.s2;
      numbers[3] = draws.c;
    }
    numbers[5] = clockMs ?? Number.NaN;
    let answer: string;
    const session = this.session;
    const node = this.environment.nodeId;
    try {
      answer = session.react(node, kind, from, payload, session.storageArgument(node, storage), state, this.mode === 'copies' ? 1 : 0);
      heartbeat?.();
      if (answer.charCodeAt(0) === 35 /* # */) {
        this.readTape(answer, random);
        session.storageHeldAfter(node, storage, this.effects);
      } else {
        session.storageHeldAfter(node, undefined, undefined);
        this.read(answer, random);
      }
    } catch (error) {
      session.storageHeldAfter(node, undefined, undefined);
      session.answeredMalformed();
      // A syntax error: text that is not JSON; a range error: JSON nested too deeply to parse.
      if (
        !(error instanceof RealmProtocolError || error instanceof TapeError || error instanceof PlainTextError || error instanceof SyntaxError || error instanceof RangeError)
      ) {
        throw error;
      }
      this.effects = [];
      this.failure = {
        handler: 'the node runtime',
        message:
          `${this.environment.name}: the node runtime in the submission's realm gave a malformed answer (${bound(error.message, 500)}). ` +
          'Node code must not change the built-ins or the framework it runs on.',
        plainData: false,
        where: '',
      };
      if (kind === 0) this.instance = undefined;
    }
  }

  /** Reads a reaction's answer from the answer tape (its layout: TapeRecorder and finishAnswer in ../_realm/host.ts). */
  private readTape(answer: string, random: RandomDraws): void {
    const session = this.session;
    const numbers = session.numbers;
    if (numbers[6] !== session.answers.tape.length || numbers[7] !== session.answerTapeReplaced) session.refreshAnswerTape();
    const reader = session.answers;
    reader.reset(answer, 1);
    const count = reader.count(tapeSizes.maxAnswer);
    // One list, written over by every reaction: whoever keeps a reaction's effects copies them
    // before the next (as the framework's own recorder has it).
    const effects = this.effects;
    for (let index = 0; index < count; index++) effects[index] = this.readTapeEffect(reader);
    if (effects.length !== count) effects.length = count;
    if (reader.count(1) === 0) this.failure = undefined;
    else {
      const handler = reader.string();
      const message = reader.string();
      const plainData = reader.count(1) === 1;
      this.failure = { handler: bound(handler, 200), message: bound(message), plainData, where: session.placeFrames(bound(reader.string(), 4000)) };
    }
    if (numbers[4] === 1) continueDraws(random, numbers);
    const fieldsKind = reader.count(2);
    const content = fieldsKind === 1 ? reader.sharedValue() : fieldsKind === 2 ? reader.string() : undefined;
    const lines = reader.count(tapeSizes.maxAnswer);
    for (let index = 0; index < lines; index++) {
      const line = reader.string();
      if (outputSink !== undefined) outputSink(bound(line));
    }
    if (!reader.atEndOfText) throw new RealmProtocolError('the answer has text left over');
    if (reader.table.built.length !== session.shapesKnown) session.buildShapes();
    this.settleState(fieldsKind === 1 ? 'fields' : fieldsKind === 2 ? 'problem' : 'none', content);
  }

  private readTapeEffect(reader: TapeReader): Effect {
    switch (reader.number()) {
      case 0: {
        const to = reader.number();
        if (!Number.isInteger(to) || to < 0 || to >= this.environment.nodeCount) throw new RealmProtocolError('a send names no node');
        reader.bytes = 0;
        const start = reader.position;
        const textRead = reader.textRead;
        const table = reader.table;
        const strings = table.strings.length;
        const shapes = table.shapes.length;
        const message = taggedValue(reader.value(), 'a message');
        // Kept when it reads the same again from its numbers alone: no text, nothing defined.
        const encoded =
          reader.textRead === textRead && table.strings.length === strings && table.shapes.length === shapes
            ? keptEncodings.keep(this.session.serial, reader.tape, start, reader.position)
            : -1;
        return { kind: 'send', to, message, bytes: reader.bytes, encoded };
      }
      case 1: {
        const timer = taggedValue(reader.value(), 'a timer');
        const minMs = reader.number();
        const maxMs = reader.number();
        if (!validDelay(minMs, maxMs)) throw new RealmProtocolError('a timer has no valid delay');
        return { kind: 'set-timer', timer, minMs, maxMs };
      }
      case 2:
        return { kind: 'cancel-timer', timer: taggedValue(reader.value(), 'a timer') };
      case 3: {
        const storageKey = key(reader.string());
        return { kind: 'storage-set', key: storageKey, value: deepFreeze(reader.value()) };
      }
      case 4:
        return { kind: 'storage-delete', key: key(reader.string()) };
      case 5:
        return { kind: 'output', output: taggedValue(reader.value(), 'an output') };
      case 6:
        return { kind: 'log', text: bound(reader.string()) };
      default:
        throw new RealmProtocolError('an effect of no known kind');
    }
  }

  /** Reads a reaction's answer; anything out of shape is a {@link RealmProtocolError}. */
  private read(answer: string, random: RandomDraws): void {
    const frame: unknown = JSON.parse(answer);
    if (!Array.isArray(frame) || frame.length !== 4) throw new RealmProtocolError('not a reaction');
    const [failure, effects, fields, lines] = frame as unknown[];
    this.failure = failure === 0 ? undefined : readFailure(failure, this.session.placeFrames);
    const numbers = this.session.numbers;
    if (numbers[4] === 1) continueDraws(random, numbers);
    if (!Array.isArray(effects) || effects.length > 1_000_000) throw new RealmProtocolError('the effects are not a list');
    const read: Effect[] = new Array<Effect>(effects.length);
    for (let index = 0; index < effects.length; index++) read[index] = this.readEffect(effects[index]);
    this.effects = read;
    if (!Array.isArray(lines)) throw new RealmProtocolError('the console lines are not a list');
    if (outputSink !== undefined) for (const line of lines) outputSink(bound(String(line)));
    if (this.mode === 'live' || fields === '') this.settleState('none', undefined);
    else if (typeof fields === 'string') {
      if (!fields.startsWith('!')) throw new RealmProtocolError('the node state is out of shape');
      this.settleState('problem', fields.slice(1));
    } else {
      if (!Array.isArray(fields) || fields.length !== 2) throw new RealmProtocolError('the node state is out of shape');
      this.settleState('fields', decodeTree(fields[0], fields[1], true));
    }
  }

  /**
   * The node's state after a reaction: in a run, the object the realm keeps; in a search, the
   * fields it answered with, or a stand-in that carries why they are not plain data.
   */
  private settleState(found: 'none' | 'problem' | 'fields', content: unknown): void {
    if (this.mode === 'live') {
      this.instance = this.live;
      return;
    }
    if (found === 'none') {
      if (this.failure === undefined) throw new RealmProtocolError('the node state is missing');
      return;
    }
    if (found === 'problem') {
      const stand = {};
      stateProblems.set(stand, plainDataProblem(this.environment, content as string));
      this.instance = stand;
      return;
    }
    if (typeof content !== 'object' || content === null || Array.isArray(content) || content instanceof Map || content instanceof Set) {
      throw new RealmProtocolError('the node state is not a record of fields');
    }
    this.instance = content;
  }

  private readEffect(tree: unknown): Effect {
    if (!Array.isArray(tree)) throw new RealmProtocolError('an effect is not a list');
    switch (tree[0]) {
      case 0: {
        const to: unknown = tree[1];
        if (typeof to !== 'number' || !Number.isInteger(to) || to < 0 || to >= this.environment.nodeCount) {
          throw new RealmProtocolError('a send names no node');
        }
        const message = tagged(tree[2], tree[3], 'a message');
        return { kind: 'send', to, message, bytes: plainBytes(message), encoded: -1 };
      }
      case 1: {
        const timer = tagged(tree[1], tree[2], 'a timer');
        const minMs: unknown = tree[3];
        const maxMs: unknown = tree[4];
        if (typeof minMs !== 'number' || typeof maxMs !== 'number' || !validDelay(minMs, maxMs)) throw new RealmProtocolError('a timer has no valid delay');
        return { kind: 'set-timer', timer, minMs, maxMs };
      }
      case 2:
        return { kind: 'cancel-timer', timer: tagged(tree[1], tree[2], 'a timer') };
      case 3:
        return { kind: 'storage-set', key: key(tree[1]), value: deepFreeze(decodeTree(tree[2], tree[3])) };
      case 4:
        return { kind: 'storage-delete', key: key(tree[1]) };
      case 5:
        return { kind: 'output', output: tagged(tree[1], tree[2], 'an output') };
      case 6:
        if (typeof tree[1] !== 'string') throw new RealmProtocolError('a log line is not text');
        return { kind: 'log', text: bound(tree[1]) };
      default:
        throw new RealmProtocolError('an effect of no known kind');
    }
  }
}

/**
 * A delay setTimer can give: a finite number of ms, at least 1, or a range of whole ms. A
 * single delay need not be whole (setTimer(timer, 1.5) is allowed), so only a range's ends
 * must be.
 */
function validDelay(minMs: number, maxMs: number): boolean {
  if (!(minMs >= 1) || !Number.isFinite(maxMs) || maxMs < minMs) return false;
  return minMs === maxMs || (Number.isInteger(minMs) && Number.isInteger(maxMs));
}

function readFailure(tree: unknown, placeFrames: (stack: string) => string): ReactionFailure {
  if (!Array.isArray(tree) || tree.length !== 4) throw new RealmProtocolError('a failure is out of shape');
  const [handler, message, plainData, where] = tree as unknown[];
  if (typeof handler !== 'string' || typeof message !== 'string' || typeof where !== 'string') throw new RealmProtocolError('a failure is out of shape');
  return { handler: bound(handler, 200), message: bound(message), plainData: plainData === 1, where: placeFrames(bound(where, 4000)) };
}

/** Goes on from the random state the realm handed back, refused unless every number is finite. */
function continueDraws(random: RandomDraws, numbers: Float64Array): void {
  if (!(random instanceof Alea)) {
    random.continueFrom(readDraws(numbers));
    return;
  }
  if (!Number.isFinite(numbers[0]) || !Number.isFinite(numbers[1]) || !Number.isFinite(numbers[2]) || !Number.isFinite(numbers[3])) {
    throw new RealmProtocolError('the random state is out of shape');
  }
  random.resumeFrom(numbers, 0);
}

function readDraws(numbers: Float64Array): { s0: number; s1: number; s2: number; c: number } {
  const s0 = numbers[0] as number;
  const s1 = numbers[1] as number;
  const s2 = numbers[2] as number;
  const c = numbers[3] as number;
  if (!Number.isFinite(s0) || !Number.isFinite(s1) || !Number.isFinite(s2) || !Number.isFinite(c)) throw new RealmProtocolError('the random state is out of shape');
  return { s0, s1, s2, c };
}

function tagged(flag: unknown, tree: unknown, what: string): Tagged {
  return taggedValue(decodeTree(flag, tree), what);
}

function taggedValue(decoded: unknown, what: string): Tagged {
  if (typeof decoded !== 'object' || decoded === null || typeof (decoded as { type?: unknown }).type !== 'string') {
    throw new RealmProtocolError(`${what} is not an object with a string type`);
  }
  return decoded as Tagged;
}

/** A storage key: any string, as the framework's storage takes it (the answer's size bounds it). */
function key(text: unknown): string {
  if (typeof text !== 'string') throw new RealmProtocolError('a storage key is not text');
  return text;
}

/**
 * The reactors of a cluster's nodes: a {@link Reactor} for a class of this realm, a
 * {@link RealmReactor} for a submission's class, with one realm per submission for the whole
 * run (or search), taken from its program: whoever runs them gives it back with
 * {@link giveBackRealms} when the run is over.
 */
export function reactorsFor<P extends Protocol>(environments: readonly NodeEnvironment<P>[], mode: 'live' | 'copies', config: object): NodeReactor<P>[] {
  const sessions = new Map<RealmProgram, RealmSession>();
  const reactors = environments.map((environment): NodeReactor<P> => {
    const standIn = standIns.get(environment.nodeClass);
    if (standIn === undefined) return new Reactor(environment);
    let session = sessions.get(standIn.program);
    if (session === undefined) {
      session = standIn.program.take();
      sessions.set(standIn.program, session);
    }
    return new RealmReactor(environment, session, mode);
  });
  for (const [program, session] of sessions) {
    const nodes: ({ exportName: string; role: Role } | null)[] = environments.map((environment) => {
      const standIn = standIns.get(environment.nodeClass);
      return standIn !== undefined && standIn.program === program ? { exportName: standIn.exportName, role: environment.role } : null;
    });
    const servers = environments[0]?.servers ?? [];
    const problem = session.setup(encodePlain({ nodes, servers, config }));
    if (problem !== '') throw new RealmLoadError(`the submission's realm could not set up the cluster: ${bound(problem, 1000)}`);
  }
  return reactors;
}
