// Lab 6's properties, each stated once and used by the randomized runs and by the model
// checker alike. They read only what can be observed from outside the servers: the
// Executed outputs, the messages sent and delivered (epochs, slots,
// operations, ok flags), the servers' durable storage (its keys are part of the protocol:
// `epoch` and `slot:<n>`), crashes and restarts (by incarnation). Never a server's private fields.
//
// Memories hold what a property needs of the past and nothing else, as plain data: under
// search they are part of every state, copied and hashed with it, so the safety properties
// keep no times (a time under search is a step number, which would tell apart states that
// are otherwise equal) and keep node lists sorted; a failure carries its own time. Budgets
// run only in randomized runs and may keep times.
//
// A submission may store, send or output anything: every value is read with guards, and a
// malformed one is either reported with what was expected or left alone.
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
  describeKvOperation,
  nodeName,
  type ClusterLayout,
  type ClusterView,
  type HistoryEvent,
  type KvResult,
  type NodeId,
  type Property,
  type Tagged,
} from 'distlab/testing';
import type { Operation, PaxosLog, SlotRecord } from './src/protocol.ts';

type Event = HistoryEvent<PaxosLog>;
type SendEvent = Extract<Event, { kind: 'send' }>;

const quote = (value: unknown) => JSON.stringify(value) ?? String(value);
const compareStrings = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
/** `n0, n2`: nodes in id order. */
const names = (nodes: Iterable<NodeId>) => [...nodes].sort((left, right) => left - right).map(nodeName).join(', ');
/** One entry per node of the cluster, for memories indexed by node id. */
const perNode = <T>(cluster: ClusterLayout, empty: () => T): T[] => cluster.nodeIds.map(() => empty());
/** Adds `node` to a list kept in id order (so that equal states look equal under search). */
function addSorted(list: NodeId[], node: NodeId): void {
  if (list.includes(node)) return;
  list.push(node);
  list.sort((left, right) => left - right);
}

// Operations, epochs and slots.

/** The smallest majority of `count` servers. */
export function majority(count: number): number {
  return Math.floor(count / 2) + 1;
}

/** `append(x, "a") of n5 (command 2)`, or `a no-op`: a slot's operation as failures show it. */
export function describeOperation(operation: Operation): string {
  if (operation === null) return 'a no-op';
  return `${describeKvOperation(operation.operation)} of ${nodeName(operation.client)} (command ${operation.sequence})`;
}

/** A key that is equal for two operations exactly when they are the same (both no-ops, or the same client, sequence number and operation). */
export function operationKey(operation: Operation): string {
  if (operation === null) return 'no-op';
  const kv = operation.operation;
  return JSON.stringify([operation.client, operation.sequence, kv.kind, kv.key, kv.kind === 'get' ? null : kv.value]);
}

/** The same operation: both no-ops, or the same client, sequence number and operation. */
export function sameOperation(left: Operation, right: Operation): boolean {
  return operationKey(left) === operationKey(right);
}

