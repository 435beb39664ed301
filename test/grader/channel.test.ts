// The byte channel between the grader and its child: whatever the child writes, the reader
// either yields the values it framed or fails with a reason; it never throws and never holds
// more than its bounds.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, frameHeaderBytes, writeAllSync } from '../../grader/channel.ts';

const samples: readonly unknown[] = [
  { type: 'ready', missingExports: [], exported: ['Server', 'Client'] },
  { type: 'error', message: 'a "quoted" \\ message with [brackets] and {braces}, ünïcödé and 🏓' },
  [1, -2.5, 3e20, null, true, false, '', [], {}],
  'a plain string',
  42,
  null,
];

function header(payloadBytes: number): Buffer {
  const bytes = Buffer.from('DLF1\0\0\0\0', 'latin1');
  bytes.writeUInt32BE(payloadBytes, 4);
  return bytes;
}

function rawFrame(payload: Buffer): Buffer {
  return Buffer.concat([header(payload.length), payload]);
}

describe('encodeFrame', () => {
  it('writes the magic, the payload length big-endian, then the JSON text in UTF-8', () => {
    const frame = encodeFrame({ text: 'é' });
    const json = Buffer.from('{"text":"é"}', 'utf8');
    expect(frame.subarray(0, 4).toString('latin1')).toBe('DLF1');
    expect(frame.readUInt32BE(4)).toBe(json.length);
    expect(frame.subarray(frameHeaderBytes).equals(json)).toBe(true);
  });

  it('refuses a value JSON cannot hold, and a frame larger than the limit', () => {
    expect(() => encodeFrame(undefined)).toThrow(TypeError);
    expect(() => encodeFrame('x'.repeat(100), 50)).toThrow(/larger than the limit of 50 bytes/);
  });
});

