// Lab 5, parts E and F: one run of the key-value service. N servers run the implementation's
// KvServer (its Raft underneath), M client nodes its KvClient; the kit's closed-loop workload
// calls operations on the clients; the run ends once every operation returned and the servers
// had time to apply the last ones. Every run checks Raft's safety, the kit's linearizability,
// at-most-once and progress, that every operation returns, and the service's exactly-once and
// honest-client properties.
import {
  clientHistoriesLinearizable,
  clientLatency,
  clientsSpeakTheKitProtocol,
  clientsMakeProgress,
  commandsAppliedAtMostOnce,
  everyOperationReturns,
  kvWorkload,
  type ClusterView,
  type KvWorkloadOptions,
  type NetworkSettings,
  type NodeClass,
  type NodeId,
  type Property,
  type RunSetup,
  type ScheduledInput,
  type Tagged,
  type Workload,
} from 'distlab/testing';
import { higherTermEndsLeadership, safetyProperties, votesInTheCandidatesTerm, refusalNamesTheConflict, type TermSenders } from './checks.ts';
import { electionTimeoutMs, heartbeatMs, maxDelayMs, range, stableNetwork, type RaftImplementation } from './harness.ts';
import { appendsTakeEffectExactlyOnce, clientsReturnOnlyReplies, completedWritesReachEveryLiveServer, repliesFollowTheLog } from './serviceChecks.ts';
import type { Raft } from './src/protocol.ts';

/** The client nodes' retry period in every part E and F run (the kit's default). */
export const clientRetryMs = 100;

/** Once the last operation returned, the run goes on this long so that every live server applies it. */
export const settleMs = 2 * heartbeatMs + 4 * maxDelayMs;

/**
 * The same on a network that loses messages: twenty heartbeats, so that a follower whose
 * AppendEntries were lost hears of the last commit too, whatever the implementation's resend rule.
 */
export const lossySettleMs = 20 * heartbeatMs;

/** After the last fault, the run goes on at least this long: a server cut off or down catches up with the log. */
export const catchUpMs = 500;

/** A workload beside the key-value one (part F: membership changes), told when it is done. */
export interface ExtraWorkload extends Workload<Raft> {
  /** Whether it has nothing left to do (default: true); the run ends only once it says so. */
  finished?(cluster: ClusterView<Raft>): boolean;
}

export interface ServiceRunOptions {
  /**
   * Whether the nodes may read the clock: only part F's, where the handout lets a server time
   * the leader it heard from. Elsewhere, as under search, there is none: a node that could read
   * one in runs could tell a run from a search.
   */
  readonly clock?: boolean;
  /** Servers n0..n(N-1), running the implementation's KvServer. */
  readonly servers: number;
  /** Client nodes after the servers, running the implementation's KvClient. */
  readonly clients: number;
  /** The horizon: the run fails its progress properties if the workload has not finished by then. */
  readonly durationMs: number;
  /** The kit's workload: operations per client, keys, think time, start time, mix, which clients take part. */
  readonly workload: KvWorkloadOptions;
  readonly network?: Partial<NetworkSettings>;
  /** Config on top of the suite's timing (electionTimeoutMs, heartbeatMs) and the client's retry period. */
  readonly config?: Partial<Raft['config']>;
  /**
   * Inputs at fixed times, besides the workload's (a scenario's own operations, part F's
   * ChangeMembership). Invoke inputs go to clients that do not take part in the workload
   * (`workload.clients` leaves them out); the run ends only once they have returned.
   */
  readonly inputs?: readonly ScheduledInput<Raft>[];
  /** A workload run beside the key-value one, which reacts to outputs (part F drives membership changes with it). */
  readonly extraWorkload?: ExtraWorkload;
  /** The test's own properties, checked before the standard ones (budgets, scenario rules). */
  readonly extra?: readonly Property<Raft>[];
  /** The test's own properties, checked after the standard ones (judged at the end, after linearizability). */
  readonly extraAfter?: readonly Property<Raft>[];
  /** Raft's safety properties for these servers; default checks.ts's safetyProperties (part F gives configuration-aware ones). */
  readonly safety?: (servers: readonly NodeId[]) => Property<Raft>[];
  /** Whose higher terms a server must take up ("a higher term ends a leadership"); default every server's. */
  readonly termSenders?: TermSenders;
  /**
   * Also check "completed operations reach every live replica": executed by every live server,
   * or covered by a snapshot it installed (serviceChecks.ts). Default true; part F leaves it out,
   * since removed servers, and those not yet added, never apply what comes after.
   */
  readonly reach?: boolean;
  /** The linearizability checker's budget of steps. */
  readonly maxSteps?: number;
  /** End the run when the workloads are finished and the servers settled (default true). */
  readonly stopWhenFinished?: boolean;
  /** The time of the test's last fault (a heal, a restart): the run does not end before it, and the servers had time to catch up. */
  readonly faultsEndMs?: number;
}

