// The network's draws for each directed link, without a generator per link: draw `k` of a
// link's `count`-th send is a hash of (run seed, sender, receiver, count, k). Nothing is set up
// per link but its send counter, and a link's draws depend on nothing but its own sends, so a
// fault added or removed elsewhere leaves them as they were.

/** 2^-32: a 32-bit integer to a fraction in [0, 1). */
const unitPerInteger = 1 / 4294967296;

/** Draws made on every send: drop, duplicate, delay, the duplicate's delay. */
export const drawsPerSend = 4;

/** The murmur3 finaliser: every input bit changes each output bit with probability about 1/2. */
function mix32(value: number): number {
  let mixed = value ^ (value >>> 16);
  mixed = Math.imul(mixed, 0x85ebca6b);
  mixed ^= mixed >>> 13;
  mixed = Math.imul(mixed, 0xc2b2ae35);
  return mixed ^ (mixed >>> 16);
}

/** A 32-bit hash of a string (FNV-1a, started from `basis`, then finalised). */
function hashString(text: string, basis: number): number {
  let hash = basis;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return mix32(hash ^ text.length);
}

/**
 * The draws of every link of one run, keyed by the run's seed: `linkKey` once per send, then
 * `sendKey` for the send's count on that link, then `draw` for each of its draws.
 */
export class LinkRandom {
  private readonly key0: number;
  private readonly key1: number;

  constructor(seed: string) {
    this.key0 = hashString(seed, 0x811c9dc5);
    this.key1 = hashString(seed, 0x2f6e2b1d);
  }

  /**
   * The four draws of send number `count` on the link `from` → `to`, as `linkKey`, `sendKey` and
   * `draw` give them, written to `draws` (drop, duplicate, delay, the duplicate's delay).
   */
  readonly draws = new Float64Array(drawsPerSend);
  drawSend(from: number, to: number, count: number): Float64Array {
    const key = this.sendDrawKey(from, to, count);
    const draws = this.draws;
    for (let draw = 0; draw < drawsPerSend; draw++) draws[draw] = sendDraw(key, draw);
    return draws;
  }

  /**
   * The key of send number `count` on the link `from` → `to`, from which {@link sendDraw} makes
   * each of its draws. A draw depends on nothing else, so a caller makes only the draws it
   * needs (no drop draw when nothing is ever dropped): the others are the same either way.
   */
  sendDrawKey(from: number, to: number, count: number): number {
    const key1 = this.key1;
    const fromKey = mix32((this.key0 + Math.imul(from, 0x9e3779b1)) | 0);
    const linkKey = mix32((fromKey ^ Math.imul(to + 1, 0x85ebca77) ^ key1) | 0);
    return mix32((linkKey + Math.imul(count, 0x9e3779b9)) | 0) ^ key1;
  }

  /** The key of the link `from` → `to`. */
  linkKey(from: number, to: number): number {
    const fromKey = mix32((this.key0 + Math.imul(from, 0x9e3779b1)) | 0);
    return mix32((fromKey ^ Math.imul(to + 1, 0x85ebca77) ^ this.key1) | 0);
  }

  /** The key of send number `count` (a 32-bit count: it cycles after 2^32 sends on one link). */
  sendKey(linkKey: number, count: number): number {
    return mix32((linkKey + Math.imul(count, 0x9e3779b9)) | 0);
  }

  /** Draw `draw` (0 to drawsPerSend - 1) of the send with `sendKey`: uniform in [0, 1), 32 bits. */
  draw(sendKey: number, draw: number): number {
    return (mix32((sendKey ^ this.key1) + Math.imul(draw + 1, 0x27d4eb2f)) >>> 0) * unitPerInteger;
  }
}

/** Draw `draw` (0 to drawsPerSend - 1) of the send whose key {@link LinkRandom.sendDrawKey} gave: the same as `draw`. */
export function sendDraw(sendDrawKey: number, draw: number): number {
  return (mix32(sendDrawKey + Math.imul(draw + 1, 0x27d4eb2f)) >>> 0) * unitPerInteger;
}
