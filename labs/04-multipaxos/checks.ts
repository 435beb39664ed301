// Lab 4's properties, each stated once and used by the randomized runs and by the model
// checker alike. They read only what can be observed from outside the nodes: the Chosen and
// Executed outputs, the messages sent (ballots, slots and commands), the servers' durable
// storage (its keys are part of the protocol: promised, accepted:<slot>, checkpoint), crashes
// and restarts (by incarnation). Never a node's private fields.
//
// Memories hold what a property needs of the past and nothing else, as plain data: under
// search they are part of every state, copied and hashed with it, so the safety properties
// keep no times (a time under search is a step number, which would tell apart states that
// are otherwise equal) and only a compact record per slot; a failure carries its own time.
// Budgets run only in randomized runs and may keep times.
import {
  always,
  budget,
  kvClientMessages,
  keepsTheDeclaredState,
  kvCommandShape,
  kvServerOutputs,
  speaksTheProtocol,
  type DeclaredMessage,
  type DeclaredShape,
  type DeclaredState,
  eventually,
  nodeName,
  sometimes,
  applyKvCommand,
  describeKvOperation,
  emptyKvHistory,
  equalPlain,
  initialKvState,
  kvHistoryOf,
  recordKvEvent,
  type ClusterLayout,
  type ClusterView,
  type HistoryEvent,
  type KvHistoryRecording,
  type KvResult,
  type KvState,
  type NodeId,
  type Property,
  type Tagged,
} from 'distlab/testing';
import type { Ballot, Checkpoint, Command, MultiPaxos, PValue } from './src/protocol.ts';

type Event = HistoryEvent<MultiPaxos>;

const quote = (value: unknown) => JSON.stringify(value);
const compareStrings = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
/** `n0, n2`: nodes in id order. */
const names = (nodes: Iterable<NodeId>) => [...nodes].sort((left, right) => left - right).map(nodeName).join(', ');
/** One entry per node of the cluster, for memories indexed by node id. */
const perNode = <T>(cluster: ClusterLayout, empty: () => T): T[] => cluster.nodeIds.map(() => empty());

/** `(2, n1)`: a ballot as failures show it. */
export function formatBallot(ballot: Ballot): string {
  return `(${ballot.round}, ${nodeName(ballot.leader)})`;
}

/** Rounds first, then leader ids. */
export function compareBallots(left: Ballot, right: Ballot): number {
  return left.round - right.round || left.leader - right.leader;
}

/** The smallest majority of `count` servers. */
export function majority(count: number): number {
  return Math.floor(count / 2) + 1;
}

/** `append(x, "a") of n5 (command 2)`, or `a no-op`: a slot's command as failures show it. */
export function describeCommand(command: Command): string {
  if (command === null) return 'a no-op';
  return `${describeKvOperation(command.operation)} of ${nodeName(command.client)} (command ${command.sequence})`;
}

/** The same command: both no-ops, or the same client, sequence number and operation. */
export function sameCommand(left: Command, right: Command): boolean {
  if (left === null || right === null) return left === right;
  if (left.client !== right.client || left.sequence !== right.sequence) return false;
  const one = left.operation;
  const other = right.operation;
  return one.kind === other.kind && one.key === other.key && (one.kind === 'get' || (other.kind !== 'get' && one.value === other.value));
}

/** A key that is equal for two commands exactly when they are the same command (no-op, or the same client, sequence and operation). */
export function commandKey(command: Command): string {
  if (command === null) return 'no-op';
  const operation = command.operation;
  return JSON.stringify([command.client, command.sequence, operation.kind, operation.key, operation.kind === 'get' ? null : operation.value]);
}

/** The slot of an `accepted:<slot>` storage key, or undefined for any other key. */
export function acceptedSlot(key: string): number | undefined {
  // Only the key a slot's number spells: `accepted:05` or `accepted:5.0` is another key, not a second name of slot 5.
  const digits = /^accepted:(0|[1-9][0-9]{0,15})$/.exec(key)?.[1];
  return digits === undefined ? undefined : Number(digits);
}

// What a server's storage and outputs hold. Read with guards: a submission may store or output anything.

/** Is `value` a ballot {round, leader}? */
export function isBallot(value: unknown): value is Ballot {
  return typeof value === 'object' && value !== null && 'round' in value && 'leader' in value && typeof value.round === 'number' && typeof value.leader === 'number';
}

function isCommand(value: unknown): value is Command {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  const { client, sequence, operation } = value as Record<string, unknown>;
  if (typeof client !== 'number' || typeof sequence !== 'number' || typeof operation !== 'object' || operation === null) return false;
  const { kind, key, value: written } = operation as Record<string, unknown>;
  if (typeof key !== 'string') return false;
  return kind === 'get' || ((kind === 'put' || kind === 'append') && typeof written === 'string');
}

/** Is `value` a proposal {ballot, slot, command}, as accepted:<slot> holds? */
export function isPValue(value: unknown): value is PValue {
  if (typeof value !== 'object' || value === null || !('ballot' in value) || !('slot' in value) || !('command' in value)) return false;
  return isBallot(value.ballot) && typeof value.slot === 'number' && isCommand(value.command);
}

function isCheckpoint(value: unknown): value is Checkpoint {
  return typeof value === 'object' && value !== null && 'slot' in value && typeof value.slot === 'number' && 'state' in value;
}

/** The ballot `node` has promised in its durable storage, if any. */
export function storedPromise(cluster: ClusterView<MultiPaxos>, node: NodeId): Ballot | undefined {
  const value = cluster.storage(node).get('promised');
  return isBallot(value) ? value : undefined;
}

/** The proposal `node` holds as accepted for `slot` in its durable storage, if any. */
export function storedAccepted(cluster: ClusterView<MultiPaxos>, node: NodeId, slot: number): PValue | undefined {
  const value = cluster.storage(node).get(`accepted:${slot}`);
  return isPValue(value) ? value : undefined;
}

/** `node`'s durable checkpoint, if it wrote one. */
export function storedCheckpoint(cluster: ClusterView<MultiPaxos>, node: NodeId): Checkpoint | undefined {
  const value = cluster.storage(node).get('checkpoint');
  return isCheckpoint(value) ? value : undefined;
}

/** How many `accepted:<slot>` keys `node` holds in its durable storage: its log entries not yet collected. */
export function acceptedEntriesHeld(cluster: ClusterView<MultiPaxos>, node: NodeId): number {
  let held = 0;
  for (const key of cluster.storage(node).keys()) if (acceptedSlot(key) !== undefined) held++;
  return held;
}

/** A Chosen output, read with guards. */
interface ChosenOutput {
  readonly slot: number;
  readonly command: Command;
}

/** An Executed output, read with guards. */
interface ExecutedOutput {
  readonly slot: number;
  readonly client: NodeId;
  readonly sequence: number;
  readonly result: KvResult;
}

const isSlot = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1;

/** The Chosen output of `event`, undefined when it is another event; a string says what is malformed. */
function chosenOf(event: Event): ChosenOutput | string | undefined {
  if (event.kind !== 'output' || (event.output as Tagged).type !== 'Chosen') return undefined;
  const { slot, command } = event.output as unknown as Record<string, unknown>;
  if (!isSlot(slot) || !isCommand(command)) {
    return `${nodeName(event.node)} output Chosen ${quote(event.output)} at ${event.timeMs} ms: a Chosen output names a slot (1, 2, ...) and a command (a client's command or null)`;
  }
  return { slot, command };
}

/** The Executed output of `event`, undefined when it is another event; a string says what is malformed. */
function executedOf(event: Event): ExecutedOutput | string | undefined {
  if (event.kind !== 'output' || (event.output as Tagged).type !== 'Executed') return undefined;
  const { index, client, sequence, result } = event.output as unknown as Record<string, unknown>;
  if (!isSlot(index) || typeof client !== 'number' || typeof sequence !== 'number' || typeof result !== 'object' || result === null) {
    return `${nodeName(event.node)} output Executed ${quote(event.output)} at ${event.timeMs} ms: an Executed output names its slot (index), the command's client and sequence, and its result`;
  }
  return { slot: index, client, sequence, result: result as KvResult };
}

// Chosen by a majority in one ballot.

/** A proposal written as accepted for one slot (its ballot inline), and the servers that wrote it. */
interface Tally extends Ballot {
  readonly command: Command;
  readonly writers: NodeId[];
}

/** Per slot: every proposal written as accepted there so far. */
type Acceptances = Map<number, Tally[]>;

/** `(1, n0) by n0, n2; (3, n1) by n1`: where `command` was written as accepted for a slot so far. */
function describeTallies(tallies: readonly Tally[], command: Command): string {
  const matching = tallies.filter((tally) => sameCommand(tally.command, command));
  if (matching.length === 0) return 'no server wrote it as accepted there';
  return `written as accepted in ${matching.map((tally) => `${formatBallot(tally)} by ${names(tally.writers)}`).join('; ')}`;
}

/**
 * Counts a server's write of accepted:<slot>: the writer joins the tally of its ballot and
 * command (a value later overwritten or collected still counts). Returns the slot and its
 * tallies, or undefined for a write that is not a server's accepted proposal.
 */
function tallyAcceptance(acceptances: Acceptances, servers: readonly NodeId[], event: Event): { readonly node: NodeId; readonly slot: number; readonly tallies: readonly Tally[] } | undefined {
  if (event.kind !== 'storage') return undefined;
  const slot = acceptedSlot(event.key);
  if (slot === undefined || !servers.includes(event.node) || !isPValue(event.value)) return undefined;
  const { ballot, command } = event.value;
  let tallies = acceptances.get(slot);
  if (tallies === undefined) acceptances.set(slot, (tallies = []));
  let tally = tallies.find((candidate) => compareBallots(candidate, ballot) === 0 && sameCommand(candidate.command, command));
  if (tally === undefined) {
    tally = { round: ballot.round, leader: ballot.leader, command, writers: [] };
    tallies.push(tally);
    // Kept in one order whatever the order of the writes, so that a search sees equal states as equal.
    if (tallies.length > 1) tallies.sort((left, right) => compareBallots(left, right) || compareStrings(commandKey(left.command), commandKey(right.command)));
  }
  if (!tally.writers.includes(event.node)) {
    tally.writers.push(event.node);
    tally.writers.sort((left, right) => left - right);
  }
  return { node: event.node, slot, tallies };
}