/** Client node ids of a run: after the servers. */
export const clientIds = (servers: number, clients: number): NodeId[] => range(servers, clients);

/** The properties every part E and F run checks (after the test's own `extra`, before its `extraAfter`). */
export function serviceProperties(servers: readonly NodeId[], options: Pick<ServiceRunOptions, 'safety' | 'reach' | 'maxSteps' | 'termSenders'> = {}): Property<Raft>[] {
  const linearizability = options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps };
  return [
    // First, with the servers' protocol rules: every later property reads a client's commands by their declared fields.
    clientsSpeakTheKitProtocol<Raft>(),
    ...(options.safety ?? safetyProperties)(servers),
    higherTermEndsLeadership(options.termSenders),
    votesInTheCandidatesTerm(),
    refusalNamesTheConflict(),
    commandsAppliedAtMostOnce<Raft>(),
    repliesFollowTheLog(),
    clientsReturnOnlyReplies(),
    clientHistoriesLinearizable<Raft>(linearizability),
    appendsTakeEffectExactlyOnce(),
    clientsMakeProgress<Raft>(),
    everyOperationReturns<Raft>(),
    ...(options.reach === true ? [completedWritesReachEveryLiveServer()] : []),
    clientLatency<Raft>(),
  ] as Property<Raft>[];
}

/** The run: see ServiceRunOptions. */
export function serviceRun(implementation: RaftImplementation, options: ServiceRunOptions): RunSetup<Raft> {
  const servers = range(0, options.servers);
  const kv = kvWorkload<Raft>(options.workload);
  const extraWorkload = options.extraWorkload;
  // The scenario's own calls count too: the run ends only once they have all been made and returned.
  const scheduledCalls = (options.inputs ?? []).filter((scheduled) => (scheduled.input as Tagged).type === 'Invoke');
  const lastCallMs = Math.max(0, ...scheduledCalls.map((scheduled) => scheduled.atMs));
  /** When the last operation returned, once every one has (null: not yet). */
  let finishedAtMs: number | null = null;
  let scheduledReturns = 0;
  const workload: Workload<Raft> = {
    start(context) {
      finishedAtMs = null;
      scheduledReturns = 0;
      kv.start?.(context);
      extraWorkload?.start?.(context);
    },
    onOutput(record, context) {
      kv.onOutput?.(record, context);
      extraWorkload?.onOutput?.(record, context);
      const participates = options.workload.clients === undefined || options.workload.clients.includes(record.node);
      if ((record.output as Tagged).type === 'Returned' && !participates) scheduledReturns++;
      if (finishedAtMs === null && kv.finished() && scheduledReturns >= scheduledCalls.length && context.cluster.nowMs >= lastCallMs) {
        finishedAtMs = context.cluster.nowMs;
      }
    },
  };
  const config: Raft['config'] = {
    electionTimeoutMs,
    heartbeatMs,
    ...options.config,
    kvClient: { retryMs: clientRetryMs, ...options.config?.kvClient },
  };
  const reach = options.reach ?? true;
  return {
    nodes: [
      ...servers.map(() => ({ role: 'server' as const, node: implementation.KvServer })),
      // The client speaks only the kit's part of the protocol (its messages, its config, Invoke and Returned).
      ...range(0, options.clients).map(() => ({ role: 'client' as const, node: implementation.KvClient as unknown as NodeClass<Raft> })),
    ],
    config,
    network: { ...stableNetwork, ...options.network },
    clock: options.clock === true,
    durationMs: options.durationMs,
    workload,
    ...(options.inputs === undefined ? {} : { inputs: options.inputs }),
    ...(options.stopWhenFinished === false
      ? {}
      : {
          stopWhen: (cluster: ClusterView<Raft>) =>
            finishedAtMs !== null &&
            cluster.nowMs >= Math.max(finishedAtMs + ((options.network?.dropRate ?? 0) > 0 ? lossySettleMs : settleMs), options.faultsEndMs === undefined ? 0 : options.faultsEndMs + catchUpMs) &&
            (extraWorkload?.finished?.(cluster) ?? true),
        }),
    properties: [
      ...(options.extra ?? []),
      ...serviceProperties(servers, { ...options, reach }),
      ...(options.extraAfter ?? []),
    ],
  };
}
