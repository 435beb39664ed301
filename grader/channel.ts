import { writeSync } from 'node:fs';

// The channel between the grader and the child process that runs a submission: plain
// bytes over a pipe, so nothing the child writes reaches a parser more clever than
// JSON.parse, and nothing it writes can make the grader hold more than a bounded amount.
//
// A frame is a header of 8 bytes followed by a payload:
//
//   bytes 0..3  the magic "DLF1" (0x44 0x4c 0x46 0x31)
//   bytes 4..7  the payload's length in bytes, a 32-bit unsigned big-endian integer
//   bytes 8..   the payload: the JSON text of one value, in UTF-8 (no byte order mark)
//
// Frames follow each other with nothing between them. A reader refuses the whole stream at
// the first byte that breaks this format: there is no resynchronisation, because a child
// that wrote one bad byte may have written anything.

/** "DLF1": lets a reader tell a frame from stray output at the first byte. */
const magic: readonly number[] = [0x44, 0x4c, 0x46, 0x31];
export const frameHeaderBytes = 8;

/** Enough for an outcome with a full trace; replies are usually a few kilobytes. */
export const defaultMaxFrameBytes = 64 * 1024 * 1024;
/**
 * JSON values (counted as containers opened and separators seen) in one frame. Parsing
 * multiplies memory: `[[],[],…]` costs tens of bytes of heap per three bytes of text, so
 * the count is bounded as well as the size.
 */
export const defaultMaxValuesPerFrame = 4_000_000;
/** Arrays and objects nested in one frame: consumers may walk a value recursively. */
export const defaultMaxNestingDepth = 256;

/**
 * The bytes of one frame holding `value`. Throws a RangeError when the payload would be
 * larger than `maxFrameBytes`, so the sender can send a short error instead of a frame
 * the reader will refuse, and a TypeError for a value JSON cannot represent (`undefined`).
 */
export function encodeFrame(value: unknown, maxFrameBytes = defaultMaxFrameBytes): Buffer {
  const text: string | undefined = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`a frame holds a JSON value, not ${typeof value}`);
  const payloadBytes = Buffer.byteLength(text, 'utf8');
  if (payloadBytes > Math.min(maxFrameBytes, 0xffffffff)) {
    throw new RangeError(`a frame of ${payloadBytes} bytes is larger than the limit of ${maxFrameBytes} bytes`);
  }
  const frame = Buffer.allocUnsafe(frameHeaderBytes + payloadBytes);
  for (let index = 0; index < magic.length; index++) frame[index] = magic[index] as number;
  frame.writeUInt32BE(payloadBytes, magic.length);
  frame.write(text, frameHeaderBytes, 'utf8');
  // A frame the reader would refuse for its shape is refused here, so that the sender can send less.
  const problem = shapeProblem(frame.subarray(frameHeaderBytes), defaultMaxValuesPerFrame, defaultMaxNestingDepth);
  if (problem !== undefined) throw new RangeError(`a frame that ${problem} would be refused`);
  return frame;
}

/**
 * Writes all of `bytes` to a file descriptor, synchronously: a pipe may take a write in
 * parts, and a non-blocking one may refuse it for a moment (EAGAIN).
 */
