// Plain data as numbers: the fast way values cross between a submission's realm and the
// judging realm. A value is written as a run of doubles into a Float64Array of the
// submission's realm (whose elements the judging realm reads and writes; element access runs
// no code), and its strings as one string handed back as a call's answer. Formatting and
// parsing JSON cost more than the rest of a small reaction; this costs a few array writes.
//
// Strings that come again and again (message types, field names) are interned: the first time
// the submission's realm writes one, it defines it under the next number, and from then on
// both sides refer to it by number. The lists of field names of objects (shapes) are kept the
// same way. Only the submission's realm defines; the judging realm keeps its copy of the table
// (whose strings are primitives: nothing of the other realm) and refers to what is already there.
//
// Anything the tape cannot say (a value that is not plain data or nested too deeply, a tape
// that is full and cannot grow) makes the writer give up with a {@link TapeOverflow}: the
// caller takes back what it wrote of the value, and refuses it or says it as text.

import { beginContainer, endContainer, maxExpandedSize, referencedContainer, sharedContainers, type SharedContainers } from './plainText.ts';

// Taken when the module loads: in a submission's realm, before any of its code runs.
const isArray = Array.isArray;
const getPrototypeOf = Object.getPrototypeOf;
const objectPrototype = Object.prototype;
const defineProperty = Object.defineProperty;
const MapConstructor = Map;
const SetConstructor = Set;
const BigIntConstructor = BigInt;
const isInteger = Number.isInteger;

/** The tags of a value on the tape. */
const enum Tag {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  Number = 4,
  /** A string not in the table: its length; its characters are next in the strings. */
  String = 5,
  /** A string added to the table under the next number: its length, as for String. */
  DefineString = 6,
  /** A string of the table: its number. */
  StringNumber = 7,
  Array = 8,
  /** An object: its number of fields, then each field's name (a string) and value. */
  Object = 9,
  Map = 10,
  Set = 11,
  /** A bigint: its digits as a string. */
  BigInt = 12,
  /** A container met before in the same value: its number, in the order containers began (see {@link TapeWriter.sharedValue}). */
  Reference = 13,
  /** An object whose field names are a shape of the table: the shape's number, then each field's value in the shape's order. */
  Shape = 14,
  /** An object whose field names become a shape of the table, under the next number: their count, the names, then the values. */
  DefineShape = 15,
}

/** The tapes' lengths, in doubles: what a question's payload and a reaction's answer may take. */
export const tapeSizes = {
  question: 16_384,
  /** The answer tape's length at first; the submission's realm doubles it when an answer needs more. */
  answer: 65_536,
  /** The longest the answer tape may grow (32 MB). */
  maxAnswer: 4_194_304,
} as const;

/** At most this many strings are interned per realm, each at most this long. */
const maxInternedStrings = 16_384;
const maxInternedLength = 64;
/** At most this many shapes (lists of field names) per realm, each of at most this many names. */
const maxShapes = 4_096;
const maxShapeFields = 32;
/** Deeper than plain data may be (200 levels): a deeper value takes the text path, which says what is wrong. */
const maxDepth = 256;
/**
 * The deepest container a reaction's effects may hold, as plain data counts depth (the value
 * itself at 0): a deeper one is refused as the framework's copy refuses it.
 */
export const maxEffectDepth = 201;
/**
 * The reader refuses containers nested deeper than this (the root is at 0): one more than plain
 * data may be, so nothing a node could send is refused, while the judging realm's recursive
 * walks (copies, hashes, reports) never meet a value deeper than they can take.
 */
const maxReadDepth = 201;

/** The writer gave up on a value: the caller takes back what was written of it. */
export class TapeOverflow extends Error {
  constructor(readonly reason: 'full' | 'deep' | 'not plain') {
    super(`the value does not fit the tape (${reason})`);
    this.name = 'TapeOverflow';
  }
}

