// A failure the grader cannot show again is not reported as that failure: the re-run of the
// failing seed must fail the same way, or the test fails as a nondeterministic submission,
// with both runs in the report.
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../framework/index.ts';
import { runTest } from '../../grader/runTest.ts';
import suite from '../../labs/00-pingpong/suite.ts';
import type { PingPong } from '../../labs/00-pingpong/src/protocol.ts';
import { PingClient } from '../../solutions/00-pingpong/client.ts';
import { PingServer } from '../../solutions/00-pingpong/server.ts';

/** Runs so far in this process: state kept outside the nodes, from one run to the next. */
let startsSeen = 0;

/** A client that answers every Pong twice in the first run it takes part in, and never again. */
class FirstRunDoubler extends PingClient {
  private first = false;

  override onStart(): void {
    super.onStart();
    startsSeen++;
    this.first = startsSeen === 1;
  }

  override onMessage(from: NodeId, message: PingPong['message']): void {
    super.onMessage(from, message);
    if (this.first && message.type === 'Pong') this.output({ type: 'PongReceived', seq: message.seq });
  }
}

/** A client that behaves the same on every run: it answers every Pong twice. */
class AlwaysDoubler extends PingClient {
  override onMessage(from: NodeId, message: PingPong['message']): void {
    super.onMessage(from, message);
    if (message.type === 'Pong') this.output({ type: 'PongReceived', seq: message.seq });
  }
}

function test(number: string) {
  const found = suite.tests.find((candidate) => candidate.number === number);
  if (found === undefined) throw new Error(`no test ${number}`);
  return found;
}

describe('a failure the grader cannot reproduce', () => {
  it('is a nondeterministic submission, with both runs described, on a test without faults', () => {
    startsSeen = 0;
    const outcome = runTest(suite, test('0.1'), { PingServer, PingClient: FirstRunDoubler }, { seeds: [1, 2, 3] });
    expect(outcome.passed).toBe(false);
    expect(outcome.seedsRun).toBe(1);
    const failure = outcome.failure;
    expect(failure?.kind).toBe('nondeterministic');
    expect(failure?.property).toBe('deterministic behaviour');
    expect(failure?.message).toMatch(/^the same seed and schedule gave different results\. First run: failed ".+" at event \d+: .+\. Re-run: passed/);
    if (failure?.kind !== 'nondeterministic') return;
    expect(failure.rerun.passed).toBe(true);
    expect(failure.replayable).toBe(false);
    expect(failure.trace.length, "the report keeps the re-run's trace").toBeGreaterThan(0);
    expect(failure.lastEvents.length, "and the end of the first run's").toBeGreaterThan(0);
  });

  it('is a nondeterministic submission on a test with faults, before any shrinking', () => {
    startsSeen = 0;
    const outcome = runTest(suite, test('0.5'), { PingServer, PingClient: FirstRunDoubler }, { seeds: [1] });
    expect(outcome.failure?.kind).toBe('nondeterministic');
    expect(outcome.failure?.shrinkRuns).toBe(0);
  });

  it('is not raised against a submission that fails the same way every time', () => {
    const outcome = runTest(suite, test('0.1'), { PingServer, PingClient: AlwaysDoubler }, { seeds: [1] });
    expect(outcome.failure?.kind).toBe('violation');
    expect(outcome.failure?.replayable).not.toBe(false);
  });
});
