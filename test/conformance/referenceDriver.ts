// A deliberately plain driver: it keeps every node's object, storage, random source and
// timers, applies `react` to the stimuli it is given, and writes down what it did in the
// shape of `normalizeTrace`. The simulator and the model checker must each agree with it.
// It follows the model checker's rules (which timers may fire, which crashes count) when it
// is asked what may happen next, and the simulator's when it is told the time.
import type { Node } from '../../framework/Node.ts';
import type { NodeSpec } from '../../framework/simulation.ts';
import type { SearchEvent } from '../../framework/search.ts';
import { copyPlain, equalPlain } from '../../framework/_internals/plainData.ts';
import { nodeRandom, RandomSource, randomLabels } from '../../framework/_internals/random.ts';
import {
  countSurvivingEffects,
  effectsBeforeCrash,
  leaveReaction,
  NodeEnvironment,
  react,
  type Effect,
  type Stimulus,
} from '../../framework/_internals/reaction.ts';
import { installGuards, releaseGuards } from '../../framework/_internals/guards.ts';
import { nodeName, type NodeId, type Protocol, type Tagged } from '../../framework/types.ts';
import { canonical, historyLine } from './observe.ts';

interface PendingTimer {
  readonly timer: Tagged;
  readonly minMs: number;
  readonly maxMs: number;
  /** When the simulator fires it (simulation mode only). */
  readonly dueMs: number;
}

interface ReferenceNode<P extends Protocol> {
  readonly environment: NodeEnvironment<P>;
  instance: Node<P> | undefined;
  crashed: boolean;
  incarnation: number;
  readonly storage: Map<string, unknown>;
  random: RandomSource;
  readonly timerRandom: RandomSource;
  timers: PendingTimer[];
}

interface InFlight {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: Tagged;
}

/** A line, and what it says under each driver where they differ by design. */
interface Line {
  readonly text: string;
  /** Appended in a run's trace: when a timer is due. */
  readonly runNote?: string;
  /** Only in this driver's form (see `reactTo`). */
  readonly only?: 'run' | 'search';
}

interface HistoryEntry {
  readonly text: string;
  /** The search's form of the same event, when it differs (see `crashAfterReaction`). */
  readonly searchText?: string;
}

export interface ReferenceSettings<P extends Protocol> {
  readonly nodes: readonly NodeSpec<P>[];
  readonly config: P['config'];
  readonly seed: string;
  readonly fifo: boolean;
}

export class ReferenceDriver<P extends Protocol> {
  private readonly nodes: ReferenceNode<P>[];
  private readonly lines: Line[] = [];
  private readonly historyEntries: HistoryEntry[] = [];
  /** Messages sent and not delivered yet (a multiset, in send order). */
  readonly inFlight: InFlight[] = [];
  /** Crashes so far (the model checker's count, for its `max`). */
  crashes = 0;
  /** The first reaction that failed, as `normalizeTrace` writes it. */
  failure: string | undefined;
  /** Simulated time (simulation mode); undefined under search, which has no clock. */
  private clockMs: number | undefined;

  constructor(private readonly settings: ReferenceSettings<P>) {
    const servers = settings.nodes.flatMap((spec, id) => (spec.role === 'server' ? [id] : []));
    this.nodes = settings.nodes.map((spec, id) => ({
      environment: new NodeEnvironment<P>(id, spec.role, spec.node, servers, settings.config, settings.nodes.length),
      instance: undefined,
      crashed: true,
      incarnation: 0,
      storage: new Map(),
      random: nodeRandom(settings.seed, id, 0),
      timerRandom: RandomSource.fork(settings.seed, randomLabels.timers(id)),
      timers: [],
    }));
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** The lines so far; with the run's notes (timer due times) or without (the search's form). */
  renderLines(form: 'run' | 'search'): string[] {
    return this.lines
      .filter((line) => line.only === undefined || line.only === form)
      .map((line) => (form === 'run' && line.runNote !== undefined ? `${line.text}${line.runNote}` : line.text));
  }