/** What the judging realm read on a tape that is out of shape: the other realm was tampered with. */
export class TapeError extends Error {
  constructor(problem: string) {
    super(`malformed tape: ${problem}`);
    this.name = 'TapeError';
  }
}

/**
 * The field names of objects that come again and again (the messages of a protocol): a shape
 * is written as its number, its fields' values in order, so that neither side looks up each
 * name. The judging realm reads a shape that keeps coming with a function made for it, which
 * builds the object with all its fields at once (see {@link shapeBuilder}).
 */
export interface Shape {
  readonly number: number;
  readonly fields: readonly string[];
  /** What the names add to an object's size, as plainBytes counts it: the braces and each name. */
  readonly bytes: number;
  /** How many objects of this shape were read, until it has a builder. */
  uses: number;
  /** Builds an object of this shape from the values that follow on the tape, in this realm. */
  build: ((reader: TapeReader, depth: number) => Record<string, unknown>) | undefined;
}

/**
 * A shape gets a builder once this many of its objects were read: making one costs about as
 * much as building a few hundred objects field by field, and a protocol's messages come again
 * far more often, while objects used as maps (names that are keys) may make a new shape each.
 */
const usesBeforeBuilder = 16;
/** At most this many builders per realm's conversation: what making them may cost is bounded. */
const maxBuilders = 512;

/** A step in the tree of field names that leads to each shape (what a writer follows, name by name). */
export class ShapeStep {
  shape = -1;
  private lastName: string | undefined = undefined;
  private lastStep: ShapeStep | undefined = undefined;
  private readonly next = new MapConstructor<string, ShapeStep>();

  /** The step after `name`: most objects repeat the shape met before, so the last one is kept at hand. */
  after(name: string): ShapeStep | undefined {
    if (name === this.lastName) return this.lastStep;
    const step = this.next.get(name);
    if (step !== undefined) {
      this.lastName = name;
      this.lastStep = step;
    }
    return step;
  }

  afterOrNew(name: string): ShapeStep {
    let step = this.next.get(name);
    if (step === undefined) {
      step = new ShapeStep();
      this.next.set(name, step);
    }
    return step;
  }
}

/** The interned strings and shapes of one realm's conversation, on one side. */
export class StringTable {
  readonly numbers = new MapConstructor<string, number>();
  readonly strings: string[] = [];
  readonly shapes: Shape[] = [];
  /** The shapes given a builder, in the order they got one. */
  readonly built: Shape[] = [];
  private readonly shapeSteps: ShapeStep[] = [];
  readonly firstStep = new ShapeStep();

  constructor(
    /** Makes the function that builds a shape's objects; without it, objects are built field by field. */
    private readonly builderFor?: (fields: readonly string[]) => Shape['build'],
  ) {}

  /** Forgets the strings defined from `count` on, and the shapes from `shapes` on (an answer that was not sent after all). */
  truncate(count: number, shapes = this.shapes.length): void {
    while (this.strings.length > count) this.numbers.delete(this.strings.pop() as string);
    while (this.shapes.length > shapes) {
      this.shapes.pop();
      (this.shapeSteps.pop() as ShapeStep).shape = -1;
    }
  }

  /** Adds a shape under the next number. */
  addShape(fields: readonly string[]): void {
    let step = this.firstStep;
    for (let index = 0; index < fields.length; index++) step = step.afterOrNew(fields[index] as string);
    let bytes = 2;
    for (let index = 0; index < fields.length; index++) bytes += (fields[index] as string).length + 1;
    step.shape = this.shapes.length;
    this.shapeSteps.push(step);
    this.shapes.push({ number: this.shapes.length, fields, bytes, uses: 0, build: undefined });
  }

  /** Counts one more object of `shape` read, and gives the shape a builder when it has come often enough. */
  used(shape: Shape): void {
    if (++shape.uses < usesBeforeBuilder || this.builderFor === undefined || this.built.length >= maxBuilders) return;
    shape.build = this.builderFor(shape.fields);
    this.built.push(shape);
  }
}

