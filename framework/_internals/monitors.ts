// How drivers run properties: which property wants which history events, fresh memories,
// and a property's own errors turned into verdicts. Shared by the simulator and the search.
import type { ClusterLayout, ClusterView, HistoryEvent, HistoryFilter, HistoryKind, Property } from '../properties.ts';
import { describeFault } from '../faults.ts';
import { nodeName, type Protocol } from '../types.ts';
import { copyPlain, formatPlain } from './plainData.ts';
import { describeError } from './reaction.ts';

const historyKinds: readonly HistoryKind[] = ['input', 'output', 'send', 'deliver', 'storage', 'crash', 'restart', 'fault'];

/**
 * The event a property was recording, with the values it carries (bounded): when a property
 * throws on it, the usual cause is a message, output or stored value of a shape the handout
 * does not describe, and the reader needs to see which.
 */
function describeRecorded(event: HistoryEvent<Protocol>): string {
  switch (event.kind) {
    case 'send':
      return `${nodeName(event.from)}'s send to ${nodeName(event.to)} of ${formatPlain(event.message, 160)}`;
    case 'deliver':
      return `the delivery to ${nodeName(event.to)} of ${formatPlain(event.message, 160)} from ${nodeName(event.from)}`;
    case 'storage':
      return `${nodeName(event.node)}'s write of ${formatPlain(event.key, 60)} = ${event.value === undefined ? '(deleted)' : formatPlain(event.value, 160)}`;
    case 'output':
      return `${nodeName(event.node)}'s output ${formatPlain(event.output, 160)}`;
    case 'input':
      return `${nodeName(event.node)}'s input ${formatPlain(event.input, 160)}`;
    case 'crash':
      return `${nodeName(event.node)}'s crash`;
    case 'restart':
      return `${nodeName(event.node)}'s restart`;
    case 'fault':
      return describeFault(event.action);
  }
}

/** The properties of a run or a search, indexed for the drivers' hot paths. */
export class PropertySet<P extends Protocol> {
  /** Per history kind, the indexes of the properties that record it. */
  readonly recorders: Readonly<Record<HistoryKind, readonly number[]>>;
  /** Properties with a memory, by index (others keep `undefined`). */
  readonly withMemory: readonly boolean[];
  readonly alwaysChecks: readonly number[];
  /** Per property and kind: the types (or storage keys) it records, when narrowed. */
  private readonly narrowed: readonly (ReadonlyMap<HistoryKind, ReadonlySet<string>> | undefined)[];

  constructor(readonly properties: readonly Property<P>[]) {
    const recorders = Object.fromEntries(historyKinds.map((kind) => [kind, [] as number[]])) as Record<HistoryKind, number[]>;
    const alwaysChecks: number[] = [];
    properties.forEach((property, index) => {
      if (typeof property?.name !== 'string' || !['always', 'eventually', 'sometimes', 'budget'].includes(property.kind)) {
        throw new Error(`properties[${index}] is not a property: build it with always, eventually, sometimes or budget`);
      }
      if (property.record !== undefined) {
        for (const kind of kindsOf(property.records ?? historyKinds)) recorders[kind].push(index);
      }
      if (property.kind === 'always' && property.atEnd !== true && property.check !== undefined) alwaysChecks.push(index);
    });
    this.recorders = recorders;
    this.narrowed = properties.map((property) => narrowedFilters(property.records ?? historyKinds));
    this.withMemory = properties.map((property) => property.memory !== undefined);
    this.alwaysChecks = alwaysChecks;
  }

  /** Fresh memories, checked to be plain data. */
  initialMemories(layout: ClusterLayout): unknown[] {
    return this.properties.map((property) =>
      property.memory === undefined ? undefined : copyPlain(property.memory(layout), `the memory of property "${property.name}"`),
    );
  }

  /** Does property `index` record `event` (its kind is among the property's, and its type or key, when narrowed)? */
  wants(index: number, event: HistoryEvent<P>): boolean {
    const narrowed = this.narrowed[index]?.get(event.kind);
    if (narrowed === undefined) return true;
    return narrowed.has(subjectOf(event));
  }

  /** Folds `event` into property `index`'s memory; a violation message, or undefined. */
  record(index: number, memory: unknown, event: HistoryEvent<P>, cluster: ClusterView<P>): string | undefined {
    if (!this.wants(index, event)) return undefined;
    const property = this.properties[index] as Property<P>;
    try {
      const problem = property.record?.(memory, event, cluster);
      return property.kind === 'always' ? problem : undefined;
    } catch (error) {
      return (
        `the property's own check threw (${describeError(error)}) while reading ${describeRecorded(event)} at ${event.timeMs} ms: ` +
        'check the fields of that value against the handout (one missing, or of another type, is the usual cause)'
      );
    }
  }

  /** Runs property `index`'s check; a check that throws is that property failing. */
  check(index: number, memory: unknown, cluster: ClusterView<P>): string | undefined {
    const property = this.properties[index] as Property<P>;
    if (property.check === undefined) return undefined;
    try {
      return property.check(cluster, memory);
    } catch (error) {
      return `the property's own check threw (${describeError(error)})`;
    }
  }
}

function kindOf(filter: HistoryFilter): HistoryKind {
  const colon = filter.indexOf(':');
  return (colon < 0 ? filter : filter.slice(0, colon)) as HistoryKind;
}

function kindsOf(filters: readonly HistoryFilter[]): HistoryKind[] {
  const kinds = new Set<HistoryKind>();
  for (const filter of filters) {
    const kind = kindOf(filter);
    if (!historyKinds.includes(kind)) throw new Error(`"${filter}" is not a history event kind (${historyKinds.join(', ')})`);
    kinds.add(kind);
  }
  return [...kinds];
}

/** Per kind narrowed to types or keys: those; a kind listed plainly is not narrowed. */
function narrowedFilters(filters: readonly HistoryFilter[]): ReadonlyMap<HistoryKind, ReadonlySet<string>> | undefined {
  const plain = new Set<HistoryKind>();
  const narrowed = new Map<HistoryKind, Set<string>>();
  for (const filter of filters) {
    const colon = filter.indexOf(':');
    if (colon < 0) {
      plain.add(filter as HistoryKind);
      continue;
    }
    const kind = kindOf(filter);
    let subjects = narrowed.get(kind);
    if (subjects === undefined) narrowed.set(kind, (subjects = new Set()));
    subjects.add(filter.slice(colon + 1));
  }
  for (const kind of plain) narrowed.delete(kind);
  return narrowed.size === 0 ? undefined : narrowed;
}

/** What a narrowed filter matches: the message, input or output type, or the storage key. */
function subjectOf(event: HistoryEvent<Protocol>): string {
  switch (event.kind) {
    case 'input':
      return event.input.type;
    case 'output':
      return event.output.type;
    case 'send':
    case 'deliver':
      return event.message.type;
    case 'storage':
      return event.key;
    default:
      return '';
  }
}
