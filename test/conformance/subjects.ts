// The node classes the conformance test drives: small fixtures that stress one thing each,
// and every lab's reference solution with configs of the shapes the lab suites use.
import fc from 'fast-check';
import type { NodeClass } from '../../framework/Node.ts';
import type { NodeSpec, ScheduledInput, Workload } from '../../framework/simulation.ts';
import type { NodeId, Protocol, Role } from '../../framework/types.ts';
import type { PingPong } from '../../labs/00-pingpong/src/protocol.ts';
import type { Centralized, Lamport, MutexProtocol, RicartAgrawala, TokenRing } from '../../labs/01-mutex/src/protocol.ts';
import type { Bully, ElectionConfig, Ring } from '../../labs/02-election/src/protocol.ts';
import type { Paxos } from '../../labs/03-paxos/src/protocol.ts';
import * as pingpong from '../../solutions/00-pingpong/index.ts';
import * as mutex from '../../solutions/01-mutex/index.ts';
import * as election from '../../solutions/02-election/index.ts';
import * as paxos from '../../solutions/03-paxos/index.ts';
import { CounterNode, type Counting } from './fixtures/counter.ts';
import { EchoClient, EchoServer, type Echoing } from './fixtures/echo.ts';
import { JitterNode, type Jittering } from './fixtures/jitter.ts';
import { observed } from './observe.ts';

export interface InitialInput<P extends Protocol> {
  readonly node: NodeId;
  readonly input: P['input'];
}

export interface Subject<P extends Protocol> {
  readonly name: string;
  /** The classes, wrapped by `observed`: each reaction ends by logging the node's state. */
  readonly nodes: readonly NodeSpec<P>[];
  readonly config: P['config'];
  readonly fifo: boolean;
  /** May a run's network duplicate messages? (A duplicated token multiplies without end.) */
  readonly duplicates: boolean;
  /** Nodes that faults may crash and restart. */
  readonly crashable: readonly NodeId[];
  /** Inputs given right after every node started: the search can follow these. */
  readonly initialInputs: fc.Arbitrary<readonly InitialInput<P>[]>;
  /** Inputs given later in a run (a search follows a run only up to the first of them). */
  readonly laterInputs: fc.Arbitrary<readonly ScheduledInput<P>[]>;
  /** Inputs a run gives in reaction to outputs. */
  readonly workload?: () => Workload<P>;
  readonly durationMs: number;
}

/** A subject of any protocol: `use` hands it to code generic in the protocol. */
export interface AnySubject {
  readonly name: string;
  use<R>(visit: <P extends Protocol>(subject: Subject<P>) => R): R;
}

function subject<P extends Protocol>(definition: Subject<P>): AnySubject {
  return { name: definition.name, use: (visit) => visit(definition) };
}

function cluster<P extends Protocol>(roles: readonly Role[], classes: (role: Role, id: NodeId) => NodeClass<P>): NodeSpec<P>[] {
  return roles.map((role, id) => ({ role, node: observed(classes(role, id)) }));
}

const servers = (count: number): Role[] => Array.from({ length: count }, () => 'server');
const ids = (count: number): NodeId[] => Array.from({ length: count }, (_unused, id) => id);

/** Later inputs: `count` at most, at random times in the first half of the run. */
function later<P extends Protocol>(durationMs: number, input: fc.Arbitrary<InitialInput<P>>, count = 3): fc.Arbitrary<readonly ScheduledInput<P>[]> {
  return fc.array(
    fc.record({ atMs: fc.integer({ min: 1, max: Math.floor(durationMs / 2) }), given: input }).map(({ atMs, given }) => ({ atMs, node: given.node, input: given.input })),
    { maxLength: count },
  );
}