/** Whether `name` may be a field of a shape: a short name that an object literal makes an ordinary field. */
function shapeField(name: string): boolean {
  return name.length <= maxInternedLength && name !== '__proto__';
}

/**
 * The function that builds an object of a shape in this realm: an object literal with the
 * shape's names, quoted as JSON strings (which are string literals of JavaScript), whose values
 * are read from the tape in order. `__proto__`, which a literal would take for the prototype,
 * never names a field of a shape. For the judging realm only: it reads what another realm wrote.
 */
export function shapeBuilder(fields: readonly string[]): Shape['build'] {
  return new Function('reader', 'depth', shapeBuilderBody(fields)) as Shape['build'];
}

/**
 * The body of a shape's builder, a function of `reader` and `depth`: the literal, with the
 * names quoted as JSON strings (data in the literal, never code).
 */
export function shapeBuilderBody(fields: readonly string[]): string {
  return `return { ${fields.map((name) => `${JSON.stringify(name)}: reader.value(depth)`).join(', ')} };`;
}

/**
 * Writes values onto a tape. In the submission's realm `defines` is true: new short strings
 * are added to the table. The judging realm only refers to strings already there.
 */
export class TapeWriter {
  position = 0;
  text = '';
  /**
   * What the strings and shapes written by reference since the last {@link reset} would have
   * added had each been written in full: numbers on the tape, characters of text. A size
   * limit judged on what was written plus these does not depend on what the table held before
   * (which the other nodes of the realm, or an earlier run, put there).
   */
  byReferenceNumbers = 0;
  byReferenceCharacters = 0;
  private capacity: number;
  /** The deepest container {@link value} writes; a deeper one is a {@link TapeOverflow}. */
  depthLimit = maxDepth;

  constructor(
    public tape: Float64Array,
    readonly table: StringTable,
    private readonly defines: boolean,
    capacity: number,
    /**
     * Gives a longer tape holding what this one holds, when this one is full (the submission's
     * realm grows its answer tape); without it, or when it gives none, a full tape is a
     * {@link TapeOverflow}.
     */
    private readonly grow?: (tape: Float64Array) => Float64Array | undefined,
  ) {
    this.capacity = capacity;
  }

  reset(): void {
    this.position = 0;
    this.text = '';
    this.byReferenceNumbers = 0;
    this.byReferenceCharacters = 0;
  }

  /**
   * Writes past the end of a tape that cannot grow are dropped by the typed array itself:
   * {@link finish} tells whether everything fit.
   */
  number(value: number): void {
    if (this.position >= this.capacity && this.grow !== undefined) this.growTape();
    this.tape[this.position++] = value;
  }

  /** Writes on `tape` from now on, from its start: the writer's tape was replaced by a shorter one. */
  useTape(tape: Float64Array): void {
    this.tape = tape;
    this.capacity = tape.length;
    this.reset();
  }

  private growTape(): void {
    const longer = (this.grow as (tape: Float64Array) => Float64Array | undefined)(this.tape);
    if (longer === undefined) throw new TapeOverflow('full');
    this.tape = longer;
    this.capacity = longer.length;
  }

  /** Throws a {@link TapeOverflow} when what was written did not fit. */
  finish(): void {
    if (this.position > this.capacity) throw new TapeOverflow('full');
  }

  /** A string; `intern` false for text unlikely to come again (messages, log lines). */
  string(value: string, intern = true): void {
    if (intern) {
      const known = this.table.numbers.get(value);
      if (known !== undefined) {
        this.number(Tag.StringNumber);
        this.number(known);
        // In full: a tag, its length, and its characters in the text.
        this.byReferenceCharacters += value.length;
        return;
      }
    }
    const strings = this.table.strings;
    if (intern && this.defines && value.length <= maxInternedLength && strings.length < maxInternedStrings) {
      this.number(Tag.DefineString);
      this.table.numbers.set(value, strings.length);
      strings.push(value);
    } else this.number(Tag.String);
    this.number(value.length);
    this.text += value;
  }