/**
 * "chosen by a majority in one ballot": a Chosen {slot s, command c} output requires a ballot
 * b in which a majority of servers wrote accepted:s = {b, s, c} to storage, at or before that
 * moment (a value later overwritten or collected still counts).
 */
export function chosenByMajority(servers: readonly NodeId[]): Property<MultiPaxos, Acceptances> {
  const needed = majority(servers.length);
  return always<MultiPaxos, Acceptances>('chosen by a majority in one ballot', {
    memory: () => new Map(),
    // accepted:<slot> keys cannot be named by a filter (it matches one key): every write is seen, the others skipped at once.
    records: ['storage', 'output:Chosen'],
    record(acceptances, event) {
      if (event.kind === 'storage') {
        tallyAcceptance(acceptances, servers, event);
        return undefined;
      }
      const chosen = chosenOf(event);
      if (typeof chosen === 'string') return chosen;
      if (chosen === undefined || event.kind !== 'output') return undefined;
      const tallies = acceptances.get(chosen.slot) ?? [];
      if (tallies.some((tally) => tally.writers.length >= needed && sameCommand(tally.command, chosen.command))) return undefined;
      return (
        `${nodeName(event.node)} output Chosen for slot ${chosen.slot}, ${describeCommand(chosen.command)}, at ${event.timeMs} ms, but no majority ` +
        `(${needed} of ${servers.length}) of servers had written it as accepted there in one ballot: ${describeTallies(tallies, chosen.command)}. ` +
        'A command is chosen in a slot once a majority of acceptors accepted it in the same ballot; a replica that learns of it from a heartbeat ' +
        'counts only what it accepted in the heartbeat\'s own ballot'
      );
    },
  });
}

// A command accepted by a majority is kept.

/**
 * "a command accepted by a majority is kept", Paxos's invariant per slot (the handout's "every
 * proposal in s in a ballot above the one that chose it carries the chosen command"): once a
 * majority of servers wrote accepted:s = {b, s, c}, no server writes accepted:s with a ballot
 * above b and another command. Checked on every write of an accepted proposal, in whichever
 * order the writes come, so a leader that proposes the wrong command again is caught when an
 * acceptor takes it, before anything is chosen or executed.
 */
export function acceptedByMajorityKept(servers: readonly NodeId[]): Property<MultiPaxos, Acceptances> {
  const needed = majority(servers.length);
  return always<MultiPaxos, Acceptances>('a command accepted by a majority is kept', {
    memory: () => new Map(),
    records: ['storage'],
    record(acceptances, event) {
      const written = tallyAcceptance(acceptances, servers, event);
      if (written === undefined) return undefined;
      for (const kept of written.tallies) {
        if (kept.writers.length < needed) continue;
        const other = written.tallies.find((tally) => compareBallots(tally, kept) > 0 && !sameCommand(tally.command, kept.command));
        if (other === undefined) continue;
        return (
          `${nodeName(written.node)} wrote accepted:${written.slot} at ${event.timeMs} ms: ${describeCommand(kept.command)} was accepted there in ballot ` +
          `${formatBallot(kept)} by ${names(kept.writers)}, a majority (${needed} of ${servers.length}), yet ${describeCommand(other.command)} was accepted ` +
          `there in the higher ballot ${formatBallot(other)} by ${names(other.writers)}. Once a majority accepted a command in a slot, every later ` +
          "leader proposes that command there: after its phase 1 it proposes, for each slot, the command its majority's P1bs reported in the highest ballot"
        );
      }
      return undefined;
    },
  });
}

// Consistent logs.

/** What is chosen in a slot, as the first server that reported it said. */
interface ChosenRecord {
  readonly command: Command;
  readonly node: NodeId;
}

/**
 * "consistent logs": no two Chosen outputs (any servers, any incarnations) name different
 * commands for one slot, and an Executed at slot s names the command chosen in s (its client
 * and sequence number). An Executed for a slot no one reported chosen is "execution in slot
 * order"'s to report.
 */
export function consistentLogs(): Property<MultiPaxos, Map<number, ChosenRecord>> {
  return always<MultiPaxos, Map<number, ChosenRecord>>('consistent logs', {
    memory: () => new Map(),
    records: ['output:Chosen', 'output:Executed'],
    record(chosenBySlot, event) {
      if (event.kind !== 'output') return undefined;
      const chosen = chosenOf(event);
      if (typeof chosen === 'string') return chosen;
      if (chosen !== undefined) {
        const first = chosenBySlot.get(chosen.slot);
        if (first === undefined) {
          chosenBySlot.set(chosen.slot, { command: chosen.command, node: event.node });
          return undefined;
        }
        if (sameCommand(first.command, chosen.command)) return undefined;
        return (
          `${nodeName(event.node)} output Chosen for slot ${chosen.slot}, ${describeCommand(chosen.command)}, at ${event.timeMs} ms, but ` +
          `${first.node === event.node ? 'it' : nodeName(first.node)} had reported ${describeCommand(first.command)} chosen there: ` +
          'one command is chosen per slot, and every server learns that one'
        );
      }
      const executed = executedOf(event);
      if (typeof executed === 'string') return executed;
      if (executed === undefined) return undefined;
      const first = chosenBySlot.get(executed.slot);
      if (first === undefined) return undefined;
      if (first.command !== null && first.command.client === executed.client && first.command.sequence === executed.sequence) return undefined;
      return (
        `${nodeName(event.node)} executed command ${executed.sequence} of ${nodeName(executed.client)} at slot ${executed.slot} (at ${event.timeMs} ms), ` +
        `but ${describeCommand(first.command)} is chosen there (as ${nodeName(first.node)} reported): a replica executes the command chosen in each slot, and reports that slot`
      );
    },
  });
}

/**
 * Runs only: "Once per slot in each incarnation": a server outputs `Chosen` for a slot once, as
 * it learns it, however many ways it hears of it again (heartbeats, Decisions, P2bs), until a
 * restart. Runs only: its memory (every slot each server reported) would tell apart states of
 * the search that are the same.
 */
export function chosenOncePerSlot(): Property<MultiPaxos, Map<string, number>> {
  return always<MultiPaxos, Map<string, number>>('Chosen once per slot', {
    memory: () => new Map(),
    records: ['output:Chosen'],
    record(reported, event) {
      if (event.kind !== 'output') return undefined;
      const chosen = chosenOf(event);
      // A malformed Chosen is "consistent logs"' to report.
      if (chosen === undefined || typeof chosen === 'string') return undefined;
      const key = `${event.node}/${event.incarnation}/${chosen.slot}`;
      const firstMs = reported.get(key);
      if (firstMs === undefined) {
        reported.set(key, event.timeMs);
        return undefined;
      }
      return (
        `${nodeName(event.node)} output Chosen for slot ${chosen.slot} at ${event.timeMs} ms, and had output it at ${firstMs} ms, in the same incarnation: ` +
        'a server outputs Chosen once per slot, when it first learns it, and not again when it hears of the slot again'
      );
    },
  });
}

// Execution in slot order.

/** What executing one chosen slot did, from the empty state on: the client command's result, or nothing. */
type Outcome = { readonly client: NodeId; readonly sequence: number; readonly result: KvResult } | 'no-op' | 'duplicate';

/** A server's execution in its current incarnation. */
interface ExecutionPosition {
  readonly incarnation: number;
  /** The last slot it executed in this incarnation; 0 before the first in incarnation 0; null before the first after a restart (it resumes from its checkpoint). */
  last: number | null;
}

/** The slots one server reported chosen, in any incarnation: every slot below `below`, and those in `above`. */
interface ReportedSlots {
  below: number;
  above: number[];
}

interface SlotOrder {
  /** The first slot no server has reported chosen: every slot below it has been. */
  prefixEnd: number;
  /** The state machine after applying the commands chosen in slots 1 .. prefixEnd - 1. */
  state: KvState;
  /** outcomes[s - 1]: what slot s did, for every slot below prefixEnd (computed once, as the chosen prefix grows). */
  readonly outcomes: Outcome[];
  /** Chosen slots at or above prefixEnd, with the first command reported for each. */
  readonly pending: Map<number, Command>;
  /** Per node. */
  readonly reported: ReportedSlots[];
  /** Per node: where it is executing, or null before its first Executed. */
  readonly positions: (ExecutionPosition | null)[];
}

function reportChosen(reported: ReportedSlots, slot: number): void {
  if (slot < reported.below || reported.above.includes(slot)) return;
  reported.above.push(slot);
  reported.above.sort((left, right) => left - right);
  while (reported.above[0] === reported.below) {
    reported.above.shift();
    reported.below++;
  }
}

const hasReported = (reported: ReportedSlots | undefined, slot: number) => reported !== undefined && (slot < reported.below || reported.above.includes(slot));

/** Applies the pending chosen commands that extend the chosen prefix. */
function extendPrefix(order: SlotOrder): void {
  for (;;) {
    if (!order.pending.has(order.prefixEnd)) return;
    const command = order.pending.get(order.prefixEnd) as Command;
    order.pending.delete(order.prefixEnd);
    if (command === null) order.outcomes.push('no-op');
    else {
      const application = applyKvCommand(order.state, command);
      order.state = application.state;
      order.outcomes.push(application.applied ? { client: command.client, sequence: command.sequence, result: application.result ?? {} } : 'duplicate');
    }
    order.prefixEnd++;
  }
}

/** `n1 executed slot 4 (command 2 of n5) at 130 ms`: built only for a failure (it is not worth building for every command executed). */
function describeExecution(event: Event, executed: ExecutedOutput): string {
  return `${nodeName(event.kind === 'output' ? event.node : -1)} executed slot ${executed.slot} (command ${executed.sequence} of ${nodeName(executed.client)}) at ${event.timeMs} ms`;
}

