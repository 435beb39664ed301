import {
  describeFault,
  describeSearchEvent,
  nodeName,
  type DelayDistribution,
  type FaultAction,
  type FaultSchedule,
  type NodeId,
  type SearchEvent,
  type StateChange,
  type TraceEvent,
} from 'distlab/testing';
import { displayText } from '../html.ts';

/**
 * The trace viewer's data: what the grader knows about one run (its kept trace window, the
 * nodes' state changes, the fault schedule or the model checker's path), turned into plain,
 * display-ready data that the page's script draws as a space-time diagram and steps through.
 *
 * Everything here is pure and has no notion of HTML: text from a submission or a trace is
 * passed through `displayText` (control characters made visible) and is otherwise kept as it
 * was, `</script>` included. The page embeds the result with `jsonForScript` and writes text
 * into the document with `textContent` only.
 */

export type NodeRole = 'server' | 'client';

export interface ViewerInput {
  readonly lab: string;
  /** The kept window of the trace, in order. */
  readonly trace: readonly TraceEvent[];
  readonly states?: readonly StateChange[];
  /** Index: node id. Nodes without a role are servers. */
  readonly roles?: readonly NodeRole[];
  /** The failing run's (shrunk) schedule, for the partition, cut and network bands. */
  readonly schedule?: FaultSchedule;
  /** A search failure's path: time in its trace is the step number. */
  readonly path?: readonly SearchEvent[];
  readonly violation?: { readonly traceIndex?: number; readonly property: string; readonly message: string; readonly node?: number };
  /** When the run ended; the last event's time when absent. */
  readonly endTimeMs?: number;
  readonly truncated: boolean;
}

export interface ViewerNode {
  id: number;
  name: string;
  role: NodeRole;
}

/** One trace event, display-ready. */
export interface ViewerEvent {
  /** Trace index. */
  i: number;
  /** Step (a search path's step, from 1). */
  s: number;
  /** Time: ms, or the step number for a search path. */
  t: number;
  /** Kind. */
  k: string;
  /** Node, or -1. */
  n: number;
  /** Peer, or -1. */
  p: number;
  /** Label. */
  l: string;
  /** The detail as compact JSON text, cut to {@link detailLimit} characters. Left out of a
   *  delivery, drop or duplicate whose message's send is in the window: it is the send's. */
  d?: string;
  /** The whole detail text, only when `d` was cut: the trace table shows it on demand. */
  f?: string;
  /** Reason. */
  r?: string;
  /** Position in `messages`, for send, deliver, drop and duplicate events. */
  m?: number;
}

export type MessageOutcome = 'delivered' | 'dropped' | 'in flight' | 'local';

export interface ViewerMessage {
  from: number;
  to: number;
  type: string;
  /** Position in `events` of the send (or of the duplicate event); -1: sent before the window. */
  send: number;
  /** Position of the deliver or drop that ended it; -1 while still in flight at the end. */
  end: number;
  outcome: MessageOutcome;
  /** Why it was dropped. */
  reason?: string;
  /** This copy is the extra one a duplicate event made. */
  duplicate?: boolean;
}

export type BandKind = 'partition' | 'cut' | 'crashed' | 'network';

export interface ViewerBand {
  kind: BandKind;
  startT: number;
  /** null: to the end of the run. */
  endT: number | null;
  /** The nodes shaded: a crashed node, a cut's sending side, a partition's smaller sides; none for the network. */
  nodes: number[];
  label: string;
}

export interface ViewerMessageType {
  type: string;
  /** 0..11. */
  colour: number;
}

export interface ViewerViolation {
  /** Position in `events`, -1 when there are none. */
  position: number;
  property: string;
  message: string;
  node?: number;
}

export interface ViewerPathStep {
  text: string;
  /** Position of the step's first event, -1 when the window holds none of it. */
  position: number;
}

export interface ViewerData {
  readonly version: 1;
  readonly timeUnit: 'ms' | 'step';
  /** Servers first, then clients, each by id. */
  readonly nodes: readonly ViewerNode[];
  readonly events: readonly ViewerEvent[];
  readonly messages: readonly ViewerMessage[];
  readonly bands: readonly ViewerBand[];
  /** As given: their `index` is a trace index (an event's `i`). */
  readonly states: readonly StateChange[];
  readonly messageTypes: readonly ViewerMessageType[];
  readonly violation?: ViewerViolation;
  readonly path?: readonly ViewerPathStep[];
  readonly truncated: boolean;
}

/** A detail's JSON text is cut to this many characters (then an ellipsis). */
export const detailLimit = 4_000;