export function writeAllSync(fileDescriptor: number, bytes: Uint8Array): void {
  let written = 0;
  let pause: Int32Array | undefined;
  while (written < bytes.length) {
    try {
      written += writeSync(fileDescriptor, bytes, written, bytes.length - written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      // Wait a millisecond for the reader rather than spinning.
      pause ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

export interface FrameReaderOptions {
  /** Largest payload accepted, in bytes. */
  readonly maxFrameBytes?: number;
  /**
   * Most bytes held at once: the frame being received plus the frames parsed and not yet
   * taken, headers included. At least one whole frame; twice `maxFrameBytes` by default.
   */
  readonly maxBufferedBytes?: number;
  readonly maxValuesPerFrame?: number;
  readonly maxNestingDepth?: number;
}

/**
 * Turns the chunks of a byte stream into the values of its frames. It never throws to its
 * caller and never holds more than `maxBufferedBytes`: anything wrong with the stream puts
 * it in a failed state, with the reason in one sentence, and it ignores what comes after.
 * Frames completed before a failure can still be taken.
 *
 * @example
 * const reader = new FrameReader();
 * pipe.on('data', (chunk: Buffer) => {
 *   reader.push(chunk);
 *   for (const value of reader.take()) handle(value);
 *   if (reader.failure !== undefined) giveUp(reader.failure);
 * });
 * pipe.on('end', () => reader.end());
 */
export class FrameReader {
  readonly maxFrameBytes: number;
  readonly maxBufferedBytes: number;
  readonly maxValuesPerFrame: number;
  readonly maxNestingDepth: number;

  private failureReason: string | undefined;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** Bytes received since the start, for failure messages. */
  private streamOffset = 0;
  /** Frames completed so far, counting those taken; frames are numbered from 1. */
  private frameCount = 0;
  private readonly header = Buffer.alloc(frameHeaderBytes);
  private headerFilled = 0;
  /** The payload being received, allocated once its header has been checked. */
  private payload: Buffer | undefined;
  private payloadFilled = 0;
  private readonly parsed: unknown[] = [];
  /** Payload bytes of the frames in `parsed`. */
  private parsedBytes = 0;

  constructor(options: FrameReaderOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? defaultMaxFrameBytes;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 2 * this.maxFrameBytes;
    this.maxValuesPerFrame = options.maxValuesPerFrame ?? defaultMaxValuesPerFrame;
    this.maxNestingDepth = options.maxNestingDepth ?? defaultMaxNestingDepth;
    if (!(Number.isInteger(this.maxFrameBytes) && this.maxFrameBytes >= 1 && this.maxFrameBytes <= 0xffffffff)) {
      throw new RangeError(`maxFrameBytes must be a whole number from 1 to ${0xffffffff}`);
    }
    if (!(Number.isInteger(this.maxBufferedBytes) && this.maxBufferedBytes >= frameHeaderBytes + this.maxFrameBytes)) {
      throw new RangeError('maxBufferedBytes must be a whole number, at least one whole frame (maxFrameBytes and its header)');
    }
  }

  /** Why the stream was refused, in one sentence; undefined while it is well-formed. */
  get failure(): string | undefined {
    return this.failureReason;
  }

  /** Bytes held now: the frame being received (all of it once its header is read) and the frames not yet taken. */
  get bufferedBytes(): number {
    return this.headerFilled + (this.payload === undefined ? 0 : frameHeaderBytes + this.payload.length) + this.parsedBytes;
  }

  /** True when the stream stopped between two frames (or before the first). */
  get atFrameBoundary(): boolean {
    return this.headerFilled === 0 && this.payload === undefined;
  }

  /** Feeds the next chunk of the stream. After a failure, chunks are dropped unread. */
  push(chunk: Uint8Array): void {
    if (this.failureReason !== undefined) return;
    let position = 0;
    while (position < chunk.length && this.failureReason === undefined) {
      if (this.payload === undefined) position = this.readHeader(chunk, position);
      else position = this.readPayload(chunk, position);
    }
    this.streamOffset += chunk.length;
  }

  /** The values of the frames completed since the last call, oldest first. */
  take(): unknown[] {
    const values = this.parsed.splice(0, this.parsed.length);
    this.parsedBytes = 0;
    return values;
  }

  /** Tells the reader the stream has ended: an unfinished frame is a failure. */
  end(): void {
    if (this.failureReason !== undefined || this.atFrameBoundary) return;
    const which = `frame ${this.frameCount + 1}`;
    if (this.payload === undefined) {
      this.fail(`the stream ended in the header of ${which} (${this.headerFilled} of ${frameHeaderBytes} bytes)`);
    } else {
      this.fail(`the stream ended in the middle of ${which} (${this.payloadFilled} of ${this.payload.length} bytes)`);
    }
  }

  private fail(reason: string): void {
    this.failureReason = reason;
    // Let go of a partly received frame at once.
    this.payload = undefined;
    this.payloadFilled = 0;
    this.headerFilled = 0;
  }

  /** Reads header bytes from `position`; returns the position after the bytes it used. */
  private readHeader(chunk: Uint8Array, position: number): number {
    let at = position;
    while (at < chunk.length && this.headerFilled < frameHeaderBytes) {
      const byte = chunk[at] as number;
      if (this.headerFilled < magic.length && byte !== magic[this.headerFilled]) {
        this.fail(
          `byte ${this.streamOffset + at} of the stream is 0x${byte.toString(16).padStart(2, '0')} where a frame header (magic "DLF1") was expected`,
        );
        return chunk.length;
      }
      this.header[this.headerFilled++] = byte;
      at++;
    }
    if (this.headerFilled < frameHeaderBytes) return at;
    const payloadBytes = this.header.readUInt32BE(magic.length);
    const which = `frame ${this.frameCount + 1}`;
    if (payloadBytes === 0) {
      this.fail(`${which} is empty, which is not a JSON value`);
      return chunk.length;
    }
    if (payloadBytes > this.maxFrameBytes) {
      this.fail(`${which} announces ${payloadBytes} bytes, more than the limit of ${this.maxFrameBytes} bytes`);
      return chunk.length;
    }
    if (this.parsedBytes + frameHeaderBytes + payloadBytes > this.maxBufferedBytes) {
      this.fail(`${which} would make the frames not yet taken more than ${this.maxBufferedBytes} bytes`);
      return chunk.length;
    }
    this.payload = Buffer.allocUnsafe(payloadBytes);
    this.payloadFilled = 0;
    this.headerFilled = 0;
    return at;
  }

  private readPayload(chunk: Uint8Array, position: number): number {
    const payload = this.payload as Buffer;
    const count = Math.min(chunk.length - position, payload.length - this.payloadFilled);
    payload.set(chunk.subarray(position, position + count), this.payloadFilled);
    this.payloadFilled += count;
    if (this.payloadFilled === payload.length) this.finishFrame(payload);
    return position + count;
  }

  private finishFrame(payload: Buffer): void {
    this.frameCount++;
    this.payload = undefined;
    this.payloadFilled = 0;
    const which = `frame ${this.frameCount}`;
    const shapeProblem = this.checkShape(payload);
    if (shapeProblem !== undefined) {
      this.fail(`${which} ${shapeProblem}`);
      return;
    }
    let text: string;
    try {
      text = this.decoder.decode(payload);
    } catch {
      this.fail(`${which} is not valid UTF-8`);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // The parser's own message quotes the payload, which is the child's text: leave it out.
      this.fail(`${which} is not valid JSON`);
      return;
    }
    this.parsed.push(value);
    this.parsedBytes += frameHeaderBytes + payload.length;
  }

  private checkShape(payload: Uint8Array): string | undefined {
    return shapeProblem(payload, this.maxValuesPerFrame, this.maxNestingDepth);
  }
}

/**
 * Counts values and nesting in a frame's JSON text before it is parsed, skipping strings; the
 * count is an upper bound (it counts separators, not values), which is what a bound needs.
 */
export function shapeProblem(payload: Uint8Array, maxValues: number, maxNestingDepth: number): string | undefined {
  const quote = 0x22;
  const backslash = 0x5c;
  let values = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let index = 0; index < payload.length; index++) {
    const byte = payload[index] as number;
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === backslash) escaped = true;
      else if (byte === quote) inString = false;
      continue;
    }
    if (byte === quote) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      depth++;
      values++;
      if (depth > maxNestingDepth) return `nests arrays and objects deeper than ${maxNestingDepth} levels`;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
    else if (byte === 0x2c) values++;
    if (values > maxValues) return `holds more than ${maxValues} values`;
  }
  return undefined;
}