  renderHistory(form: 'run' | 'search'): string[] {
    return this.historyEntries.map((entry) => (form === 'search' ? (entry.searchText ?? entry.text) : entry.text));
  }

  /** What the cluster view would show: as `clusterLines`. */
  clusterLines(): string[] {
    return this.nodes.map(
      (node, id) =>
        `${nodeName(id)} ${node.crashed ? 'down' : 'up'} #${node.incarnation} ${canonical([...node.storage].sort(([left], [right]) => (left < right ? -1 : 1)))}`,
    );
  }

  isCrashed(id: NodeId): boolean {
    return (this.nodes[id] as ReferenceNode<P>).crashed;
  }

  /** Runs `work` with the determinism guards in place, as both drivers do. */
  guarded<T>(work: () => T): T {
    installGuards();
    try {
      return work();
    } finally {
      leaveReaction();
      releaseGuards();
    }
  }

  setClock(nowMs: number | undefined): void {
    this.clockMs = nowMs;
  }

  start(id: NodeId): void {
    const node = this.node(id);
    node.crashed = false;
    this.reactTo(id, { kind: 'start' }, undefined);
  }

  /** Gives an input; see `deliver` for `crashAfter`. */
  input(id: NodeId, input: P['input'], crashAfter?: number, crashAfterReaction = false): boolean {
    const node = this.node(id);
    this.lines.push({ text: `input ${nodeName(id)} ${canonical(input)}` });
    this.history({ kind: 'input', node: id, incarnation: node.incarnation, timeMs: 0, input });
    return this.reactTo(id, { kind: 'input', input: copyPlain(input) }, crashAfter, crashAfterReaction);
  }

  /**
   * Delivers a message. With `crashAfter`, the node crashes after that many of its surviving
   * effects; `crashAfterReaction` says what to do when that cuts nothing: crash after the
   * whole reaction (a run's armed crash) or not crash at all (a search, where it is no choice).
   * Returns whether a crash cut the reaction short.
   */
  deliver(from: NodeId, to: NodeId, message: P['message'], crashAfter?: number, crashAfterReaction = false): boolean {
    const index = this.inFlight.findIndex((envelope) => envelope.from === from && envelope.to === to && equalPlain(envelope.message, message));
    if (index >= 0) this.inFlight.splice(index, 1);
    const node = this.node(to);
    this.lines.push({ text: `deliver ${nodeName(from)} -> ${nodeName(to)} ${canonical(message)}` });
    this.history({ kind: 'deliver', from, to, incarnation: node.incarnation, timeMs: 0, message, local: from === to });
    // The receiver gets its own copy, as under every driver: what it changes stays with it.
    return this.reactTo(to, { kind: 'message', from, message: copyPlain(message) }, crashAfter, crashAfterReaction);
  }

  /** Fires a pending timer (the first equal one); see `deliver` for `crashAfter`. */
  fire(id: NodeId, timer: P['timer'], crashAfter?: number, crashAfterReaction = false): boolean {
    const node = this.node(id);
    // Equal timers may be pending with different due times: a run fires the one due now.
    const dueNow = node.timers.findIndex((pending) => pending.dueMs === this.clockMs && equalPlain(pending.timer, timer));
    const index = dueNow >= 0 ? dueNow : node.timers.findIndex((pending) => equalPlain(pending.timer, timer));
    if (index < 0) {
      this.lines.push({ text: `fire ${nodeName(id)} ${canonical(timer)} (not pending in the reference driver)` });
    } else {
      const pending = node.timers[index] as PendingTimer;
      node.timers.splice(index, 1);
      if (this.clockMs !== undefined && pending.dueMs !== this.clockMs) {
        this.lines.push({ text: `fire ${nodeName(id)} ${canonical(timer)} (at ${this.clockMs} ms, but due at ${pending.dueMs} ms)` });
      } else {
        this.lines.push({ text: `fire ${nodeName(id)} ${canonical(timer)}` });
      }
    }
    return this.reactTo(id, { kind: 'timer', timer: copyPlain(timer) }, crashAfter, crashAfterReaction);
  }

