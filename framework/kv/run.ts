// One run of a replicated key-value service for a lab's run tests: N servers of the lab's class,
// M of the kit's client nodes after them, driven by the kit's closed-loop workload, plus a
// scenario's own calls at fixed times. The run ends once every operation returned and the
// servers had time to settle (and to catch up after the last fault). Every run checks the lab's
// safety properties, the kit's at-most-once, linearizability and progress, that every operation
// returns, that completed writes reach every live replica, and measures client latency.
import type { NodeClass } from '../Node.ts';
import type { NetworkSettings } from '../network.ts';
import type { ClusterView, Property } from '../properties.ts';
import type { ScheduledInput } from '../simulation.ts';
import type { RunSetup } from '../suite.ts';
import type { NodeId, Protocol, Tagged } from '../types.ts';
import {
  clientHistoriesLinearizable,
  clientLatency,
  clientsMakeProgress,
  commandsAppliedAtMostOnce,
  completedOperationsReachEveryLiveReplica,
  everyOperationReturns,
} from './properties.ts';
import type { KvClientConfig } from './protocol.ts';
import { kvClientNodes, kvWorkload, type KvWorkloadOptions } from './workload.ts';

/** What a lab fixes for all of its key-value runs. */
export interface KvLab<P extends Protocol> {
  /** The config every run uses, unless a test says otherwise. */
  readonly config: P['config'] & KvClientConfig;
  /** The client's retry period every run uses, unless a test says otherwise. */
  readonly clientRetryMs: number;
  /** The network every run starts from, unless a test says otherwise. */
  readonly network: Partial<NetworkSettings>;
  /** The lab's safety properties for these servers. */
  readonly safety: (servers: readonly NodeId[]) => Property<P>[];
  /** Once the last operation returned, the run goes on this long, so that every live server executes it. */
  readonly settleMs: number;
  /** The same on a network that loses messages. */
  readonly lossySettleMs: number;
  /** After the last fault, the run goes on at least this long: a server cut off or down catches up. */
  readonly catchUpMs: number;
}

export interface KvRunOptions<P extends Protocol> {
  /** Servers n0..n(N-1), running the implementation's server class. */
  readonly servers: number;
  /** Client nodes after the servers, running the key-value kit's client. */
  readonly clients: number;
  /** The horizon: the run fails its progress properties if the workload has not finished by then. */
  readonly durationMs: number;
  /** The kit's workload: operations per client, keys, think time, start time, mix, which clients take part. */
  readonly workload: KvWorkloadOptions;
  readonly network?: Partial<NetworkSettings>;
  /** Config on top of the lab's. */
  readonly config?: Partial<P['config'] & KvClientConfig>;
  /**
   * Inputs at fixed times, besides the workload's (a scenario's own operations). They go to
   * clients that do not take part in the workload (`workload.clients` leaves them out); the run
   * ends only once they have returned.
   */
  readonly inputs?: readonly ScheduledInput<P>[];
  /** The test's own properties, checked before the standard ones (budgets, scenario rules). */
  readonly extra?: readonly Property<P>[];
  /** The test's own properties, checked after the standard ones (judged at the end, after linearizability). */
  readonly extraAfter?: readonly Property<P>[];
  /** Also check "completed operations reach every live replica" (default true). */
  readonly reach?: boolean;
  /** The linearizability checker's budget of steps. */
  readonly maxSteps?: number;
  /** End the run when the workload is finished and the servers settled (default true). */
  readonly stopWhenFinished?: boolean;
  /** The time of the test's last fault (a heal, a restart): the run does not end before it, and the servers had time to catch up. */
  readonly faultsEndMs?: number;
}

/** The properties every run checks (after the test's own `extra`, before its `extraAfter`). */
export function kvRunProperties<P extends Protocol>(
  safety: readonly Property<P>[],
  options: Pick<KvRunOptions<P>, 'reach' | 'maxSteps'> = {},
): Property<P>[] {
  const linearizability = options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps };
  return [
    ...safety,
    commandsAppliedAtMostOnce<P>(),
    clientHistoriesLinearizable<P>(linearizability),
    clientsMakeProgress<P>(),
    everyOperationReturns<P>(),
    ...(options.reach === false ? [] : [completedOperationsReachEveryLiveReplica<P>()]),
    clientLatency<P>(),
  ] as Property<P>[];
}

/** The run: see KvRunOptions. */
export function kvRun<P extends Protocol>(lab: KvLab<P>, server: NodeClass<P>, options: KvRunOptions<P>): RunSetup<P> {
  const servers: NodeId[] = Array.from({ length: options.servers }, (_unused, index) => index);
  const kv = kvWorkload<P>(options.workload);
  // The scenario's own calls count too: the run ends only once they have all been made and returned.
  const scheduledCalls = (options.inputs ?? []).filter((scheduled) => (scheduled.input as Tagged).type === 'Invoke');
  const lastCallMs = Math.max(0, ...scheduledCalls.map((scheduled) => scheduled.atMs));
  /** When the last operation returned, once every one has (null: not yet). */
  let finishedAtMs: number | null = null;
  let scheduledReturns = 0;
  const settle = (options.network?.dropRate ?? 0) > 0 ? lab.lossySettleMs : lab.settleMs;
  const config = { ...lab.config, ...options.config, kvClient: { retryMs: lab.clientRetryMs, ...options.config?.kvClient } } as P['config'];
  return {
    nodes: [...servers.map(() => ({ role: 'server' as const, node: server })), ...kvClientNodes<P>(options.clients)],
    config,
    network: { ...lab.network, ...options.network },
    durationMs: options.durationMs,
    workload: {
      start(context) {
        finishedAtMs = null;
        scheduledReturns = 0;
        kv.start?.(context);
      },
      onOutput(record, context) {
        kv.onOutput?.(record, context);
        const participates = options.workload.clients === undefined || options.workload.clients.includes(record.node);
        if ((record.output as Tagged).type === 'Returned' && !participates) scheduledReturns++;
        if (finishedAtMs === null && kv.finished() && scheduledReturns >= scheduledCalls.length && context.cluster.nowMs >= lastCallMs) {
          finishedAtMs = context.cluster.nowMs;
        }
      },
    },
    ...(options.inputs === undefined ? {} : { inputs: options.inputs }),
    ...(options.stopWhenFinished === false
      ? {}
      : {
          stopWhen: (cluster: ClusterView<P>) =>
            finishedAtMs !== null && cluster.nowMs >= Math.max(finishedAtMs + settle, options.faultsEndMs === undefined ? 0 : options.faultsEndMs + lab.catchUpMs),
        }),
    properties: [...(options.extra ?? []), ...kvRunProperties(lab.safety(servers), options), ...(options.extraAfter ?? [])],
  };
}