const describeOutcome = (outcome: Outcome) =>
  outcome === 'no-op' ? 'a no-op' : outcome === 'duplicate' ? 'a duplicate' : `command ${outcome.sequence} of ${nodeName(outcome.client)}`;

/**
 * "execution in slot order": a server executes (an Executed output at slot s) only a slot it
 * reported Chosen (in this or an earlier incarnation); within an incarnation in increasing
 * slot order, every slot it skipped in between being chosen (as anyone's Chosen says) as a
 * no-op or as a duplicate the at-most-once table skips; from slot 1 on in its first
 * incarnation, and from any slot after a restart (it resumes from its checkpoint). The
 * Executed's result is what the kit's state machine gives when the commands chosen in slots
 * 1..s are applied in order (the property replays them, once, as the chosen prefix grows).
 * A server that executes a slot whose command is a duplicate is the kit's "every command is
 * applied at most once" to report; its diverging results later are this property's.
 */
export function executionInSlotOrder(): Property<MultiPaxos, SlotOrder> {
  return always<MultiPaxos, SlotOrder>('execution in slot order', {
    memory: (cluster) => ({
      prefixEnd: 1,
      state: initialKvState(),
      outcomes: [],
      pending: new Map(),
      reported: perNode(cluster, () => ({ below: 1, above: [] })),
      positions: perNode(cluster, () => null),
    }),
    records: ['output:Chosen', 'output:Executed'],
    record(order, event) {
      if (event.kind !== 'output') return undefined;
      const chosen = chosenOf(event);
      if (typeof chosen === 'string') return chosen;
      if (chosen !== undefined) {
        const reported = order.reported[event.node];
        if (reported !== undefined) reportChosen(reported, chosen.slot);
        if (chosen.slot >= order.prefixEnd && !order.pending.has(chosen.slot)) {
          order.pending.set(chosen.slot, chosen.command);
          extendPrefix(order);
        }
        return undefined;
      }
      const executed = executedOf(event);
      if (typeof executed === 'string') return executed;
      if (executed === undefined) return undefined;
      const slot = executed.slot;
      if (!hasReported(order.reported[event.node], slot)) {
        return `${describeExecution(event, executed)} without reporting slot ${slot} chosen: a replica executes a slot only once it has learned that it is chosen (its Chosen output first)`;
      }
      if (slot >= order.prefixEnd) {
        return (
          `${describeExecution(event, executed)}, but slot ${order.prefixEnd} is not chosen yet (no server has reported it chosen): slots are executed in order, ` +
          'so a slot waits until every slot below it is chosen and executed'
        );
      }
      let position = order.positions[event.node] ?? null;
      if (position === null || position.incarnation !== event.incarnation) {
        position = { incarnation: event.incarnation, last: event.incarnation === 0 && position === null ? 0 : null };
        order.positions[event.node] = position;
      }
      const last = position.last;
      if (last !== null) {
        if (slot <= last) {
          return `${describeExecution(event, executed)} after slot ${last}, without a restart in between: a replica executes its slots in increasing order, each once`;
        }
        for (let skipped = last + 1; skipped < slot; skipped++) {
          const outcome = order.outcomes[skipped - 1] as Outcome;
          if (outcome === 'no-op' || outcome === 'duplicate') continue;
          return (
            `${describeExecution(event, executed)}, but it skipped slot ${skipped}, where ${describeOutcome(outcome)} is chosen ` +
            `(${last === 0 ? 'it executed nothing before' : `its last executed slot was ${last}`}): a replica executes every chosen slot in order, ` +
            'and skips only no-ops and duplicates'
          );
        }
      }
      position.last = slot;
      const outcome = order.outcomes[slot - 1] as Outcome;
      // A duplicate executed again is the at-most-once property's finding; a no-op executed, consistent logs'.
      if (outcome === 'duplicate') return undefined;
      if (outcome === 'no-op' || outcome.client !== executed.client || outcome.sequence !== executed.sequence) {
        return `${describeExecution(event, executed)}, but ${describeOutcome(outcome)} is chosen there: a replica executes the command chosen in each slot`;
      }
      if (equalPlain(outcome.result, executed.result)) return undefined;
      return (
        `${describeExecution(event, executed)} with result ${quote(executed.result)}, but applying the commands chosen in slots 1 to ${slot} in order gives ${quote(outcome.result)}: ` +
        'every replica applies the same commands in the same order, from the same state, so it gets the same results'
      );
    },
  });
}

// Acceptors keep their promises.

/** `n1 sent P2b (2, n0) for slot 4, a no-op, to n0 at 90 ms`: built only for a failure. */
function describeSend(event: Event): string {
  if (event.kind !== 'send' || event.message.type !== 'P2b') return '';
  const message = event.message;
  return `${nodeName(event.from)} sent P2b ${formatBallot(message.ballot)} for slot ${message.slot}, ${describeCommand(message.command)}, to ${nodeName(event.to)} at ${event.timeMs} ms`;
}

interface PromiseRecord extends Ballot {
  /** The incarnation that wrote it: another one now means a restart since. */
  readonly incarnation: number;
}

/** Per server: its stored promise, and the highest slot whose `accepted:s` it deleted (0 when none). */
interface AcceptorRecord {
  readonly promises: (PromiseRecord | null)[];
  readonly collectedUpTo: number[];
}

/**
 * "acceptors keep their promises": an acceptor's stored `promised` never decreases (nor is
 * deleted), not even across a restart; it sends P1b(b) only while its stored promise is
 * b (it writes the promise before it answers, and refuses a P1a below it); it writes accepted:s with ballot b only
 * while its stored promise is at most b; it sends P2b(b, s, c) only once accepted:s =
 * {b, s, c} is stored and its stored promise is at most b; and what a P1b reports for a slot
 * is the proposal stored for it, not an older one, for every slot it holds, and nothing for a
 * slot it garbage-collected.
 */
export function acceptorsKeepPromises(): Property<MultiPaxos, AcceptorRecord> {
  return always<MultiPaxos, AcceptorRecord>('acceptors keep their promises', {
    memory: (cluster) => ({ promises: perNode(cluster, () => null), collectedUpTo: perNode(cluster, () => 0) }),
    records: ['storage', 'send:P1b', 'send:P2b'],
    record({ promises, collectedUpTo }, event, cluster) {
      if (event.kind === 'storage') {
        const who = nodeName(event.node);
        if (event.key === 'promised') {
          const before = promises[event.node] ?? null;
          const restarted = before !== null && before.incarnation !== event.incarnation;
          const note = restarted ? ', though it restarted in between: a restarted acceptor reads its promise back from storage and keeps to it' : '';
          if (!isBallot(event.value)) {
            if (before === null) return `${who} wrote promised = ${quote(event.value)} at ${event.timeMs} ms: a promise is a ballot {round, leader}`;
            return `${who} ${event.value === undefined ? 'deleted its promise' : `wrote promised = ${quote(event.value)}`} at ${event.timeMs} ms over ${formatBallot(before)}: an acceptor's promise is kept for good${note}`;
          }
          if (before !== null && compareBallots(event.value, before) < 0) {
            return `${who} wrote promised ${formatBallot(event.value)} at ${event.timeMs} ms over ${formatBallot(before)}: an acceptor's promise never decreases${note}`;
          }
          promises[event.node] = { round: event.value.round, leader: event.value.leader, incarnation: event.incarnation };
          return undefined;
        }
        const slot = acceptedSlot(event.key);
        if (slot === undefined) return undefined;
        if (event.value === undefined) {
          collectedUpTo[event.node] = Math.max(collectedUpTo[event.node] ?? 0, slot);
          return undefined;
        }
        if (!isPValue(event.value) || event.value.slot !== slot) {
          return `${who} wrote ${event.key} = ${quote(event.value)} at ${event.timeMs} ms: accepted:<slot> holds the proposal {ballot, slot, command} accepted for that slot`;
        }
        const promised = storedPromise(cluster, event.node);
        if (promised === undefined || compareBallots(event.value.ballot, promised) >= 0) return undefined;
        return (
          `${who} wrote ${event.key} = ${describeCommand(event.value.command)} in ballot ${formatBallot(event.value.ballot)} at ${event.timeMs} ms, ` +
          `while its stored promise is ${formatBallot(promised)}: an acceptor accepts nothing below its promise (it answers Preempted)`
        );
      }
      if (event.kind !== 'send') return undefined;
      const message = event.message;
      const who = nodeName(event.from);
      const promised = storedPromise(cluster, event.from);
      if (message.type === 'P1b') {
        if (promised === undefined || compareBallots(promised, message.ballot) < 0) {
          return (
            `${who} sent P1b ${formatBallot(message.ballot)} to ${nodeName(event.to)} at ${event.timeMs} ms while its stored promise is ` +
            `${promised === undefined ? 'none' : formatBallot(promised)}: an acceptor writes its promise before it answers`
          );
        }
        // A P1b is a promise of its ballot: a P1a below the promise is refused. Answered with a P1b, it
        // tells a candidate of a lower ballot that it leads, though this acceptor will accept none of its proposals.
        if (compareBallots(promised, message.ballot) > 0) {
          return (
            `${who} sent P1b ${formatBallot(message.ballot)} to ${nodeName(event.to)} at ${event.timeMs} ms while its stored promise is the higher ` +
            `${formatBallot(promised)}: an acceptor answers a P1a below its promise with Preempted, never with a P1b`
          );
        }
        // What it reports for a slot is what it holds there: a proposal older than the one in
        // its storage hides a command that may be chosen from the next leader.
        for (const reported of Array.isArray(message.accepted) ? message.accepted : []) {
          if (!isPValue(reported)) continue;
          const held = storedAccepted(cluster, event.from, reported.slot);
          if (held === undefined) {
            // A slot it collected: collection drops the proposal from memory too, or the log
            // grows for ever, and every P1b with it.
            if (reported.slot > (collectedUpTo[event.from] ?? 0)) continue;
            return (
              `${who} sent P1b ${formatBallot(message.ballot)} to ${nodeName(event.to)} at ${event.timeMs} ms reporting ${describeCommand(reported.command)} ` +
              `in ballot ${formatBallot(reported.ballot)} for slot ${reported.slot}, which it had garbage-collected (it deleted accepted:${collectedUpTo[event.from] ?? 0}): ` +
              'a server that collects a slot deletes its accepted:s from storage and drops it from memory, so no P1b reports it again'
            );
          }
          const order = compareBallots(reported.ballot, held.ballot);
          if (order > 0 || (order === 0 && sameCommand(reported.command, held.command))) continue;
          return (
            `${who} sent P1b ${formatBallot(message.ballot)} to ${nodeName(event.to)} at ${event.timeMs} ms reporting ${describeCommand(reported.command)} ` +
            `in ballot ${formatBallot(reported.ballot)} for slot ${reported.slot}, but its storage holds ${describeCommand(held.command)} in ballot ` +
            `${formatBallot(held.ballot)} there: a P1b reports the latest proposal the acceptor accepted in each slot`
          );
        }
        // And it reports every slot it holds: one left out looks, to the leader, like a slot where nothing was accepted.
        const reportedSlots = new Set<number>();
        for (const reported of Array.isArray(message.accepted) ? message.accepted : []) if (isPValue(reported)) reportedSlots.add(reported.slot);
        for (const [key, value] of cluster.storage(event.from)) {
          const slot = acceptedSlot(key);
          if (slot === undefined || reportedSlots.has(slot) || !isPValue(value) || value.slot !== slot) continue;
          return (
            `${who} sent P1b ${formatBallot(message.ballot)} to ${nodeName(event.to)} at ${event.timeMs} ms reporting nothing for slot ${slot}, but its storage ` +
            `holds ${describeCommand(value.command)} in ballot ${formatBallot(value.ballot)} there: a P1b lists every proposal the acceptor holds ` +
            '(a restarted acceptor reads its accepted:s back)'
          );
        }
        return undefined;
      }
      if (message.type !== 'P2b') return undefined;
      const accepted = storedAccepted(cluster, event.from, message.slot);
      if (accepted === undefined || compareBallots(accepted.ballot, message.ballot) !== 0 || !sameCommand(accepted.command, message.command)) {
        const holds = accepted === undefined ? 'nothing' : `${describeCommand(accepted.command)} in ballot ${formatBallot(accepted.ballot)}`;
        return `${describeSend(event)}, but its storage holds ${holds} as accepted for slot ${message.slot}: an acceptor writes what it accepts before it answers`;
      }
      if (promised === undefined || compareBallots(promised, message.ballot) < 0) {
        // Left at a lower promise, the acceptor would later accept that lower ballot's proposal in this slot over this one.
        return (
          `${describeSend(event)} while its stored promise is ${promised === undefined ? 'none' : formatBallot(promised)}: an acceptor that accepts ballot ` +
          `${formatBallot(message.ballot)} stores promised = ${formatBallot(message.ballot)} first, when its promise was lower`
        );
      }
      if (compareBallots(promised, message.ballot) === 0) return undefined;
      return `${describeSend(event)} while its stored promise is ${formatBallot(promised)}: an acceptor that promised a higher ballot accepts nothing below it (it answers Preempted)`;
    },
  });
}

