// The service on top of Raft, as lab 5's tests play it. It offers each command to every server
// in a Start input (the leader appends it; the others answer NotLeader), offers it again to a
// new leader when leadership changes before it is applied, and to everyone when it has waited
// too long; in part D it folds each applied command into its state and hands Raft a snapshot
// every few entries. It reads only outputs (and who is up).
import type { NodeId, WorkloadContext, Workload } from 'distlab/testing';
import { digestOf, emptyDigest, foldCommand, snapshotData } from './checks.ts';
import type { Command, Raft } from './src/protocol.ts';

export interface ServiceOptions {
  readonly servers: readonly NodeId[];
  /** How many commands, named `${prefix}0`, `${prefix}1`, ... */
  readonly commands: number;
  readonly prefix?: string;
  /** When the first batch is given. */
  readonly firstAtMs: number;
  /**
   * `paced`: a batch every `everyMs`; `one-at-a-time`: each command once the one before is
   * applied on every server (the batch size is then 1).
   */
  readonly mode?: 'paced' | 'one-at-a-time';
  readonly everyMs?: number;
  /** Commands given at the same instant, as from that many clients. */
  readonly batch?: number;
  /**
   * Part D: give Raft a snapshot after every this many applied entries; a list gives each server
   * (in the order of `servers`) a period of its own, so that they snapshot at different indexes.
   */
  readonly snapshotEvery?: number | readonly number[];
  /**
   * Part D: the snapshot of an entry reaches Raft this long after the entry is applied (default
   * 0): the service may fold its state at leisure, and Raft has meanwhile applied more.
   */
  readonly snapshotDelayMs?: number;
  /** A command not applied this long after it was last given is given again (checked whenever an output comes). */
  readonly staleMs?: number;
}

/** What the service knows of one server's state machine. */
interface ServiceState {
  incarnation: number;
  applied: number;
  digest: string;
}

export interface Service extends Workload<Raft> {
  /** Every command given and applied on every live server (for stopWhen). */
  finished(context: { isCrashed(node: NodeId): boolean }): boolean;
  /** The commands, in the order given. */
  readonly names: readonly Command[];
}

