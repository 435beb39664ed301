// The floor for the simulator's overhead: the flood workload run by the barest discrete-event
// loop there is (a binary heap of plain objects and an inline xorshift generator, no
// framework). `npm run bench -- --compare` runs it next to the simulator and reports the ratio.
//
// Flood: N nodes each send K messages at the start; every delivered message makes its receiver
// send one new message to a uniformly chosen other node, delayed uniformly by 1 to 10 ms.
// Ties in time are delivered in sending order. It stops after D deliveries and prints one
// JSON line: {workload, nodes, initial, deliveries, simulatedMs, seconds, deliveriesPerSec}.
//
// Like the framework's side of the comparison, it first makes a warm-up run (W deliveries,
// by default as many as the measured run, at most 1,000,000) and times only the run after it,
// so the ratio compares warm code with warm code.
//
// usage: node bench/bareLoop.mjs [--nodes 5] [--initial 10] [--deliveries 1000000] [--seed 1] [--warm-up W]
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5' },
    initial: { type: 'string', default: '10' },
    deliveries: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    'warm-up': { type: 'string' },
  },
});
const nodeCount = Number(values.nodes);
const initialPerNode = Number(values.initial);
const measuredDeliveries = Number(values.deliveries);
const warmUpDeliveries = values['warm-up'] === undefined ? Math.min(measuredDeliveries, 1_000_000) : Number(values['warm-up']);

// xorshift32; a zero state would stay zero forever, so it becomes 1.
let state = 1;
function nextUnit() {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state / 4294967296;
}

/** Pending deliveries, a min-heap on (timeMs, order). */
const pending = [];
let sendOrder = 0;
const earlier = (left, right) => left.timeMs < right.timeMs || (left.timeMs === right.timeMs && left.order < right.order);

// Written plainly, as most people would write a heap (entries swapped one level at a time):
// the ratios in docs/performance.md are measured against this loop, so its cost is part of
// the benchmark's definition and should not be tuned.
function swap(left, right) {
  [pending[left], pending[right]] = [pending[right], pending[left]];
}

function insert(event) {
  pending.push(event);
  let index = pending.length - 1;
  while (index > 0) {
    const parent = (index - 1) >> 1;
    if (!earlier(pending[index], pending[parent])) break;
    swap(index, parent);
    index = parent;
  }
}

function removeFirst() {
  const first = pending[0];
  const last = pending.pop();
  if (pending.length > 0) {
    pending[0] = last;
    let index = 0;
    while (true) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < pending.length && earlier(pending[left], pending[smallest])) smallest = left;
      if (right < pending.length && earlier(pending[right], pending[smallest])) smallest = right;
      if (smallest === index) break;
      swap(index, smallest);
      index = smallest;
    }
  }
  return first;
}

let nowMs = 0;
let receivedBy = [];

function send(from, payload) {
  // A uniformly chosen node other than the sender.
  let to = Math.floor(nextUnit() * (nodeCount - 1));
  if (to >= from) to += 1;
  insert({ timeMs: nowMs + 1 + Math.floor(nextUnit() * 10), order: sendOrder++, from, to, payload });
}

/** One flood run from the start, up to `deliveryLimit` deliveries; returns the deliveries made. */
function flood(deliveryLimit) {
  state = Number(values.seed) >>> 0 || 1;
  pending.length = 0;
  sendOrder = 0;
  nowMs = 0;
  receivedBy = new Array(nodeCount).fill(0);
  for (let node = 0; node < nodeCount; node++) {
    for (let message = 0; message < initialPerNode; message++) send(node, { hop: 0 });
  }
  let delivered = 0;
  while (delivered < deliveryLimit && pending.length > 0) {
    const event = removeFirst();
    nowMs = event.timeMs;
    receivedBy[event.to] += 1;
    delivered += 1;
    send(event.to, { hop: event.payload.hop + 1 });
  }
  return delivered;
}

if (warmUpDeliveries > 0) flood(warmUpDeliveries);
const startedAt = process.hrtime.bigint();
const delivered = flood(measuredDeliveries);
const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
console.log(
  JSON.stringify({
    workload: 'flood',
    nodes: nodeCount,
    initial: initialPerNode,
    deliveries: delivered,
    simulatedMs: nowMs,
    seconds,
    deliveriesPerSec: Math.round(delivered / seconds),
  }),
);
