// "messages are as protocol.ts declares": a lab's protocol.ts is types only, so the tests that
// read its messages know them by their `type` and the fields they declare. A field no check
// reads, or a client's message type sent between servers, is a channel no property sees:
// decisions, acknowledgements or whole logs could travel in it unjudged. This rule closes it.
import { always, type Property } from './properties.ts';
import { nodeName, type NodeId, type Protocol } from './types.ts';

/** Who may send a message type, and to whom. */
export type MessageRoute = 'server-to-server' | 'server-to-client' | 'client-to-server';

/** A kind of value: `node` is a node id (an integer, 0 or more); `plain` any plain data (JSON's values). */
type BaseKind = 'integer' | 'number' | 'string' | 'boolean' | 'node' | 'plain';
type ListKind = BaseKind | `${BaseKind}[]`;
type NullableKind = ListKind | `${ListKind}|null`;
/**
 * What a declared field holds: a kind, `[]` for an array of them, `|null` when it may be null,
 * and `?` at the end when it may be left out (`'integer'`, `'node[]|null'`, `'string?'`).
 */
export type FieldKind = NullableKind | `${NullableKind}?`;

/**
 * The fields of a value the tests read inside a message: an object, or each element of an
 * array of them; `shapes` goes one level further down, field by field. With `kinds`, the shape
 * is typed: every field it declares holds what `kinds` or `shapes` says (a field in neither
 * holds plain data), and may be absent only where it says so; `list` makes the value an array
 * of such objects, `nullable` lets it be null, `optional` lets it be absent.
 */
export interface DeclaredShape {
  readonly fields: readonly string[];
  readonly shapes?: Readonly<Record<string, DeclaredShape>>;
  readonly kinds?: Readonly<Record<string, FieldKind>>;
  readonly list?: boolean;
  readonly nullable?: boolean;
  readonly optional?: boolean;
}

/**
 * One message type of a protocol: the fields it declares besides `type`, and its route; and,
 * for a field whose value is an object the tests read (a ballot, a log entry), the fields that
 * object declares. With `kinds`, the message is typed, as a typed {@link DeclaredShape} is.
 */
export interface DeclaredMessage {
  readonly fields: readonly string[];
  readonly route: MessageRoute;
  readonly shapes?: Readonly<Record<string, DeclaredShape>>;
  readonly kinds?: Readonly<Record<string, FieldKind>>;
}

/** How deep plain data may nest in a typed field: far more than any lab's messages need. */
const maxPlainDepth = 64;

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** JSON's values: null, booleans, finite numbers, strings, and arrays and plain objects of them. */
function isPlainData(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth >= maxPlainDepth) return false;
  if (Array.isArray(value)) return value.every((item) => isPlainData(item, depth + 1));
  return isPlainObject(value) && Object.values(value).every((item) => isPlainData(item, depth + 1));
}

function hasBaseKind(value: unknown, kind: BaseKind): boolean {
  switch (kind) {
    case 'integer':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'node':
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case 'plain':
      return isPlainData(value);
  }
}

/** A kind in words, for a message: `a node id or null`, `an array of integers`. */
function kindInWords(kind: FieldKind): string {
  const base = kind.replace(/\?$/, '').replace(/\|null$/, '');
  const list = base.endsWith('[]');
  const name = (list ? base.slice(0, -2) : base) as BaseKind;
  const words = { integer: 'an integer', number: 'a finite number', string: 'a string', boolean: 'true or false', node: 'a node id', plain: 'plain data' }[name];
  const plural = { integer: 'integers', number: 'finite numbers', string: 'strings', boolean: 'booleans', node: 'node ids', plain: 'plain data' }[name];
  return `${list ? `an array of ${plural}` : words}${kind.includes('|null') ? ' or null' : ''}`;
}

/** A value as a message quotes it: short, and never a throw. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'absent';
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Map) return 'a Map';
  if (value instanceof Set) return 'a Set';
  let text: string;
  try {
    text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** What is wrong with a typed field's value, or undefined. */
function wrongKind(value: unknown, kind: FieldKind): string | undefined {
  const optional = kind.endsWith('?');
  if (value === undefined) return optional ? undefined : 'absent';
  const nullable = kind.replace(/\?$/, '').endsWith('|null');
  if (value === null && nullable) return undefined;
  const base = kind.replace(/\?$/, '').replace(/\|null$/, '');
  const fits = base.endsWith('[]') ? Array.isArray(value) && value.every((item) => hasBaseKind(item, base.slice(0, -2) as BaseKind)) : hasBaseKind(value, base as BaseKind);
  return fits ? undefined : describeValue(value);
}

