import { defaultNetwork, validateNetwork, type NetworkSettings } from './network.ts';
import { nodeName, type NodeId } from './types.ts';

/**
 * One timed action of a fault schedule. A schedule is plain data, printed with every
 * failure and shrunk by the grader, so a run is a function of (code, settings, seed, schedule).
 */
export type FaultAction =
  /** Nodes in different groups cannot reach each other; unlisted nodes form one more group. */
  | { readonly atMs: number; readonly type: 'partition'; readonly groups: readonly (readonly NodeId[])[] }
  /** Cuts `node` off from every other node, both ways. */
  | { readonly atMs: number; readonly type: 'isolate'; readonly node: NodeId }
  /** One-way cut: nothing sent by a node in `from` reaches a node in `to`. */
  | { readonly atMs: number; readonly type: 'cut'; readonly from: readonly NodeId[]; readonly to: readonly NodeId[] }
  /** Restores every link. */
  | { readonly atMs: number; readonly type: 'heal' }
  /**
   * The node stops: volatile state and timers are lost, messages to it are dropped. With
   * `afterEffects`, it stops in the middle of its next reaction instead, once that reaction
   * has made `afterEffects` of its sends, storage writes and outputs (0: before any): the
   * later ones never happen. With `inReactionTo` too, the crash waits for its next reaction of
   * that kind (to an input, a message or a timer). A restart of a node whose crash is still
   * waiting crashes it first.
   */
  | { readonly atMs: number; readonly type: 'crash'; readonly node: NodeId; readonly afterEffects?: number; readonly inReactionTo?: CrashReaction }
  /** The node starts again from its durable storage only. */
  | { readonly atMs: number; readonly type: 'restart'; readonly node: NodeId }
  /** Changes the network's behaviour from now on. */
  | ({ readonly atMs: number; readonly type: 'network' } & Partial<NetworkSettings>);

/**
 * The reactions a waiting crash may be kept for: to an input, a message or a timer, or only to
 * one of a given type (`'input:Snapshot'`, `'message:AppendEntries'`).
 */
export type CrashReaction = 'input' | 'message' | 'timer' | `input:${string}` | `message:${string}` | `timer:${string}`;
const crashReaction = /^(input|message|timer)(:[A-Za-z0-9_]{1,60})?$/;

/** Whether `value` names a reaction a crash may wait for (a type is at most 60 letters, digits or `_`). */
export function isCrashReaction(value: unknown): value is CrashReaction {
  return typeof value === 'string' && crashReaction.test(value);
}
const reactionNames: Readonly<Record<string, string>> = { input: 'an input', message: 'a message', timer: 'a timer' };

/** "an input", "a Snapshot input". */
function describeReaction(reaction: CrashReaction): string {
  const [kind = '', type] = reaction.split(':');
  return type === undefined ? (reactionNames[kind] ?? kind) : `a ${type} ${kind}`;
}

/** Whether a reaction of `kind` to `payloadType` is one a crash kept for `reaction` waits for. */
export function crashReactionMatches(reaction: CrashReaction | undefined, kind: string, payloadType: string | undefined): boolean {
  if (reaction === undefined) return true;
  const separator = reaction.indexOf(':');
  if (separator < 0) return reaction === kind;
  return reaction.slice(0, separator) === kind && reaction.slice(separator + 1) === payloadType;
}

export type FaultSchedule = readonly FaultAction[];

function formatGroup(group: readonly NodeId[]): string {
  return `{${group.map(nodeName).join(',')}}`;
}

/** One line per action, as failures print them: `at 1200 ms: crash n2`. */
export function describeFault(action: FaultAction): string {
  const at = `at ${action.atMs} ms: `;
  switch (action.type) {
    case 'partition':
      return `${at}partition ${action.groups.map(formatGroup).join(' | ')}`;
    case 'isolate':
      return `${at}isolate ${nodeName(action.node)}`;
    case 'cut':
      return `${at}cut ${formatGroup(action.from)} -> ${formatGroup(action.to)}`;
    case 'heal':
      return `${at}heal`;
    case 'crash':
      return action.afterEffects === undefined
        ? `${at}crash ${nodeName(action.node)}`
        : `${at}crash ${nodeName(action.node)} in its next reaction${action.inReactionTo === undefined ? '' : ` to ${describeReaction(action.inReactionTo)}`}, after ${action.afterEffects} effect${action.afterEffects === 1 ? '' : 's'}`;
    case 'restart':
      return `${at}restart ${nodeName(action.node)}`;
    case 'network': {
      const { atMs: _atMs, type: _type, ...changes } = action;
      return `${at}network ${JSON.stringify(changes)}`;
    }
  }
}

/** Checks a schedule against a cluster of `nodeCount` nodes; returns a problem or undefined. */
export function validateSchedule(schedule: FaultSchedule, nodeCount: number): string | undefined {
  const knownNode = (id: NodeId) => Number.isInteger(id) && id >= 0 && id < nodeCount;
  let network: NetworkSettings = defaultNetwork;
  for (const [index, action] of [...schedule.entries()].sort(([, left], [, right]) => left.atMs - right.atMs)) {
    const where = `fault schedule entry ${index} (${JSON.stringify(action)})`;
    if (typeof action.atMs !== 'number' || !Number.isFinite(action.atMs) || action.atMs < 0) {
      return `${where}: atMs must be a time in ms, at least 0`;
    }
    const nodes =
      action.type === 'partition'
        ? action.groups.flat()
        : action.type === 'cut'
          ? [...action.from, ...action.to]
          : action.type === 'isolate' || action.type === 'crash' || action.type === 'restart'
            ? [action.node]
            : [];
    const unknown = nodes.find((id) => !knownNode(id));
    if (unknown !== undefined) return `${where}: there is no node ${String(unknown)} in a cluster of ${nodeCount}`;
    if (action.type === 'crash' && action.afterEffects !== undefined && !(Number.isInteger(action.afterEffects) && action.afterEffects >= 0)) {
      return `${where}: afterEffects must be a whole number of effects, at least 0`;
    }
    if (action.type === 'crash' && action.inReactionTo !== undefined && (action.afterEffects === undefined || !isCrashReaction(action.inReactionTo))) {
      return `${where}: inReactionTo must be 'input', 'message' or 'timer', or one of them with a type ('input:Snapshot'), and comes with afterEffects`;
    }
    if (action.type === 'partition' && new Set(nodes).size !== nodes.length) return `${where}: a node is listed in two groups`;
    if (action.type === 'network') {
      const { atMs: _atMs, type: _type, ...changes } = action;
      network = { ...network, ...changes };
      const problem = validateNetwork(network);
      if (problem !== undefined) return `${where}: ${problem}`;
    }
  }
  return undefined;
}