// Safe garbage collection.

/**
 * "safe garbage collection": an acceptor deletes accepted:s only when every server's stored
 * checkpoint covers slot s (its checkpoint.slot is above s): a server that has not executed s
 * durably may still need it, from this acceptor's P1b or from the leader.
 */
export function safeGarbageCollection(servers: readonly NodeId[]): Property<MultiPaxos, null> {
  return always<MultiPaxos, null>('safe garbage collection', {
    memory: () => null,
    records: ['storage'],
    record(_memory, event, cluster) {
      if (event.kind !== 'storage' || event.value !== undefined) return undefined;
      const slot = acceptedSlot(event.key);
      if (slot === undefined) return undefined;
      for (const server of servers) {
        const checkpoint = storedCheckpoint(cluster, server);
        if (checkpoint !== undefined && checkpoint.slot > slot) continue;
        const covers = checkpoint === undefined ? 'has no stored checkpoint' : `has a stored checkpoint that covers only slots below ${checkpoint.slot}`;
        return (
          `${nodeName(event.node)} deleted accepted:${slot} at ${event.timeMs} ms, but ${server === event.node ? 'it' : nodeName(server)} ${covers}: ` +
          'a log entry is collected only once every server has executed it and checkpointed the result (collectBelow is the lowest checkpoint slot over all servers)'
        );
      }
      return undefined;
    },
  });
}

/** Per node: the highest collectBelow a Heartbeat brought it, and the highest checkpointSlot each server reported to it. */
interface CollectionGrounds {
  readonly heard: number[];
  readonly reported: number[][];
}

/**
 * Runs only: "collected only below collectBelow". A server deletes accepted:s only when s is
 * below a collectBelow a leader's Heartbeat brought it, or, leading, below the lowest
 * checkpoint slot of all servers as it can know it: its own stored checkpoint and the
 * checkpointSlot every other server reported to it. A server that collects on its own counsel
 * (below what it executed, say) deletes what a lagging server may still need; "safe garbage
 * collection" sees that only when a stored checkpoint happens to be below the slot.
 */
export function collectsOnlyBelowCollectBelow(servers: readonly NodeId[]): Property<MultiPaxos, CollectionGrounds> {
  return always<MultiPaxos, CollectionGrounds>('collected only below collectBelow', {
    memory: (cluster) => ({ heard: perNode(cluster, () => 0), reported: perNode(cluster, () => cluster.nodeIds.map(() => 0)) }),
    records: ['storage', 'deliver:Heartbeat', 'deliver:HeartbeatReply'],
    record(grounds, event, cluster) {
      if (event.kind === 'deliver') {
        const message = event.message;
        if (message.type === 'Heartbeat' && typeof message.collectBelow === 'number' && event.to in grounds.heard) {
          grounds.heard[event.to] = Math.max(grounds.heard[event.to] ?? 0, message.collectBelow);
        } else if (message.type === 'HeartbeatReply' && typeof message.checkpointSlot === 'number') {
          const row = grounds.reported[event.to];
          if (row !== undefined && event.from in row) row[event.from] = Math.max(row[event.from] ?? 0, message.checkpointSlot);
        }
        return undefined;
      }
      if (event.kind !== 'storage' || event.value !== undefined) return undefined;
      const slot = acceptedSlot(event.key);
      if (slot === undefined) return undefined;
      const heard = grounds.heard[event.node] ?? 0;
      if (slot < heard) return undefined;
      const row = grounds.reported[event.node] ?? [];
      let lowest = storedCheckpoint(cluster, event.node)?.slot ?? 0;
      for (const server of servers) if (server !== event.node) lowest = Math.min(lowest, row[server] ?? 0);
      if (slot < lowest) return undefined;
      return (
        `${nodeName(event.node)} deleted accepted:${slot} at ${event.timeMs} ms, but the highest collectBelow a Heartbeat brought it was ${heard}, and the lowest ` +
        `checkpoint slot it knew of (its own stored one, and those the other servers reported to it) was ${lowest}: a server collects only below the leader's ` +
        'collectBelow, the lowest checkpoint slot of all servers, never on its own counsel'
      );
    },
  });
}

// Leaders are elected.

/**
 * "a leader is elected by a majority": BecameLeader(b) is output only by b's own leader, and
 * only once a majority of servers (it may be one) hold a stored promise of b or above. Phase 1
 * of b succeeds only with P1b(b) from a majority, and an acceptor writes its promise before it
 * answers and never lowers it: those promises are still in storage. It keeps no memory, so a
 * search sees no state it did not see before. Checked by the searches only: the run tests'
 * classic bugs (a leader that skips phase 1) are left to fail on what they break.
 */
export function leaderElectedByMajority(servers: readonly NodeId[]): Property<MultiPaxos, null> {
  const needed = majority(servers.length);
  return always<MultiPaxos, null>('a leader is elected by a majority', {
    memory: () => null,
    records: ['output:BecameLeader'],
    record(_memory, event, cluster) {
      if (event.kind !== 'output' || event.output.type !== 'BecameLeader') return undefined;
      const who = nodeName(event.node);
      const ballot: unknown = (event.output as unknown as Record<string, unknown>).ballot;
      if (!isBallot(ballot)) return `${who} output BecameLeader ${quote(event.output)} at ${event.timeMs} ms: BecameLeader names the ballot {round, leader} it leads`;
      if (ballot.leader !== event.node) {
        return `${who} output BecameLeader ${formatBallot(ballot)} at ${event.timeMs} ms: a server leads only a ballot of its own ({round, its id}), the one its phase 1 asked for`;
      }
      const promised = servers.filter((server) => {
        const promise = storedPromise(cluster, server);
        return promise !== undefined && compareBallots(promise, ballot) >= 0;
      });
      if (promised.length >= needed) return undefined;
      return (
        `${who} output BecameLeader ${formatBallot(ballot)} at ${event.timeMs} ms, but ${promised.length === 0 ? 'no server holds' : `only ${names(promised)} ${promised.length === 1 ? 'holds' : 'hold'}`} ` +
        `a stored promise of ${formatBallot(ballot)} or above, where a majority needs ${needed} servers: ` +
        'a server leads once phase 1 of its ballot succeeded, with P1bs from a majority, each written to the acceptor\'s storage before it answered'
      );
    },
  });
}

// Phase 2 follows phase 1.

/**
 * Runs only: "phase 2 follows phase 1": a server sends P2a in a ballot of its own only once a
 * majority of the servers promised that ballot: P1bs of it delivered to it, and its own
 * acceptor's promise (a P1b to itself, or its stored promise of the ballot or above, since the
 * handout lets a leader call its own acceptor directly). A leader that skips phase 1 meets every other rule as long as
 * it never fails; this one it breaks at its first proposal. The memory is, per ballot
 * (`round/leader`), the servers whose P1b reached its leader, and the ballots already judged.
 */