/** Is `value` an epoch: 0 (no epoch yet) or a positive integer? */
export function isEpoch(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Is `value` a slot number: 1, 2, ...? */
export function isSlot(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/** Is `value` an operation: null (a no-op) or a client's command {client, sequence, operation}? */
export function isOperation(value: unknown): value is Operation {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  const { client, sequence, operation } = value as Record<string, unknown>;
  if (typeof client !== 'number' || typeof sequence !== 'number' || typeof operation !== 'object' || operation === null) return false;
  const { kind, key, value: written } = operation as Record<string, unknown>;
  if (typeof key !== 'string') return false;
  return kind === 'get' || ((kind === 'put' || kind === 'append') && typeof written === 'string');
}

/** Is `value` a slot's record {epoch, operation, finalized}, as `slot:<n>` holds? */
export function isSlotRecord(value: unknown): value is SlotRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { epoch, operation, finalized } = value as Record<string, unknown>;
  return isEpoch(epoch) && isOperation(operation) && typeof finalized === 'boolean';
}

/** The slot of a `slot:<n>` storage key, or undefined for any other key. */
export function slotOfKey(key: string): number | undefined {
  // Only the key a slot's number spells: `slot:05` or `slot:5.0` is another key, not a second name of slot 5.
  const digits = /^slot:(0|[1-9][0-9]{0,15})$/.exec(key)?.[1];
  if (digits === undefined) return undefined;
  const slot = Number(digits);
  return isSlot(slot) ? slot : undefined;
}

/** The epoch `node` holds in its durable storage: 0 when it wrote none, undefined when it wrote something that is not an epoch. */
export function storedEpoch(cluster: ClusterView<PaxosLog>, node: NodeId): number | undefined {
  const value = cluster.storage(node).get('epoch');
  if (value === undefined) return 0;
  return isEpoch(value) ? value : undefined;
}

/** The record `node` holds for `slot` in its durable storage, if it holds a well-formed one. */
export function storedSlot(cluster: ClusterView<PaxosLog>, node: NodeId, slot: number): SlotRecord | undefined {
  const value = cluster.storage(node).get(`slot:${slot}`);
  return isSlotRecord(value) ? value : undefined;
}

/** The highest slot `node` holds a `slot:<n>` key for (0: none): what its OverthrowReply reports as lastUsedSlot. */
export function highestStoredSlot(cluster: ClusterView<PaxosLog>, node: NodeId): number {
  let highest = 0;
  for (const key of cluster.storage(node).keys()) {
    const slot = slotOfKey(key);
    if (slot !== undefined && slot > highest) highest = slot;
  }
  return highest;
}

/** The server that owns `epoch` (epoch % N), or undefined for epoch 0 and non-epochs. */
export function ownerOf(servers: readonly NodeId[], epoch: number): NodeId | undefined {
  if (!isEpoch(epoch) || epoch === 0 || servers.length === 0) return undefined;
  return servers[epoch % servers.length];
}

/** `put(x, "a") of n5 (command 1) in epoch 2, finalized`: a slot's record as failures show it. */
export function describeRecord(record: SlotRecord | undefined): string {
  if (record === undefined) return 'nothing';
  return `${describeOperation(record.operation)} in epoch ${record.epoch}${record.finalized ? ', finalized' : ', not finalized'}`;
}

/** What `node` holds for `slot`, as failures show it: its record, nothing, or the malformed value. */
function describeHeld(cluster: ClusterView<PaxosLog>, node: NodeId, slot: number): string {
  const value = cluster.storage(node).get(`slot:${slot}`);
  if (value === undefined) return 'nothing';
  return isSlotRecord(value) ? describeRecord(value) : `the malformed ${quote(value)}`;
}

/** `n1 sent StoreReply ok for epoch 2, slot 3, to n0 at 40 ms`, `n0 sent Query of epoch 2 to n1 at 12 ms`: a message as failures show it. */
function describeSend(event: SendEvent): string {
  const fields = fieldsOf(event);
  const parts: string[] = [];
  if ('epoch' in fields) parts.push(`epoch ${quote(fields['epoch'])}`);
  if ('slot' in fields) parts.push(`slot ${quote(fields['slot'])}`);
  const ok = 'ok' in fields ? (fields['ok'] === true ? ' ok' : ' not ok') : '';
  // `Store of epoch 2, slot 3, to n1`, but `Overthrow of epoch 2 to n1`.
  const about = parts.length === 0 ? '' : `${ok === '' ? ' of' : ' for'} ${parts.join(', ')}${parts.length > 1 ? ',' : ''}`;
  return `${nodeName(event.from)} sent ${String(fields['type'])}${ok}${about} to ${nodeName(event.to)} at ${event.timeMs} ms`;
}

/** `n1 sent Store {...} to n0 at 40 ms: <why>`: a message whose fields cannot be read. */
function malformed(event: SendEvent, why: string): string {
  return `${nodeName(event.from)} sent ${String((event.message as Tagged).type)} ${quote(event.message)} to ${nodeName(event.to)} at ${event.timeMs} ms: ${why}`;
}

/** The fields of a message, read with guards. */
const fieldsOf = (event: SendEvent | Extract<Event, { kind: 'deliver' }>) => event.message as unknown as Record<string, unknown>;

// A finalized slot never changes.

/** `it`, `n0, n2` or `it and n2`: the servers that hold `operation` finalized in `slot`, for a failure; `node` is the one that failed. */
function finalizers(cluster: ClusterView<PaxosLog>, slot: number, operation: Operation, node: NodeId, itHad: boolean): string {
  const others = cluster.servers.filter((server) => {
    if (server === node) return false;
    const record = storedSlot(cluster, server, slot);
    return record !== undefined && record.finalized && sameOperation(record.operation, operation);
  });
  if (itHad) return others.length === 0 ? 'it' : `it and ${names(others)}`;
  return others.length === 0 ? 'a server' : names(others);
}

interface FinalizedSlots {
  /** Per slot: the operation finalized there (who finalized it is read from storage for a failure, so that equal states look equal). */
  readonly first: Map<number, Operation>;
  /** Per node: the slots it has written as finalized (in any incarnation). */
  readonly held: Set<number>[];
}

/**
 * "a finalized slot never changes": once a server wrote slot s finalized with operation v, no
 * write (by any server, in any incarnation) finalizes another operation in s, and that server
 * never rewrites s to another operation, to unfinalized, or deletes it. Also reports a
 * `slot:<n>` written with something that is not a slot's record.
 */
export function finalizedSlotsNeverChange(): Property<PaxosLog, FinalizedSlots> {
  return always<PaxosLog, FinalizedSlots>('a finalized slot never changes', {
    memory: (cluster) => ({ first: new Map(), held: perNode(cluster, () => new Set<number>()) }),
    // slot:<n> keys cannot be named by a filter (it matches one key): every write is seen, the others skipped at once.
    records: ['storage'],
    record(memory, event, cluster) {
      if (event.kind !== 'storage') return undefined;
      const slot = slotOfKey(event.key);
      const held = memory.held[event.node];
      if (slot === undefined || held === undefined) return undefined;
      const who = nodeName(event.node);
      const first = memory.first.get(slot);
      const had = held.has(slot) && first !== undefined;
      const rule = 'a finalized slot is immutable: a server keeps its operation there, finalized, for good (a restarted server reads it back from storage)';
      if (!isSlotRecord(event.value)) {
        if (had) {
          const change = event.value === undefined ? `deleted slot:${slot}` : `wrote slot:${slot} = ${quote(event.value)}`;
          return `${who} ${change} at ${event.timeMs} ms, though it had finalized ${describeOperation(first)} there: ${rule}`;
        }
        if (event.value === undefined) return undefined;
        return (
          `${who} wrote slot:${slot} = ${quote(event.value)} at ${event.timeMs} ms: slot:<n> holds the slot's record {epoch, operation, finalized}, ` +
          "where operation is a client's command or null (a no-op)"
        );
      }
      const record = event.value;
      if (had && !record.finalized) {
        return `${who} wrote slot ${slot} as ${describeRecord(record)} at ${event.timeMs} ms, though it had finalized ${describeOperation(first)} there: ${rule}`;
      }
      if (!record.finalized) return undefined;
      if (first === undefined) {
        memory.first.set(slot, record.operation);
        held.add(slot);
        return undefined;
      }
      if (!sameOperation(first, record.operation)) {
        const by = finalizers(cluster, slot, first, event.node, held.has(slot));
        return (
          `${who} finalized slot ${slot} with ${describeOperation(record.operation)} (epoch ${record.epoch}) at ${event.timeMs} ms, but ${by} had finalized ` +
          `${describeOperation(first)} there: a finalized slot never changes, and every server that finalizes a slot finalizes the same operation`
        );
      }
      held.add(slot);
      return undefined;
    },
  });
}

// Finalized only after a majority stored it.

/** An operation written to one slot in one epoch, and the servers that wrote it. */
interface Tally {
  readonly epoch: number;
  readonly operation: Operation;
  readonly writers: NodeId[];
}

/** `epoch 1 by n0; epoch 3 by n1, n2`: where `operation` was stored in a slot so far. */
function describeTallies(tallies: readonly Tally[], operation: Operation): string {
  const matching = tallies.filter((tally) => sameOperation(tally.operation, operation));
  if (matching.length === 0) return 'no server stored it there';
  return `stored in ${matching.map((tally) => `epoch ${tally.epoch} by ${names(tally.writers)}`).join('; ')}`;
}

/**
 * "finalized only after a majority stored it": when a server writes slot s finalized with
 * operation v, some epoch e has a majority of servers that wrote slot s = {e, v, ...} at or
 * before that moment (a record rewritten since still counts; the finalizing write counts).
 */
export function finalizedAfterMajorityStored(servers: readonly NodeId[]): Property<PaxosLog, Map<number, Tally[]>> {
  const needed = majority(servers.length);
  return always<PaxosLog, Map<number, Tally[]>>('finalized only after a majority stored it', {
    memory: () => new Map(),
    records: ['storage'],
    record(tallies, event) {
      const written = tallyWrite(tallies, servers, event);
      if (written === undefined || !written.record.finalized) return undefined;
      const { node, slot, record, slotTallies } = written;
      if (slotTallies.some((candidate) => candidate.writers.length >= needed && sameOperation(candidate.operation, record.operation))) return undefined;
      return (
        `${nodeName(node)} finalized slot ${slot} with ${describeOperation(record.operation)} at ${event.timeMs} ms, but no majority ` +
        `(${needed} of ${servers.length}) of servers had stored it there in one epoch: ${describeTallies(slotTallies, record.operation)}. ` +
        'An operation is finalized only once a majority of servers stored it in the same epoch (the leader counts the StoreReplies ok for its own epoch, itself included)'
      );
    },
  });
}

/**
 * Counts a server's write of a slot's record: the writer joins the tally of its epoch and
 * operation (a record rewritten since still counts). Returns the slot's tallies, or undefined
 * for a write that is not a server's slot record.
 */
function tallyWrite(
  tallies: Map<number, Tally[]>,
  servers: readonly NodeId[],
  event: Event,
): { readonly node: NodeId; readonly slot: number; readonly record: SlotRecord; readonly slotTallies: readonly Tally[] } | undefined {
  if (event.kind !== 'storage' || !servers.includes(event.node)) return undefined;
  const slot = slotOfKey(event.key);
  if (slot === undefined || !isSlotRecord(event.value)) return undefined;
  const record = event.value;
  let slotTallies = tallies.get(slot);
  if (slotTallies === undefined) tallies.set(slot, (slotTallies = []));
  let tally = slotTallies.find((candidate) => candidate.epoch === record.epoch && sameOperation(candidate.operation, record.operation));
  if (tally === undefined) {
    tally = { epoch: record.epoch, operation: record.operation, writers: [] };
    slotTallies.push(tally);
    // Kept in one order whatever the order of the writes, so that a search sees equal states as equal.
    slotTallies.sort((left, right) => left.epoch - right.epoch || compareStrings(operationKey(left.operation), operationKey(right.operation)));
  }
  addSorted(tally.writers, event.node);
  return { node: event.node, slot, record, slotTallies };
}

// An operation stored by a majority is kept.

/**
 * "an operation stored by a majority is kept", the invariant the recovery walk serves (the
 * handout's "The invariant"): once a majority of servers stored operation v in slot s in one
 * epoch e, no server stores anything but v in s in an epoch above e. It is checked on storage
 * writes, in whichever order they come: a write in an epoch above e, or the write that
 * completes e's majority while another operation was already stored in a higher epoch. It
 * catches a walk that keeps the wrong answer as soon as the leader stores it, finalized or not.
 */
export function majorityStoredOperationKept(servers: readonly NodeId[]): Property<PaxosLog, Map<number, Tally[]>> {
  const needed = majority(servers.length);
  return always<PaxosLog, Map<number, Tally[]>>('an operation stored by a majority is kept', {
    memory: () => new Map(),
    records: ['storage'],
    record(tallies, event) {
      const written = tallyWrite(tallies, servers, event);
      if (written === undefined) return undefined;
      const { node, slot, slotTallies } = written;
      for (const kept of slotTallies) {
        if (kept.writers.length < needed) continue;
        const other = slotTallies.find((tally) => tally.epoch > kept.epoch && !sameOperation(tally.operation, kept.operation));
        if (other === undefined) continue;
        return (
          `${nodeName(node)} wrote slot ${slot} at ${event.timeMs} ms: ${describeOperation(kept.operation)} was stored there in epoch ${kept.epoch} ` +
          `by ${names(kept.writers)}, a majority (${needed} of ${servers.length}), yet ${describeOperation(other.operation)} was stored there in the ` +
          `higher epoch ${other.epoch} by ${names(other.writers)}. Once a majority stored an operation in a slot, every later leader stores that ` +
          'operation there: its walk reads the slot from a majority of the servers that granted it, and keeps the operation stored in the highest epoch'
        );
      }
      return undefined;
    },
  });
}

// Epochs never decrease.

interface EpochRecord {
  readonly epoch: number;
  /** The incarnation that wrote it: another one now means a restart since. */
  readonly incarnation: number;
}

/**
 * "epochs never decrease": a server's stored epoch is an epoch, and never decreases nor is
 * deleted, across restarts too; and the epoch a server reports as its own (currentEpoch in a
 * QueryReply, or in a StoreReply or OverthrowReply that rejects) is never below its stored
 * epoch: a server that forgot its epoch (a restart that does not read it back) says so there first.
 */
export function epochsNeverDecrease(): Property<PaxosLog, (EpochRecord | null)[]> {
  return always<PaxosLog, (EpochRecord | null)[]>('epochs never decrease', {
    memory: (cluster) => perNode(cluster, () => null),
    records: ['storage:epoch', 'send:QueryReply', 'send:StoreReply', 'send:OverthrowReply'],
    record(epochs, event) {
      const node = event.kind === 'storage' ? event.node : event.kind === 'send' ? event.from : undefined;
      if (node === undefined || !(node in epochs)) return undefined;
      const who = nodeName(node);
      const before = epochs[node] ?? null;
      const restarted = before !== null && 'incarnation' in event && before.incarnation !== event.incarnation;
      const note = restarted ? ', though it restarted in between: a restarted server reads its epoch back from storage and keeps to it' : '';
      if (event.kind === 'send') {
        const currentEpoch = fieldsOf(event)['currentEpoch'];
        if (before === null || !isEpoch(currentEpoch) || currentEpoch >= before.epoch) return undefined;
        return (
          `${who} sent ${event.message.type} with currentEpoch ${currentEpoch} to ${nodeName(event.to)} at ${event.timeMs} ms while its stored epoch is ${before.epoch}${note}: ` +
          "a server's epoch never decreases: it reports, and keeps to, the highest epoch it stored"
        );
      }
      if (event.kind !== 'storage' || event.key !== 'epoch') return undefined;
      if (!isEpoch(event.value)) {
        if (event.value === undefined) {
          return `${who} deleted its epoch at ${event.timeMs} ms${before === null ? '' : ` (it was ${before.epoch})`}: a server's epoch is kept for good, so that it never accepts an older epoch's store again`;
        }
        return `${who} wrote epoch = ${quote(event.value)} at ${event.timeMs} ms: a server's epoch is a whole number, 0 before any overthrow, then the highest epoch it accepted`;
      }
      if (before !== null && event.value < before.epoch) {
        return (
          `${who} wrote epoch ${event.value} at ${event.timeMs} ms over its stored epoch ${before.epoch}${note}: a server's epoch never decreases, ` +
          'or it would accept the stores of a leader a majority has overthrown'
        );
      }
      epochs[node] = { epoch: event.value, incarnation: event.incarnation };
      return undefined;
    },
  });
}

// Replies follow storage.

/**
 * "replies follow storage": a server writes what a reply reports before it sends it.
 * - OverthrowReply ok for epoch e: its stored epoch is e, and lastUsedSlot is at least the
 *   highest slot it holds a record for (a lower one would hide a slot from the new leader's reads).
 * - StoreReply ok for (e, s): its stored epoch is e (it wrote it, and it had accepted no higher
 *   one), and slot s holds a record stored in e, or a finalized one. A server that holds s
 *   finalized may leave its epoch below e; never above (it rejects an overthrown leader's store
 *   even for a finalized slot, or that leader could count it towards another operation).
 * - FinalizeReply ok for slot s: slot s is stored finalized.
 * - ReadReply for slot s: the epoch and operation of its record of s (0 and null when it holds
 *   none), finalized only if the record is.
 */
export function repliesFollowStorage(): Property<PaxosLog, null> {
  return always<PaxosLog, null>('replies follow storage', {
    memory: () => null,
    records: ['send:OverthrowReply', 'send:StoreReply', 'send:FinalizeReply', 'send:ReadReply'],
    record(_memory, event, cluster) {
      if (event.kind !== 'send') return undefined;
      const fields = fieldsOf(event);
      const type = fields['type'];
      const server = event.from;
      const stored = storedEpoch(cluster, server);
      const holds = stored === undefined ? `the malformed ${quote(cluster.storage(server).get('epoch'))}` : String(stored);
      if (type === 'ReadReply') {
        const { slot, epoch, operation, finalized } = fields;
        if (!isSlot(slot) || !isEpoch(epoch) || !isOperation(operation) || typeof finalized !== 'boolean') {
          return malformed(event, 'a ReadReply names the slot read and the record held there: {slot, epoch, operation, finalized} (0, null and false when none)');
        }
        const record = storedSlot(cluster, server, slot) ?? { epoch: 0, operation: null, finalized: false };
        if (record.epoch === epoch && sameOperation(record.operation, operation) && (!finalized || record.finalized)) return undefined;
        return (
          `${nodeName(server)} sent ReadReply for slot ${slot} (${describeRecord({ epoch, operation, finalized })}) to ${nodeName(event.to)} at ${event.timeMs} ms, ` +
          `but its storage holds ${describeHeld(cluster, server, slot)} there: a ReadReply reports the record the server holds in storage, so that a new leader learns what earlier epochs stored`
        );
      }
      if (fields['ok'] !== true) return undefined;
      const epoch = fields['epoch'];
      if (type === 'OverthrowReply') {
        const lastUsedSlot = fields['lastUsedSlot'];
        if (!isEpoch(epoch) || !isEpoch(lastUsedSlot)) {
          return malformed(event, 'an OverthrowReply ok names the epoch granted and lastUsedSlot, the highest slot the server holds a record for (0: none)');
        }
        if (stored !== epoch) {
          return (
            `${describeSend(event)} while its stored epoch is ${holds}: a server that grants an overthrow writes the new epoch to storage first, ` +
            'and grants only an epoch at least its own'
          );
        }
        const highest = highestStoredSlot(cluster, server);
        if (lastUsedSlot >= highest) return undefined;
        return (
          `${describeSend(event)} with lastUsedSlot ${lastUsedSlot}, but it holds a record for slot ${highest}: lastUsedSlot is the highest slot a server holds ` +
          'anything in, so that the new leader reads every slot an earlier leader may have finalized'
        );
      }
      const slot = fields['slot'];
      if (type === 'StoreReply') {
        if (!isEpoch(epoch) || !isSlot(slot)) return malformed(event, 'a StoreReply names the epoch and the slot of the store it answers');
        const record = storedSlot(cluster, server, slot);
        // A slot finalized here needs no new epoch: what it holds was chosen in an epoch at most the stored one, below e.
        const finalizedHere = record !== undefined && record.finalized && stored !== undefined && stored < epoch;
        if (stored !== epoch && !finalizedHere) {
          const why =
            stored !== undefined && stored > epoch
              ? 'a server rejects (ok: false, with its currentEpoch) a store of an epoch below its own'
              : 'a server writes the epoch of a store it accepts to storage before it answers';
          return `${describeSend(event)} while its stored epoch is ${holds}: ${why}`;
        }
        if (record !== undefined && (record.finalized || record.epoch === epoch)) return undefined;
        return (
          `${describeSend(event)}, but its storage holds ${describeHeld(cluster, server, slot)} for slot ${slot}: a server writes the operation it is asked to store ` +
          '(in the store\'s epoch) before it answers ok, unless it had finalized the slot'
        );
      }
      if (type === 'FinalizeReply') {
        if (!isSlot(slot)) return malformed(event, 'a FinalizeReply names the epoch and the slot of the Finalize it answers');
        const record = storedSlot(cluster, server, slot);
        if (record !== undefined && record.finalized) return undefined;
        return (
          `${describeSend(event)}, but its storage holds ${describeHeld(cluster, server, slot)} for slot ${slot}: a server writes finalized: true before it answers ok, ` +
          'and answers ok: false (missing) when it holds no operation stored in the Finalize\'s epoch'
        );
      }
      return undefined;
    },
  });
}

// Epochs are owned.

/** Per epoch: the servers that granted its overthrow (its owner included, once it wrote the epoch itself). */
type Grants = Map<number, NodeId[]>;

/** Adds a grant of `epoch` by `node`. */
function grant(grants: Grants, epoch: number, node: NodeId): NodeId[] {
  let granted = grants.get(epoch);
  if (granted === undefined) grants.set(epoch, (granted = []));
  addSorted(granted, node);
  return granted;
}

/** Records the grants an event shows: an OverthrowReply ok sent, or an owner writing its own epoch (it counts itself). Returns the epoch and its grants, if any. */
function recordGrant(grants: Grants, servers: readonly NodeId[], event: Event): { readonly epoch: number; readonly granted: NodeId[] } | undefined {
  if (event.kind === 'storage') {
    if (event.key !== 'epoch' || !isEpoch(event.value) || ownerOf(servers, event.value) !== event.node) return undefined;
    return { epoch: event.value, granted: grant(grants, event.value, event.node) };
  }
  if (event.kind !== 'send' || event.message.type !== 'OverthrowReply' || !servers.includes(event.from)) return undefined;
  const { ok, epoch } = fieldsOf(event);
  if (ok !== true || !isEpoch(epoch) || epoch === 0) return undefined;
  return { epoch, granted: grant(grants, epoch, event.from) };
}

/**
 * A BecameLeader { epoch: e } output by a server other than e's owner, or before a majority
 * granted e (the owner counts itself once it wrote e), as a failure; undefined when it is fine.
 */
function becameLeaderWithoutMajority(grants: Grants, servers: readonly NodeId[], event: Extract<Event, { kind: 'output' }>): string | undefined {
  if ((event.output as Tagged).type !== 'BecameLeader' || !servers.includes(event.node)) return undefined;
  const epoch = (event.output as unknown as Record<string, unknown>)['epoch'];
  const who = nodeName(event.node);
  if (!isEpoch(epoch) || epoch === 0) {
    return `${who} output BecameLeader ${quote(event.output)} at ${event.timeMs} ms: BecameLeader names the epoch the server leads, a positive whole number`;
  }
  const owner = ownerOf(servers, epoch) as NodeId;
  if (owner !== event.node) {
    return (
      `${who} output BecameLeader for epoch ${epoch} at ${event.timeMs} ms, but epoch ${epoch} is ${nodeName(owner)}'s (${epoch} % ${servers.length} = ` +
      `${epoch % servers.length}): a server leads only an epoch it owns`
    );
  }
  const needed = majority(servers.length);
  const granted = grants.get(epoch) ?? [];
  if (granted.length >= needed) return undefined;
  return (
    `${who} output BecameLeader for epoch ${epoch} at ${event.timeMs} ms, before a majority (${needed} of ${servers.length}) granted its overthrow ` +
    `(${granted.length === 0 ? 'granted by nobody' : `granted by ${names(granted)} only`}): a server leads once a majority, itself included ` +
    '(once it wrote the epoch to its storage), answered its Overthrow with OverthrowReply ok'
  );
}

/**
 * A `slot:<n>` record of epoch e written while no majority had granted e (epoch 0 included), as
 * a failure; undefined when it is fine. Every record is stored in the epoch of the leader that
 * stored it, which led that epoch only once a majority granted it.
 */
function recordOfUngrantedEpoch(grants: Grants, servers: readonly NodeId[], event: Extract<Event, { kind: 'storage' }>): string | undefined {
  const slot = slotOfKey(event.key);
  if (slot === undefined || !servers.includes(event.node) || !isSlotRecord(event.value)) return undefined;
  const record = event.value;
  const needed = majority(servers.length);
  const granted = grants.get(record.epoch) ?? [];
  if (granted.length >= needed) return undefined;
  const what = `${nodeName(event.node)} wrote slot ${slot} as ${describeRecord(record)} at ${event.timeMs} ms`;
  const rule =
    'a slot holds what the leader of an epoch stored there, in that epoch, and a server leads an epoch only once a majority (itself included) ' +
    'granted its Overthrow: no record is written in an epoch nobody leads';
  if (record.epoch === 0) return `${what}, but epoch 0 is nobody's: ${rule}`;
  return `${what}, but no majority (${needed} of ${servers.length}) granted the overthrow of epoch ${record.epoch} (${granted.length === 0 ? 'granted by nobody' : `granted by ${names(granted)} only`}): ${rule}`;
}

/**
 * "epochs are owned": an Overthrow, Store, Read or Query of epoch e is sent only by e's owner
 * (the server at position e % N), and a Store or Read of epoch e only once a majority granted e
 * (an OverthrowReply ok for e; the owner counts itself once it wrote e): a leader reads and
 * stores only once it leads, and reads only from servers that granted e. A Finalize of epoch e for
 * slot s is sent only by a server that holds s stored in e (finalized or not: a leader may send
 * its Finalizes before it writes its own copy finalized), or finalized in another epoch when e is
 * its own and a majority granted it (a catch-up names the epoch of the sender's record, or its
 * own epoch). A server outputs BecameLeader for
 * e only when it owns e and a majority granted it, and writes a slot's record of epoch e only
 * once a majority granted e. A candidate's Overthrow of e is sent only once its stored epoch is at
 * least e: it writes its new epoch first.
 */
export function epochsAreOwned(servers: readonly NodeId[]): Property<PaxosLog, Grants> {
  const needed = majority(servers.length);
  const count = servers.length;
  return always<PaxosLog, Grants>('epochs are owned', {
    memory: () => new Map(),
    // Every storage write: slot:<n> keys cannot be named by a filter.
    records: ['storage', 'send:OverthrowReply', 'send:Overthrow', 'send:Store', 'send:Finalize', 'send:Read', 'send:Query', 'output:BecameLeader'],
    record(grants, event, cluster) {
      if (event.kind === 'output') return becameLeaderWithoutMajority(grants, servers, event);
      if (event.kind === 'storage' && event.key !== 'epoch') return recordOfUngrantedEpoch(grants, servers, event);
      if (recordGrant(grants, servers, event) !== undefined || event.kind !== 'send') return undefined;
      // Epochs are the servers' own: a search's earlier leaders, played by a client, are not bound by them.
      if (!servers.includes(event.from)) return undefined;
      const fields = fieldsOf(event);
      const type = fields['type'];
      if (type !== 'Overthrow' && type !== 'Store' && type !== 'Finalize' && type !== 'Read' && type !== 'Query') return undefined;
      const epoch = fields['epoch'];
      const slot = fields['slot'];
      if (!isEpoch(epoch) || epoch === 0) return malformed(event, `${type === 'Overthrow' ? 'an' : 'a'} ${type} names an epoch, a positive whole number`);
      if ((type === 'Store' || type === 'Finalize' || type === 'Read') && !isSlot(slot)) return malformed(event, `a ${type} names a slot, 1, 2, ...`);
      const owner = ownerOf(servers, epoch) as NodeId;
      const sender = event.from;
      const granted = grants.get(epoch) ?? [];
      const grantedBy = granted.length === 0 ? 'granted by nobody' : `granted by ${names(granted)} only`;
      if (type === 'Finalize') {
        const record = storedSlot(cluster, sender, slot as number);
        // Stored in e, finalized or not: the leader may tell the others before it writes its own copy finalized.
        if (record !== undefined && record.epoch === epoch) return undefined;
        if (record === undefined || !record.finalized) {
          return (
            `${describeSend(event)}, but its storage holds ${describeHeld(cluster, sender, slot as number)} for slot ${String(slot)}: ` +
            `a Finalize of epoch ${epoch} tells that a majority stored the slot's operation in epoch ${epoch}: it is sent by a server that stored it in ` +
            `epoch ${epoch}, or that holds it finalized (a catch-up)`
          );
        }
        if (owner === sender && granted.length >= needed) return undefined;
        return (
          `${describeSend(event)}, but its record of slot ${String(slot)} was stored in epoch ${record.epoch}, and epoch ${epoch} is ` +
          `${owner === sender ? `its own but not granted by a majority (${grantedBy})` : `${nodeName(owner)}'s (${epoch} % ${count} = ${epoch % count})`}: ` +
          'a Finalize names the epoch its operation was stored in: the sender\'s record\'s, or its own epoch once it stored the operation there'
        );
      }
      if (owner !== sender) {
        return (
          `${describeSend(event)}, but epoch ${epoch} is ${nodeName(owner)}'s (${epoch} % ${count} = ${epoch % count}): a server uses only the epochs it owns, ` +
          'so no two servers ever lead the same epoch'
        );
      }
      if (type === 'Overthrow') {
        const stored = storedEpoch(cluster, sender);
        if (stored !== undefined && stored >= epoch) return undefined;
        return (
          `${describeSend(event)} while its stored epoch is ${stored === undefined ? `the malformed ${quote(cluster.storage(sender).get('epoch'))}` : stored}: a candidate writes its new epoch ` +
          'to storage before it sends its Overthrow, so that after a restart its next epoch is above every epoch it used, and no epoch is led twice'
        );
      }
      if (type !== 'Store' && type !== 'Read') return undefined;
      if (granted.length < needed) {
        return (
          `${describeSend(event)} before a majority (${needed} of ${count}) granted its overthrow of epoch ${epoch} (${grantedBy}): ` +
          `a server leads an epoch, and ${type === 'Store' ? 'stores' : 'reads'} in it, only once a majority (itself included) accepted its Overthrow`
        );
      }
      // A server that has not granted e may answer "nothing" and accept an older epoch's store a moment later.
      if (type === 'Store' || granted.includes(event.to)) return undefined;
      return (
        `${describeSend(event)}, but ${nodeName(event.to)} has not granted the overthrow of epoch ${epoch} (granted by ${names(granted)}): ` +
        'a new leader reads only from the servers that granted its overthrow, which accept no store of an older epoch any more'
      );
    },
  });
}

// A slot is written only from a Store.

/** What the Store or Finalize a server is handling lets it write in one slot. */
interface Brought {
  readonly node: NodeId;
  readonly slot: number;
  /** `epoch|operationKey()` of each record it may write there: the Store's, and the one it held before. */
  readonly records: string[];
}

interface Deliveries {
  /**
   * What the Store or Finalize being handled lets its receiver write: null once the reply to it
   * is sent. A server writes before it replies, so between two reactions this is null again,
   * and equal states stay equal.
   */
  brought: Brought | null;
  /** Per epoch: the servers that granted its overthrow (its owner included, once it wrote the epoch itself). */
  readonly grants: Grants;
}

const recordKey = (epoch: number, operation: Operation) => `${epoch}|${operationKey(operation)}`;

/**
 * "a slot is written only from a Store": a server writes a record of epoch e into slot s only
 * - when it owns e (the leader of e stores, and finalizes, in its own epoch), or
 * - while it handles a Store { e, s, v } (the record holds v), or a Store or Finalize of slot s
 *   that finds the record it writes (same epoch, same operation) already there, or
 * - when it leads: it owns its stored epoch, a majority granted it, and e is below it (a new
 *   leader may keep what its Reads of s returned).
 * So a follower holds another server's operation only through that server's Store: a store
 * round that is skipped, or faked with another message, fails here.
 */
export function slotsWrittenFromStores(servers: readonly NodeId[]): Property<PaxosLog, Deliveries> {
  const needed = majority(servers.length);
  return always<PaxosLog, Deliveries>('a slot is written only from a Store', {
    memory: () => ({ brought: null, grants: new Map() }),
    // Every storage write: slot:<n> keys cannot be named by a filter.
    records: ['storage', 'send:OverthrowReply', 'deliver:Store', 'deliver:Finalize', 'send:StoreReply', 'send:FinalizeReply'],
    record(memory, event, cluster) {
      if (event.kind === 'deliver') {
        memory.brought = null;
        const { epoch, slot, operation } = fieldsOf(event);
        if (!servers.includes(event.to) || !isSlot(slot)) return undefined;
        const records: string[] = [];
        if (event.message.type === 'Store' && isEpoch(epoch) && isOperation(operation)) records.push(recordKey(epoch, operation));
        // Read before the server reacts: rewriting what it holds brings nothing new.
        const held = storedSlot(cluster, event.to, slot);
        if (held !== undefined) records.push(recordKey(held.epoch, held.operation));
        if (records.length > 0) memory.brought = { node: event.to, slot, records };
        return undefined;
      }
      if (event.kind === 'send' && (event.message.type === 'StoreReply' || event.message.type === 'FinalizeReply')) {
        if (memory.brought?.node === event.from) memory.brought = null;
        return undefined;
      }
      if (recordGrant(memory.grants, servers, event) !== undefined || event.kind !== 'storage') return undefined;
      const slot = slotOfKey(event.key);
      const node = event.node;
      if (slot === undefined || !servers.includes(node) || !isSlotRecord(event.value)) return undefined;
      const record = event.value;
      // Epoch 0's records are nobody's, and "epochs are owned" reports them.
      const owner = ownerOf(servers, record.epoch);
      if (owner === undefined || owner === node) return undefined;
      const brought = memory.brought;
      if (brought !== null && brought.node === node && brought.slot === slot && brought.records.includes(recordKey(record.epoch, record.operation))) return undefined;
      const epoch = storedEpoch(cluster, node);
      if (epoch !== undefined && ownerOf(servers, epoch) === node && record.epoch < epoch && (memory.grants.get(epoch) ?? []).length >= needed) return undefined;
      return (
        `${nodeName(node)} wrote slot ${slot} as ${describeRecord(record)} at ${event.timeMs} ms, but epoch ${record.epoch} is ${nodeName(owner)}'s and ` +
        `${nodeName(node)} was handling no Store of it for slot ${slot} with that operation: a server holds another server's operation only once ` +
        "that epoch's Store { epoch, slot, operation } reached it (it writes it before its StoreReply), and a Finalize only flags the record it held"
      );
    },
  });
}

// An overthrow stops the old leader.

interface Overthrows {
  /** Per epoch at or above `overthrownBelow`: the servers that granted its overthrow so far. */
  readonly grants: Grants;
  /** The highest epoch a majority granted (0: none): every epoch below it is overthrown. */
  overthrownBelow: number;
  /**
   * Per `epoch:slot` of an overthrown epoch: the servers that answered a store there with ok
   * since, and `since`, the highest epoch a majority had granted at the first of them. Only
   * what the rule needs: who granted, and in which order, is read from storage for a failure,
   * so that histories that end in the same state leave the same memory.
   */
  readonly late: Map<string, { readonly since: number; readonly writers: NodeId[] }>;
}

/**
 * "an overthrow stops the old leader": once a majority granted the overthrow of epoch e, no
 * store of an epoch below e succeeds (a StoreReply ok sent) on a majority of servers after
 * that moment: every majority holds a server that accepted e, and it rejects the store.
 */
export function overthrowStopsOldLeader(servers: readonly NodeId[]): Property<PaxosLog, Overthrows> {
  const needed = majority(servers.length);
  return always<PaxosLog, Overthrows>('an overthrow stops the old leader', {
    memory: () => ({ grants: new Map(), overthrownBelow: 0, late: new Map() }),
    records: ['storage:epoch', 'send:OverthrowReply', 'send:StoreReply'],
    record(memory, event, cluster) {
      const granted = recordGrant(memory.grants, servers, event);
      if (granted !== undefined) {
        if (granted.epoch < memory.overthrownBelow) memory.grants.delete(granted.epoch);
        else if (granted.epoch > memory.overthrownBelow && granted.granted.length >= needed) {
          memory.overthrownBelow = granted.epoch;
          // Epochs below the new one need no grants any more: they are overthrown.
          for (const epoch of [...memory.grants.keys()]) if (epoch < granted.epoch) memory.grants.delete(epoch);
        }
        return undefined;
      }
      if (event.kind !== 'send' || event.message.type !== 'StoreReply' || !servers.includes(event.from)) return undefined;
      const { ok, epoch, slot } = fieldsOf(event);
      if (ok !== true || !isEpoch(epoch) || !isSlot(slot) || epoch >= memory.overthrownBelow) return undefined;
      const key = `${epoch}:${slot}`;
      let late = memory.late.get(key);
      if (late === undefined) memory.late.set(key, (late = { since: memory.overthrownBelow, writers: [] }));
      addSorted(late.writers, event.from);
      if (late.writers.length < needed) return undefined;
      const since = late.since;
      const holders = servers.filter((server) => (storedEpoch(cluster, server) ?? 0) >= since);
      return (
        `${describeSend(event)}, so ${names(late.writers)}, a majority, accepted epoch ${epoch}'s store for slot ${slot} after a majority had granted ` +
        `the overthrow of epoch ${since} (${holders.length === 0 ? 'none holds it now' : `${names(holders)} now ${holders.length === 1 ? 'holds' : 'hold'} epoch ${since} or above`}): ` +
        "once a majority accepted a higher epoch, every majority includes a server that rejects the old epoch's stores, so the old leader can finalize nothing more"
      );
    },
  });
}

// A rejected leader steps down.

/**
 * "a rejected leader steps down": once an answer rejecting a server's epoch e reaches it (a
 * StoreReply or OverthrowReply with ok: false, or a QueryReply whose currentEpoch is above the
 * epoch it answers), it sends no Store or Query of epoch e, or of any lower epoch, again (in
 * any incarnation): it has been overthrown, becomes passive, and may lead again only after a
 * new overthrow, in a higher epoch.
 */
export function rejectedLeaderStepsDown(): Property<PaxosLog, number[]> {
  return always<PaxosLog, number[]>('a rejected leader steps down', {
    /** Per node: the highest of its epochs that an answer rejected (0: none). */
    memory: (cluster) => perNode(cluster, () => 0),
    records: ['deliver:StoreReply', 'deliver:OverthrowReply', 'deliver:QueryReply', 'send:Store', 'send:Query'],
    record(rejected, event) {
      if (event.kind === 'deliver') {
        const { ok, epoch, currentEpoch } = fieldsOf(event);
        const rejection = event.message.type === 'QueryReply' ? isEpoch(currentEpoch) && isEpoch(epoch) && currentEpoch > epoch : ok === false;
        if (!rejection || !isEpoch(epoch) || !(event.to in rejected)) return undefined;
        rejected[event.to] = Math.max(rejected[event.to] ?? 0, epoch);
        return undefined;
      }
      if (event.kind !== 'send') return undefined;
      const { epoch } = fieldsOf(event);
      const highest = rejected[event.from] ?? 0;
      if (!isEpoch(epoch) || highest === 0 || epoch > highest) return undefined;
      const which = epoch === highest ? 'its epoch' : `its epoch ${highest}`;
      return (
        `${describeSend(event)}, after an answer rejecting ${which} had reached it: a leader whose Store, Query or Overthrow is answered with a higher epoch has been ` +
        'overthrown and becomes passive; it never stores or queries in that epoch again, and leads again only after a new overthrow, in a higher epoch'
      );
    },
  });
}

// An overthrown server writes the higher epoch (runs only).

/** What a rejection that overthrew a server asks it to have written. */
interface OwedEpoch {
  readonly epoch: number;
  readonly rejectedEpoch: number;
  readonly atMs: number;
  readonly reply: string;
  /** Whether a message has been delivered to the server since: its reaction to the rejection is over. */
  deliveredSince: boolean;
}

/** Per node: the epoch it stands or leads in, the highest epoch a message brought it, and what a rejection asks it to write. */
interface Overthrown {
  /** The epoch of its latest Overthrow, while nothing of a higher epoch reached it (0: none). */
  readonly standing: number[];
  /** The highest epoch any message delivered to it carried, in this incarnation. */
  readonly heard: number[];
  readonly owed: (OwedEpoch | null)[];
}

/**
 * Runs only: "an overthrown server writes the higher epoch". The handout: a StoreReply,
 * OverthrowReply or QueryReply with ok: false or a currentEpoch above the epoch it answers
 * reaches "the one that sent the Store, Overthrow or Query", which "writes the higher epoch,
 * and becomes passive". Judged on the rejection that overthrows a server (one answering the
 * epoch of its latest Overthrow, while no message of a higher epoch had reached it before),
 * when what it stored matters: at its crash (but not a crash in the middle of its reaction to
 * the rejection), when it next sends an Overthrow, and at the end of the run, its stored epoch
 * must be at least the rejection's currentEpoch. Later rejections, which find it passive
 * already, ask for nothing. A server that steps down without writing stands again, after a
 * restart, in an epoch the cluster has left. (One that does not step down at all is caught
 * first by "a rejected leader steps down", at its next Store or Query.)
 */
export function overthrownServerWritesEpoch(): Property<PaxosLog, Overthrown> {
  const unwritten = (owed: OwedEpoch, node: NodeId, stored: number | undefined, when: string) =>
    `${nodeName(node)} was overthrown at ${owed.atMs} ms, by ${owed.reply} rejecting its epoch ${owed.rejectedEpoch} with currentEpoch ${owed.epoch}, and ${when} its ` +
    `stored epoch is still ${stored === undefined ? 'malformed' : stored}: the server a rejection reaches writes the higher epoch, and becomes passive`;
  const judge = (owed: (OwedEpoch | null)[], node: NodeId, cluster: ClusterView<PaxosLog>, when: string): string | undefined => {
    const due = owed[node] ?? null;
    if (due === null) return undefined;
    owed[node] = null;
    const stored = storedEpoch(cluster, node);
    return stored === undefined || stored < due.epoch ? unwritten(due, node, stored, when) : undefined;
  };
  return always<PaxosLog, Overthrown>(
    'an overthrown server writes the higher epoch',
    {
      memory: (cluster) => ({ standing: perNode(cluster, () => 0), heard: perNode(cluster, () => 0), owed: perNode(cluster, () => null) }),
      records: ['send:Overthrow', 'deliver', 'crash'],
      record({ standing, heard, owed }, event, cluster) {
        if (event.kind === 'crash') {
          if (!(event.node in standing)) return undefined;
          standing[event.node] = 0;
          heard[event.node] = 0;
          const due = owed[event.node] ?? null;
          // A crash in the middle of the reaction to the rejection may come before the write.
          if (due !== null && event.midReaction && !due.deliveredSince) owed[event.node] = null;
          return judge(owed, event.node, cluster, `when it crashed at ${event.timeMs} ms`);
        }
        if (event.kind === 'send') {
          if (!(event.from in standing)) return undefined;
          const problem = judge(owed, event.from, cluster, `when it sent an Overthrow at ${event.timeMs} ms`);
          if (problem !== undefined) return problem;
          const { epoch } = fieldsOf(event);
          if (isEpoch(epoch) && epoch >= (heard[event.from] ?? 0)) standing[event.from] = epoch;
          return undefined;
        }
        if (event.kind !== 'deliver' || !(event.to in standing)) return undefined;
        const node = event.to;
        const due = owed[node] ?? null;
        if (due !== null) due.deliveredSince = true;
        const { ok, epoch, currentEpoch } = fieldsOf(event);
        const type = event.message.type;
        const rejection =
          (type === 'QueryReply' || type === 'StoreReply' || type === 'OverthrowReply') &&
          isEpoch(epoch) &&
          isEpoch(currentEpoch) &&
          currentEpoch > epoch &&
          (type === 'QueryReply' || ok === false);
        const stands = standing[node] ?? 0;
        if (rejection && stands !== 0 && epoch === stands && (heard[node] ?? 0) <= stands) {
          owed[node] = { epoch: currentEpoch, rejectedEpoch: epoch, atMs: event.timeMs, reply: `${nodeName(event.from)}'s ${type}`, deliveredSince: false };
          standing[node] = 0;
        }
        const carried = Math.max(isEpoch(epoch) ? epoch : 0, isEpoch(currentEpoch) ? currentEpoch : 0);
        if (carried > (heard[node] ?? 0)) heard[node] = carried;
        if (stands !== 0 && carried > stands) standing[node] = 0;
        return undefined;
      },
      check(cluster, { owed }) {
        for (const [node, due] of owed.entries()) {
          if (due === null) continue;
          const stored = storedEpoch(cluster, node);
          if (stored === undefined || stored < due.epoch) return unwritten(due, node, stored, 'at the end of the run');
        }
        return undefined;
      },
    },
    { atEnd: true },
  );
}

// Execution follows the finalized log.

/** An Executed output, read with guards. */
interface ExecutedOutput {
  readonly slot: number;
  readonly client: NodeId;
  readonly sequence: number;
  readonly result: KvResult;
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

/** A server's execution in its current incarnation: the last slot it executed. */
interface ExecutionPosition {
  readonly incarnation: number;
  last: number;
}

/**
 * "execution follows the finalized log": an Executed at slot s names the command the server
 * itself holds finalized in s (so, by "a finalized slot never changes", the command every
 * server finalized there), every slot below s is finalized in its storage too, and within
 * an incarnation it executes in increasing slot order (a restarted server executes its log again).
 */
export function executionFollowsFinalizedLog(): Property<PaxosLog, (ExecutionPosition | null)[]> {
  return always<PaxosLog, (ExecutionPosition | null)[]>('execution follows the finalized log', {
    memory: (cluster) => perNode(cluster, () => null),
    records: ['output:Executed'],
    record(positions, event, cluster) {
      const executed = executedOf(event);
      if (typeof executed === 'string') return executed;
      if (executed === undefined || event.kind !== 'output' || !(event.node in positions)) return undefined;
      const node = event.node;
      const slot = executed.slot;
      const what = `${nodeName(node)} executed slot ${slot} (command ${executed.sequence} of ${nodeName(executed.client)}) at ${event.timeMs} ms`;
      const record = storedSlot(cluster, node, slot);
      if (record === undefined || !record.finalized) {
        return `${what}, but its storage holds ${describeHeld(cluster, node, slot)} there: a server executes only slots it has finalized in its own storage`;
      }
      const operation = record.operation;
      if (operation === null || operation.client !== executed.client || operation.sequence !== executed.sequence) {
        return `${what}, but it finalized ${describeOperation(operation)} there: a server executes the operation finalized in each slot, and reports that slot (never a no-op)`;
      }
      for (let below = 1; below < slot; below++) {
        const earlier = storedSlot(cluster, node, below);
        if (earlier !== undefined && earlier.finalized) continue;
        return (
          `${what}, but slot ${below} is not finalized in its storage (it holds ${describeHeld(cluster, node, below)}): a server executes its finalized prefix ` +
          'in slot order, so a slot waits until every slot below it is finalized'
        );
      }
      const position = positions[node] ?? null;
      if (position !== null && position.incarnation === event.incarnation && slot <= position.last) {
        return `${what} after slot ${position.last}, without a restart in between: a server executes its slots in increasing order, each once`;
      }
      positions[node] = { incarnation: event.incarnation, last: slot };
      return undefined;
    },
  });
}

// An operation returns only once finalized.

/** The slot some server holds finalized with command `sequence` of `client`, if any (checked in the current storage: a finalized slot never changes). */
function slotFinalizedWith(cluster: ClusterView<PaxosLog>, servers: readonly NodeId[], client: NodeId, sequence: number): number | undefined {
  for (const server of servers) {
    for (const key of cluster.storage(server).keys()) {
      const slot = slotOfKey(key);
      if (slot === undefined) continue;
      const record = storedSlot(cluster, server, slot);
      if (record !== undefined && record.finalized && record.operation !== null && record.operation.client === client && record.operation.sequence === sequence) return slot;
    }
  }
  return undefined;
}

/**
 * "an operation returns only once finalized": when a client's operation returns, some server
 * holds that command (the client's id and sequence number) finalized in a slot. A server
 * answers only a command it executed, and it executes only its finalized prefix; an answer
 * from the at-most-once table is for a command executed, so finalized, earlier. Read from the
 * storage at that moment, so it needs no memory.
 */
export function returnsOnlyOnceFinalized(servers: readonly NodeId[]): Property<PaxosLog, null> {
  return always<PaxosLog, null>('an operation returns only once finalized', {
    memory: () => null,
    records: ['output:Returned'],
    record(_memory, event, cluster) {
      if (event.kind !== 'output' || servers.includes(event.node)) return undefined;
      const output = event.output as unknown as Record<string, unknown>;
      const sequence = output['sequence'];
      if (output['type'] !== 'Returned' || typeof sequence !== 'number') return undefined;
      if (slotFinalizedWith(cluster, servers, event.node, sequence) !== undefined) return undefined;
      const operation = output['operation'];
      const what = typeof operation === 'object' && operation !== null ? `${describeKvOperation(operation as Parameters<typeof describeKvOperation>[0])} ` : '';
      return (
        `${nodeName(event.node)}'s ${what}(command ${sequence}) returned at ${event.timeMs} ms, but no server holds it finalized in any slot: ` +
        'a server answers a client only once the command was stored by a majority in one epoch, finalized and executed'
      );
    },
  });
}

/** Lab 6's safety properties, checked by every run and every search, in this order. */
export function safetyProperties(servers: readonly NodeId[]): Property<PaxosLog>[] {
  // The protocol's types first: the properties after them then read only values of the declared kinds.
  return [
    speaksTheProtocol<PaxosLog>(paxosLogMessages),
    keepsTheDeclaredState<PaxosLog>(paxosLogState),
    finalizedSlotsNeverChange(),
    finalizedAfterMajorityStored(servers),
    majorityStoredOperationKept(servers),
    epochsNeverDecrease(),
    repliesFollowStorage(),
    epochsAreOwned(servers),
    slotsWrittenFromStores(servers),
    overthrowStopsOldLeader(servers),
    rejectedLeaderStepsDown(),
    executionFollowsFinalizedLog(),
    returnsOnlyOnceFinalized(servers),
  ] as Property<PaxosLog>[];
}

/** The messages src/protocol.ts declares: "messages are as protocol.ts declares". An operation, or null for a no-op. */
const operationShape: DeclaredShape = { ...kvCommandShape, nullable: true };

export const paxosLogMessages: Readonly<Record<string, DeclaredMessage>> = {
  Overthrow: { fields: ['epoch'], route: 'server-to-server', kinds: { epoch: 'integer' } },
  // Two shapes: ok with lastUsedSlot, refused with currentEpoch.
  OverthrowReply: { fields: ['epoch', 'ok', 'lastUsedSlot', 'currentEpoch'], route: 'server-to-server', kinds: { epoch: 'integer', ok: 'boolean', lastUsedSlot: 'integer?', currentEpoch: 'integer?' } },
  Store: { fields: ['epoch', 'slot', 'operation'], route: 'server-to-server', shapes: { operation: operationShape }, kinds: { epoch: 'integer', slot: 'integer' } },
  StoreReply: { fields: ['epoch', 'slot', 'ok', 'currentEpoch'], route: 'server-to-server', kinds: { epoch: 'integer', slot: 'integer', ok: 'boolean', currentEpoch: 'integer?' } },
  Finalize: { fields: ['epoch', 'slot'], route: 'server-to-server', kinds: { epoch: 'integer', slot: 'integer' } },
  FinalizeReply: { fields: ['epoch', 'slot', 'ok'], route: 'server-to-server', kinds: { epoch: 'integer', slot: 'integer', ok: 'boolean' } },
  Read: { fields: ['epoch', 'slot'], route: 'server-to-server', kinds: { epoch: 'integer', slot: 'integer' } },
  ReadReply: {
    fields: ['forEpoch', 'slot', 'epoch', 'operation', 'finalized'],
    route: 'server-to-server',
    shapes: { operation: operationShape },
    kinds: { forEpoch: 'integer', slot: 'integer', epoch: 'integer', finalized: 'boolean' },
  },
  Query: { fields: ['epoch'], route: 'server-to-server', kinds: { epoch: 'integer' } },
  QueryReply: { fields: ['epoch', 'currentEpoch', 'firstUnfinalizedSlot'], route: 'server-to-server', kinds: { epoch: 'integer', currentEpoch: 'integer', firstUnfinalizedSlot: 'integer' } },
  ...kvClientMessages,
};

/** A server's storage and outputs, as src/protocol.ts declares them ("storage and outputs are as protocol.ts declares"). */
export const paxosLogState: DeclaredState = {
  storage: { epoch: 'integer' },
  numberedStorage: { 'slot:': { fields: ['epoch', 'operation', 'finalized'], shapes: { operation: operationShape }, kinds: { epoch: 'integer', finalized: 'boolean' } } },
  outputs: { BecameLeader: { fields: ['epoch'], kinds: { epoch: 'integer' } }, ...kvServerOutputs({ withResult: true }) },
};

// A new leader reads from a majority (runs only).

interface WalkReads {
  /** Per `leader:epoch`: the lastUsedSlot of each grant delivered to the leader (its own: its highest slot as it stood). */
  readonly grants: Map<string, Map<NodeId, number>>;
  /** Per `leader:epoch:slot`: the servers whose ReadReply for that epoch and slot reached the leader, and whether one said finalized. */
  readonly reads: Map<string, { readonly from: Set<NodeId>; finalized: boolean }>;
}

/**
 * Runs only: "a new leader reads from a majority". The leader of epoch e stores slot s in e only
 * once it knows what a majority of servers hold there: ReadReplies for e and s from servers that,
 * with itself, make a majority, unless one of them said finalized or it holds s finalized itself.
 * Asked only of the slots every walk must cover: s at or below the lastUsedSlot of some server in
 * every majority of the grants the leader was handed (the majority-th smallest, its own counted),
 * so a leader that ends its walk at the first majority's highest slot meets it. A leader that
 * reads from one granter misses an operation a majority stored without it, with 5 servers.
 */
export function walkReadsFromMajority(servers: readonly NodeId[]): Property<PaxosLog, WalkReads> {
  const needed = majority(servers.length);
  return always<PaxosLog, WalkReads>('a new leader reads from a majority', {
    memory: () => ({ grants: new Map(), reads: new Map() }),
    records: ['send:Overthrow', 'deliver:OverthrowReply', 'deliver:ReadReply', 'send:Store'],
    record(memory, event, cluster) {
      if (event.kind === 'send' && event.message.type === 'Overthrow') {
        const key = `${event.from}:${String(event.message.epoch)}`;
        if (servers.includes(event.from) && !memory.grants.has(key)) memory.grants.set(key, new Map([[event.from, highestStoredSlot(cluster, event.from)]]));
        return undefined;
      }
      if (event.kind === 'deliver' && event.message.type === 'OverthrowReply') {
        const reply = event.message as { readonly epoch?: unknown; readonly ok?: unknown; readonly lastUsedSlot?: unknown };
        const grants = memory.grants.get(`${event.to}:${String(reply.epoch)}`);
        if (grants !== undefined && reply.ok === true && isSlotCount(reply.lastUsedSlot) && servers.includes(event.from)) grants.set(event.from, reply.lastUsedSlot);
        return undefined;
      }
      if (event.kind === 'deliver' && event.message.type === 'ReadReply') {
        const reply = event.message as { readonly forEpoch?: unknown; readonly slot?: unknown; readonly finalized?: unknown };
        if (!servers.includes(event.from)) return undefined;
        const key = `${event.to}:${String(reply.forEpoch)}:${String(reply.slot)}`;
        let read = memory.reads.get(key);
        if (read === undefined) memory.reads.set(key, (read = { from: new Set(), finalized: false }));
        read.from.add(event.from);
        if (reply.finalized === true) read.finalized = true;
        return undefined;
      }
      if (event.kind !== 'send' || event.message.type !== 'Store' || !servers.includes(event.from)) return undefined;
      const { epoch, slot } = event.message as { readonly epoch: unknown; readonly slot: unknown };
      const grants = memory.grants.get(`${event.from}:${String(epoch)}`);
      if (grants === undefined || !isSlotCount(slot) || grants.size < needed) return undefined;
      const covered = [...grants.values()].sort((left, right) => left - right)[needed - 1] as number;
      if (slot > covered || storedSlot(cluster, event.from, slot)?.finalized === true) return undefined;
      const read = memory.reads.get(`${event.from}:${String(epoch)}:${slot}`);
      if (read?.finalized === true) return undefined;
      const answered = new Set(read?.from ?? []);
      answered.add(event.from);
      if (answered.size >= needed) return undefined;
      const others = [...answered].filter((node) => node !== event.from).sort((left, right) => left - right);
      return (
        `${nodeName(event.from)} stored slot ${slot} in epoch ${String(epoch)} at ${event.timeMs} ms, with ReadReplies for it from ` +
        `${others.length === 0 ? 'no other server' : others.map(nodeName).join(', ')} only: a new leader reads each slot it has not finalized from a majority ` +
        `(${needed} of ${servers.length}, itself counted) of the servers that granted its overthrow before it stores it again, so that it finds every operation a majority stored there ` +
        `(unless an answer says finalized); slot ${slot} is at or below the last used slot of some server in every majority of its grants`
      );
    },
  });
}

const isSlotCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

// Budgets (runs only).

interface Rounds {
  stores: number;
  finalizes: number;
  /** `epoch:slot` of each slot a leader wrote in its own epoch from fromMs on. */
  readonly stored: Set<string>;
}

/**
 * "one store and one finalize round per operation": from `fromMs` on, the Store messages sent
 * to other servers are at most (N-1) x (the slots a leader newly stored in its own epoch +
 * `spareRounds`), and the Finalize messages likewise. Judged when the run ends. Measures
 * `storesPerSlot` and `finalizesPerSlot`.
 */
export function storeAndFinalizeRounds(servers: readonly NodeId[], options: { readonly fromMs: number; readonly spareRounds?: number }): Property<PaxosLog, Rounds> {
  const spare = options.spareRounds ?? 1;
  const others = servers.length - 1;
  const perSlot = (count: number, memory: Rounds) => (memory.stored.size === 0 ? 0 : Math.round((count / memory.stored.size) * 100) / 100);
  return budget<PaxosLog, Rounds>('one store and one finalize round per operation', {
    memory: () => ({ stores: 0, finalizes: 0, stored: new Set() }),
    records: ['storage', 'send:Store', 'send:Finalize'],
    record(memory, event) {
      if (event.timeMs < options.fromMs) return undefined;
      if (event.kind === 'send') {
        if (event.local) return undefined;
        if (event.message.type === 'Store') memory.stores++;
        else if (event.message.type === 'Finalize') memory.finalizes++;
        return undefined;
      }
      if (event.kind !== 'storage') return undefined;
      const slot = slotOfKey(event.key);
      if (slot === undefined || !isSlotRecord(event.value) || event.value.finalized || ownerOf(servers, event.value.epoch) !== event.node) return undefined;
      memory.stored.add(`${event.value.epoch}:${slot}`);
      return undefined;
    },
    check(_cluster, memory) {
      const slots = memory.stored.size;
      const allowed = others * (slots + spare);
      const formula = `(N-1) x (slots + ${spare}) = ${others} x (${slots} + ${spare}) = ${allowed}`;
      const over = memory.stores > allowed ? `${memory.stores} Store messages` : memory.finalizes > allowed ? `${memory.finalizes} Finalize messages` : undefined;
      if (over === undefined) return undefined;
      return (
        `${over} from ${options.fromMs} ms on for ${plural(slots, 'slot')} a leader stored (${memory.stores} Store, ${memory.finalizes} Finalize), at most ${formula} allowed: ` +
        'with a stable leader an operation costs one Store to each other server and one Finalize to each; stores are sent again only to servers that have not answered'
      );
    },
    measure: (memory) => ({ storesPerSlot: perSlot(memory.stores, memory), finalizesPerSlot: perSlot(memory.finalizes, memory) }),
  });
}

interface AnswerTimes {
  /**
   * Per `server:client:sequence`: when the request first reached that server, and whether the
   * server has redirected it since (the clock starts again when the client sends it again).
   */
  readonly reached: Map<string, { atMs: number; redirected: boolean }>;
  slowestMs: number;
  /** The first answer over the limit, as the failure says it. */
  late: string | null;
}

/**
 * "answered within one store round trip": every ClientReply a server sends from `fromMs` on
 * comes at most 2 x maxDelayMs after that ClientRequest (same client and sequence) first
 * reached that server (from fromMs on), over the network; once the server redirected it, from
 * when the client sent it to that server again. The answer waits for one store round, not for
 * the finalize round. A redirect alone does not start the clock again, nor does a copy of the
 * request a server sends itself or gets from another server: the answer is timed from the
 * client's own request. Measures `slowestAnswerMs`.
 */
export function answerWithinOneRoundTrip(options: { readonly fromMs: number; readonly maxDelayMs: number }): Property<PaxosLog, AnswerTimes> {
  const limitMs = 2 * options.maxDelayMs;
  return budget<PaxosLog, AnswerTimes>('answered within one store round trip', {
    memory: () => ({ reached: new Map(), slowestMs: 0, late: null }),
    records: ['deliver:ClientRequest', 'send:ClientReply', 'send:ClientRedirect'],
    record(memory, event) {
      if (event.timeMs < options.fromMs || (event.kind !== 'deliver' && event.kind !== 'send') || event.local) return undefined;
      if (event.kind === 'deliver') {
        const command = fieldsOf(event)['command'];
        if (!isOperation(command) || command === null) return undefined;
        const key = `${event.to}:${command.client}:${command.sequence}`;
        const reached = memory.reached.get(key);
        if (reached === undefined) memory.reached.set(key, { atMs: event.timeMs, redirected: false });
        else if (reached.redirected && event.from === command.client) memory.reached.set(key, { atMs: event.timeMs, redirected: false });
        return undefined;
      }
      const { sequence } = fieldsOf(event);
      const key = `${event.from}:${event.to}:${String(sequence)}`;
      const reached = memory.reached.get(key);
      if (reached === undefined) return undefined;
      if (event.message.type === 'ClientRedirect') {
        reached.redirected = true;
        return undefined;
      }
      memory.reached.delete(key);
      const reachedMs = reached.atMs;
      const waitedMs = event.timeMs - reachedMs;
      memory.slowestMs = Math.max(memory.slowestMs, waitedMs);
      if (waitedMs > limitMs && memory.late === null) {
        memory.late =
          `${nodeName(event.from)} answered command ${String(sequence)} of ${nodeName(event.to)} at ${event.timeMs} ms, ${waitedMs} ms after the request reached it ` +
          `at ${reachedMs} ms, more than 2 x ${options.maxDelayMs} = ${limitMs} ms`;
      }
      return undefined;
    },
    check(_cluster, memory) {
      if (memory.late === null) return undefined;
      return (
        `${memory.late}: a leader answers once a majority stored the operation, one Store and StoreReply round trip after the request; ` +
        'it does not wait for the finalize round, nor for its next heartbeat'
      );
    },
    measure: (memory) => ({ slowestAnswerMs: memory.slowestMs }),
  });
}

interface LeadershipCost {
  /** Per epoch: the Overthrow messages sent to other servers. */
  readonly overthrows: Map<number, number>;
  /** Per `epoch:slot` (the sender's stored epoch): the Read messages sent to other servers. */
  readonly reads: Map<string, number>;
  overthrowMessages: number;
  readMessages: number;
  /** The first excess, as the failure says it. */
  excess: string | null;
}

/**
 * "one overthrow round and reads of unfinalized slots per leadership change": per epoch at
 * most N-1 Overthrow messages; a server never sends Read for a slot it holds finalized in
 * storage at that moment; per epoch (the Read's) and slot at most N-1 Read
 * messages. For runs with a stable network: a lost message is sent again, and counts.
 * Measures `overthrowMessages` and `readMessages`.
 */
export function leadershipChangeCost(servers: readonly NodeId[]): Property<PaxosLog, LeadershipCost> {
  const others = servers.length - 1;
  return budget<PaxosLog, LeadershipCost>('one overthrow round and reads of unfinalized slots per leadership change', {
    memory: () => ({ overthrows: new Map(), reads: new Map(), overthrowMessages: 0, readMessages: 0, excess: null }),
    records: ['send:Overthrow', 'send:Read'],
    record(memory, event, cluster) {
      if (event.kind !== 'send' || event.local) return undefined;
      const fields = fieldsOf(event);
      const sender = nodeName(event.from);
      if (event.message.type === 'Overthrow') {
        memory.overthrowMessages++;
        const epoch = fields['epoch'];
        if (!isEpoch(epoch)) return undefined;
        const sent = (memory.overthrows.get(epoch) ?? 0) + 1;
        memory.overthrows.set(epoch, sent);
        if (sent > others && memory.excess === null) {
          memory.excess = `${sender} sent ${sent} Overthrow messages of epoch ${epoch} (the last at ${event.timeMs} ms), at most N-1 = ${others}: one overthrow round per epoch`;
        }
        return undefined;
      }
      memory.readMessages++;
      const slot = fields['slot'];
      if (!isSlot(slot)) return undefined;
      const record = storedSlot(cluster, event.from, slot);
      if (record !== undefined && record.finalized && memory.excess === null) {
        memory.excess = `${sender} sent Read for slot ${slot} to ${nodeName(event.to)} at ${event.timeMs} ms, though it holds the slot finalized: a new leader reads only the slots it has not finalized`;
      }
      // The Read's own epoch (the leader's); the sender's stored epoch for one that names none.
      const named = fields['epoch'];
      const epoch = isEpoch(named) ? named : (storedEpoch(cluster, event.from) ?? 0);
      const key = `${epoch}:${slot}`;
      const sent = (memory.reads.get(key) ?? 0) + 1;
      memory.reads.set(key, sent);
      if (sent > others && memory.excess === null) {
        memory.excess = `${sender} sent ${sent} Read messages for slot ${slot} in epoch ${epoch} (the last at ${event.timeMs} ms), at most N-1 = ${others}: a slot is read once from each other server`;
      }
      return undefined;
    },
    check(_cluster, memory) {
      if (memory.excess === null) return undefined;
      return `${memory.excess}; a leadership change costs one Overthrow round and one Read round of the slots the new leader has not finalized`;
    },
    measure: (memory) => ({ overthrowMessages: memory.overthrowMessages, readMessages: memory.readMessages }),
  });
}

interface OverthrowEpochs {
  /** Each distinct epoch of an Overthrow sent, with the time it was first sent. */
  readonly epochs: { readonly epoch: number; readonly from: NodeId; readonly atMs: number }[];
}

/**
 * "no overthrow while a leader is heard": the Overthrow messages sent carry at most
 * `mostEpochs` distinct epochs (an Overthrow sent again in the same epoch counts once). A
 * leader's Query resets every passive server's LeaderTimeout, so nobody tries to lead while
 * it is up. Measures `overthrowEpochs`.
 */
export function overthrowOnlyOnLeaderChange(mostEpochs: number): Property<PaxosLog, OverthrowEpochs> {
  return budget<PaxosLog, OverthrowEpochs>('no overthrow while a leader is heard', {
    memory: () => ({ epochs: [] }),
    records: ['send:Overthrow'],
    record(memory, event) {
      if (event.kind !== 'send') return undefined;
      const epoch = fieldsOf(event)['epoch'];
      if (!isEpoch(epoch) || memory.epochs.some((known) => known.epoch === epoch)) return undefined;
      memory.epochs.push({ epoch, from: event.from, atMs: event.timeMs });
      return undefined;
    },
    check(_cluster, memory) {
      if (memory.epochs.length <= mostEpochs) return undefined;
      const shown = memory.epochs.slice(0, 8).map((known) => `${known.epoch} by ${nodeName(known.from)} at ${known.atMs} ms`);
      if (memory.epochs.length > shown.length) shown.push('...');
      return (
        `Overthrow was sent in ${plural(memory.epochs.length, 'epoch')} (${shown.join(', ')}), at most ${mostEpochs} allowed: a leader's Query resets every ` +
        "passive server's LeaderTimeout, so a server tries to lead only when it hears from no leader"
      );
    },
    measure: (memory) => ({ overthrowEpochs: memory.epochs.length }),
  });
}

/** Per node: the highest epoch it granted another server, and when it granted it (null: none yet, or already judged). */
interface GrantTimes {
  readonly highestGranted: number[];
  readonly lastGrant: ({ readonly atMs: number; readonly epoch: number; readonly to: NodeId } | null)[];
}

/**
 * Runs only: "an overthrow granted resets the LeaderTimeout". A server that grants another
 * server's Overthrow (an OverthrowReply with ok: true, of an epoch above any it granted before)
 * sends no Overthrow of its own within `minTimeoutMs` (leaderTimeoutMs[0]) of that grant. The
 * handout: "an Overthrow I grant [tells] me who leads ... and reset[s] my LeaderTimeout". A
 * timer left running sends the granter into a duel with the candidate it has just backed.
 * A grant of the same epoch again (a copy of the Overthrow) is not counted: the handout grants
 * it without asking that it reset anything.
 */
export function grantResetsLeaderTimeout(minTimeoutMs: number): Property<PaxosLog, GrantTimes> {
  return always<PaxosLog, GrantTimes>('an overthrow granted resets the LeaderTimeout', {
    memory: (cluster) => ({ highestGranted: perNode(cluster, () => 0), lastGrant: perNode(cluster, () => null) }),
    records: ['send:OverthrowReply', 'send:Overthrow'],
    record(times, event) {
      if (event.kind !== 'send' || !(event.from in times.highestGranted)) return undefined;
      const { ok, epoch } = fieldsOf(event);
      if (event.message.type === 'OverthrowReply') {
        // A candidate that sends its Overthrow to itself as a message may answer itself: that is no grant to another.
        if (ok !== true || !isEpoch(epoch) || event.to === event.from || epoch <= (times.highestGranted[event.from] ?? 0)) return undefined;
        times.highestGranted[event.from] = epoch;
        times.lastGrant[event.from] = { atMs: event.timeMs, epoch, to: event.to };
        return undefined;
      }
      const grant = times.lastGrant[event.from] ?? null;
      if (grant === null || event.timeMs - grant.atMs >= minTimeoutMs) return undefined;
      times.lastGrant[event.from] = null;
      return (
        `${describeSend(event)}, ${event.timeMs - grant.atMs} ms after it granted ${nodeName(grant.to)}'s Overthrow of epoch ${grant.epoch} (at ${grant.atMs} ms): ` +
        `an Overthrow a server grants resets its LeaderTimeout (at least ${minTimeoutMs} ms), so that it does not duel the candidate it has just backed`
      );
    },
  });
}

/** Per node: the Overthrow it last sent as a candidate, while it has neither led nor heard of a higher epoch since (null: none), and the epoch it last led (0: none since its start). */
interface Candidacies {
  readonly pending: ({ readonly epoch: number; readonly sentAtMs: number } | null)[];
  readonly led: number[];
}

/**
 * Runs only: "a candidate tries again". A server that sent an Overthrow of epoch e sends
 * another within `retryWithinMs` (twice the largest LeaderTimeout: room for a back-off), unless meanwhile it led
 * (output BecameLeader), heard of an epoch above e (a message carrying one reached it), or
 * crashed. A leader that sends its Overthrow again, in the epoch it leads, is no candidate. The handout: a new candidate "sets its LeaderTimeout again: an overthrow that has not
 * finished when it fires is tried again, with a higher epoch". A candidate whose Overthrows were
 * lost, and who never sets its timer again, waits for ever for grants that will not come; the
 * servers that could lead instead find its epoch above theirs, and are refused.
 */
export function candidateTriesAgain(retryWithinMs: number): Property<PaxosLog, Candidacies> {
  const overdue = (candidacy: { readonly epoch: number; readonly sentAtMs: number }, node: NodeId, nowMs: number) =>
    `${nodeName(node)} sent Overthrow of epoch ${candidacy.epoch} at ${candidacy.sentAtMs} ms and, ${nowMs - candidacy.sentAtMs} ms later, had sent no other, ` +
    `though it had not led, and no message of a higher epoch had reached it: a candidate sets its LeaderTimeout again when it overthrows, and an overthrow ` +
    `that has not finished when it fires is tried again, with a higher epoch (within ${retryWithinMs} ms here)`;
  return always<PaxosLog, Candidacies>(
    'a candidate tries again',
    {
      memory: (cluster) => ({ pending: perNode(cluster, () => null), led: perNode(cluster, () => 0) }),
      records: ['send', 'deliver', 'output', 'crash'],
      record({ pending: candidacies, led }, event) {
        if (event.kind === 'send' && event.message.type === 'Overthrow' && event.from in candidacies) {
          const { epoch } = fieldsOf(event);
          // A leader that sends its Overthrow again, to a server its walk still needs, is no candidate.
          if (isEpoch(epoch) && epoch !== led[event.from]) candidacies[event.from] = { epoch, sentAtMs: event.timeMs };
        } else if (event.kind === 'deliver') {
          const candidacy = candidacies[event.to] ?? null;
          const { epoch, currentEpoch } = fieldsOf(event);
          if (candidacy !== null && ((isEpoch(epoch) && epoch > candidacy.epoch) || (isEpoch(currentEpoch) && currentEpoch > candidacy.epoch))) candidacies[event.to] = null;
        } else if (event.kind === 'output' && (event.output as Tagged).type === 'BecameLeader') {
          candidacies[event.node] = null;
          const epoch = (event.output as unknown as Record<string, unknown>)['epoch'];
          if (event.node in led && isEpoch(epoch)) led[event.node] = epoch;
        } else if (event.kind === 'crash') {
          candidacies[event.node] = null;
          if (event.node in led) led[event.node] = 0;
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

// Refusals (a hidden test's rule).

/**
 * "only a higher epoch refuses": an OverthrowReply or StoreReply with ok: false carries a
 * currentEpoch above the epoch it refuses. The handout: "If e < my epoch: reply `ok: false` with
 * `currentEpoch`, my epoch. (e equal to my epoch: grant it again; it is a copy of an Overthrow I
 * granted, or the leader of my epoch asking again.)", and for a Store "If e < my epoch: reply
 * `ok: false` with `currentEpoch`. Otherwise: ... reply `ok`."
 */
export function refusedOnlyBelowEpoch(): Property<PaxosLog, null> {
  return always<PaxosLog, null>('only a higher epoch refuses', {
    memory: () => null,
    records: ['send:OverthrowReply', 'send:StoreReply'],
    record(_memory, event) {
      if (event.kind !== 'send') return undefined;
      const { ok, epoch, currentEpoch } = fieldsOf(event);
      if (ok !== false || !isEpoch(epoch) || !isEpoch(currentEpoch) || currentEpoch > epoch) return undefined;
      const request = event.message.type === 'OverthrowReply' ? 'Overthrow' : 'Store';
      return (
        `${describeSend(event)}: it refused a ${request} of epoch ${epoch} with currentEpoch ${currentEpoch}, not above it: a server refuses only an epoch below ` +
        `its own, and grants its own epoch again (a copy of a ${request} it accepted, or its leader asking again)`
      );
    },
  });
}

// A new leader takes over.

interface TakeOver {
  /** When a server other than the one away first did what the window asks (led, or stood). */
  tookOverAtMs: number | null;
  /** Whether any server ever output BecameLeader: without, "clients make progress" tells what is wrong. */
  anyLeader: boolean;
  /** The highest epoch any server output BecameLeader for before the window's end, and who: the one that leads. */
  leading: { readonly epoch: number; readonly node: NodeId } | null;
}

/**
 * Runs only: "a new leader takes over": while `away` (the leader) is down or cut off, from
 * `fromMs` to `untilMs`, another server outputs BecameLeader (which "epochs are owned" checks
 * came after a majority granted its overthrow). With `standsOnly`, where the shape of the
 * network may keep every overthrow from winning, another server need only send an Overthrow:
 * its LeaderTimeout ran out. A scenario cannot make sure that `away` leads when the window
 * opens: when the highest epoch a server led before then is another server's, that server has
 * taken over already. Without it, a cluster in which only one server ever leads would
 * pass every test that brings that server back.
 */
export function leaderTakesOver(
  servers: readonly NodeId[],
  away: NodeId,
  fromMs: number,
  untilMs: number,
  why: string,
  options: { readonly standsOnly?: boolean } = {},
): Property<PaxosLog, TakeOver> {
  const inWindow = (node: NodeId, timeMs: number) => node !== away && servers.includes(node) && timeMs >= fromMs && timeMs < untilMs;
  return always<PaxosLog, TakeOver>(
    'a new leader takes over',
    {
      memory: () => ({ tookOverAtMs: null, anyLeader: false, leading: null }),
      records: ['output:BecameLeader', 'send:Overthrow'],
      record(memory, event) {
        // Another server led, in the highest epoch, as the window opened: it had taken over already.
        if (memory.tookOverAtMs === null && event.timeMs >= fromMs && event.timeMs < untilMs && memory.leading !== null && memory.leading.node !== away) memory.tookOverAtMs = fromMs;
        if (event.kind === 'send') {
          if (options.standsOnly === true && memory.tookOverAtMs === null && event.message.type === 'Overthrow' && inWindow(event.from, event.timeMs)) memory.tookOverAtMs = event.timeMs;
          return undefined;
        }
        if (event.kind !== 'output' || (event.output as Tagged).type !== 'BecameLeader') return undefined;
        memory.anyLeader = true;
        const epoch = (event.output as { readonly epoch?: unknown }).epoch;
        if (event.timeMs < untilMs && servers.includes(event.node) && typeof epoch === 'number' && (memory.leading === null || epoch > memory.leading.epoch)) {
          memory.leading = { epoch, node: event.node };
        }
        if (memory.tookOverAtMs === null && inWindow(event.node, event.timeMs)) memory.tookOverAtMs = event.timeMs;
        return undefined;
      },
      check(_cluster, memory) {
        if (memory.tookOverAtMs !== null || !memory.anyLeader) return undefined;
        if (memory.leading !== null && memory.leading.node !== away) return undefined;
        if (options.standsOnly === true) {
          return (
            `no server but ${nodeName(away)} sent an Overthrow from ${fromMs} to ${untilMs} ms, ${why}: when the leader is silent, the passive ` +
            'servers time out (LeaderTimeout) and try to overthrow it'
          );
        }
        return (
          `no server but ${nodeName(away)} became leader from ${fromMs} to ${untilMs} ms, ${why}: when the leader is gone, the passive ` +
          'servers time out (LeaderTimeout), and one of them overthrows it with a majority and leads'
        );
      },
    },
    { atEnd: true },
  );
}