const counter = subject<Counting>({
  name: 'fixture: counter with durable total',
  nodes: cluster(servers(3), () => CounterNode),
  config: { hops: 2 },
  fifo: false,
  duplicates: true,
  crashable: ids(3),
  initialInputs: fc.array(fc.record({ node: fc.integer({ min: 0, max: 2 }), input: fc.integer({ min: 1, max: 4 }).map((amount) => ({ type: 'Add' as const, amount })) }), { maxLength: 3 }),
  laterInputs: later(300, fc.record({ node: fc.integer({ min: 0, max: 2 }), input: fc.integer({ min: 1, max: 4 }).map((amount) => ({ type: 'Add' as const, amount })) })),
  durationMs: 300,
});

const echo = subject<Echoing>({
  name: 'fixture: echo with storage',
  nodes: cluster(['server', 'server', 'client'], (role) => (role === 'server' ? EchoServer : EchoClient)),
  config: { retryMs: 25 },
  fifo: false,
  duplicates: true,
  crashable: ids(3),
  initialInputs: fc.array(fc.constantFrom('a', 'b', 'c').map((text) => ({ node: 2, input: { type: 'Say' as const, text } })), { maxLength: 3 }),
  laterInputs: later(
    300,
    fc.oneof(
      fc.constantFrom('d', 'e').map((text) => ({ node: 2, input: { type: 'Say' as const, text } })),
      fc.integer({ min: 1, max: 3 }).map((seq) => ({ node: 2, input: { type: 'Forget' as const, seq } })),
    ),
  ),
  durationMs: 300,
});

const jitter = subject<Jittering>({
  name: 'fixture: random draws and ranged timers',
  nodes: cluster(servers(3), () => JitterNode),
  config: { rounds: 5 },
  fifo: false,
  duplicates: true,
  crashable: ids(3),
  initialInputs: fc.array(fc.integer({ min: 0, max: 2 }).map((node) => ({ node, input: { type: 'Kick' as const } })), { maxLength: 2 }),
  laterInputs: later(200, fc.integer({ min: 0, max: 2 }).map((node) => ({ node, input: { type: 'Kick' as const } }))),
  durationMs: 200,
});

const pingPongSubject = subject<PingPong>({
  name: 'lab 0: PingServer and PingClient',
  nodes: cluster(['server', 'client'], (role) => (role === 'server' ? pingpong.PingServer : pingpong.PingClient)),
  config: { server: 0, retryMs: 30 },
  fifo: false,
  duplicates: true,
  crashable: ids(2),
  initialInputs: fc.integer({ min: 0, max: 3 }).map((count) => Array.from({ length: count }, (_unused, index) => ({ node: 1, input: { type: 'SendPing' as const, seq: index + 1 } }))),
  laterInputs: later(300, fc.integer({ min: 1, max: 6 }).map((seq) => ({ node: 1, input: { type: 'SendPing' as const, seq } }))),
  durationMs: 300,
});

/** Each participant asks for the resource up to twice: Release after Enter, Acquire again later. */
function mutexWorkload<P extends MutexProtocol>(acquire: P['input'], release: P['input']): () => Workload<P> {
  return () => {
    const entries = new Map<NodeId, number>();
    return {
      onOutput(record, context) {
        const count = (entries.get(record.node) ?? 0) + 1;
        entries.set(record.node, count);
        context.input(record.node, release, context.random.integer(1, 10));
        if (count < 2) context.input(record.node, acquire, context.random.integer(20, 40));
      },
    };
  };
}

function mutexSubject<P extends MutexProtocol>(
  name: string,
  node: NodeClass<P>,
  config: P['config'],
  network: { readonly fifo: boolean; readonly duplicates: boolean },
  participants: readonly NodeId[],
  acquire: P['input'],
  release: P['input'],
): AnySubject {
  return subject<P>({
    name,
    nodes: cluster(servers(3), () => node),
    config,
    ...network,
    crashable: [],
    initialInputs: fc.subarray([...participants]).map((nodes) => nodes.map((id) => ({ node: id, input: acquire }))),
    laterInputs: later(300, fc.constantFrom(...participants).map((id) => ({ node: id, input: acquire })), 1),
    workload: mutexWorkload<P>(acquire, release),
    durationMs: 300,
  });
}