export function phaseTwoAfterPhaseOne(servers: readonly NodeId[]): Property<MultiPaxos, { promised: Map<string, NodeId[]>; judged: string[] }> {
  const needed = majority(servers.length);
  return always<MultiPaxos, { promised: Map<string, NodeId[]>; judged: string[] }>('phase 2 follows phase 1', {
    memory: () => ({ promised: new Map(), judged: [] }),
    records: ['deliver:P1b', 'send:P2a'],
    record(memory, event, cluster) {
      if (event.kind === 'deliver') {
        const message = event.message;
        if (message.type !== 'P1b' || !isBallot(message.ballot) || message.ballot.leader !== event.to || !servers.includes(event.from)) return undefined;
        const key = `${message.ballot.round}/${message.ballot.leader}`;
        const promised = memory.promised.get(key) ?? [];
        if (!promised.includes(event.from)) memory.promised.set(key, [...promised, event.from].sort((left, right) => left - right));
        return undefined;
      }
      if (event.kind !== 'send' || event.message.type !== 'P2a' || !isBallot(event.message.ballot) || event.message.ballot.leader !== event.from) return undefined;
      const { ballot, slot } = event.message;
      const key = `${ballot.round}/${ballot.leader}`;
      if (memory.judged.includes(key)) return undefined;
      // Its own acceptor may be called directly, without a P1b: its stored promise shows it.
      const own = storedPromise(cluster, event.from);
      const ownPromise = own !== undefined && compareBallots(own, ballot) >= 0 ? [event.from] : [];
      const promised = [...new Set([...(memory.promised.get(key) ?? []), ...ownPromise])];
      if (promised.length >= needed) {
        memory.judged.push(key);
        return undefined;
      }
      return (
        `${nodeName(event.from)} sent P2a ${formatBallot(ballot)} for slot ${slot} at ${event.timeMs} ms, but ` +
        `${promised.length === 0 ? 'no server' : `only ${names(promised)}`} had answered its P1a with P1b ${formatBallot(ballot)} (a majority is ${needed} of ${servers.length}): ` +
        'a leader proposes in phase 2 only once phase 1 of its ballot succeeded, with P1bs from a majority, its own acceptor\'s included'
      );
    },
  });
}

/** A server's rounds in ballots of its own. */
interface OwnRounds {
  /** The incarnation that `current` is of. */
  incarnation: number;
  /** The highest round it proposed or led in (P2a, Heartbeat) in that incarnation. */
  current: number;
  /** The highest round it proposed or led in in every incarnation before. */
  before: number;
}

/**
 * Runs only: "a ballot is used once", across restarts. A server's ballots carry its id, and each
 * new one is a round above the highest it has seen, its stored promise included: its own P1a
 * raised that promise, so after a restart its ballots are above every one it used before. A
 * server that forgot its rounds in a restart runs phase 1 again with a ballot it already used,
 * and can propose in it another command in a slot where its earlier proposal was accepted.
 * Judged on the P1a, P2a and Heartbeat it sends of its own ballots, against the rounds it
 * proposed or led in (P2a, Heartbeat) before: a P1a that went out alone does not count, since a
 * server that sends its P1a to itself and crashes in that reaction never stored its promise
 * (the message to itself is lost with it), and reusing a ballot it never proposed in is safe.
 */
export function ballotUsedOnce(servers: readonly NodeId[]): Property<MultiPaxos, (OwnRounds | null)[]> {
  return always<MultiPaxos, (OwnRounds | null)[]>('a ballot is used once', {
    memory: (cluster) => cluster.nodeIds.map(() => null),
    records: ['send:P1a', 'send:P2a', 'send:Heartbeat'],
    record(rounds, event) {
      if (event.kind !== 'send' || !servers.includes(event.from)) return undefined;
      const message = event.message;
      if (message.type !== 'P1a' && message.type !== 'P2a' && message.type !== 'Heartbeat') return undefined;
      if (!isBallot(message.ballot) || message.ballot.leader !== event.from) return undefined;
      const known = rounds[event.from] ?? { incarnation: event.incarnation, current: 0, before: 0 };
      const own =
        known.incarnation === event.incarnation ? known : { incarnation: event.incarnation, current: 0, before: Math.max(known.before, known.current) };
      rounds[event.from] = own;
      const round = message.ballot.round;
      if (message.type !== 'P1a' && round > own.current) own.current = round;
      if (event.incarnation === 0 || round > own.before) return undefined;
      return (
        `${nodeName(event.from)} sent ${message.type} ${formatBallot(message.ballot)} at ${event.timeMs} ms, after a restart, but it had proposed or led in ballots up to round ` +
        `${own.before} before: a server uses a ballot once. Its new ballot's round is one above the highest it has seen, its stored promise included, ` +
        'and its own P1a raised that promise, so after a restart every new ballot is above every one it used'
      );
    },
  });
}

/** What a server heard in its current incarnation: the highest ballot at or below which it may use no ballot of its own any more. */
interface PreemptedAt {
  readonly incarnation: number;
  bar: Ballot;
  /** How it heard of the bar, for the report. */
  heard: string;
}

/** Per server: its bar, and the ballot of the last P1a it sent in its current incarnation (the candidacy it is in). */
interface Preemptions {
  readonly bars: (PreemptedAt | null)[];
  readonly latest: ({ readonly incarnation: number; readonly ballot: Ballot } | null)[];
}

/**
 * Runs only: "a preempted leader steps down". A `Preempted { ballot: b, promised: p }` for a
 * ballot b of its own, with p above b, tells a leader or candidate that an acceptor promised a
 * higher ballot; so does its own acceptor's promise of another server's higher ballot p (the
 * P1b it sends). Either way it becomes a follower, and its next ballot is above what it heard:
 * it sends no P1a, P2a or Heartbeat in a ballot of its own at or below p again in that
 * incarnation (the handout: it "remembers the higher round (its next ballot must be above
 * it)"). A Preempted that answers an older ballot than its latest P1a's, or names a promise of
 * its own, is late news: it bars only b. (After a restart, "a ballot is used once" takes over.)
 */
export function preemptedLeaderStepsDown(servers: readonly NodeId[]): Property<MultiPaxos, Preemptions> {
  return always<MultiPaxos, Preemptions>('a preempted leader steps down', {
    memory: (cluster) => ({ bars: cluster.nodeIds.map(() => null), latest: cluster.nodeIds.map(() => null) }),
    records: ['deliver:Preempted', 'send:P1b', 'send:P1a', 'send:P2a', 'send:Heartbeat'],
    record({ bars: heard, latest }, event) {
      if (event.kind === 'deliver') {
        const message = event.message;
        if (message.type !== 'Preempted' || !servers.includes(event.to) || !isBallot(message.ballot) || !isBallot(message.promised)) return undefined;
        if (message.ballot.leader !== event.to || compareBallots(message.promised, message.ballot) <= 0) return undefined;
        const candidacy = latest[event.to] ?? null;
        const current = candidacy !== null && candidacy.incarnation === event.incarnation && compareBallots(candidacy.ballot, message.ballot) === 0;
        if (current && message.promised.leader !== event.to) {
          raiseBar(heard, event.to, event.incarnation, message.promised, `a Preempted for its ballot ${formatBallot(message.ballot)} naming the promise of ${formatBallot(message.promised)}`);
        } else raiseBar(heard, event.to, event.incarnation, message.ballot, `a Preempted for its ballot ${formatBallot(message.ballot)}`);
        return undefined;
      }
      if (event.kind !== 'send' || !servers.includes(event.from)) return undefined;
      const message = event.message;
      if (message.type === 'P1b') {
        if (isBallot(message.ballot) && message.ballot.leader !== event.from) raiseBar(heard, event.from, event.incarnation, message.ballot, `its own acceptor's promise of ${formatBallot(message.ballot)}`);
        return undefined;
      }
      if (message.type !== 'P1a' && message.type !== 'P2a' && message.type !== 'Heartbeat') return undefined;
      const known = heard[event.from] ?? null;
      const violation =
        known !== null &&
        known.incarnation === event.incarnation &&
        isBallot(message.ballot) &&
        message.ballot.leader === event.from &&
        compareBallots(message.ballot, known.bar) <= 0;
      if (violation) {
        return (
          `${nodeName(event.from)} sent ${message.type} ${formatBallot(message.ballot)} at ${event.timeMs} ms, after ${known.heard}: a leader or candidate that learns of a higher ` +
          'ballot (a Preempted for its own, or a P1a of another server that its acceptor promises) becomes a follower, and its next ballot is above the one it heard of'
        );
      }
      if (message.type === 'P1a' && isBallot(message.ballot) && message.ballot.leader === event.from) {
        latest[event.from] = { incarnation: event.incarnation, ballot: { round: message.ballot.round, leader: message.ballot.leader } };
      }
      return undefined;
    },
  });
}

function raiseBar(heard: (PreemptedAt | null)[], node: NodeId, incarnation: number, ballot: Ballot, how: string): void {
  const known = heard[node] ?? null;
  if (known !== null && known.incarnation === incarnation && compareBallots(ballot, known.bar) <= 0) return;
  heard[node] = { incarnation, bar: { round: ballot.round, leader: ballot.leader }, heard: how };
}

interface TakeOver {
  /** Per ballot (`round/leader`): the servers whose P1b reached its leader before the window's end. */
  readonly promised: Map<string, NodeId[]>;
  /** The highest ballot whose phase 1 completed so far: its leader is the one that leads. */
  leading: Ballot | null;
  tookOverAtMs: number | null;
  /** Whether any P1b was delivered at all. */
  phaseOne: boolean;
}

/**
 * Runs only: "a new leader takes over": while `away` (the leader) is down or cut off, from
 * `fromMs` to `untilMs`, another server's phase 1 succeeds: P1bs of a ballot of its own from a
 * majority of the servers (its own acceptor counted, which it may call directly) reach it.
 * Without it, a cluster in which only one server ever stands would pass every test that brings
 * that server back. A scenario cannot make sure that `away` leads when the window opens (a
 * timeout of another server may fire a moment before `away`'s P1a reaches it): when the highest
 * ballot whose phase 1 completed by then is another server's, that server has taken over already.
 */