  /** While a value whose containers may be shared is written: each container's number, -1 minus it while it is open. */
  private numbering: Map<object, number> | undefined = undefined;

  /**
   * Writes a node's fields: like {@link value}, but a container met again is written as a
   * reference to it, so the reader rebuilds one object where the node held one object twice.
   * A container that holds itself is not plain data.
   */
  sharedValue(value: unknown): void {
    this.numbering = new MapConstructor<object, number>();
    this.shared = sharedContainers();
    try {
      this.value(value);
    } finally {
      this.numbering = undefined;
      this.shared = undefined;
    }
  }

  /**
   * While a node's fields are written: what they reach, counted as the reader counts it (a
   * shared container at every place), so that what the reader would refuse is refused here,
   * as not plain data, before it is sent.
   */
  private shared: SharedContainers | undefined = undefined;

  /** Writes plain data; a {@link TapeOverflow} for what is not plain data or does not fit. */
  value(value: unknown, depth = 0): void {
    const shared = this.shared;
    if (shared !== undefined) shared.reached++;
    switch (typeof value) {
      case 'number':
        this.number(Tag.Number);
        this.number(value);
        return;
      case 'string':
        this.string(value);
        return;
      case 'boolean':
        this.number(value ? Tag.True : Tag.False);
        return;
      case 'undefined':
        this.number(Tag.Undefined);
        return;
      case 'bigint':
        this.number(Tag.BigInt);
        // In hexadecimal: read back in time linear in its length, as decimal digits are not.
        this.string(value < 0n ? `-${(-value).toString(16)}` : value.toString(16));
        return;
      case 'object':
        break;
      default:
        throw new TapeOverflow('not plain');
    }
    if (value === null) {
      this.number(Tag.Null);
      return;
    }
    if (depth >= this.depthLimit) throw new TapeOverflow('deep');
    // No use going on with a large value that no longer fits.
    if (this.position > this.capacity) throw new TapeOverflow('full');
    const numbering = this.numbering;
    if (numbering === undefined) {
      this.container(value, depth);
      return;
    }
    const known = numbering.get(value);
    if (known !== undefined) {
      if (known < 0) throw new TapeOverflow('not plain');
      if (typeof referencedContainer(shared as SharedContainers, known, depth, maxReadDepth) === 'string') throw new TapeOverflow('not plain');
      this.number(Tag.Reference);
      this.number(known);
      return;
    }
    const number = numbering.size;
    numbering.set(value, -1 - number);
    beginContainer(shared as SharedContainers, value);
    this.container(value, depth);
    if (!endContainer(shared as SharedContainers, number)) throw new TapeOverflow('not plain');
    numbering.set(value, number);
  }

  private container(value: object, depth: number): void {
    // Most values are records (messages): they are known by their prototype before any
    // `instanceof`, which no Map or Set can pass.
    const prototype: unknown = getPrototypeOf(value);
    if ((prototype === objectPrototype || prototype === null) && !isArray(value)) {
      this.record(value as Record<string, unknown>, depth);
      return;
    }
    if (isArray(value)) {
      const length = value.length;
      this.number(Tag.Array);
      this.number(length);
      for (let index = 0; index < length; index++) this.value(value[index], depth + 1);
      return;
    }
    if (value instanceof MapConstructor) {
      this.number(Tag.Map);
      this.number(value.size);
      for (const [key, entry] of value) {
        // As the reader refuses it, and as plain data does.
        if (typeof key === 'object' && key !== null) throw new TapeOverflow('not plain');
        this.value(key, depth + 1);
        this.value(entry, depth + 1);
      }
      return;
    }
    if (value instanceof SetConstructor) {
      this.number(Tag.Set);
      this.number(value.size);
      for (const element of value) {
        if (typeof element === 'object' && element !== null) throw new TapeOverflow('not plain');
        this.value(element, depth + 1);
      }
      return;
    }
    throw new TapeOverflow('not plain');
  }

