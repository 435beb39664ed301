// Lab 5, parts E and F: the key-value service's own properties, beside the kit's
// (linearizability, at most once, progress) and Raft's safety properties: every append takes
// effect exactly once, a client returns only what a server replied, and the budgets and
// measurements of messages and latency per operation.
import {
  always,
  budget,
  describeKvOperation,
  emptyKvHistory,
  equalPlain,
  eventually,
  kvHistoryOf,
  nodeName,
  recordKvEvent,
  type KvHistoryOperation,
  type KvClientInput,
  type KvClientOutput,
  type KvOperation,
  type KvCommand,
  type KvHistoryRecording,
  type KvResult,
  type NodeId,
  type Property,
  type Tagged,
} from 'distlab/testing';
import type { Raft } from './src/protocol.ts';

const quote = (value: unknown) => JSON.stringify(value);
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The client command in a log entry's command string (`JSON.stringify(kvCommand)`), or undefined for a no-op or anything else. */
export function parseKvCommand(command: string): KvCommand | undefined {
  if (command === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(command);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { client, sequence, operation } = parsed as Record<string, unknown>;
  if (typeof client !== 'number' || typeof sequence !== 'number' || typeof operation !== 'object' || operation === null) return undefined;
  const { kind, key, value } = operation as Record<string, unknown>;
  if (typeof key !== 'string') return undefined;
  if (kind === 'get') return { client, sequence, operation: { kind, key } };
  if ((kind === 'put' || kind === 'append') && typeof value === 'string') return { client, sequence, operation: { kind, key, value } };
  return undefined;
}

// Exactly once.

interface Execution {
  readonly index: number;
  readonly node: NodeId;
  readonly timeMs: number;
  readonly client: NodeId;
  readonly sequence: number;
}

interface ExactlyOnce {
  /** Per server: the command string of each index it applied (its latest Applied there). */
  readonly appliedBy: Map<string, string>[];
  /** By "server:index": an Executed whose Applied has not come yet. */
  readonly executedFirst: Map<string, Execution>;
  /** Log indexes some server executed (an Executed output), with the first execution. */
  readonly executedIndexes: Map<number, Execution>;
  /** Per append value: the distinct log indexes where a server executed it. */
  readonly appendsAt: Map<string, Execution[]>;
  /** The clients' history, to know which appends returned and in which order each client made them. */
  readonly history: KvHistoryRecording;
}

const executionName = (execution: Execution) =>
  `index ${execution.index} (command ${execution.sequence} of ${nodeName(execution.client)}, executed by ${nodeName(execution.node)} at ${execution.timeMs} ms)`;

/** Adds a server's execution of the entry `entry` (its command string) to the executed sequence; a doubled append is a violation. */
function recordExecution(memory: ExactlyOnce, execution: Execution, entry: string): string | undefined {
  const command = parseKvCommand(entry);
  if (command === undefined || command.client !== execution.client || command.sequence !== execution.sequence) {
    return (
      `${nodeName(execution.node)} reported Executed for command ${execution.sequence} of ${nodeName(execution.client)} at index ${execution.index} (at ${execution.timeMs} ms), ` +
      `but the entry it applied there is ${quote(entry)}: a server executes the client command of the entry it applies, and reports that entry's index`
    );
  }
  if (memory.executedIndexes.has(execution.index)) return undefined;
  memory.executedIndexes.set(execution.index, execution);
  if (command.operation.kind !== 'append') return undefined;
  const value = command.operation.value;
  const earlier = memory.appendsAt.get(value) ?? [];
  earlier.push(execution);
  memory.appendsAt.set(value, earlier);
  const [first] = earlier;
  if (first === undefined || earlier.length < 2) return undefined;
  return (
    `${describeKvOperation(command.operation)} of ${nodeName(command.client)} took effect twice: at ${executionName(first)} and again at ${executionName(execution)}. ` +
    'A retried command is executed once: the at-most-once table (the last sequence number and result per client) is part of the replicated state, ' +
    'snapshots included, and a client retries with the same sequence number'
  );
}

/**
 * "every append takes effect exactly once": each append a client saw return was executed at
 * exactly one log index, and each client's returned appends were executed in the order it made
 * them; no append value is ever executed at two indexes (the kit's workload makes every append
 * value unique). The executed sequence is the log (Raft's Applied outputs, which the safety
 * properties keep identical on every server) restricted to the indexes some server reported
 * Executed for: a server that skips a retry as a duplicate leaves that index out, one that
 * applies it again (its at-most-once table lost) puts it in. The union over servers is what
 * counts, so a server whose state machine diverges from the others' is caught too. A
 * doubled append is reported as it happens; a returned append never executed, or executed out
 * of its client's order, when the run ends.
 */
export function appendsTakeEffectExactlyOnce(): Property<Raft, ExactlyOnce> {
  return always<Raft, ExactlyOnce>(
    'every append takes effect exactly once',
    {
      memory: (cluster) => ({
        appliedBy: cluster.nodeIds.map(() => new Map()),
        executedFirst: new Map(),
        executedIndexes: new Map(),
        appendsAt: new Map(),
        history: emptyKvHistory(),
      }),
      records: ['input:Invoke', 'output:Returned', 'output:Applied', 'output:Executed'],
      record(memory, event) {
        if (event.kind === 'input') {
          recordKvEvent(memory.history, event);
          return undefined;
        }
        if (event.kind !== 'output') return undefined;
        const output = event.output;
        if ((output as Tagged).type === 'Returned') {
          recordKvEvent(memory.history, event);
          return undefined;
        }
        if (output.type === 'Applied') {
          memory.appliedBy[event.node]?.set(String(output.index), output.command);
          // An Executed reported before its Applied (a service that outputs before calling super.output) is judged now.
          const waiting = memory.executedFirst.get(`${event.node}:${output.index}`);
          if (waiting === undefined) return undefined;
          memory.executedFirst.delete(`${event.node}:${output.index}`);
          return recordExecution(memory, waiting, output.command);
        }
        if (output.type !== 'Executed') return undefined;
        const execution: Execution = { index: output.index, node: event.node, timeMs: event.timeMs, client: output.client, sequence: output.sequence };
        const entry = memory.appliedBy[event.node]?.get(String(output.index));
        if (entry === undefined) {
          memory.executedFirst.set(`${event.node}:${output.index}`, execution);
          return undefined;
        }
        return recordExecution(memory, execution, entry);
      },
      check(_cluster, memory) {
        for (const execution of memory.executedFirst.values()) {
          return (
            `${nodeName(execution.node)} reported Executed for command ${execution.sequence} of ${nodeName(execution.client)} at index ${execution.index} ` +
            `(at ${execution.timeMs} ms), but it never applied an entry there: a server executes the client command of the entry it applies, and reports that entry's index`
          );
        }
        const lastIndex = new Map<NodeId, { index: number; value: string }>();
        for (const operation of kvHistoryOf(memory.history)) {
          if (operation.input.kind !== 'append' || operation.returnTime === null) continue;
          const value = operation.input.value;
          const executions = memory.appendsAt.get(value) ?? [];
          const [execution] = executions;
          if (execution === undefined) {
            return (
              `${nodeName(operation.client)}'s ${describeKvOperation(operation.input)} returned at ${operation.returnTime} ms, but no server ever executed it: ` +
              'the leader answers a command only once it is committed and executed, so a returned append is in the log for good'
            );
          }
          const previous = lastIndex.get(operation.client);
          if (previous !== undefined && execution.index < previous.index) {
            return (
              `${nodeName(operation.client)}'s appends took effect out of its order: ${quote(value)} (called at ${operation.callTime} ms) at index ${execution.index}, ` +
              `before ${quote(previous.value)}, called earlier, at index ${previous.index}`
            );
          }
          lastIndex.set(operation.client, { index: execution.index, value });
        }
        return undefined;
      },
    },
    { atEnd: true },
  );
}

// Replies follow the log.

/**
 * "a reply follows the log": a server sends a client a ClientReply for its command q only once
 * some server applied an entry holding that command (its Applied output), in this run. Every
 * command, a get included, goes through the log: a leader that answers a get from its own state
 * (on a lease, or at once) breaks it at its first such answer, whether or not the history shows
 * a stale read. An answer from the at-most-once table, to a retry of a command applied before,
 * keeps it. The memory is the commands applied, as "client:sequence".
 */
export function repliesFollowTheLog(): Property<Raft, Set<string>> {
  return always<Raft, Set<string>>('a reply follows the log', {
    memory: () => new Set(),
    records: ['output:Applied', 'send:ClientReply'],
    record(applied, event, cluster) {
      if (event.kind === 'output') {
        if (event.output.type !== 'Applied') return undefined;
        const command = parseKvCommand(event.output.command);
        if (command !== undefined) applied.add(`${command.client}:${command.sequence}`);
        return undefined;
      }
      if (event.kind !== 'send' || event.message.type !== 'ClientReply' || !cluster.servers.includes(event.from)) return undefined;
      const sequence = event.message.sequence;
      if (applied.has(`${event.to}:${sequence}`)) return undefined;
      return (
        `${nodeName(event.from)} sent ${nodeName(event.to)} a ClientReply for its command ${sequence} at ${event.timeMs} ms, but no server had applied that command ` +
        'from its log: every command, a get included, goes through the log, and is answered once it is committed and applied (or, retried, from the at-most-once table)'
      );
    },
  });
}

// Clients return what servers replied.

interface Replies {
  /** By "client:sequence": the results of the ClientReplies a server delivered to that client. */
  readonly results: Map<string, KvResult[]>;
  /** By client: its calls (Invoke inputs) in order, with the incarnation that was given each and whether it returned. */
  readonly calls: Map<NodeId, { readonly operation: KvOperation; readonly incarnation: number; returned: boolean }[]>;
  /** By "client:sequence": the ClientRequests that client sent, each with the number of calls it had been given by then. */
  readonly requests: Map<string, { readonly operation: KvOperation; readonly incarnation: number; readonly callsGiven: number }[]>;
  /** By "client:sequence": the incarnation of the client whose return that command answered (a command answers one call). */
  readonly answered: Map<string, number>;
}

/**
 * "a client returns only what a server replied": every Returned output answers the client's
 * oldest call still pending, with the sequence number of a command that client sent for that
 * call (a ClientRequest for the same operation, sent since the call, in the same incarnation,
 * and not answering an earlier call), and its result equals the result of a ClientReply some
 * server delivered to that client for that sequence number, before the return. A client that
 * makes up a result, returns on a timeout, or returns a call with the reply to another command
 * fails.
 */
export function clientsReturnOnlyReplies(): Property<Raft, Replies> {
  return always<Raft, Replies>('a client returns only what a server replied', {
    memory: () => ({ results: new Map(), calls: new Map(), requests: new Map(), answered: new Map() }),
    records: ['deliver:ClientReply', 'send:ClientRequest', 'input:Invoke', 'output:Returned'],
    record(memory, event, cluster) {
      if (event.kind === 'deliver') {
        const message = event.message;
        if (message.type !== 'ClientReply' || !cluster.servers.includes(event.from)) return undefined;
        const key = `${event.to}:${message.sequence}`;
        const known = memory.results.get(key) ?? [];
        if (!known.some((result) => equalPlain(result, message.result))) known.push(message.result);
        memory.results.set(key, known);
        return undefined;
      }
      if (event.kind === 'send') {
        const message = event.message;
        if (message.type !== 'ClientRequest' || cluster.servers.includes(event.from)) return undefined;
        const key = `${event.from}:${message.command.sequence}`;
        const sent = memory.requests.get(key) ?? [];
        sent.push({ operation: message.command.operation, incarnation: event.incarnation, callsGiven: memory.calls.get(event.from)?.length ?? 0 });
        memory.requests.set(key, sent);
        return undefined;
      }
      // Clients run beside the servers with the kit's protocol: their inputs and outputs are not Raft's.
      if (event.kind === 'input') {
        if ((event.input as Tagged).type !== 'Invoke') return undefined;
        const calls = memory.calls.get(event.node) ?? [];
        calls.push({ operation: (event.input as Tagged as KvClientInput).operation, incarnation: event.incarnation, returned: false });
        memory.calls.set(event.node, calls);
        return undefined;
      }
      if (event.kind !== 'output' || (event.output as Tagged).type !== 'Returned') return undefined;
      const returned = event.output as Tagged as KvClientOutput;
      const what = `${nodeName(event.node)} returned ${quote(returned.result)} for its command ${returned.sequence} at ${event.timeMs} ms`;
      const calls = memory.calls.get(event.node) ?? [];
      const position = calls.findIndex((call) => !call.returned && call.incarnation === event.incarnation);
      const call = calls[position];
      // A return with no call pending is the history's own failure (linearizability names it).
      if (call === undefined) return undefined;
      call.returned = true;
      const command = `${event.node}:${returned.sequence}`;
      const forThisCall = (memory.requests.get(command) ?? []).some(
        (request) => request.incarnation === event.incarnation && request.callsGiven > position && equalPlain(request.operation, call.operation),
      );
      const answeredIn = memory.answered.get(command);
      if (!forThisCall || answeredIn !== undefined) {
        const why =
          answeredIn === undefined
            ? `it sent no ClientRequest with command ${returned.sequence} for that call`
            : answeredIn === event.incarnation
              ? `command ${returned.sequence} already answered an earlier call`
              : `command ${returned.sequence} already answered a call before its restart (a client keeps its last sequence number in storage)`;
        return (
          `${what}, answering its call ${describeKvOperation(call.operation)}, but ${why}: ` +
          'a client returns a call with the reply to the command it sent for that call, under a sequence number of its own'
        );
      }
      memory.answered.set(command, event.incarnation);
      if (!equalPlain(returned.operation, call.operation)) {
        return `${what}, naming the operation ${describeKvOperation(returned.operation)}, but the call it answers is ${describeKvOperation(call.operation)}: Returned names the operation it returns`;
      }
      const known = memory.results.get(command) ?? [];
      if (known.some((result) => equalPlain(result, returned.result))) return undefined;
      const described = `${nodeName(event.node)} returned ${quote(returned.result)} for its command ${returned.sequence} (${describeKvOperation(returned.operation)}) at ${event.timeMs} ms`;
      if (known.length === 0) return `${described}, but no server's ClientReply for command ${returned.sequence} had reached it: a client returns only a result a server sent`;
      return `${described}, but the servers' ClientReplies for command ${returned.sequence} said ${known.map((result) => quote(result)).join(' or ')}`;
    },
  });
}

// Budgets and measurements.

interface MessageCount {
  counting: boolean;
  sent: number;
  returned: number;
  /** Messages sent up to the last return, by type. */
  sentAtLastReturn: number;
  byType: Record<string, number>;
  byTypeAtLastReturn: Record<string, number>;
}

/**
 * "messages per operation": from the first client call to the last return, the messages sent
 * (Raft's and the clients', local ones not counted) per returned operation are at most `most`.
 * Measures `messagesPerOperation`.
 */
export function messagesPerOperation(most: number, why: string): Property<Raft, MessageCount> {
  const perOperation = (memory: MessageCount) => (memory.returned === 0 ? 0 : memory.sentAtLastReturn / memory.returned);
  return budget<Raft, MessageCount>('messages per operation', {
    memory: () => ({ counting: false, sent: 0, returned: 0, sentAtLastReturn: 0, byType: {}, byTypeAtLastReturn: {} }),
    records: ['input:Invoke', 'output:Returned', 'send'],
    record(memory, event) {
      if (event.kind === 'input') memory.counting = true;
      else if (event.kind === 'send') {
        if (!memory.counting || event.local) return undefined;
        memory.sent++;
        memory.byType[event.message.type] = (memory.byType[event.message.type] ?? 0) + 1;
      } else if (event.kind === 'output') {
        memory.returned++;
        memory.sentAtLastReturn = memory.sent;
        memory.byTypeAtLastReturn = { ...memory.byType };
      }
      return undefined;
    },
    check(_cluster, memory) {
      if (memory.returned === 0) return undefined;
      const figure = perOperation(memory);
      if (figure <= most) return undefined;
      const types = Object.entries(memory.byTypeAtLastReturn)
        .sort(([, left], [, right]) => right - left)
        .map(([type, count]) => `${type} ${(count / memory.returned).toFixed(1)}`)
        .join(', ');
      return `${figure.toFixed(1)} messages per operation (${memory.sentAtLastReturn} for ${plural(memory.returned, 'operation')}; per operation: ${types}), more than ${most}: ${why}`;
    },
    measure: (memory) => ({ messagesPerOperation: Math.round(perOperation(memory) * 100) / 100 }),
  });
}

/** Latency of each returned operation, in call order. */
function latencies(history: readonly KvHistoryOperation[]): number[] {
  return history.flatMap((operation) => (operation.returnTime === null ? [] : [operation.returnTime - operation.callTime]));
}

/**
 * "at least three operations per heartbeat interval": one client's operations, one after the
 * other with a stable leader, take on average at most heartbeatMs / `perHeartbeat` each. A leader
 * that waits for the next heartbeat to send a new entry takes half a heartbeat on average for that
 * alone. Measures the latency of each operation as `latencyMs@k` (k: the operation's place, 1
 * first) against `bound@k`, drawn as a chart, and `meanLatencyMs`.
 */
export function operationsPerHeartbeat(heartbeatMs: number, perHeartbeat: number): Property<Raft, KvHistoryRecording> {
  const boundMs = heartbeatMs / perHeartbeat;
  return budget<Raft, KvHistoryRecording>(`at least ${perHeartbeat === 3 ? 'three' : perHeartbeat} operations per heartbeat interval`, {
    memory: () => emptyKvHistory(),
    records: ['input:Invoke', 'output:Returned'],
    record: (recording, event) => {
      recordKvEvent(recording, event);
      return undefined;
    },
    check(_cluster, recording) {
      const measured = latencies(kvHistoryOf(recording));
      if (measured.length === 0) return undefined;
      const mean = measured.reduce((sum, latency) => sum + latency, 0) / measured.length;
      if (mean <= boundMs) return undefined;
      return (
        `the mean latency of ${plural(measured.length, 'operation')} was ${mean.toFixed(1)} ms, more than heartbeatMs / ${perHeartbeat} = ${boundMs.toFixed(1)} ms ` +
        `(slowest ${Math.max(...measured)} ms): the leader sends a new entry to its followers at once, not with the next heartbeat, and answers as soon as it is committed and executed`
      );
    },
    measure(recording) {
      const measured = latencies(kvHistoryOf(recording));
      const figures: Record<string, number> = {};
      measured.forEach((latency, position) => {
        figures[`latencyMs@${position + 1}`] = latency;
        figures[`bound@${position + 1}`] = Math.round(boundMs * 10) / 10;
      });
      figures.meanLatencyMs = measured.length === 0 ? 0 : Math.round((measured.reduce((sum, latency) => sum + latency, 0) / measured.length) * 10) / 10;
      return figures;
    },
  });
}

interface Reach {
  /** Completed puts and appends, in the order they returned. */
  readonly completed: { readonly client: NodeId; readonly sequence: number; readonly operation: KvClientOutput['operation']; readonly timeMs: number }[];
  /** The log index each command was executed at, by "client:sequence", from any server's Executed output. */
  readonly indexOf: Map<string, number>;
  /** Per server, in any incarnation: the commands it executed, and the highest snapshot it installed. */
  readonly servers: { readonly executed: Set<string>; snapshotIndex: number }[];
}

/**
 * "completed operations reach every live replica", for a service that snapshots: every put and
 * append a client saw return has, by the end of the run, been executed by every server that is
 * up (its Executed output), or folded into a snapshot that server installed (a
 * SnapshotInstalled whose lastIncludedIndex is at or past the command's index). The kit's
 * property counts Executed outputs only, and a server that catches up from a snapshot never
 * executes what the snapshot covers.
 */
export function completedWritesReachEveryLiveServer(): Property<Raft, Reach> {
  const key = (client: NodeId, sequence: number) => `${client}:${sequence}`;
  return eventually<Raft, Reach>('completed operations reach every live replica', {
    memory: (cluster) => ({ completed: [], indexOf: new Map(), servers: cluster.nodeIds.map(() => ({ executed: new Set<string>(), snapshotIndex: 0 })) }),
    records: ['output:Returned', 'output:Executed', 'output:SnapshotInstalled'],
    record(reach, event) {
      if (event.kind !== 'output') return undefined;
      const output = event.output as Tagged;
      const server = reach.servers[event.node];
      if (output.type === 'Executed' && server !== undefined) {
        const executed = event.output as Extract<Raft['output'], { type: 'Executed' }>;
        const command = key(executed.client, executed.sequence);
        server.executed.add(command);
        if (!reach.indexOf.has(command)) reach.indexOf.set(command, executed.index);
      } else if (output.type === 'SnapshotInstalled' && server !== undefined) {
        const { snapshot } = event.output as Extract<Raft['output'], { type: 'SnapshotInstalled' }>;
        if (typeof snapshot.lastIncludedIndex === 'number') server.snapshotIndex = Math.max(server.snapshotIndex, snapshot.lastIncludedIndex);
      } else if (output.type === 'Returned') {
        const returned = output as unknown as KvClientOutput;
        if (returned.operation.kind !== 'get') reach.completed.push({ client: event.node, sequence: returned.sequence, operation: returned.operation, timeMs: event.timeMs });
      }
      return undefined;
    },
    check(cluster, reach) {
      for (const node of cluster.servers) {
        if (cluster.isCrashed(node)) continue;
        const server = reach.servers[node];
        if (server === undefined) continue;
        const reached = (operation: Reach['completed'][number]) => {
          const command = key(operation.client, operation.sequence);
          const index = reach.indexOf.get(command);
          return server.executed.has(command) || (index !== undefined && index <= server.snapshotIndex);
        };
        const missing = reach.completed.filter((operation) => !reached(operation));
        const [first] = missing;
        if (first === undefined) continue;
        return (
          `${nodeName(node)}, which is up, has neither executed nor installed in a snapshot ${missing.length} of the ${reach.completed.length} completed writes by ${cluster.nowMs} ms; ` +
          `the first: ${describeKvOperation(first.operation)} of ${nodeName(first.client)} (command ${first.sequence}), which returned at ${first.timeMs} ms`
        );
      }
      return undefined;
    },
  });
}