  crash(id: NodeId, midReaction = false): void {
    const node = this.node(id);
    this.lines.push({ text: `crash ${nodeName(id)}` });
    this.goDown(node, id, midReaction);
  }

  restart(id: NodeId): void {
    const node = this.node(id);
    node.incarnation++;
    node.random = nodeRandom(this.settings.seed, id, node.incarnation);
    this.lines.push({ text: `restart ${nodeName(id)}` });
    this.history({ kind: 'restart', node: id, incarnation: node.incarnation, timeMs: 0 });
    node.crashed = false;
    this.reactTo(id, { kind: 'start' }, undefined);
  }

  /**
   * What the model checker may do next, by its rules: deliver any message in flight to a live
   * node (equal messages once; under FIFO only the oldest of each channel), fire a live node's
   * timer unless another of its timers must fire first, crash a node, restart a crashed one.
   */
  enabled(crashable: readonly NodeId[], maxCrashes: number, restart: boolean): SearchEvent[] {
    const events: SearchEvent[] = [];
    this.inFlight.forEach((envelope, index) => {
      const earlier = this.inFlight.slice(0, index);
      const repeated = earlier.some(
        (other) =>
          (other.from === envelope.from && other.to === envelope.to && equalPlain(other.message, envelope.message)) ||
          (this.settings.fifo && other.from === envelope.from && other.to === envelope.to),
      );
      if (!repeated && !this.isCrashed(envelope.to)) events.push({ kind: 'deliver', from: envelope.from, to: envelope.to, message: envelope.message });
    });
    this.nodes.forEach((node, id) => {
      if (node.crashed) return;
      const earliestMaxMs = Math.min(...node.timers.map((pending) => pending.maxMs));
      const seen: Tagged[] = [];
      for (const pending of node.timers) {
        if (pending.minMs > earliestMaxMs || seen.some((timer) => equalPlain(timer, pending.timer))) continue;
        seen.push(pending.timer);
        events.push({ kind: 'timer', node: id, timer: pending.timer });
      }
    });
    for (const id of crashable) {
      if (!this.isCrashed(id) && this.crashes < maxCrashes) events.push({ kind: 'crash', node: id });
      if (this.isCrashed(id) && restart) events.push({ kind: 'restart', node: id });
    }
    return events;
  }

  private node(id: NodeId): ReferenceNode<P> {
    return this.nodes[id] as ReferenceNode<P>;
  }

  private goDown(node: ReferenceNode<P>, id: NodeId, midReaction: boolean, searchText?: string): void {
    node.crashed = true;
    node.instance = undefined;
    node.timers = [];
    this.crashes++;
    const line = historyLine<P>({ kind: 'crash', node: id, incarnation: node.incarnation, timeMs: 0, midReaction });
    if (line !== undefined) this.historyEntries.push(searchText === undefined ? { text: line } : { text: line, searchText });
  }

  private history(event: Parameters<typeof historyLine<P>>[0]): void {
    const line = historyLine(event);
    if (line !== undefined) this.historyEntries.push({ text: line });
  }

  private reactTo(id: NodeId, stimulus: Stimulus, crashAfter: number | undefined, crashAfterReaction = false): boolean {
    const node = this.node(id);
    const name = nodeName(id);
    const reaction = react(node.environment, node.instance, stimulus, node.storage, node.random, this.clockMs);
    if (reaction.failure !== undefined) {
      this.failure = `failure no exceptions: ${reaction.failure.message}`;
      this.lines.push({ text: this.failure });
      return false;
    }
    if (stimulus.kind === 'start') node.instance = reaction.instance;
    const effects = reaction.effects;
    const cuts = crashAfter !== undefined && crashAfter < countSurvivingEffects(effects);
    if (crashAfter === undefined || (!cuts && !crashAfterReaction)) {
      for (const effect of effects) this.apply(node, id, effect);
      return false;
    }
    const applied = effectsBeforeCrash(effects, crashAfter);
    for (const effect of effects.slice(0, applied)) this.apply(node, id, effect);
    if (cuts) {
      this.lines.push({ text: `  ${name} crashes after ${applied} of ${effects.length} effects` });
      this.goDown(node, id, true);
      return true;
    }
    // A run's armed crash that cuts none of the effects that outlive a crash: the run still
    // drops the timer changes and log lines after the last of them, and calls it a crash in the
    // middle of the reaction. A search has no such choice: the same path there is the whole
    // reaction followed by a plain crash.
    if (applied < effects.length) {
      for (const effect of effects.slice(applied)) this.apply(node, id, effect, 'search');
      this.lines.push({ text: `  ${name} crashes after ${applied} of ${effects.length} effects`, only: 'run' });
      this.lines.push({ text: `crash ${name}`, only: 'search' });
    } else {
      this.lines.push({ text: `crash ${name}` });
    }
    const searchForm = historyLine<P>({ kind: 'crash', node: id, incarnation: node.incarnation, timeMs: 0, midReaction: false });
    this.goDown(node, id, true, searchForm);
    return false;
  }

