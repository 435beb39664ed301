// Correct implementations written from the handouts alone, in styles the reference solutions do
// not use (Maps and Sets, fields added lazily and deleted, class layers, helper modules with a
// memo, getters, NaN and -0 in fields, fractional and range delays, console output): the search
// tests and their live check must give each of them full marks.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';
import { changedCopy } from '../labs/cheatFolders.ts';

const limits = { memoryMb: 512, timeoutMs: 120_000 };
const alternatives = join(projectRoot, 'test', 'fixtures', 'alternatives');

const scratchFolders: string[] = [];
afterAll(() => {
  for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
});

/** `folder`: a folder under test/fixtures/alternatives, or a path. */
async function scores(lab: string, folder: string, tests: string[]): Promise<[string, string, number][]> {
  const report = await grade({
    lab,
    implementation: resolve(alternatives, folder),
    tests,
    limits,
    typecheck: false,
  });
  expect(report.tests.every((test) => test.score === test.maxScore)).toBe(true);
  return report.tests.map((test) => [test.number, test.status, test.score]);
}

describe('correct implementations in other styles get full marks', () => {
  it('lab 1: Lamport and Ricart–Agrawala with Sets, Maps, lazy fields and a clock base class', async () => {
    expect(await scores('mutex', 'mutex-maps', ['1C.2', '1C.8', '1C.9', '1D.2'])).toEqual([
      ['1C.2', 'passed', 3],
      ['1C.8', 'passed', 2],
      ['1C.9', 'passed', 0],
      ['1D.2', 'passed', 3],
    ]);
  }, 180_000);

  it('lab 3: Paxos in class layers, acceptor state in storage only, Maps created lazily', async () => {
    expect(await scores('paxos', 'paxos-layers', ['3.3', '3.S1', '3.S4', '3.S5'])).toEqual([
      ['3.3', 'passed', 3],
      ['3.S1', 'passed', 3],
      ['3.S4', 'passed', 1],
      ['3.S5', 'passed', 2],
    ]);
  }, 180_000);

  it('lab 3: Paxos whose proposer keeps Promises in arrival order and sends its Accepts in that order', async () => {
    // paxos-layers with its proposer's order changed: Promises kept as they arrive (states that
    // differ only in that order are other states to the search), and Accepts sent in that order.
    const arrival = changedCopy(
      join(alternatives, 'paxos-layers'),
      'paxos.ts',
      [
        [
          `    // Kept in id order so that states differing only in arrival order are one state.
    const entries = [...attempt.promises.entries(), [from, accepted] as const].sort((a, b) => a[0] - b[0]);
    attempt.promises = new Map(entries);`,
          '    attempt.promises.set(from, accepted);',
        ],
        [
          `    delete attempt.promises;
    for (const acceptor of this.config.acceptors) this.send(acceptor, { type: 'Accept', ballot, value });`,
          `    // The acceptors that promised first hear the Accept first; then the others.
    const order = [...attempt.promises.keys(), ...this.config.acceptors.filter((acceptor) => !attempt.promises?.has(acceptor))];
    delete attempt.promises;
    for (const acceptor of order) this.send(acceptor, { type: 'Accept', ballot, value });`,
        ],
      ],
      scratchFolders,
    );
    expect(await scores('paxos', arrival, ['3.S3', '3.S5'])).toEqual([
      ['3.S3', 'passed', 2],
      ['3.S5', 'passed', 2],
    ]);
  }, 180_000);

  it('lab 4: the reference Multi-Paxos restyled: a memo, a fractional heartbeat delay, fields added and deleted, NaN and -0', async () => {
    expect(await scores('multipaxos', 'multipaxos-restyled', ['4.S1', '4.S4', '4.S6'])).toEqual([
      ['4.S1', 'passed', 2],
      ['4.S4', 'passed', 3],
      ['4.S6', 'passed', 2],
    ]);
  }, 180_000);
});