/** A wrongly typed field, at any depth, of a typed message or shape: its path, what it holds, what it must. */
interface WrongField {
  readonly path: string;
  readonly found: string;
  readonly expected: string;
}

function wrongInsideTyped(record: Readonly<Record<string, unknown>>, declaration: { readonly fields: readonly string[]; readonly shapes?: Readonly<Record<string, DeclaredShape>>; readonly kinds?: Readonly<Record<string, FieldKind>> }, path: string): WrongField | undefined {
  for (const field of declaration.fields) {
    const value = hasOwn.call(record, field) ? record[field] : undefined;
    const at = path === '' ? field : `${path}.${field}`;
    const shape = declaration.shapes?.[field];
    if (shape !== undefined) {
      const wrong = wrongShape(value, shape, at);
      if (wrong !== undefined) return wrong;
      continue;
    }
    const kind = declaration.kinds?.[field] ?? 'plain';
    const found = wrongKind(value, kind);
    if (found !== undefined) return { path: at, found, expected: kindInWords(kind) + (kind.endsWith('?') ? ', or absent' : '') };
  }
  return undefined;
}

function wrongShape(value: unknown, shape: DeclaredShape, path: string): WrongField | undefined {
  if (shape.kinds === undefined) return undefined;
  const object = `an object {${shape.fields.join(', ')}}`;
  const expected = `${shape.list === true ? `an array of objects {${shape.fields.join(', ')}}` : object}${shape.nullable === true ? ' or null' : ''}${shape.optional === true ? ', or absent' : ''}`;
  if (value === undefined) return shape.optional === true ? undefined : { path, found: 'absent', expected };
  if (value === null) return shape.nullable === true ? undefined : { path, found: 'null', expected };
  const items = shape.list === true ? (Array.isArray(value) ? value : undefined) : [value];
  if (items === undefined) return { path, found: describeValue(value), expected };
  for (let index = 0; index < items.length; index++) {
    const item: unknown = items[index];
    const at = shape.list === true ? `${path}[${index}]` : path;
    if (!isPlainObject(item)) return { path: at, found: describeValue(item), expected: shape.list === true ? object : expected };
    const wrong = wrongInsideTyped(item, shape, at);
    if (wrong !== undefined) return wrong;
  }
  return undefined;
}

// The same judgement, compiled once per declaration into plain checks that build no strings:
// every message a server sends passes through them, and only one that fails is described.
type Check = (value: unknown) => boolean;

function compileKind(kind: FieldKind): Check {
  const optional = kind.endsWith('?');
  const core = optional ? kind.slice(0, -1) : kind;
  const nullable = core.endsWith('|null');
  const listed = nullable ? core.slice(0, -5) : core;
  const list = listed.endsWith('[]');
  const base = (list ? listed.slice(0, -2) : listed) as BaseKind;
  return (value) => {
    if (value === undefined) return optional;
    if (value === null && nullable) return true;
    if (!list) return hasBaseKind(value, base);
    if (!Array.isArray(value)) return false;
    for (const item of value) if (!hasBaseKind(item, base)) return false;
    return true;
  };
}

function compileFields(declaration: { readonly fields: readonly string[]; readonly shapes?: Readonly<Record<string, DeclaredShape>>; readonly kinds?: Readonly<Record<string, FieldKind>> }): (record: Readonly<Record<string, unknown>>) => boolean {
  const checks = declaration.fields.map((field): readonly [string, Check] => {
    const shape = declaration.shapes?.[field];
    return [field, shape !== undefined ? compileShape(shape) : compileKind(declaration.kinds?.[field] ?? 'plain')];
  });
  return (record) => {
    for (const [field, check] of checks) if (!check(hasOwn.call(record, field) ? record[field] : undefined)) return false;
    return true;
  };
}

function compileShape(shape: DeclaredShape): Check {
  if (shape.kinds === undefined) return () => true;
  const fields = compileFields(shape);
  const optional = shape.optional === true;
  const nullable = shape.nullable === true;
  const list = shape.list === true;
  return (value) => {
    if (value === undefined) return optional;
    if (value === null) return nullable;
    if (!list) return isPlainObject(value) && fields(value);
    if (!Array.isArray(value)) return false;
    for (const item of value) if (!isPlainObject(item) || !fields(item)) return false;
    return true;
  };
}