export function leaderTakesOver(servers: readonly NodeId[], away: NodeId, fromMs: number, untilMs: number, why: string): Property<MultiPaxos, TakeOver> {
  const needed = majority(servers.length);
  return always<MultiPaxos, TakeOver>(
    'a new leader takes over',
    {
      memory: () => ({ promised: new Map(), leading: null, tookOverAtMs: null, phaseOne: false }),
      records: ['deliver:P1b'],
      record(memory, event) {
        if (event.kind === 'deliver') memory.phaseOne = true;
        if (memory.tookOverAtMs !== null || event.kind !== 'deliver' || event.timeMs >= untilMs) return undefined;
        if (event.timeMs >= fromMs && memory.leading !== null && memory.leading.leader !== away) {
          memory.tookOverAtMs = fromMs;
          return undefined;
        }
        const message = event.message;
        if (message.type !== 'P1b' || !isBallot(message.ballot) || message.ballot.leader !== event.to || !servers.includes(event.from)) return undefined;
        const ballot = message.ballot;
        const key = `${ballot.round}/${ballot.leader}`;
        const promised = new Set([...(memory.promised.get(key) ?? []), event.from, event.to]);
        memory.promised.set(key, [...promised].sort((left, right) => left - right));
        if (promised.size < needed) return undefined;
        if (memory.leading === null || compareBallots(ballot, memory.leading) > 0) memory.leading = { round: ballot.round, leader: ballot.leader };
        if (event.timeMs >= fromMs && event.to !== away) memory.tookOverAtMs = event.timeMs;
        return undefined;
      },
      check(_cluster, memory) {
        // No phase 1 anywhere: nothing happened at all, which "clients make progress" reports.
        if (memory.tookOverAtMs !== null || !memory.phaseOne) return undefined;
        // Another server led when the window opened, and no P1b came in it.
        if (memory.leading !== null && memory.leading.leader !== away) return undefined;
        return (
          `no server but ${nodeName(away)} completed phase 1 from ${fromMs} to ${untilMs} ms, ${why}: when the leader is gone, ` +
          'the others time out (LeaderTimeout) and one of them runs phase 1 with a higher ballot and leads'
        );
      },
    },
    { atEnd: true },
  );
}

/** Per node: its last promised ballot, and when it last promised another server's higher one. */
interface PromiseTimes {
  readonly last: (Ballot | null)[];
  readonly toOther: ({ readonly atMs: number; readonly ballot: Ballot } | null)[];
  /** Per node: the step in which it was last handed a P1a. */
  readonly handedP1aAt: number[];
}

/**
 * Runs only: "a promise to another server resets the LeaderTimeout". A server whose acceptor
 * promises another server's higher ballot in answer to its P1a (writes it as `promised` in that
 * reaction) sends no P1a of its own
 * within `minTimeoutMs` (leaderTimeoutMs[0]) of that promise. The handout: "A follower that
 * promises another server's higher ballot resets its own LeaderTimeout too: that candidate may
 * well succeed, and deserves the time to" (a leader or candidate becomes a follower and sets it).
 * A timer left running duels with every candidate it promised.
 */
export function promiseResetsLeaderTimeout(minTimeoutMs: number): Property<MultiPaxos, PromiseTimes> {
  return always<MultiPaxos, PromiseTimes>('a promise to another server resets the LeaderTimeout', {
    memory: (cluster) => ({ last: cluster.nodeIds.map(() => null), toOther: cluster.nodeIds.map(() => null), handedP1aAt: cluster.nodeIds.map(() => -1) }),
    records: ['storage:promised', 'send:P1a', 'deliver:P1a'],
    record(times, event, cluster) {
      if (event.kind === 'deliver') {
        times.handedP1aAt[event.to] = cluster.step;
        return undefined;
      }
      if (event.kind === 'storage') {
        const ballot = event.value;
        if (!isBallot(ballot)) return undefined;
        const last = times.last[event.node] ?? null;
        // Only a higher ballot is a new promise: writing the same one again resets nothing.
        if (last !== null && compareBallots(ballot, last) <= 0) return undefined;
        times.last[event.node] = { round: ballot.round, leader: ballot.leader };
        // A promise made answering another server's P1a (a P2a or a heartbeat of a higher ballot raises it too, outside any duel).
        if (ballot.leader !== event.node && times.handedP1aAt[event.node] === cluster.step) {
          times.toOther[event.node] = { atMs: event.timeMs, ballot: { round: ballot.round, leader: ballot.leader } };
        }
        return undefined;
      }
      if (event.kind !== 'send' || event.message.type !== 'P1a' || !isBallot(event.message.ballot) || event.message.ballot.leader !== event.from) return undefined;
      const promise = times.toOther[event.from] ?? null;
      if (promise === null || event.timeMs - promise.atMs >= minTimeoutMs) return undefined;
      times.toOther[event.from] = null;
      return (
        `${nodeName(event.from)} sent P1a for its own ballot ${formatBallot(event.message.ballot)} at ${event.timeMs} ms, ${event.timeMs - promise.atMs} ms after it ` +
        `promised ${nodeName(promise.ballot.leader)}'s higher ballot ${formatBallot(promise.ballot)}: a server that promises another server's higher ballot ` +
        `resets its LeaderTimeout (at least ${minTimeoutMs} ms), since that candidate may well succeed`
      );
    },
  });
}

/** Per node: the ballot of its own it last sent a P1a for, while it has neither led nor heard of a higher ballot since (null: none), and the ballot it last led (null: none since its start). */
interface Candidacies {
  readonly pending: ({ readonly ballot: Ballot; readonly sentAtMs: number } | null)[];
  readonly led: (Ballot | null)[];
}

/**
 * Runs only: "a candidate tries again". A server that sent a P1a for a ballot of its own sends
 * another within `retryWithinMs` (twice the largest LeaderTimeout: room for a back-off), unless meanwhile it led
 * (output BecameLeader), heard of a higher ballot (a message carrying one reached it), or
 * crashed. A leader that sends its P1a again, in the ballot it leads, is no candidate. The handout: the candidate "sets its LeaderTimeout again: phase 1 that has not
 * finished when it fires is started again with a higher round". A candidate whose P1as were lost
 * or ignored, and who never sets its timer again, waits for ever for promises that will not come.
 */
export function candidateTriesAgain(retryWithinMs: number): Property<MultiPaxos, Candidacies> {
  const overdue = (candidacy: { readonly ballot: Ballot; readonly sentAtMs: number }, node: NodeId, nowMs: number) =>
    `${nodeName(node)} sent P1a ${formatBallot(candidacy.ballot)} at ${candidacy.sentAtMs} ms and, ${nowMs - candidacy.sentAtMs} ms later, had sent no other, ` +
    'though it had not led, and no message of a higher ballot had reached it: a candidate sets its LeaderTimeout again when it starts phase 1, and ' +
    `phase 1 that has not finished when it fires is started again with a higher round (within ${retryWithinMs} ms here)`;
  const higher = (value: unknown, than: Ballot) => isBallot(value) && compareBallots(value, than) > 0;
  return always<MultiPaxos, Candidacies>(
    'a candidate tries again',
    {
      memory: (cluster) => ({ pending: perNode(cluster, () => null), led: perNode(cluster, () => null) }),
      records: ['send', 'deliver', 'output', 'crash'],
      record({ pending: candidacies, led }, event) {
        if (event.kind === 'send' && event.message.type === 'P1a' && event.from in candidacies) {
          const ballot = event.message.ballot;
          const leading = led[event.from] ?? null;
          // A leader that sends its P1a again (to an acceptor it still wants to hear from) is no candidate.
          const again = leading !== null && isBallot(ballot) && compareBallots(ballot, leading) === 0;
          if (isBallot(ballot) && ballot.leader === event.from && !again) candidacies[event.from] = { ballot: { round: ballot.round, leader: ballot.leader }, sentAtMs: event.timeMs };
        } else if (event.kind === 'deliver') {
          const candidacy = candidacies[event.to] ?? null;
          const fields = event.message as unknown as Record<string, unknown>;
          if (candidacy !== null && (higher(fields['ballot'], candidacy.ballot) || higher(fields['promised'], candidacy.ballot))) candidacies[event.to] = null;
        } else if (event.kind === 'output' && (event.output as Tagged).type === 'BecameLeader') {
          candidacies[event.node] = null;
          const ballot = (event.output as unknown as Record<string, unknown>)['ballot'];
          if (event.node in led && isBallot(ballot)) led[event.node] = { round: ballot.round, leader: ballot.leader };
        } else if (event.kind === 'crash') {
          candidacies[event.node] = null;
          if (event.node in led) led[event.node] = null;
        }
        for (const [node, candidacy] of candidacies.entries()) {
          if (candidacy === null || event.timeMs - candidacy.sentAtMs <= retryWithinMs) continue;
          candidacies[node] = null;
          return overdue(candidacy, node, event.timeMs);
        }
        return undefined;
      },
      check(cluster, { pending: candidacies }) {
        for (const [node, candidacy] of candidacies.entries()) {
          if (candidacy !== null && cluster.nowMs - candidacy.sentAtMs > retryWithinMs) return overdue(candidacy, node, cluster.nowMs);
        }
        return undefined;
      },
    },
    { atEnd: true },
  );
}

// Acceptances come from proposals.

/**
 * "an acceptor accepts only what a leader proposed": a server writes accepted:s = {b, s, c}
 * only after b's leader sent it P2a(b, s, c), or when it is b's leader itself (a leader's own
 * acceptor may take its proposal without a message). The memory is the P2a messages sent, by
 * their ballot's leader to another node, as sorted keys.
 */
/** Where `key` is in `sorted` (in the order `sort()` gives strings), or where it would go. */
function sortedIndex(sorted: readonly string[], key: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as string) < key) low = middle + 1;
    else high = middle;
  }
  return low;
}

function inSorted(sorted: readonly string[], key: string): boolean {
  return sorted[sortedIndex(sorted, key)] === key;
}

/**
 * Adds `key` to `sorted` where `sort()` would put it, unless it is there: a memory that is the
 * same whatever order its keys came in (as the model checker needs), at the cost of a binary
 * search rather than a scan and a sort for every key a long run adds.
 */