  /**
   * Applies one effect and writes its line. With `only`, writes the line for that driver's form
   * and changes nothing: an effect the other driver cuts off (never one that outlives a crash).
   */
  private apply(node: ReferenceNode<P>, id: NodeId, effect: Effect, only?: 'search'): void {
    const name = nodeName(id);
    if (only !== undefined) {
      if (effect.kind === 'set-timer') this.lines.push({ text: `  ${name} set-timer ${canonical(effect.timer)}`, only });
      else if (effect.kind === 'log') this.lines.push({ text: `  ${name} log ${effect.text}`, only });
      else if (effect.kind === 'cancel-timer') {
        const none = !node.timers.some((pending) => equalPlain(pending.timer, effect.timer));
        this.lines.push({ text: `  ${name} cancel-timer ${canonical(effect.timer)}${none ? ' (none pending)' : ''}`, only });
      } else throw new Error(`an effect that outlives a crash (${effect.kind}) cannot be cut off`);
      return;
    }
    switch (effect.kind) {
      case 'send':
        this.lines.push({ text: `  ${name} send -> ${nodeName(effect.to)} ${canonical(effect.message)}` });
        this.history({ kind: 'send', from: id, to: effect.to, incarnation: node.incarnation, timeMs: 0, message: effect.message, local: effect.to === id });
        this.inFlight.push({ from: id, to: effect.to, message: effect.message });
        return;
      case 'set-timer': {
        let dueMs = 0;
        if (this.clockMs !== undefined) {
          // The simulator draws from the node's timer source only for a range.
          dueMs = this.clockMs + (effect.minMs === effect.maxMs ? effect.minMs : node.timerRandom.integer(effect.minMs, effect.maxMs));
        }
        node.timers.push({ timer: effect.timer, minMs: effect.minMs, maxMs: effect.maxMs, dueMs });
        this.lines.push({ text: `  ${name} set-timer ${canonical(effect.timer)}`, runNote: ` (fires at ${dueMs} ms)` });
        return;
      }
      case 'cancel-timer': {
        const kept = node.timers.filter((pending) => !equalPlain(pending.timer, effect.timer));
        const none = kept.length === node.timers.length;
        node.timers = kept;
        this.lines.push({ text: `  ${name} cancel-timer ${canonical(effect.timer)}${none ? ' (none pending)' : ''}` });
        return;
      }
      case 'storage-set':
      case 'storage-delete': {
        const value = effect.kind === 'storage-set' ? effect.value : undefined;
        if (value === undefined) node.storage.delete(effect.key);
        else node.storage.set(effect.key, value);
        this.lines.push({ text: `  ${name} store ${effect.key} ${value === undefined ? '(deleted)' : canonical(value)}` });
        this.history({ kind: 'storage', node: id, incarnation: node.incarnation, timeMs: 0, key: effect.key, value });
        return;
      }
      case 'output':
        this.lines.push({ text: `  ${name} output ${canonical(effect.output)}` });
        this.history({ kind: 'output', node: id, incarnation: node.incarnation, timeMs: 0, output: effect.output });
        return;
      case 'log':
        this.lines.push({ text: `  ${name} log ${effect.text}` });
        return;
    }
  }
}
