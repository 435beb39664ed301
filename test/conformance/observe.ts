// What the conformance test observes of a node and of a cluster, the same way under every
// driver: a node's fields and storage at the end of each of its reactions (as a log line the
// node writes itself), and the history the framework hands to properties.
import type { ClusterView, HistoryEvent, Property } from '../../framework/properties.ts';
import type { Node, NodeClass } from '../../framework/Node.ts';
import { toJsonValue } from '../../framework/_internals/plainData.ts';
import { nodeName, type NodeId, type Protocol } from '../../framework/types.ts';

/** Plain data as one line of canonical JSON (Maps and Sets in a fixed order). */
export function canonical(value: unknown): string {
  return JSON.stringify(toJsonValue(value)) ?? 'undefined';
}

/** The node's fields and durable storage, as it sees them. */
function stateOf<P extends Protocol>(node: Node<P>): string {
  const storage = node.storage;
  const stored = storage.keys().map((key) => [key, storage.get(key)]);
  return canonical({ fields: { ...node }, storage: stored });
}

/**
 * `base` with one more effect at the end of every reaction: a log line with the node's state.
 * Drivers that agree on every effect then also agree on every node's state after every reaction.
 */
export function observed<P extends Protocol>(base: NodeClass<P>): NodeClass<P> {
  class Observed extends base {
    override onStart(): void {
      super.onStart();
      this.log(`state ${stateOf(this)}`);
    }
    override onMessage(from: NodeId, message: P['message']): void {
      super.onMessage(from, message);
      this.log(`state ${stateOf(this)}`);
    }
    override onTimer(timer: P['timer']): void {
      super.onTimer(timer);
      this.log(`state ${stateOf(this)}`);
    }
    override onInput(input: P['input']): void {
      super.onInput(input);
      this.log(`state ${stateOf(this)}`);
    }
  }
  Object.defineProperty(Observed, 'name', { value: base.name });
  return Observed;
}

/** One history event as a line; times are left out (ms in a run, steps under search). */
export function historyLine<P extends Protocol>(event: HistoryEvent<P>): string | undefined {
  switch (event.kind) {
    case 'input':
      return `input ${nodeName(event.node)}#${event.incarnation} ${canonical(event.input)}`;
    case 'output':
      return `output ${nodeName(event.node)}#${event.incarnation} ${canonical(event.output)}`;
    case 'send':
      return `send ${nodeName(event.from)}#${event.incarnation} -> ${nodeName(event.to)} ${canonical(event.message)}${event.local ? ' local' : ''}`;
    case 'deliver':
      return `deliver ${nodeName(event.from)} -> ${nodeName(event.to)}#${event.incarnation} ${canonical(event.message)}${event.local ? ' local' : ''}`;
    case 'storage':
      return `storage ${nodeName(event.node)}#${event.incarnation} ${event.key} ${event.value === undefined ? '(deleted)' : canonical(event.value)}`;
    case 'crash':
      return `crash ${nodeName(event.node)}#${event.incarnation}${event.midReaction ? ' mid-reaction' : ''}`;
    case 'restart':
      return `restart ${nodeName(event.node)}#${event.incarnation}`;
    case 'fault':
      // Network faults exist in runs only.
      return undefined;
  }
}

/** What the cluster view shows of every node: up or down, incarnation, storage. */
export function clusterLines<P extends Protocol>(cluster: ClusterView<P>): string[] {
  return cluster.nodeIds.map(
    (id) => `${nodeName(id)} ${cluster.isCrashed(id) ? 'down' : 'up'} #${cluster.incarnation(id)} ${canonical([...cluster.storage(id)].sort(([left], [right]) => (left < right ? -1 : 1)))}`,
  );
}

/** The latest history and cluster view a {@link historyProbe} saw. */
export interface Observation {
  history: readonly string[];
  cluster: readonly string[];
}

/**
 * An `always` property that never fails: it folds every history event into its memory and,
 * at every check, hands the memory and the cluster view out. Under search the memory is
 * part of the state, so the last check of a replay sees the history of that path.
 */
export function historyProbe<P extends Protocol>(): { readonly property: Property<P, string[]>; readonly latest: Observation } {
  const latest: Observation = { history: [], cluster: [] };
  const property: Property<P, string[]> = {
    name: 'history probe',
    kind: 'always',
    memory: () => [],
    record(memory, event) {
      const line = historyLine(event);
      if (line !== undefined) memory.push(line);
      return undefined;
    },
    check(cluster, memory) {
      latest.history = [...memory];
      latest.cluster = clusterLines(cluster);
      return undefined;
    },
  };
  return { property, latest };
}