/**
 * The first field, at any depth, that `value` carries and `shape` does not declare: its path
 * from the message (`ballot.decided`, `entries[3].note`) and what that object declares.
 */
function undeclaredInside(value: unknown, shape: DeclaredShape, path: string): { readonly path: string; readonly declares: readonly string[] } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = undeclaredInside(value[index], shape, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const record = value as Readonly<Record<string, unknown>>;
  for (const field of Object.keys(record)) if (!shape.fields.includes(field)) return { path: `${path}.${field}`, declares: shape.fields };
  for (const [field, inner] of Object.entries(shape.shapes ?? {})) {
    const found = undeclaredInside(record[field], inner, `${path}.${field}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The key-value kit's command, as `KvCommand` declares it (its operation's fields are those of every kind). */
export const kvCommandShape: DeclaredShape = {
  fields: ['client', 'sequence', 'operation'],
  kinds: { client: 'node', sequence: 'integer' },
  shapes: { operation: { fields: ['kind', 'key', 'value'], kinds: { kind: 'string', key: 'string', value: 'string?' } } },
};

/** The key-value kit's client messages, as `KvClientMessage` declares them. */
export const kvClientMessages: Readonly<Record<string, DeclaredMessage>> = {
  ClientRequest: { fields: ['command'], route: 'client-to-server', shapes: { command: kvCommandShape }, kinds: {} },
  ClientReply: { fields: ['sequence', 'result'], route: 'server-to-client', kinds: { sequence: 'integer', result: 'plain' } },
  ClientRedirect: { fields: ['sequence', 'leader'], route: 'server-to-client', kinds: { sequence: 'integer', leader: 'node|null' } },
};

/** The key-value kit's server output, as `KvServerOutput` declares it; `withResult` for a lab whose `Executed` also carries its `result`. */
export function kvServerOutputs(options: { readonly withResult?: boolean } = {}): Readonly<Record<string, DeclaredOutput>> {
  const kinds: Record<string, FieldKind> = { index: 'integer', client: 'node', sequence: 'integer' };
  if (options.withResult === true) kinds['result'] = 'plain';
  return { Executed: { fields: Object.keys(kinds), kinds } };
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * What is wrong with a message, measured against `declared`, or undefined: a type it does not
 * declare, a field its declaration leaves out (at any depth it declares a shape for), or a
 * field of another kind than declared. `sent` opens the message's description.
 */
function undeclaredInMessage(
  message: Readonly<Record<string, unknown>>,
  declared: Readonly<Record<string, DeclaredMessage>>,
  typed: ReadonlyMap<string, (record: Readonly<Record<string, unknown>>) => boolean>,
  sent: string,
  protocolFile: string,
): { readonly problem: string } | { readonly declaration: DeclaredMessage } {
  const type = message['type'];
  const declaration = typeof type === 'string' && hasOwn.call(declared, type) ? declared[type] : undefined;
  if (declaration === undefined) {
    return { problem: `${sent}: ${protocolFile} declares no message type ${JSON.stringify(type)}; the tests read only the messages it declares (${Object.keys(declared).join(', ')})` };
  }
  const extra = Object.keys(message).filter((field) => field !== 'type' && !declaration.fields.includes(field));
  if (extra.length > 0) {
    const declares = declaration.fields.length === 0 ? 'no field' : `${declaration.fields.join(', ')}`;
    return {
      problem:
        `${sent} with ${extra.length === 1 ? 'the field' : 'the fields'} ${extra.slice(0, 5).map((field) => JSON.stringify(field)).join(', ')}, which ${protocolFile} does not declare ` +
        `for ${type} (it declares ${declares}): the tests read the messages as ${protocolFile} declares them, so a message carries those fields and no others`,
    };
  }
  for (const [field, shape] of Object.entries(declaration.shapes ?? {})) {
    const inside = undeclaredInside(message[field], shape, field);
    if (inside === undefined) continue;
    return {
      problem:
        `${sent} with the field ${JSON.stringify(inside.path)}, which ${protocolFile} does not declare (that object declares ${inside.declares.join(', ')}): ` +
        `the tests read the messages as ${protocolFile} declares them, so a message carries those fields and no others, at any depth`,
    };
  }
  const fits = typed.get(type as string);
  if (fits !== undefined && !fits(message)) {
    const wrong = wrongInsideTyped(message, declaration, '');
    if (wrong !== undefined) {
      return {
        problem:
          `${sent} whose ${JSON.stringify(wrong.path)} is ${wrong.found}, where ${protocolFile} declares ${wrong.expected}: ` +
          'the tests read every field as its declaration types it, so a value of another kind would carry what no property sees',
      };
    }
  }
  return { declaration };
}

function compileDeclared(declared: Readonly<Record<string, DeclaredMessage>>): ReadonlyMap<string, (record: Readonly<Record<string, unknown>>) => boolean> {
  return new Map(Object.entries(declared).flatMap(([type, declaration]) => (declaration.kinds === undefined ? [] : [[type, compileFields(declaration)] as const])));
}

function describeSend(event: { readonly from: NodeId; readonly to: NodeId; readonly timeMs: number }, type: unknown): string {
  return `${nodeName(event.from)} sent ${typeof type === 'string' ? type : 'a message'} to ${nodeName(event.to)} at ${event.timeMs} ms`;
}

/**
 * An `always` property over every message a server sends: its `type` is one `declared` names,
 * it carries no field the declaration leaves out (nor, inside the objects whose shapes it
 * declares, any field those leave out), and a client's message type goes only between
 * a server and a client, never from one server to another. `protocolFile` names the file in messages.
 * Client nodes are judged by `clientsSpeakTheKitProtocol` where they run the submission's code.
 */
export function speaksTheProtocol<P extends Protocol>(declared: Readonly<Record<string, DeclaredMessage>>, protocolFile = 'src/protocol.ts'): Property<P> {
  const typed = compileDeclared(declared);
  return always<P>('messages are as protocol.ts declares', {
    memory: () => undefined,
    records: ['send'],
    record(_memory, event, cluster) {
      if (event.kind !== 'send') return undefined;
      const servers = cluster.servers;
      if (!servers.includes(event.from)) return undefined;
      const message = event.message as unknown as Readonly<Record<string, unknown>>;
      const sent = describeSend(event, message['type']);
      const judged = undeclaredInMessage(message, declared, typed, sent, protocolFile);
      if ('problem' in judged) return judged.problem;
      const declaration = judged.declaration;
      // A server's message to a client node is let through: in some searches a client node plays the earlier leaders.
      if (declaration.route === 'server-to-server' || (declaration.route === 'server-to-client' && !servers.includes(event.to))) return undefined;
      const goes = declaration.route === 'server-to-client' ? 'from a server to a client' : 'from a client to a server';
      return `${sent}, a server: a ${message['type'] as string} goes ${goes} only, and the tests read it as that`;
    },
  });
}

/**
 * "a client's messages are as distlab declares": where the client nodes run the submission's
 * own client, every message one sends is a `ClientRequest` to a server, with the fields and
 * kinds `KvClientMessage` declares and no others. The properties that judge the servers read
 * a client's commands by those fields.
 */
export function clientsSpeakTheKitProtocol<P extends Protocol>(): Property<P> {
  const declared = kvClientMessages;
  const typed = compileDeclared(declared);
  const kitFile = "distlab's KvClientMessage";
  return always<P>("a client's messages are as distlab declares", {
    memory: () => undefined,
    records: ['send'],
    record(_memory, event, cluster) {
      if (event.kind !== 'send') return undefined;
      const servers = cluster.servers;
      if (servers.includes(event.from)) return undefined;
      const message = event.message as unknown as Readonly<Record<string, unknown>>;
      const sent = describeSend(event, message['type']);
      const judged = undeclaredInMessage(message, declared, typed, sent, kitFile);
      if ('problem' in judged) return judged.problem;
      if (judged.declaration.route === 'client-to-server' && servers.includes(event.to)) return undefined;
      const type = message['type'] as string;
      return judged.declaration.route === 'client-to-server'
        ? `${sent}, a client: a ${type} goes from a client to a server only, and the tests read it as that`
        : `${sent}, a client: a ${type} goes from a server to a client only; a client sends ClientRequests to servers, and nothing else`;
    },
  });
}

/** What one storage key holds: a kind (`'integer'`, `'node|null'`), or a typed shape. */
export type DeclaredValue = FieldKind | DeclaredShape;

/** One output type of a protocol: the fields the tests read, typed as a message's are. */
export interface DeclaredOutput {
  readonly fields: readonly string[];
  readonly shapes?: Readonly<Record<string, DeclaredShape>>;
  readonly kinds?: Readonly<Record<string, FieldKind>>;
}

/**
 * What protocol.ts declares of a server's durable storage and outputs. `storage` names keys;
 * `numberedStorage` names families of keys, a prefix and then an integer (`accepted:` for
 * `accepted:7`). Keys and output types it leaves out are the submission's own: no test reads them.
 */
export interface DeclaredState {
  readonly storage?: Readonly<Record<string, DeclaredValue>>;
  readonly numberedStorage?: Readonly<Record<string, DeclaredValue>>;
  readonly outputs?: Readonly<Record<string, DeclaredOutput>>;
}

function compileValue(declared: DeclaredValue): Check {
  return typeof declared === 'string' ? compileKind(declared) : compileShape(declared);
}

/** What is wrong with a stored value, or undefined: its path inside the value (`log[3].term`), what it holds, what it must. */
function wrongValue(value: unknown, declared: DeclaredValue, path: string): WrongField | undefined {
  if (typeof declared !== 'string') return wrongShape(value, declared, path);
  const found = wrongKind(value, declared);
  return found === undefined ? undefined : { path, found, expected: kindInWords(declared) + (declared.endsWith('?') ? ', or absent' : '') };
}

const numberedKey = /^(.*?)(0|[1-9][0-9]{0,15})$/;

/**
 * An `always` property over what every server writes to durable storage and outputs: each
 * declared key and each declared output's fields hold what protocol.ts types them as. The
 * tests read storage and outputs as protocol.ts declares them; a value of another kind (a
 * number as a string, a ballot wrapped in an array) would be read as nothing, and a bug could
 * hide behind it. List it first, with {@link speaksTheProtocol}: a property after it then only
 * ever sees values of the declared kinds.
 */
export function keepsTheDeclaredState<P extends Protocol>(declared: DeclaredState, protocolFile = 'src/protocol.ts'): Property<P> {
  const keys = new Map(Object.entries(declared.storage ?? {}).map(([key, value]) => [key, { value, fits: compileValue(value) }] as const));
  const families = new Map(Object.entries(declared.numberedStorage ?? {}).map(([prefix, value]) => [prefix, { value, fits: compileValue(value) }] as const));
  const outputs = new Map(Object.entries(declared.outputs ?? {}).map(([type, output]) => [type, { output, fits: compileFields(output) }] as const));
  const declaredKey = (key: string) => {
    const exact = keys.get(key);
    if (exact !== undefined) return exact;
    const numbered = numberedKey.exec(key);
    return numbered === null ? undefined : families.get(numbered[1] as string);
  };
  const explain = 'the tests read every value as its declaration types it, so a value of another kind would hold what no property sees';
  return always<P>('storage and outputs are as protocol.ts declares', {
    memory: () => undefined,
    records: ['storage', 'output'],
    record(_memory, event, cluster) {
      if (event.kind === 'storage') {
        if (event.value === undefined || !cluster.servers.includes(event.node)) return undefined;
        const declaration = declaredKey(event.key);
        if (declaration === undefined || declaration.fits(event.value)) return undefined;
        const wrong = wrongValue(event.value, declaration.value, event.key);
        if (wrong === undefined) return undefined;
        const at = wrong.path === event.key ? '' : ` with ${JSON.stringify(wrong.path)}`;
        return `${nodeName(event.node)} wrote ${JSON.stringify(event.key)} to storage at ${event.timeMs} ms${at} as ${wrong.found}, where ${protocolFile} declares ${wrong.expected}: ${explain}`;
      }
      if (event.kind !== 'output' || !cluster.servers.includes(event.node)) return undefined;
      const output = event.output as unknown as Readonly<Record<string, unknown>>;
      const type = output['type'];
      const declaration = typeof type === 'string' && outputs.has(type) ? outputs.get(type) : undefined;
      if (declaration === undefined || declaration.fits(output)) return undefined;
      const wrong = wrongInsideTyped(output, declaration.output, '');
      if (wrong === undefined) return undefined;
      return `${nodeName(event.node)} output ${type as string} at ${event.timeMs} ms whose ${JSON.stringify(wrong.path)} is ${wrong.found}, where ${protocolFile} declares ${wrong.expected}: ${explain}`;
    },
  });
}