  private record(record: Record<string, unknown>, depth: number): void {
    if (this.shaped(record, depth)) return;
    this.number(Tag.Object);
    const countAt = this.position;
    this.number(0);
    let count = 0;
    for (const key in record) {
      this.string(key);
      this.value(record[key], depth + 1);
      count++;
    }
    this.tape[countAt] = count;
  }

  /**
   * Writes `record` as a shape when its names are one (defining it, on the side that defines),
   * and says whether it did. Outside a node's fields only: there, objects are read name by name.
   */
  private shaped(record: Record<string, unknown>, depth: number): boolean {
    if (this.numbering !== undefined) return false;
    const table = this.table;
    let step: ShapeStep | undefined = table.firstStep;
    let count = 0;
    for (const key in record) {
      step = step.after(key);
      count++;
      if (step === undefined) break;
    }
    let shape = step === undefined ? -1 : step.shape;
    if (shape < 0) {
      if (!this.defines || table.shapes.length >= maxShapes || count > maxShapeFields) return false;
      const fields: string[] = [];
      for (const key in record) {
        if (!shapeField(key) || fields.length === maxShapeFields) return false;
        fields.push(key);
      }
      this.number(Tag.DefineShape);
      this.number(fields.length);
      for (let index = 0; index < fields.length; index++) this.string(fields[index] as string);
      table.addShape(fields);
      shape = table.shapes.length - 1;
    } else {
      this.number(Tag.Shape);
      this.number(shape);
      // In full: a tag, the count, then each name as a string (a tag and its length, its characters in the text).
      const known = table.shapes[shape] as Shape;
      this.byReferenceNumbers += 2 * known.fields.length;
      this.byReferenceCharacters += known.bytes - 2 - known.fields.length;
    }
    const fields = (table.shapes[shape] as Shape).fields;
    let written = 0;
    for (const key in record) {
      // A getter that adds or removes names while the object is written leaves no shape to say it.
      if (key !== fields[written]) throw new TapeOverflow('not plain');
      const field = record[key];
      // Most fields of messages are numbers: written here, without a call.
      if (typeof field === 'number') {
        this.number(Tag.Number);
        this.number(field);
      } else this.value(field, depth + 1);
      written++;
    }
    if (written !== fields.length) throw new TapeOverflow('not plain');
    return true;
  }
}

/**
 * Reads values off a tape, checking everything: the judging realm reads what the other realm
 * wrote, which may be anything. In the judging realm `learns` is true: definitions extend its
 * table. Built values are of the reading realm.
 */
export class TapeReader {
  position = 0;
  /**
   * The size of what was read since it was last set to 0, counted as the framework counts a
   * copied value's size (see plainBytes): a message's size, without trusting the other realm's count.
   */
  bytes = 0;
  private text = '';
  private textPosition = 0;
  private capacity: number;

  constructor(
    public tape: Float64Array,
    readonly table: StringTable,
    private readonly learns: boolean,
    capacity: number,
  ) {
    this.capacity = capacity;
  }

  /** Reads from `tape` from now on: the other realm's tape grew. */
  useTape(tape: Float64Array): void {
    this.tape = tape;
    this.capacity = tape.length;
  }

  reset(text: string, textPosition = 0): void {
    this.position = 0;
    this.text = text;
    this.textPosition = textPosition;
  }

  /** How many characters of the strings were read so far. */
  get textRead(): number {
    return this.textPosition;
  }

  /** Whether every character of the strings was read: an answer must use all it sent. */
  get atEndOfText(): boolean {
    return this.textPosition === this.text.length;
  }