describe('FrameReader', () => {
  it('gives back every value it was sent, in order', () => {
    const reader = new FrameReader();
    for (const value of samples) reader.push(encodeFrame(value));
    expect(reader.take()).toEqual(samples);
    expect(reader.take()).toEqual([]);
    reader.end();
    expect(reader.failure).toBeUndefined();
  });

  it('reads many frames from one chunk', () => {
    const values = Array.from({ length: 1_000 }, (_, index) => ({ type: 'progress', seedsDone: index }));
    const reader = new FrameReader();
    reader.push(Buffer.concat(values.map((value) => encodeFrame(value))));
    expect(reader.take()).toEqual(values);
    expect(reader.failure).toBeUndefined();
  });

  it('reads frames split at every byte offset, and fed one byte at a time', () => {
    const stream = Buffer.concat(samples.map((value) => encodeFrame(value)));
    for (let offset = 0; offset <= stream.length; offset++) {
      const reader = new FrameReader();
      reader.push(stream.subarray(0, offset));
      const early = reader.take();
      reader.push(stream.subarray(offset));
      expect([...early, ...reader.take()]).toEqual(samples);
      expect(reader.failure).toBeUndefined();
    }
    const reader = new FrameReader();
    const values: unknown[] = [];
    for (let index = 0; index < stream.length; index++) {
      reader.push(stream.subarray(index, index + 1));
      values.push(...reader.take());
    }
    expect(values).toEqual(samples);
  });

  it('fails on garbage where a header should be, says where, and ignores what follows', () => {
    const reader = new FrameReader();
    reader.push(encodeFrame({ first: true }));
    expect(() => reader.push(Buffer.from('hello\n'))).not.toThrow();
    expect(reader.failure).toMatch(/byte \d+ of the stream is 0x68 where a frame header \(magic "DLF1"\) was expected/);
    reader.push(encodeFrame({ second: true }));
    reader.end();
    // The frame completed before the garbage is still there; nothing after it is.
    expect(reader.take()).toEqual([{ first: true }]);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('fails on a length over the bound without allocating it', () => {
    const reader = new FrameReader({ maxFrameBytes: 1_024 });
    reader.push(header(0xffffffff));
    expect(reader.failure).toBe('frame 1 announces 4294967295 bytes, more than the limit of 1024 bytes');
    expect(reader.bufferedBytes).toBe(0);
    const defaults = new FrameReader();
    defaults.push(header(0xffffffff));
    expect(defaults.failure).toMatch(/more than the limit of 67108864 bytes/);
  });

  it('fails on an empty frame, invalid UTF-8 and invalid JSON, without quoting the payload', () => {
    const cases: readonly [Buffer, RegExp][] = [
      [header(0), /frame 1 is empty/],
      [rawFrame(Buffer.from([0x22, 0xff, 0xfe, 0x22])), /frame 1 is not valid UTF-8/],
      [rawFrame(Buffer.from('{"secret": ')), /^frame 1 is not valid JSON$/],
      [rawFrame(Buffer.from('\ufeff{}', 'utf8')), /^frame 1 is not valid JSON$/],
      [rawFrame(Buffer.from('{} {}')), /^frame 1 is not valid JSON$/],
    ];
    for (const [bytes, reason] of cases) {
      const reader = new FrameReader();
      expect(() => reader.push(bytes)).not.toThrow();
      expect(reader.failure).toMatch(reason);
      expect(reader.take()).toEqual([]);
    }
  });

  it('reports a frame the stream ended in the middle of', () => {
    const frame = encodeFrame({ type: 'outcome' });
    const inPayload = new FrameReader();
    inPayload.push(encodeFrame(1));
    inPayload.push(frame.subarray(0, frameHeaderBytes + 3));
    inPayload.end();
    expect(inPayload.failure).toBe(`the stream ended in the middle of frame 2 (3 of ${frame.length - frameHeaderBytes} bytes)`);
    expect(inPayload.take()).toEqual([1]);

    const inHeader = new FrameReader();
    inHeader.push(frame.subarray(0, 5));
    inHeader.end();
    expect(inHeader.failure).toBe('the stream ended in the header of frame 1 (5 of 8 bytes)');

    const between = new FrameReader();
    between.push(frame);
    between.end();
    expect(between.failure).toBeUndefined();
  });

  it('bounds the values and the nesting of a frame before parsing it', () => {
    const wide = new FrameReader({ maxValuesPerFrame: 1_000 });
    wide.push(rawFrame(Buffer.from(`[${'[],'.repeat(2_000)}[]]`)));
    expect(wide.failure).toBe('frame 1 holds more than 1000 values');

    const deep = new FrameReader();
    deep.push(rawFrame(Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)));
    expect(deep.failure).toBe('frame 1 nests arrays and objects deeper than 256 levels');

    // Brackets, commas and escaped quotes inside strings are text, not structure.
    const strings = new FrameReader({ maxValuesPerFrame: 4, maxNestingDepth: 1 });
    const value = { text: '[[[{{{,,,,,,\\"[[[' };
    strings.push(encodeFrame(value));
    expect(strings.failure).toBeUndefined();
    expect(strings.take()).toEqual([value]);
  });

  it('is refused by encodeFrame when the reader would refuse it for its shape, so that the sender can send less', () => {
    // A failure whose trace holds huge node states: small in bytes for its count of values.
    const manyValues = { trace: Array.from({ length: 2_100_000 }, () => [0]) };
    expect(() => encodeFrame(manyValues)).toThrow(/holds more than 4000000 values/);
    expect(() => encodeFrame({ deep: JSON.parse(`${'['.repeat(300)}${']'.repeat(300)}`) as unknown })).toThrow(/deeper than 256 levels/);
    const fits = { trace: Array.from({ length: 1_000 }, () => [0]) };
    const reader = new FrameReader();
    reader.push(encodeFrame(fits));
    expect(reader.take()).toEqual([fits]);
  });

  it('stays bounded under a flood of junk: held bytes never pass the bound', () => {
    const chunk = Buffer.alloc(64 * 1024);
    for (let index = 0; index < chunk.length; index++) chunk[index] = (index * 131 + 7) & 0xff;
    const reader = new FrameReader({ maxFrameBytes: 1_024 * 1_024 });
    let pushedBytes = 0;
    for (let count = 0; count < 2_000; count++) {
      reader.push(chunk);
      pushedBytes += chunk.length;
      expect(reader.bufferedBytes).toBe(0);
    }
    expect(pushedBytes).toBe(2_000 * 64 * 1024);
    expect(reader.failure).toMatch(/where a frame header/);
  });

  it('stays bounded when a frame never ends, and when its frames are never taken', () => {
    const maxFrameBytes = 100_000;
    const maxBufferedBytes = 300_000;
    const endless = new FrameReader({ maxFrameBytes, maxBufferedBytes });
    endless.push(header(maxFrameBytes));
    const filler = Buffer.alloc(10_000, 0x20);
    for (let count = 0; count < 9; count++) {
      endless.push(filler);
      expect(endless.bufferedBytes).toBe(frameHeaderBytes + maxFrameBytes);
    }
    endless.end();
    expect(endless.failure).toBe('the stream ended in the middle of frame 1 (90000 of 100000 bytes)');
    expect(endless.bufferedBytes).toBe(0);

    const untaken = new FrameReader({ maxFrameBytes, maxBufferedBytes });
    const frame = encodeFrame('x'.repeat(50_000));
    let accepted = 0;
    for (let count = 0; count < 100 && untaken.failure === undefined; count++) {
      untaken.push(frame);
      expect(untaken.bufferedBytes).toBeLessThanOrEqual(maxBufferedBytes);
      if (untaken.failure === undefined) accepted++;
    }
    expect(accepted).toBe(5);
    expect(untaken.failure).toBe('frame 6 would make the frames not yet taken more than 300000 bytes');
    expect(untaken.take()).toHaveLength(5);
  });

  it('refuses bounds that cannot hold one frame', () => {
    expect(() => new FrameReader({ maxFrameBytes: 100, maxBufferedBytes: 100 })).toThrow(RangeError);
    expect(() => new FrameReader({ maxFrameBytes: 0 })).toThrow(RangeError);
  });
});

describe('writeAllSync', () => {
  it('writes every byte of a frame to a file descriptor', () => {
    const directory = mkdtempSync(join(tmpdir(), 'distlab-channel-'));
    try {
      const file = join(directory, 'frames');
      const descriptor = openSync(file, 'w');
      const frame = encodeFrame({ type: 'progress', seedsDone: 3 });
      writeAllSync(descriptor, frame);
      closeSync(descriptor);
      const reader = new FrameReader();
      reader.push(readFileSync(file));
      expect(reader.take()).toEqual([{ type: 'progress', seedsDone: 3 }]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
