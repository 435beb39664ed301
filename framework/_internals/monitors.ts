// How drivers run properties: which property wants which history events, fresh memories,
// and a property's own errors turned into verdicts. Shared by the simulator and the search.
import type { ClusterLayout, ClusterView, HistoryEvent, HistoryKind, Property } from '../properties.ts';
import type { Protocol } from '../types.ts';
import { copyPlain } from './plainData.ts';

const historyKinds: readonly HistoryKind[] = ['input', 'output', 'send', 'deliver', 'storage', 'crash', 'restart', 'fault'];

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `threw ${String(error)}`;
}

/** The properties of a run or a search, indexed for the drivers' hot paths. */
export class PropertySet<P extends Protocol> {
  /** Per history kind, the indexes of the properties that record it. */
  readonly recorders: Readonly<Record<HistoryKind, readonly number[]>>;
  /** Properties with a memory, by index (others keep `undefined`). */
  readonly withMemory: readonly boolean[];
  readonly alwaysChecks: readonly number[];

  constructor(readonly properties: readonly Property<P>[]) {
    const recorders = Object.fromEntries(historyKinds.map((kind) => [kind, [] as number[]])) as Record<HistoryKind, number[]>;
    const alwaysChecks: number[] = [];
    // One name may stand for one claim stated in several kinds (a deadline and a lasting
    // guarantee); two properties of one kind with one name would make a failure ambiguous.
    const names = new Set<string>();
    properties.forEach((property, index) => {
      if (typeof property?.name !== 'string' || !['always', 'eventually', 'sometimes', 'budget'].includes(property.kind)) {
        throw new Error(`properties[${index}] is not a property: build it with always, eventually, sometimes or budget`);
      }
      const key = `${property.kind}/${property.name}`;
      if (names.has(key)) throw new Error(`two ${property.kind} properties are named "${property.name}": give each its own name`);
      names.add(key);
      if (property.record !== undefined) {
        for (const kind of property.records ?? historyKinds) recorders[kind].push(index);
      }
      if (property.kind === 'always' && property.check !== undefined) alwaysChecks.push(index);
    });
    this.recorders = recorders;
    this.withMemory = properties.map((property) => property.memory !== undefined);
    this.alwaysChecks = alwaysChecks;
  }

  /** Fresh memories, checked to be plain data. */
  initialMemories(layout: ClusterLayout): unknown[] {
    return this.properties.map((property) =>
      property.memory === undefined ? undefined : copyPlain(property.memory(layout), `the memory of property "${property.name}"`),
    );
  }

  /** Folds `event` into property `index`'s memory; a violation message, or undefined. */
  record(index: number, memory: unknown, event: HistoryEvent<P>, cluster: ClusterView<P>): string | undefined {
    const property = this.properties[index] as Property<P>;
    try {
      const problem = property.record?.(memory, event, cluster);
      return property.kind === 'always' ? problem : undefined;
    } catch (error) {
      return `the property's own check threw (${describeError(error)})`;
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