  number(): number {
    const value = this.tape[this.position++];
    if (value === undefined) throw new TapeError('it ends too early');
    return value;
  }

  /** A whole number in [0, max]. */
  count(max: number): number {
    const value = this.tape[this.position++];
    if (value === undefined || !isInteger(value) || value < 0 || value > max) throw new TapeError('a count is out of range');
    return value;
  }

  private characters(length: number): string {
    const end = this.textPosition + length;
    if (end > this.text.length) throw new TapeError('a string runs past the text');
    const value = this.text.slice(this.textPosition, end);
    this.textPosition = end;
    return value;
  }

  private stringWithTag(tag: number): string {
    switch (tag) {
      case Tag.StringNumber: {
        // Any number that is not the index of a string (a fraction, NaN, past the end) reads undefined.
        const value = this.table.strings[this.tape[this.position++] as number];
        if (value === undefined) throw new TapeError('a string number is not in the table');
        return value;
      }
      case Tag.String:
        return this.characters(this.count(this.text.length));
      case Tag.DefineString: {
        if (!this.learns) throw new TapeError('a string is defined by the wrong side');
        const strings = this.table.strings;
        const value = this.characters(this.count(maxInternedLength));
        if (strings.length >= maxInternedStrings) throw new TapeError('too many strings are defined');
        this.table.numbers.set(value, strings.length);
        strings.push(value);
        return value;
      }
      default:
        throw new TapeError('a string was expected');
    }
  }

  string(): string {
    return this.stringWithTag(this.tape[this.position++] as number);
  }

  /** While a value whose containers may be shared is read: see {@link sharedValue}. */
  private shared: SharedContainers | undefined = undefined;

  /**
   * Reads a node's fields, written by {@link TapeWriter.sharedValue}: a reference is the
   * container it names, which must have ended (else it would be a cycle). The value may reach
   * at most {@link maxExpandedSize} values, counting a shared container at every place.
   */
  sharedValue(): unknown {
    this.shared = sharedContainers();
    try {
      return this.value();
    } finally {
      this.shared = undefined;
    }
  }

  /** Reads plain data of this realm. */
  value(depth = 0): unknown {
    const tape = this.tape;
    const tag = tape[this.position++];
    const shared = this.shared;
    if (shared !== undefined) {
      shared.reached++;
      if (tag === Tag.Reference) return this.reference(shared, depth);
    }
    switch (tag) {
      case Tag.Number: {
        const value = tape[this.position++];
        if (value === undefined) throw new TapeError('it ends too early');
        this.bytes += 8;
        return value;
      }
      case Tag.String:
      case Tag.DefineString:
      case Tag.StringNumber: {
        const value = this.stringWithTag(tag as number);
        this.bytes += value.length + 2;
        return value;
      }
      case Tag.Undefined:
        this.bytes += 1;
        return undefined;
      case Tag.Null:
        this.bytes += 1;
        return null;
      case Tag.False:
        this.bytes += 1;
        return false;
      case Tag.True:
        this.bytes += 1;
        return true;
      case Tag.BigInt: {
        const digits = this.string();
        // Any length the text allows: a bigint of plain data has no bound on its size.
        if (!/^-?[0-9a-f]+$/.test(digits)) throw new TapeError('a bigint must be hexadecimal digits');
        this.bytes += 1;
        return digits.charCodeAt(0) === 45 /* - */ ? -BigIntConstructor(`0x${digits.slice(1)}`) : BigIntConstructor(`0x${digits}`);
      }
      default:
        break;
    }
    if (depth > maxReadDepth) throw new TapeError('a value is nested too deeply');
    if (shared === undefined) return this.container(tag as number, depth);
    // Numbered as it begins, as the writer numbered it; the container itself is filled in below.
    const number = beginContainer(shared, undefined);
    const container = this.container(tag as number, depth, number);
    if (!endContainer(shared, number)) throw new TapeError(`a value reaches more than ${maxExpandedSize} values`);
    return container;
  }