function addToSorted(sorted: string[], key: string): void {
  const index = sortedIndex(sorted, key);
  if (sorted[index] !== key) sorted.splice(index, 0, key);
}

export function acceptsOnlyProposals(): Property<MultiPaxos, string[]> {
  const keyOf = (to: NodeId, ballot: Ballot, slot: number, command: Command) => `${to}|${ballot.round}|${ballot.leader}|${slot}|${commandKey(command)}`;
  return always<MultiPaxos, string[]>('an acceptor accepts only what a leader proposed', {
    memory: () => [],
    records: ['storage', 'send:P2a'],
    record(proposals, event) {
      if (event.kind === 'send') {
        const message = event.message;
        if (message.type !== 'P2a' || !isBallot(message.ballot) || message.ballot.leader !== event.from || event.to === event.from || !isCommand(message.command)) return undefined;
        addToSorted(proposals, keyOf(event.to, message.ballot, message.slot, message.command));
        return undefined;
      }
      if (event.kind !== 'storage' || acceptedSlot(event.key) === undefined || !isPValue(event.value)) return undefined;
      const { ballot, slot, command } = event.value;
      if (ballot.leader === event.node || inSorted(proposals, keyOf(event.node, ballot, slot, command))) return undefined;
      return (
        `${nodeName(event.node)} wrote ${event.key} = ${describeCommand(command)} in ballot ${formatBallot(ballot)} at ${event.timeMs} ms, but ${nodeName(ballot.leader)}, ` +
        `that ballot's leader, never sent it P2a ${formatBallot(ballot)} for slot ${slot} with that command: an acceptor accepts a proposal only when its leader asks (a P2a), ` +
        'and writes it as it was proposed'
      );
    },
  });
}

// Answers come after execution.

/** `client:sequence` of each command some server executed, sorted. */
type ExecutedCommands = string[];

/**
 * "an operation returns only once executed": a client's operation (command `sequence` of
 * that client) returns only after some server output Executed for it. A leader answers only a
 * command it executed, or one its at-most-once table holds, which some server executed before.
 * `exempt` lists `client:sequence` of operations answered by someone else than the servers
 * (an earlier leader that a search's history plays).
 */
export function returnsOnlyExecuted(exempt: readonly string[] = []): Property<MultiPaxos, ExecutedCommands> {
  return always<MultiPaxos, ExecutedCommands>('an operation returns only once executed', {
    memory: () => [],
    records: ['output:Executed', 'output:Returned'],
    record(executed, event) {
      if (event.kind !== 'output') return undefined;
      if ((event.output as Tagged).type === 'Returned') {
        const sequence: unknown = (event.output as unknown as Record<string, unknown>).sequence;
        const key = `${event.node}:${String(sequence)}`;
        if (inSorted(executed, key) || exempt.includes(key)) return undefined;
        return (
          `${nodeName(event.node)}'s command ${String(sequence)} returned at ${event.timeMs} ms, but no server had executed it (no Executed output for it): ` +
          'a server answers a client only once the command is chosen and executed, or from its at-most-once table for a command executed before'
        );
      }
      const output = executedOf(event);
      if (output === undefined || typeof output === 'string') return undefined;
      addToSorted(executed, `${output.client}:${output.sequence}`);
      return undefined;
    },
  });
}

/**
 * MultiPaxos's safety properties, checked by every run and every search, in this order
 * (leaderElectedByMajority is the searches' only). `answeredElsewhere`: see returnsOnlyExecuted.
 */
export function safetyProperties(servers: readonly NodeId[], answeredElsewhere: readonly string[] = []): Property<MultiPaxos>[] {
  return [
    // The protocol's types first: the properties after them then read only values of the declared kinds.
    speaksTheProtocol<MultiPaxos>(multipaxosMessages),
    keepsTheDeclaredState<MultiPaxos>(multipaxosState),
    chosenByMajority(servers),
    acceptedByMajorityKept(servers),
    consistentLogs(),
    executionInSlotOrder(),
    acceptorsKeepPromises(),
    safeGarbageCollection(servers),
    acceptsOnlyProposals(),
    preemptedNamesThePromise(servers),
    returnsOnlyExecuted(answeredElsewhere),
  ] as Property<MultiPaxos>[];
}

/**
 * "a Preempted names the promise that beat it": a server's `Preempted { ballot, promised }`
 * names a promise above the ballot it refuses. One that echoes the refused ballot tells the
 * stale leader nothing: it keeps leading a ballot no acceptor will take, and "a preempted
 * leader steps down" reads the Preempted it was handed.
 */
export function preemptedNamesThePromise(servers: readonly NodeId[]): Property<MultiPaxos, null> {
  return always<MultiPaxos, null>('a Preempted names the promise that beat it', {
    memory: () => null,
    records: ['send:Preempted'],
    record(_memory, event) {
      if (event.kind !== 'send' || event.message.type !== 'Preempted' || !servers.includes(event.from)) return undefined;
      const { ballot, promised } = event.message;
      if (compareBallots(promised, ballot) > 0) return undefined;
      return (
        `${nodeName(event.from)} sent Preempted refusing ${formatBallot(ballot)} with promised ${formatBallot(promised)} at ${event.timeMs} ms, which does not outrank the ballot it refuses: ` +
        'a Preempted carries the promise that beat the ballot, so that the old leader steps down and its next ballot outranks it'
      );
    },
  });
}

/** The messages src/protocol.ts declares: "messages are as protocol.ts declares". */
const ballotShape: DeclaredShape = { fields: ['round', 'leader'], kinds: { round: 'integer', leader: 'node' } };
/** A command, or null for a no-op. */
const commandShape: DeclaredShape = { ...kvCommandShape, nullable: true };
const pvalueShape: DeclaredShape = { fields: ['ballot', 'slot', 'command'], shapes: { ballot: ballotShape, command: commandShape }, kinds: { slot: 'integer' } };

export const multipaxosMessages: Readonly<Record<string, DeclaredMessage>> = {
  P1a: { fields: ['ballot'], route: 'server-to-server', shapes: { ballot: ballotShape }, kinds: {} },
  P1b: { fields: ['ballot', 'accepted'], route: 'server-to-server', shapes: { ballot: ballotShape, accepted: { ...pvalueShape, list: true } }, kinds: {} },
  P2a: { fields: ['ballot', 'slot', 'command'], route: 'server-to-server', shapes: { ballot: ballotShape, command: commandShape }, kinds: { slot: 'integer' } },
  P2b: { fields: ['ballot', 'slot', 'command'], route: 'server-to-server', shapes: { ballot: ballotShape, command: commandShape }, kinds: { slot: 'integer' } },
  Preempted: { fields: ['ballot', 'promised'], route: 'server-to-server', shapes: { ballot: ballotShape, promised: ballotShape }, kinds: {} },
  Decision: { fields: ['slot', 'command'], route: 'server-to-server', shapes: { command: commandShape }, kinds: { slot: 'integer' } },
  Heartbeat: { fields: ['ballot', 'chosenBelow', 'collectBelow'], route: 'server-to-server', shapes: { ballot: ballotShape }, kinds: { chosenBelow: 'integer', collectBelow: 'integer' } },
  HeartbeatReply: { fields: ['ballot', 'slotOut', 'checkpointSlot'], route: 'server-to-server', shapes: { ballot: ballotShape }, kinds: { slotOut: 'integer', checkpointSlot: 'integer' } },
  ...kvClientMessages,
};

/** A server's storage and outputs, as src/protocol.ts declares them ("storage and outputs are as protocol.ts declares"); a promise of null is taken as none. */
export const multipaxosState: DeclaredState = {
  storage: { promised: { ...ballotShape, nullable: true }, checkpoint: { fields: ['slot', 'state'], kinds: { slot: 'integer', state: 'plain' } } },
  numberedStorage: { 'accepted:': pvalueShape },
  outputs: {
    BecameLeader: { fields: ['ballot'], shapes: { ballot: ballotShape } },
    Chosen: { fields: ['slot', 'command'], shapes: { command: commandShape }, kinds: { slot: 'integer' } },
    ...kvServerOutputs({ withResult: true }),
  },
};

// Garbage collection bounds the log.

interface HeldEntries {
  /** Per node: the slots of the accepted:<slot> keys it holds. */
  readonly held: Set<number>[];
  /** Per node: is it down? */
  readonly down: boolean[];
  /** The most any server held at any moment. */
  most: number;
}

const heldNow = (entries: HeldEntries, live: (node: NodeId) => boolean) => Math.max(0, ...entries.held.map((slots, node) => (live(node) ? slots.size : 0)));

/**
 * "old slots are garbage-collected": every live server holds at most `most` accepted:<slot>
 * keys in its storage, within `withinMs` of the last fault (or when the run ends). Measures
 * `acceptedEntriesHeldMax` (the most any server held at any moment) and
 * `acceptedEntriesHeldAtEnd` (the most a live server holds when the run ends).
 */
export function logEntriesBounded(most: number, options: { readonly withinMs?: number } = {}): Property<MultiPaxos, HeldEntries> {
  return eventually<MultiPaxos, HeldEntries>(
    'old slots are garbage-collected',
    {
      memory: (cluster) => ({ held: perNode(cluster, () => new Set<number>()), down: perNode(cluster, () => false), most: 0 }),
      records: ['storage', 'crash', 'restart'],
      record(entries, event) {
        if (event.kind === 'crash' || event.kind === 'restart') {
          entries.down[event.node] = event.kind === 'crash';
          return undefined;
        }
        if (event.kind !== 'storage') return undefined;
        const slot = acceptedSlot(event.key);
        const held = entries.held[event.node];
        if (slot === undefined || held === undefined) return undefined;
        if (event.value === undefined) held.delete(slot);
        else held.add(slot);
        entries.most = Math.max(entries.most, held.size);
        return undefined;
      },
      check(cluster, entries) {
        for (const server of cluster.servers) {
          const held = entries.held[server];
          if (cluster.isCrashed(server) || held === undefined || held.size <= most) continue;
          const slots = [...held];
          return (
            `${nodeName(server)} holds ${held.size} accepted ${held.size === 1 ? 'entry' : 'entries'} (slots ${Math.min(...slots)} to ${Math.max(...slots)}) at ${cluster.nowMs} ms, at most ${most} allowed: ` +
            'once every server has checkpointed a slot, the leader\'s collectBelow lets every server delete it'
          );
        }
        return undefined;
      },
      measure: (entries) => ({ acceptedEntriesHeldMax: entries.most, acceptedEntriesHeldAtEnd: heldNow(entries, (node) => entries.down[node] !== true) }),
    },
    options.withinMs === undefined ? {} : { withinMs: options.withinMs },
  );
}