/** A duplicated token is a second token: it circulates, and multiplies, without end. */
const tokenNetwork = { fifo: false, duplicates: false } as const;

const electionConfig: ElectionConfig = {
  maxDelayMs: 10,
  heartbeatMs: 50,
  suspectAfterMs: 150,
  answerTimeoutMs: 30,
  coordinatorTimeoutMs: 200,
  ackTimeoutMs: 30,
};

const bully = subject<Bully>({
  name: 'lab 2: BullyNode',
  nodes: cluster(servers(4), () => election.BullyNode),
  config: electionConfig,
  fifo: false,
  duplicates: true,
  crashable: ids(4),
  initialInputs: fc.subarray(ids(4), { maxLength: 2 }).map((nodes) => nodes.map((node) => ({ node, input: { type: 'SuspectLeader' as const } }))),
  laterInputs: later(500, fc.integer({ min: 0, max: 3 }).map((node) => ({ node, input: { type: 'SuspectLeader' as const } }))),
  durationMs: 500,
});

const ring = subject<Ring>({
  name: 'lab 2: RingNode',
  nodes: cluster(servers(4), () => election.RingNode),
  config: { ...electionConfig, coordinatorTimeoutMs: 1_000 },
  fifo: false,
  duplicates: true,
  crashable: ids(4),
  initialInputs: fc.subarray(ids(4), { maxLength: 2 }).map((nodes) => nodes.map((node) => ({ node, input: { type: 'SuspectLeader' as const } }))),
  laterInputs: later(500, fc.integer({ min: 0, max: 3 }).map((node) => ({ node, input: { type: 'SuspectLeader' as const } }))),
  durationMs: 500,
});

const paxosSubject = subject<Paxos>({
  name: 'lab 3: PaxosNode (3 acceptors, 2 proposers)',
  nodes: cluster(servers(5), () => paxos.PaxosNode),
  config: { proposers: [3, 4], acceptors: [0, 1, 2], learners: [3, 4], retryMs: [50, 100], askEveryMs: 100 },
  fifo: false,
  duplicates: true,
  crashable: [0, 1, 2, 3],
  initialInputs: fc.subarray([3, 4]).map((nodes) => nodes.map((node) => ({ node, input: { type: 'Propose' as const, value: `v${node}` } }))),
  laterInputs: later(600, fc.constantFrom(3, 4).map((node) => ({ node, input: { type: 'Propose' as const, value: `late${node}` } })), 2),
  durationMs: 600,
});

export const subjects: readonly AnySubject[] = [
  counter,
  echo,
  jitter,
  pingPongSubject,
  mutexSubject<Centralized>('lab 1A: CentralizedNode', mutex.CentralizedNode, { coordinator: 0 }, { fifo: false, duplicates: true }, [1, 2], { type: 'Acquire' }, { type: 'Release' }),
  mutexSubject<TokenRing>('lab 1B: TokenRingNode', mutex.TokenRingNode, {}, tokenNetwork, [0, 1, 2], { type: 'Acquire' }, { type: 'Release' }),
  mutexSubject<Lamport>('lab 1C: LamportNode', mutex.LamportNode, {}, { fifo: true, duplicates: true }, [0, 1, 2], { type: 'Acquire' }, { type: 'Release' }),
  mutexSubject<RicartAgrawala>('lab 1D: RicartAgrawalaNode', mutex.RicartAgrawalaNode, {}, { fifo: false, duplicates: true }, [0, 1, 2], { type: 'Acquire' }, { type: 'Release' }),
  bully,
  ring,
  paxosSubject,
];

/** Every export of every lab's reference solution, so that a new one cannot be forgotten here. */
export const solutionExports: readonly string[] = [pingpong, mutex, election, paxos].flatMap((module) => Object.keys(module));