  private reference(shared: SharedContainers, depth: number): unknown {
    const referenced = referencedContainer(shared, this.tape[this.position++], depth, maxReadDepth);
    if (typeof referenced === 'string') throw new TapeError(referenced);
    return referenced.container;
  }

  /** The shape a Shape or DefineShape tag names (defining it, for the side that learns). */
  private shapeWithTag(tag: number): Shape {
    const table = this.table;
    if (tag === Tag.Shape) {
      const shape = table.shapes[this.tape[this.position++] as number];
      if (shape === undefined) throw new TapeError('a shape number is not in the table');
      return shape;
    }
    if (!this.learns) throw new TapeError('a shape is defined by the wrong side');
    if (table.shapes.length >= maxShapes) throw new TapeError('too many shapes are defined');
    const count = this.count(maxShapeFields);
    const fields: string[] = [];
    for (let index = 0; index < count; index++) {
      const name = this.string();
      if (!shapeField(name) || fields.includes(name)) throw new TapeError('a shape has a field it cannot have');
      fields.push(name);
    }
    table.addShape(fields);
    return table.shapes[table.shapes.length - 1] as Shape;
  }

  /** An object of a shape: built at once by the shape's function, or field by field. */
  private shapedObject(shape: Shape, depth: number, number?: number): Record<string, unknown> {
    this.bytes += shape.bytes;
    const build = shape.build;
    if (build !== undefined && this.shared === undefined) return build(this, depth + 1);
    if (build === undefined) this.table.used(shape);
    const fields = shape.fields;
    const record: Record<string, unknown> = {};
    if (this.shared !== undefined) this.shared.containers[number as number] = record;
    for (let index = 0; index < fields.length; index++) record[fields[index] as string] = this.value(depth + 1);
    return record;
  }

  /** A container's contents; `number` is its number while a value with shared containers is read. */
  private container(tag: number, depth: number, number?: number): unknown {
    const shared = this.shared;
    // Every element takes at least one slot, so no count can be larger than what is left.
    const left = this.capacity - this.position - 1;
    switch (tag) {
      case Tag.Shape:
      case Tag.DefineShape:
        return this.shapedObject(this.shapeWithTag(tag), depth, number);
      case Tag.Object: {
        const count = this.count(left);
        const record: Record<string, unknown> = {};
        if (shared !== undefined) shared.containers[number as number] = record;
        this.bytes += 2;
        for (let index = 0; index < count; index++) {
          const key = this.string();
          this.bytes += key.length + 1;
          const field = this.value(depth + 1);
          if (key === '__proto__') defineProperty(record, key, { value: field, enumerable: true, writable: true, configurable: true });
          else record[key] = field;
        }
        return record;
      }
      case Tag.Array: {
        const length = this.count(left);
        const items = new Array<unknown>(length);
        this.bytes += 2;
        if (shared !== undefined) shared.containers[number as number] = items;
        for (let index = 0; index < length; index++) items[index] = this.value(depth + 1);
        return items;
      }
      case Tag.Map: {
        const count = this.count(left);
        const map = new MapConstructor<unknown, unknown>();
        if (shared !== undefined) shared.containers[number as number] = map;
        for (let index = 0; index < count; index++) {
          const key = this.value(depth + 1);
          if (typeof key === 'object' && key !== null) throw new TapeError('a Map key must be a primitive');
          map.set(key, this.value(depth + 1));
        }
        return map;
      }
      case Tag.Set: {
        const count = this.count(left);
        const set = new SetConstructor<unknown>();
        if (shared !== undefined) shared.containers[number as number] = set;
        for (let index = 0; index < count; index++) {
          const element = this.value(depth + 1);
          if (typeof element === 'object' && element !== null) throw new TapeError('a Set element must be a primitive');
          set.add(element);
        }
        return set;
      }
      default:
        throw new TapeError('a value has no known tag');
    }
  }
}