/** How many colours message types are spread over. */
export const messageTypeColourCount = 12;

/**
 * Mixed into every type's hash: chosen (by trying salts in turn) so that the message types of
 * each of the kit's labs get distinct colours (Accept and Accepted, P2a and P2b); the tests
 * pin this. Changing it changes every report's colours.
 */
const colourSalt = 7_771_542;

/**
 * A message type's colour, 0..11: a hash of its name (FNV-1a, salted and mixed so that names
 * differing in their last letter spread out), so the same type has the same colour in every
 * report of a lab without any list of types to agree on.
 */
export function messageTypeColour(type: string): number {
  let hash = 0x811c9dc5;
  for (let position = 0; position < type.length; position++) {
    hash ^= type.charCodeAt(position);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // MurmurHash3's finalizer: FNV-1a alone leaves a last letter's change in a few bits.
  hash = (hash ^ colourSalt) >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % messageTypeColourCount;
}

/** Characters `displayText` may change: text without any is shown as it is. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const mayNeedEscaping = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/;

/** `displayText`, without its work for the common text that needs none (long traces repeat labels). */
function shownText(text: string): string {
  return mayNeedEscaping.test(text) ? displayText(text) : text;
}

/** The display text of a detail: compact JSON, controls made visible, cut to {@link detailLimit}. */
export function detailText(detail: unknown): string {
  return cutDetail(shownText(compactJson(detail)));
}

function cutDetail(text: string): string {
  if (text.length <= detailLimit) return text;
  // Never end on half of a surrogate pair.
  const cut = isHighSurrogate(text.charCodeAt(detailLimit - 1)) ? detailLimit - 1 : detailLimit;
  return `${text.slice(0, cut)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function compactJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '(a detail that cannot be written as JSON)';
  }
}

const messageKinds: ReadonlySet<string> = new Set(['send', 'deliver', 'drop', 'duplicate']);

/** Reasons of a drop that happens as the message is sent, never leaving its sender. */
const dropOnSendReasons: ReadonlySet<string> = new Set(['partitioned', 'lost']);

/**
 * Pairs each message's send with the deliver or drop that ended it, and marks each message
 * event with its message's position (`m`). Messages carry no id, so a deliver or drop ends
 * the earliest pending send with the same sender, receiver, type and detail text; a drop in
 * the same step right after its send ends that very send (it never left); a duplicate event
 * adds one more pending copy. A deliver or drop with nothing pending was sent before the
 * window (send -1).
 *
 * `events` are the trace's events as shown, and `detailKeys[position]` the full JSON text of
 * each event's detail (the identity of a message's contents), undefined without one.
 */
export function pairMessages(trace: readonly TraceEvent[], events: ViewerEvent[], detailKeys: readonly (string | undefined)[]): ViewerMessage[] {
  const messages: ViewerMessage[] = [];
  /** Messages sent and not yet ended, oldest first, by sender, receiver, type and detail. */
  const pending = new Map<string, number[]>();
  // The type's length keeps the key unambiguous whatever the type and detail hold.
  const keyOf = (from: NodeId, to: NodeId, type: string, position: number) => `${from} ${to} ${type.length} ${type}${detailKeys[position] ?? ''}`;
  const take = (key: string, message: number | undefined): number | undefined => {
    const queue = pending.get(key);
    if (queue === undefined || queue.length === 0) return undefined;
    const at = message === undefined ? 0 : queue.indexOf(message);
    const taken = queue.splice(Math.max(0, at), 1)[0];
    if (queue.length === 0) pending.delete(key);
    return taken;
  };
  trace.forEach((event, position) => {
    if (!messageKinds.has(event.kind)) return;
    const viewerEvent = events[position] as ViewerEvent;
    const sending = event.kind === 'send' || event.kind === 'duplicate';
    const from = sending ? event.node : event.peer;
    const to = sending ? event.peer : event.node;
    const key = keyOf(from, to, event.label, position);
    const local = from === to;
    if (sending) {
      const message: ViewerMessage = { from, to, type: viewerEvent.l, send: position, end: -1, outcome: local ? 'local' : 'in flight' };
      if (event.kind === 'duplicate') message.duplicate = true;
      viewerEvent.m = messages.length;
      messages.push(message);
      const queue = pending.get(key);
      if (queue === undefined) pending.set(key, [viewerEvent.m]);
      else queue.push(viewerEvent.m);
      return;
    }
    const previous = position > 0 ? trace[position - 1] : undefined;
    const previousMessage = position > 0 ? events[position - 1]?.m : undefined;
    const droppedOnSend =
      event.kind === 'drop' &&
      dropOnSendReasons.has(event.reason ?? '') &&
      previous !== undefined &&
      previous.kind === 'send' &&
      previous.step === event.step &&
      previousMessage !== undefined &&
      messages[previousMessage]?.end === -1 &&
      keyOf(previous.node, previous.peer, previous.label, position - 1) === key;
    let index = take(key, droppedOnSend ? previousMessage : undefined);
    if (index === undefined) {
      index = messages.length;
      messages.push({ from, to, type: viewerEvent.l, send: -1, end: -1, outcome: local ? 'local' : 'in flight' });
    }
    const message = messages[index] as ViewerMessage;
    message.end = position;
    if (event.kind === 'deliver') {
      message.outcome = local ? 'local' : 'delivered';
    } else {
      message.outcome = 'dropped';
      if (viewerEvent.r !== undefined) message.reason = viewerEvent.r;
    }
    viewerEvent.m = index;
  });
  return messages;
}

function nodeList(nodes: readonly NodeId[]): string {
  return nodes.map(nodeName).join(' ');
}

function delayText(delay: DelayDistribution): string {
  if (delay.kind === 'uniform') return delay.minMs === delay.maxMs ? `delay ${delay.minMs} ms` : `delay ${delay.minMs}–${delay.maxMs} ms`;
  const range = delay.maxMs === undefined ? '' : `, ${delay.minMs ?? 1}–${delay.maxMs} ms`;
  return `delay mean ${delay.meanMs} ms${range}`;
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/** What a network action changes, as a band's label: "network: drop 30%, delay 1–50 ms". */
export function networkLabel(action: Extract<FaultAction, { type: 'network' }>): string {
  const parts: string[] = [];
  if (action.dropRate !== undefined) parts.push(`drop ${percent(action.dropRate)}`);
  if (action.duplicateRate !== undefined) parts.push(`duplicate ${percent(action.duplicateRate)}`);
  if (action.delay !== undefined) parts.push(delayText(action.delay));
  if (action.fifo !== undefined) parts.push(action.fifo ? 'in order' : 'any order');
  return `network: ${parts.length > 0 ? parts.join(', ') : 'unchanged'}`;
}

/**
 * The bands of a schedule's link and network actions, with the semantics of the simulator's
 * links: a partition replaces every link (ending the partition, isolations and cuts before
 * it), isolations and cuts add to what is cut, a heal restores every link; a network change
 * holds until the next one. Actions the run never reached are left out.
 */
export function scheduleBands(schedule: FaultSchedule, nodeIds: readonly NodeId[], applied: (action: FaultAction) => boolean): ViewerBand[] {
  const bands: ViewerBand[] = [];
  let links: ViewerBand[] = [];
  let network: ViewerBand | undefined;
  const closeLinks = (timeMs: number) => {
    for (const band of links) band.endT = timeMs;
    links = [];
  };
  const actions = schedule
    .map((action, order) => ({ action, order }))
    .sort((left, right) => left.action.atMs - right.action.atMs || left.order - right.order)
    .map(({ action }) => action)
    .filter(applied);
  for (const action of actions) {
    const timeMs = action.atMs;
    switch (action.type) {
      case 'partition': {
        closeLinks(timeMs);
        const listed = new Set(action.groups.flat());
        const rest = nodeIds.filter((id) => !listed.has(id));
        const groups = [...action.groups, ...(rest.length > 0 ? [rest] : [])].filter((group) => group.length > 0);
        // The largest side is the one that can go on: the others are shaded (on a tie, the later
        // side, so that the nodes a schedule names are the ones shaded).
        let largest = 0;
        groups.forEach((group, index) => {
          if (group.length >= (groups[largest]?.length ?? 0)) largest = index;
        });
        const band: ViewerBand = {
          kind: 'partition',
          startT: timeMs,
          endT: null,
          nodes: groups.filter((_group, index) => index !== largest).flat(),
          label: groups.map(nodeList).join(' | '),
        };
        bands.push(band);
        links.push(band);
        break;
      }
      case 'isolate': {
        const band: ViewerBand = { kind: 'partition', startT: timeMs, endT: null, nodes: [action.node], label: `${nodeName(action.node)} isolated` };
        bands.push(band);
        links.push(band);
        break;
      }
      case 'cut': {
        const band: ViewerBand = { kind: 'cut', startT: timeMs, endT: null, nodes: [...action.from], label: `${nodeList(action.from)} → ${nodeList(action.to)} cut` };
        bands.push(band);
        links.push(band);
        break;
      }
      case 'heal':
        closeLinks(timeMs);
        break;
      case 'network': {
        if (network !== undefined) network.endT = timeMs;
        network = { kind: 'network', startT: timeMs, endT: null, nodes: [], label: networkLabel(action) };
        bands.push(network);
        break;
      }
      case 'crash':
      case 'restart':
        // Drawn from the trace's crash and restart events, which say when they really happened.
        break;
    }
  }
  return bands;
}

/**
 * Crashed intervals from the trace: from each node's crash event to its next restart (or the
 * end). A window that starts mid-run shows a node that was already down by its state there
 * (whole-state changes at the window's first event with no fields) or by a restart with no
 * crash before it.
 */
export function crashBands(trace: readonly TraceEvent[], states: readonly StateChange[] = []): ViewerBand[] {
  const bands: ViewerBand[] = [];
  const down = new Map<NodeId, ViewerBand>();
  const first = trace[0];
  const firstTime = first?.timeMs ?? 0;
  const crashed = (node: NodeId, startT: number) => {
    const band: ViewerBand = { kind: 'crashed', startT, endT: null, nodes: [node], label: `${nodeName(node)} down` };
    bands.push(band);
    down.set(node, band);
  };
  if (first !== undefined) {
    for (const change of states) {
      if (change.index !== first.index || down.has(change.node)) continue;
      const whole = [...change.patches].reverse().find((patch) => patch[0].length === 0);
      const value = whole?.[1];
      if (typeof value === 'object' && value !== null && 'fields' in value && value.fields === null) crashed(change.node, firstTime);
    }
  }
  for (const event of trace) {
    if (event.kind === 'crash' && !down.has(event.node)) {
      crashed(event.node, event.timeMs);
    } else if (event.kind === 'restart') {
      const band = down.get(event.node);
      if (band !== undefined) {
        band.endT = event.timeMs;
        down.delete(event.node);
      } else {
        bands.push({ kind: 'crashed', startT: firstTime, endT: event.timeMs, nodes: [event.node], label: `${nodeName(event.node)} down` });
      }
    }
  }
  return bands;
}

function actionNodes(action: FaultAction): readonly NodeId[] {
  switch (action.type) {
    case 'partition':
      return action.groups.flat();
    case 'cut':
      return [...action.from, ...action.to];
    case 'isolate':
    case 'crash':
    case 'restart':
      return [action.node];
    case 'heal':
    case 'network':
      return [];
  }
}

function searchEventNodes(event: SearchEvent): readonly NodeId[] {
  return event.kind === 'deliver' || event.kind === 'drop' ? [event.from, event.to] : [event.node];
}

const validNode = (id: number) => Number.isInteger(id) && id >= 0;

function viewerNodes(input: ViewerInput): ViewerNode[] {
  const ids = new Set<NodeId>();
  for (const event of input.trace) {
    if (validNode(event.node)) ids.add(event.node);
    if (validNode(event.peer)) ids.add(event.peer);
  }
  (input.roles ?? []).forEach((_role, id) => ids.add(id));
  for (const action of input.schedule ?? []) for (const id of actionNodes(action)) if (validNode(id)) ids.add(id);
  for (const event of input.path ?? []) for (const id of searchEventNodes(event)) if (validNode(id)) ids.add(id);
  const roleOf = (id: NodeId): NodeRole => (input.roles?.[id] === 'client' ? 'client' : 'server');
  return [...ids]
    .sort((left, right) => (roleOf(left) === roleOf(right) ? left - right : roleOf(left) === 'server' ? -1 : 1))
    .map((id) => ({ id, name: nodeName(id), role: roleOf(id) }));
}

/** An event as the viewer shows it; `detailJson` is its detail's JSON text, when it has one. */
function viewerEvent(event: TraceEvent, detailJson: string | undefined): ViewerEvent {
  const shown: ViewerEvent = { i: event.index, s: event.step, t: event.timeMs, k: event.kind, n: event.node, p: event.peer, l: shownText(event.label) };
  if (detailJson !== undefined) {
    const whole = shownText(detailJson);
    shown.d = cutDetail(whole);
    if (shown.d !== whole) shown.f = whole;
  }
  if (event.reason !== undefined) shown.r = shownText(event.reason);
  return shown;
}

function violationOf(input: ViewerInput, events: readonly ViewerEvent[]): ViewerViolation | undefined {
  const marked = events.findIndex((event) => event.k === 'violation');
  const given = input.violation;
  if (given === undefined) {
    // A run watched without a failure record still shows the violation its trace holds.
    const event = events[marked];
    if (event === undefined) return undefined;
    return { position: marked, property: event.l, message: event.r ?? '', ...(validNode(event.n) ? { node: event.n } : {}) };
  }
  const byIndex = given.traceIndex === undefined ? -1 : events.findIndex((event) => event.i === given.traceIndex);
  const position = marked >= 0 ? marked : byIndex >= 0 ? byIndex : events.length - 1;
  return {
    position,
    property: displayText(given.property),
    message: displayText(given.message),
    ...(given.node !== undefined ? { node: given.node } : {}),
  };
}

function pathSteps(path: readonly SearchEvent[], events: readonly ViewerEvent[]): ViewerPathStep[] {
  const firstOfStep = new Map<number, number>();
  events.forEach((event, position) => {
    if (!firstOfStep.has(event.s)) firstOfStep.set(event.s, position);
  });
  return path.map((event, index) => ({ text: displayText(describeSearchEvent(event)), position: firstOfStep.get(index + 1) ?? -1 }));
}

/**
 * An event as the page embeds it: its fields in the order of {@link packedFields}, a missing one
 * as null, trailing ones left off. Field names repeated 10,000 times were a sixth of a long
 * trace's page, and the page's time to open grows with its size.
 */
export type PackedViewerEvent = readonly (string | number | null)[];

/** The order of an event's fields in {@link PackedViewerEvent}. */
export const packedFields = ['i', 's', 't', 'k', 'n', 'p', 'l', 'd', 'r', 'm', 'f'] as const;

/** The data as the page embeds it: {@link ViewerData} with each event packed. */
export type PackedViewerData = Omit<ViewerData, 'events'> & { readonly events: readonly PackedViewerEvent[] };

export function packViewerData(data: ViewerData): PackedViewerData {
  const events = data.events.map((event) => {
    const packed: (string | number | null)[] = packedFields.map((field) => event[field] ?? null);
    while (packed.length > 0 && packed[packed.length - 1] === null) packed.pop();
    return packed;
  });
  return { ...data, events };
}

/** The events of packed data as {@link ViewerEvent}s (the page's script does the same). */
export function unpackViewerEvents(events: readonly PackedViewerEvent[]): ViewerEvent[] {
  return events.map((packed) => {
    const event: Record<string, string | number> = {};
    packedFields.forEach((field, position) => {
      const value = packed[position];
      if (value !== null && value !== undefined) event[field] = value;
    });
    return event as unknown as ViewerEvent;
  });
}

/** The viewer's data for one run: see the module comment and {@link ViewerData}. */
export function buildViewerData(input: ViewerInput): ViewerData {
  const trace = input.trace;
  const detailKeys = trace.map((event) => (event.detail === undefined ? undefined : compactJson(event.detail)));
  const events = trace.map((event, position) => viewerEvent(event, detailKeys[position]));
  const messages = pairMessages(trace, events, detailKeys);
  const nodes = viewerNodes(input);
  const timeUnit = input.path !== undefined ? 'step' : 'ms';

  const lastTime = Math.max(input.endTimeMs ?? Number.NEGATIVE_INFINITY, trace[trace.length - 1]?.timeMs ?? Number.NEGATIVE_INFINITY);
  const faultLabels = new Set(trace.filter((event) => event.kind === 'fault').map((event) => event.label));
  // An action at the very end happened only if the trace shows it; one before the end did
  // (perhaps before the window).
  const applied = (action: FaultAction) => action.atMs < lastTime || faultLabels.has(describeFault(action));
  const bands = [
    ...(timeUnit === 'ms' && input.schedule !== undefined ? scheduleBands(input.schedule, nodes.map((node) => node.id), applied) : []),
    ...crashBands(trace, input.states),
  ]
    .map((band, order) => ({ band, order }))
    .sort((left, right) => left.band.startT - right.band.startT || left.order - right.order)
    .map(({ band }) => band);

  const types = [...new Set(messages.map((message) => message.type))].sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
  const violation = violationOf(input, events);
  // A delivery, drop or duplicate repeats its send's detail: the page takes it from the send
  // (a long trace's page is a seventh smaller).
  events.forEach((event, position) => {
    const send = event.m === undefined ? -1 : (messages[event.m]?.send ?? -1);
    if (send < 0 || send === position || event.d === undefined || events[send]?.d !== event.d) return;
    delete event.d;
    delete event.f;
  });
  return {
    version: 1,
    timeUnit,
    nodes,
    events,
    messages,
    bands,
    states: input.states ?? [],
    messageTypes: types.map((type) => ({ type, colour: messageTypeColour(type) })),
    ...(violation !== undefined ? { violation } : {}),
    ...(input.path !== undefined ? { path: pathSteps(input.path, events) } : {}),
    truncated: input.truncated,
  };
}
