// Replay codes are pasted by hand: short ones stay readable base64url JSON; a search's long path
// is deflated so the command fits on a line; a pasted code can never fill memory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeReplay, parseReplay, type ReplayTarget } from '../../grader/replayCode.ts';

const path = Array.from({ length: 40 }, (_unused, index) => ({
  kind: 'deliver' as const,
  from: index % 3,
  to: 3 + (index % 2),
  message: { type: 'Prepare', ballot: { round: 1 + (index % 4), proposer: index % 3 } },
}));

describe('replay codes', () => {
  it('a short target is plain base64url of its JSON and round-trips', () => {
    const target: ReplayTarget = { lab: '00-pingpong', test: '0.5', seed: 7, schedule: [{ atMs: 10, type: 'crash', node: 0 }] };
    const code = encodeReplay(target);
    expect(code.startsWith('eyJ')).toBe(true);
    expect(parseReplay(code)).toEqual(target);
  });

  it('a code replays the run it names: --test naming another test is refused, not ignored', () => {
    const target: ReplayTarget = { lab: '00-pingpong', test: '0.6', seed: 1, schedule: [] };
    const code = encodeReplay(target);
    expect(parseReplay(code, '0.6')).toEqual(target);
    expect(() => parseReplay(code, '0.3')).toThrow(/^this replay code is for test 0\.6, not 0\.3: a code replays the run it names/);
  });

  it("a search's long path is compressed several times over, and round-trips", () => {
    const target: ReplayTarget = { lab: '03-paxos', test: '3.S5', seed: 1, schedule: [], path };
    const plainLength = Buffer.from(JSON.stringify({ v: 2, ...target })).toString('base64url').length;
    const code = encodeReplay(target);
    expect(code.startsWith('z')).toBe(true);
    expect(code.length * 4).toBeLessThan(plainLength);
    expect(parseReplay(code)).toEqual(target);
    expect(parseReplay(`  ${code}\n`), 'whitespace pasted around it').toEqual(target);
  });

  it('a run\'s code from before the network drew differently is refused, not replayed into another run', () => {
    const oldCode = (target: object) => Buffer.from(JSON.stringify({ v: 1, ...target })).toString('base64url');
    const run = { lab: '00-pingpong', test: '0.5', seed: 7, schedule: [] };
    expect(() => parseReplay(oldCode(run))).toThrow(/made by an earlier version of distlab, whose network drew .* Grade the test again for a code that replays/);
    // A search's path draws nothing from the network: an old code still replays it.
    const search = { lab: '03-paxos', test: '3.S5', seed: 1, schedule: [], path };
    expect(parseReplay(oldCode(search))).toEqual(search);
    expect(() => parseReplay(Buffer.from(JSON.stringify({ v: 9, ...run })).toString('base64url'))).toThrow(/a later version of distlab \(replay version 9\)/);
  });

  it('a report whose failure carries an old code is refused the same way', () => {
    const directory = mkdtempSync(join(tmpdir(), 'distlab-replay-'));
    const file = join(directory, 'report.json');
    const failure = { seed: 3, shrunkSchedule: [], replayCode: Buffer.from(JSON.stringify({ v: 1, lab: '00-pingpong', test: '0.5', seed: 3, schedule: [] })).toString('base64url') };
    writeFileSync(file, JSON.stringify({ lab: '00-pingpong', tests: [{ number: '0.5', failure }] }));
    expect(() => parseReplay(file)).toThrow(/made by an earlier version of distlab/);
    const current = { ...failure, replayCode: encodeReplay({ lab: '00-pingpong', test: '0.5', seed: 3, schedule: [] }) };
    writeFileSync(file, JSON.stringify({ lab: '00-pingpong', tests: [{ number: '0.5', failure: current }] }));
    expect(parseReplay(file)).toEqual({ lab: '00-pingpong', test: '0.5', seed: 3, schedule: [] });
  });

  it('a code that would inflate past 16 MB is refused with one clear message', () => {
    const bomb = `z${deflateRawSync(Buffer.alloc(64 * 1024 * 1024, 0x20)).toString('base64url')}`;
    expect(bomb.length).toBeLessThan(200_000);
    expect(() => parseReplay(bomb)).toThrow(/neither a file nor a replay code \(copy the code printed with the failure\)/);
  });
});
