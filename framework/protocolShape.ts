// "messages are as protocol.ts declares": a lab's protocol.ts is types only, so the tests that
// read its messages know them by their `type` and the fields they declare. A field no check
// reads, or a client's message type sent between servers, is a channel no property sees:
// decisions, acknowledgements or whole logs could travel in it unjudged. This rule closes it.
import { always, type Property } from './properties.ts';
import { nodeName, type Protocol } from './types.ts';

/** Who may send a message type, and to whom. */
export type MessageRoute = 'server-to-server' | 'server-to-client' | 'client-to-server';

/**
 * The fields of a value the tests read inside a message: an object, or each element of an
 * array of them; `shapes` goes one level further down, field by field.
 */
export interface DeclaredShape {
  readonly fields: readonly string[];
  readonly shapes?: Readonly<Record<string, DeclaredShape>>;
}

/**
 * One message type of a protocol: the fields it declares besides `type`, and its route; and,
 * for a field whose value is an object the tests read (a ballot, a log entry), the fields that
 * object declares.
 */
export interface DeclaredMessage {
  readonly fields: readonly string[];
  readonly route: MessageRoute;
  readonly shapes?: Readonly<Record<string, DeclaredShape>>;
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
export const kvCommandShape: DeclaredShape = { fields: ['client', 'sequence', 'operation'], shapes: { operation: { fields: ['kind', 'key', 'value'] } } };

/** The key-value kit's client messages, as `KvClientMessage` declares them. */
export const kvClientMessages: Readonly<Record<string, DeclaredMessage>> = {
  ClientRequest: { fields: ['command'], route: 'client-to-server' },
  ClientReply: { fields: ['sequence', 'result'], route: 'server-to-client' },
  ClientRedirect: { fields: ['sequence', 'leader'], route: 'server-to-client' },
};

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * An `always` property over every message a server sends: its `type` is one `declared` names,
 * it carries no field the declaration leaves out (nor, inside the objects whose shapes it
 * declares, any field those leave out), and a client's message type goes only between
 * a server and a client, never from one server to another. `protocolFile` names the file in messages.
 * The clients are the kit's own, so only servers' sends are judged.
 */
export function speaksTheProtocol<P extends Protocol>(declared: Readonly<Record<string, DeclaredMessage>>, protocolFile = 'src/protocol.ts'): Property<P> {
  return always<P>('messages are as protocol.ts declares', {
    memory: () => undefined,
    records: ['send'],
    record(_memory, event, cluster) {
      if (event.kind !== 'send') return undefined;
      const servers = cluster.servers;
      if (!servers.includes(event.from)) return undefined;
      const message = event.message as unknown as Readonly<Record<string, unknown>>;
      const type = message['type'];
      const sent = `${nodeName(event.from)} sent ${typeof type === 'string' ? type : 'a message'} to ${nodeName(event.to)} at ${event.timeMs} ms`;
      const declaration = typeof type === 'string' && hasOwn.call(declared, type) ? declared[type] : undefined;
      if (declaration === undefined) {
        return `${sent}: ${protocolFile} declares no message type ${JSON.stringify(type)}; the tests read only the messages it declares (${Object.keys(declared).join(', ')})`;
      }
      const extra = Object.keys(message).filter((field) => field !== 'type' && !declaration.fields.includes(field));
      if (extra.length > 0) {
        const declares = declaration.fields.length === 0 ? 'no field' : `${declaration.fields.join(', ')}`;
        return (
          `${sent} with ${extra.length === 1 ? 'the field' : 'the fields'} ${extra.slice(0, 5).map((field) => JSON.stringify(field)).join(', ')}, which ${protocolFile} does not declare ` +
          `for ${type} (it declares ${declares}): the tests read the messages as ${protocolFile} declares them, so a message carries those fields and no others`
        );
      }
      for (const [field, shape] of Object.entries(declaration.shapes ?? {})) {
        const inside = undeclaredInside(message[field], shape, field);
        if (inside === undefined) continue;
        return (
          `${sent} with the field ${JSON.stringify(inside.path)}, which ${protocolFile} does not declare (that object declares ${inside.declares.join(', ')}): ` +
          `the tests read the messages as ${protocolFile} declares them, so a message carries those fields and no others, at any depth`
        );
      }
      // A server's message to a client node is let through: in some searches a client node plays the earlier leaders.
      if (declaration.route === 'server-to-server' || (declaration.route === 'server-to-client' && !servers.includes(event.to))) return undefined;
      const goes = declaration.route === 'server-to-client' ? 'from a server to a client' : 'from a client to a server';
      return `${sent}, a server: a ${type} goes ${goes} only, and the tests read it as that`;
    },
  });
}