// One slot per command (runs only).

/** By `client:sequence`: the slot the command was first executed in, and by whom. */
type ExecutedSlots = Record<string, { readonly slot: number; readonly node: NodeId }>;

/**
 * "a command is executed in one slot only": no two Executed outputs (any servers, any
 * incarnations) name one command (client and sequence number) at different slots. A command
 * chosen in two slots is executed in the first and skipped as a duplicate in the second, on
 * every replica; a restarted replica that executes a slot again from its checkpoint executes
 * the same slot. The kit's "every command is applied at most once" looks within one
 * incarnation, so it does not see a replica that lost its table in a restart.
 */
export function executedInOneSlot(): Property<MultiPaxos, ExecutedSlots> {
  return always<MultiPaxos, ExecutedSlots>('a command is executed in one slot only', {
    memory: () => ({}),
    records: ['output:Executed'],
    record(slots, event) {
      const executed = executedOf(event);
      if (typeof executed === 'string') return executed;
      if (executed === undefined || event.kind !== 'output') return undefined;
      const key = `${executed.client}:${executed.sequence}`;
      const first = Object.hasOwn(slots, key) ? slots[key] : undefined;
      if (first === undefined) {
        slots[key] = { slot: executed.slot, node: event.node };
        return undefined;
      }
      if (first.slot === executed.slot) return undefined;
      return (
        `${describeExecution(event, executed)}, but ${first.node === event.node ? 'it' : nodeName(first.node)} had executed that command at slot ${first.slot}: ` +
        'a command chosen in two slots is executed in the first and skipped in the second, on every replica, a restarted one too ' +
        '(its checkpoint holds the at-most-once table with the map)'
      );
    },
  });
}

// Waiting (runs only).

/**
 * "every client waits at most `mostMs` ms": no operation returns more than `mostMs` after its
 * call. Judged at the end; `why` says what made a longer wait needless.
 */
export function everyWaitAtMost(mostMs: number, why: string): Property<MultiPaxos, KvHistoryRecording> {
  return always<MultiPaxos, KvHistoryRecording>(
    `every client waits at most ${mostMs} ms`,
    {
      memory: () => emptyKvHistory(),
      records: ['input:Invoke', 'output:Returned'],
      record: (recording, event) => recordKvEvent(recording, event),
      check(_cluster, recording) {
        let slowest: { wait: number; text: string } | undefined;
        for (const operation of kvHistoryOf(recording)) {
          if (operation.returnTime === null) continue;
          const wait = operation.returnTime - operation.callTime;
          if (wait > mostMs && (slowest === undefined || wait > slowest.wait)) {
            slowest = { wait, text: `${nodeName(operation.client)}'s ${describeKvOperation(operation.input)}, called at ${operation.callTime} ms, returned only at ${operation.returnTime} ms` };
          }
        }
        if (slowest === undefined) return undefined;
        return `${slowest.text}: it waited ${slowest.wait} ms, more than ${mostMs} ms ${why}`;
      },
    },
    { atEnd: true },
  );
}

// Budgets (runs only).

/** The messages of the protocol's agreement that count towards its cost per chosen slot. */
const agreementMessages = ['P1a', 'P1b', 'P2a', 'P2b', 'Preempted', 'Decision'] as const;

interface MessagesPerSlot {
  sent: number;
  readonly byType: Record<string, number>;
  readonly chosen: Set<number>;
}

/**
 * "messages per chosen slot": the P1a, P1b, P2a, P2b, Preempted and Decision messages sent to
 * other nodes (a send to oneself is not counted), divided by the number of distinct slots
 * chosen (some server's Chosen output), is at most `most`. Measures `messagesPerChosenSlot`.
 */
export function messagesPerChosenSlot(most: number): Property<MultiPaxos, MessagesPerSlot> {
  const perSlot = (memory: MessagesPerSlot) => (memory.chosen.size === 0 ? 0 : memory.sent / memory.chosen.size);
  return budget<MultiPaxos, MessagesPerSlot>('messages per chosen slot', {
    memory: () => ({ sent: 0, byType: {}, chosen: new Set() }),
    records: [...agreementMessages.map((type) => `send:${type}` as const), 'output:Chosen'],
    record(memory, event) {
      if (event.kind === 'send') {
        if (event.local) return undefined;
        memory.sent++;
        memory.byType[event.message.type] = (memory.byType[event.message.type] ?? 0) + 1;
        return undefined;
      }
      const chosen = chosenOf(event);
      if (chosen !== undefined && typeof chosen !== 'string') memory.chosen.add(chosen.slot);
      return undefined;
    },
    check(_cluster, memory) {
      if (memory.chosen.size === 0) return 'no progress: no slot was chosen, so there is no cost to measure';
      const figure = perSlot(memory);
      if (figure <= most) return undefined;
      const types = Object.entries(memory.byType)
        .sort(([, left], [, right]) => right - left)
        .map(([type, count]) => `${type} ${(count / memory.chosen.size).toFixed(2)}`)
        .join(', ');
      return (
        `${figure.toFixed(2)} messages per chosen slot (${memory.sent} for ${plural(memory.chosen.size, 'slot')}; per slot: ${types}), more than ${most}: ` +
        'with a stable leader a slot costs one P2a to each other server and one P2b back; followers learn decisions from heartbeats, ' +
        'and phase 1 runs only when the leader changes'
      );
    },
    measure: (memory) => ({ messagesPerChosenSlot: Math.round(perSlot(memory) * 100) / 100 }),
  });
}

interface PhaseOneBallots {
  /** Each distinct ballot of a P1a sent, with the time it was first sent. */
  readonly ballots: { readonly round: number; readonly leader: NodeId; readonly atMs: number }[];
}

/**
 * "phase 1 only on leader change": the P1a messages sent carry at most `mostBallots` distinct
 * ballots (a P1a sent again in the same ballot counts once). Heartbeats from a live leader
 * keep every follower from timing out. Measures `phaseOneBallots`.
 */
export function phaseOneOnlyOnLeaderChange(mostBallots: number): Property<MultiPaxos, PhaseOneBallots> {
  return budget<MultiPaxos, PhaseOneBallots>('phase 1 only on leader change', {
    memory: () => ({ ballots: [] }),
    records: ['send:P1a'],
    record(memory, event) {
      if (event.kind !== 'send' || event.message.type !== 'P1a' || !isBallot(event.message.ballot)) return undefined;
      const ballot = event.message.ballot;
      if (memory.ballots.some((known) => compareBallots(known, ballot) === 0)) return undefined;
      memory.ballots.push({ round: ballot.round, leader: ballot.leader, atMs: event.timeMs });
      return undefined;
    },
    check(_cluster, memory) {
      if (memory.ballots.length <= mostBallots) return undefined;
      const shown = memory.ballots.slice(0, 8).map((ballot) => `${formatBallot(ballot)} at ${ballot.atMs} ms`);
      if (memory.ballots.length > shown.length) shown.push('...');
      return (
        `phase 1 ran in ${plural(memory.ballots.length, 'ballot')} (${shown.join(', ')}), at most ${mostBallots} allowed: a leader's heartbeats reset every ` +
        'follower\'s LeaderTimeout, so a server runs phase 1 only when it hears from no leader'
      );
    },
    measure: (memory) => ({ phaseOneBallots: memory.ballots.length }),
  });
}

// Goals and scenario rules, for the run and search tests.

/**
 * "nothing is chosen": no server outputs Chosen (for a search or a run where only a minority
 * of servers can talk: a slot needs a majority). `why` ends the message.
 */
export function nothingChosen(why = 'only a minority of servers can talk, and a slot is chosen only once a majority accepted it'): Property<MultiPaxos, null> {
  return always<MultiPaxos, null>('nothing is chosen', {
    memory: () => null,
    records: ['output:Chosen'],
    record(_memory, event) {
      const chosen = chosenOf(event);
      if (typeof chosen === 'string') return chosen;
      if (chosen === undefined || event.kind !== 'output') return undefined;
      return `${nodeName(event.node)} output Chosen for slot ${chosen.slot}, ${describeCommand(chosen.command)}, at ${event.timeMs} ms: ${why}`;
    },
  });
}

/** "a slot is chosen": a goal, reached once some server outputs Chosen (for `slot`, when given). */
export function someSlotChosen(slot?: number): Property<MultiPaxos, { chosen: boolean }> {
  return sometimes<MultiPaxos, { chosen: boolean }>('a slot is chosen', {
    memory: () => ({ chosen: false }),
    records: ['output:Chosen'],
    record(memory, event) {
      const chosen = chosenOf(event);
      if (chosen !== undefined && typeof chosen !== 'string' && (slot === undefined || chosen.slot === slot)) memory.chosen = true;
      return undefined;
    },
    check: (_cluster, memory) => (memory.chosen ? undefined : slot === undefined ? 'no server has reported a slot chosen' : `no server has reported slot ${slot} chosen`),
  });
}

/** "a command is executed": a goal, reached once some server outputs Executed (for `slot`, when given). */
export function someCommandExecuted(slot?: number): Property<MultiPaxos, { executed: boolean }> {
  return sometimes<MultiPaxos, { executed: boolean }>('a command is executed', {
    memory: () => ({ executed: false }),
    records: ['output:Executed'],
    record(memory, event) {
      const executed = executedOf(event);
      if (executed !== undefined && typeof executed !== 'string' && (slot === undefined || executed.slot === slot)) memory.executed = true;
      return undefined;
    },
    check: (_cluster, memory) => (memory.executed ? undefined : slot === undefined ? 'no server has executed a command' : `no server has executed slot ${slot}`),
  });
}
