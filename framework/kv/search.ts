// The key-value kit's pieces for the model checker: a client whose retries are bounded (every
// retry that may fire multiplies a search's states), the goal "every operation returned", and
// the clients' results checked for linearizability with logical times. Memories hold no times:
// under search they are part of every state, and a time (the step number) would keep equal
// states apart.
import { checkLinearizability } from '../linearizability/checker.ts';
import { keyValueModel } from '../linearizability/models.ts';
import type { HistoryOperation } from '../linearizability/types.ts';
import type { NodeClass } from '../Node.ts';
import { always, sometimes, type Property } from '../properties.ts';
import { nodeName, type NodeId, type Protocol, type Tagged } from '../types.ts';
import { KvClient } from './KvClient.ts';
import { returnedOutput } from './history.ts';
import { describeKvVerdict } from './properties.ts';
import type { KvClientInput } from './protocol.ts';
import type { KvOperation, KvResult } from './stateMachine.ts';

/** The kit's client timers. */
type ClientTimer = Parameters<KvClient['onTimer']>[0];

/**
 * The kit's client, with at most `retries` retries in all (a ClientRetry timer is set only
 * while it has one left). Every retry can fire at any moment of a search, which multiplies
 * its states by about ten; without a lossy network a client needs none (a server that does
 * not lead redirects it), so most searches allow none, and random walks some.
 */
export function boundedRetryClient(retries: number): typeof KvClient {
  return class BoundedRetryClient extends KvClient {
    /** Retries still allowed. */
    retriesLeft = retries;

    override setTimer(timer: ClientTimer, delay: Parameters<KvClient['setTimer']>[1]): void {
      if (timer.type === 'ClientRetry' && this.retriesLeft <= 0) return;
      super.setTimer(timer, delay);
    }

    override onTimer(timer: ClientTimer): void {
      if (timer.type === 'ClientRetry') this.retriesLeft--;
      super.onTimer(timer);
    }
  };
}

/** The same client as a node class of protocol P (whose messages include the kit's). */
export const boundedRetryClientNode = <P extends Protocol>(retries: number): NodeClass<P> => boundedRetryClient(retries) as unknown as NodeClass<P>;

interface ReturnCount {
  invoked: number;
  returned: number;
}

/** "no progress: ..." for operations that did not all return, undefined when they did. */
export function missingReturns(invoked: number, returned: number): string | undefined {
  if (invoked > 0 && returned >= invoked) return undefined;
  return returned === 0 ? `no progress: none of the clients' ${invoked} operations returned` : `${invoked - returned} of ${invoked} operations never returned`;
}

/** "every operation returned": a goal, reached once every operation the clients were given returned. */
export function everyOperationReturned<P extends Protocol>(): Property<P, ReturnCount> {
  return sometimes<P, ReturnCount>('every operation returned', {
    memory: () => ({ invoked: 0, returned: 0 }),
    records: ['input:Invoke', 'output:Returned'],
    record(memory, event) {
      if (event.kind === 'input') memory.invoked++;
      else memory.returned++;
      return undefined;
    },
    check: (_cluster, memory) => missingReturns(memory.invoked, memory.returned),
  });
}

/** One operation of the clients' history, with logical times: the count of returns before its call and before its return. */
interface LogicalOperation {
  readonly client: NodeId;
  readonly input: KvOperation;
  call: number;
  returnedAt: number | null;
  output: KvResult | null;
}

interface LogicalHistory {
  operations: LogicalOperation[];
  returns: number;
}

/**
 * "client results are linearizable": the clients' history, checked each time an operation
 * returns. Under search every operation is given in the initial state and a client performs
 * them in order, so an operation is really called when the client's previous one returned:
 * the history's times are counts of returns, which keep every order that matters and no step
 * number (which would keep equal states apart).
 */
export function clientResultsLinearizable<P extends Protocol>(): Property<P, LogicalHistory> {
  return always<P, LogicalHistory>('client results are linearizable', {
    memory: () => ({ operations: [], returns: 0 }),
    records: ['input:Invoke', 'output:Returned'],
    record(memory, event) {
      if (event.kind === 'input') {
        const input = event.input as unknown as KvClientInput;
        memory.operations.push({ client: event.node, input: input.operation, call: -1, returnedAt: null, output: null });
        return undefined;
      }
      if (event.kind !== 'output' || (event.output as Tagged).type !== 'Returned') return undefined;
      const pending = memory.operations.filter((operation) => operation.client === event.node && operation.returnedAt === null);
      const [current, following] = pending;
      if (current === undefined) return `${nodeName(event.node)} returned an operation it was not given`;
      memory.returns++;
      current.returnedAt = memory.returns;
      const returned = returnedOutput(current.input, (event.output as unknown as { result: unknown }).result);
      current.output = returned.output;
      if (returned.problem !== undefined) return `${nodeName(event.node)} returned an operation with a malformed result: ${returned.problem}`;
      const history: HistoryOperation<KvOperation, KvResult>[] = memory.operations.map((operation) => ({
        client: operation.client,
        // A client's first operation is called at once (0); each next one when the one before returned.
        callTime: operation.call < 0 ? 0 : operation.call,
        returnTime: operation.returnedAt,
        input: operation.input,
        output: operation.output,
      }));
      if (following !== undefined) following.call = memory.returns;
      return describeKvVerdict(history, checkLinearizability(keyValueModel, history), `after ${memory.returns} returns`);
    },
  });
}

/** "no operation returns in the minority": no client of `clients`, cut off with a minority of the servers, gets an answer. */
export function noOperationReturnsInMinority<P extends Protocol>(clients: readonly NodeId[], why: string): Property<P> {
  return always<P>('no operation returns in the minority', {
    memory: () => undefined,
    records: ['output:Returned'],
    record(_memory, event) {
      if (event.kind !== 'output' || (event.output as Tagged).type !== 'Returned' || !clients.includes(event.node)) return undefined;
      return `${nodeName(event.node)}'s operation returned, but it reaches only a minority of the servers: ${why}`;
    },
  });
}