/** The service: see ServiceOptions. */
export function service(options: ServiceOptions): Service {
  const prefix = options.prefix ?? 'c';
  const mode = options.mode ?? 'paced';
  const batch = mode === 'one-at-a-time' ? 1 : (options.batch ?? 1);
  const everyMs = options.everyMs ?? 50;
  const staleMs = options.staleMs ?? 1_000;
  const names = Array.from({ length: options.commands }, (_unused, index) => `${prefix}${index}`);
  const states = new Map<NodeId, ServiceState>(options.servers.map((node) => [node, { incarnation: 0, applied: 0, digest: emptyDigest }]));
  /** Given and not yet applied anywhere, with when each was last given. */
  const pending = new Map<Command, number>();
  /** Paced commands still to come, in time order: each joins `pending` once its time has come. */
  const upcoming: { readonly command: Command; readonly atMs: number }[] = [];
  let nextUpcoming = 0;
  const appliedAt = new Map<Command, number>();
  let given = 0;
  let leaderTerm = 0;
  const snapshotPeriod = (node: NodeId): number | undefined => {
    const every = options.snapshotEvery;
    return typeof every === 'number' || every === undefined ? every : every[options.servers.indexOf(node)];
  };

  /** The command applied at the highest index so far, anywhere (undefined before the first). */
  const lastApplied = (): { readonly command: Command | undefined; readonly index: number } => {
    let found: { command: Command | undefined; index: number } = { command: undefined, index: 0 };
    for (const [command, index] of appliedAt) if (index > found.index) found = { command, index };
    return found;
  };

  /** Offers `command` to every server (at `delayMs` from now): the leader appends it, the others answer NotLeader. */
  const offer = (context: WorkloadContext<Raft>, command: Command, delayMs: number) => {
    pending.set(command, context.cluster.nowMs + delayMs);
    for (const server of options.servers) context.input(server, { type: 'Start', command }, delayMs);
  };

  return {
    names,
    start(context) {
      // One at a time: only the first is planned; each next one is offered once the one before is applied everywhere.
      const planned = mode === 'one-at-a-time' ? names.slice(0, 1) : names;
      planned.forEach((command, index) => {
        const atMs = options.firstAtMs + Math.floor(index / batch) * everyMs;
        upcoming.push({ command, atMs });
        for (const server of options.servers) context.input(server, { type: 'Start', command }, atMs);
      });
      given = planned.length;
    },
    onOutput(record, context) {
      for (let next = upcoming[nextUpcoming]; next !== undefined && next.atMs <= context.cluster.nowMs; next = upcoming[++nextUpcoming]) {
        pending.set(next.command, next.atMs);
      }
      const output = record.output;
      const node = record.node;
      switch (output.type) {
        case 'BecameLeader':
          if (output.term > leaderTerm) {
            leaderTerm = output.term;
            // A new leader: what the old one may have lost is given again, to the new one (not what is still to come).
            for (const command of pending.keys()) {
              pending.set(command, context.cluster.nowMs);
              context.input(node, { type: 'Start', command }, 0);
            }
            // Nothing is left to give, but the new leader has not applied the last command applied
            // anywhere: an entry of an earlier term, which a leader commits only under an entry of
            // its own term. Without a command to append it would wait for ever, so it is given the
            // last applied command again (a command at two indexes is fine).
            if (pending.size === 0 && nextUpcoming === upcoming.length) {
              const last = lastApplied();
              const state = states.get(node);
              const leaderApplied = state !== undefined && state.incarnation === record.incarnation ? state.applied : 0;
              if (last.command !== undefined && leaderApplied < last.index) context.input(node, { type: 'Start', command: last.command }, 0);
            }
          }
          break;
        case 'Applied': {
          if (pending.delete(output.command)) appliedAt.set(output.command, output.index);
          const state = states.get(node);
          if (state === undefined) break;
          if (state.incarnation !== record.incarnation) Object.assign(state, { incarnation: record.incarnation, applied: 0, digest: emptyDigest });
          if (output.index !== state.applied + 1) break;
          state.applied = output.index;
          state.digest = foldCommand(state.digest, output.command);
          const every = snapshotPeriod(node);
          if (every !== undefined && output.index % every === 0) {
            context.input(node, { type: 'Snapshot', index: output.index, data: snapshotData(output.index, state.digest) }, options.snapshotDelayMs ?? 0);
          }
          break;
        }
        case 'SnapshotInstalled': {
          const state = states.get(node);
          if (state === undefined) break;
          const digest = digestOf(output.snapshot.data) ?? emptyDigest;
          Object.assign(state, { incarnation: record.incarnation, applied: output.snapshot.lastIncludedIndex, digest });
          break;
        }
        default:
          break;
      }
      if (mode === 'one-at-a-time' && given < names.length && pending.size === 0 && nextUpcoming === upcoming.length) {
        const index = appliedAt.get(names[given - 1] as Command) ?? 0;
        const everywhere = options.servers.every((server) => context.cluster.isCrashed(server) || (states.get(server)?.applied ?? 0) >= index);
        if (everywhere) offer(context, names[given++] as Command, 0);
      }
      // A command whose Start was lost (a crash took the leader that got it) is offered again.
      const nowMs = context.cluster.nowMs;
      for (const [command, lastMs] of pending) if (nowMs - lastMs >= staleMs) offer(context, command, 0);
    },
    finished(cluster) {
      if (given < names.length || pending.size > 0 || nextUpcoming < upcoming.length) return false;
      const highest = Math.max(0, ...appliedAt.values());
      return options.servers.every((server) => cluster.isCrashed(server) || (states.get(server)?.applied ?? 0) >= highest);
    },
  };
}
