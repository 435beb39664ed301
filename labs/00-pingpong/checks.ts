// Lab 0's properties. They read what the test can observe: the SendPing inputs, the
// PongReceived outputs, the Pongs delivered to the client and the message counters; never a
// node's private fields. Each one folds the history into a small memory.
import { always, budget, eventually, nodeName, type NodeId, type Property } from 'distlab/testing';
import type { PingPong } from './src/protocol.ts';

/** Safety: an answer is reported only by the client, and only once per ping. */
export function answeredAtMostOnce(client: NodeId): Property<PingPong, Set<number>> {
  return always<PingPong, Set<number>>('each ping answered at most once', {
    memory: () => new Set(),
    records: ['output'],
    record(answered, event) {
      if (event.kind !== 'output') return undefined;
      const { seq } = event.output;
      if (event.node !== client) return `${nodeName(event.node)} reported PongReceived ${seq}, but only the client ${nodeName(client)} may`;
      if (answered.has(seq)) return `ping ${seq} was reported answered twice (at ${event.timeMs} ms the second time)`;
      answered.add(seq);
      return undefined;
    },
  });
}

/**
 * Safety: every answer reported is for a ping the client was asked for before. Each output
 * is judged on its own, so a reaction that reports a stray answer and then the right one
 * fails on the stray one.
 */
export function onlyAskedPingsAnswered(client: NodeId): Property<PingPong, Set<number>> {
  return always<PingPong, Set<number>>('only pings asked for are answered', {
    memory: () => new Set(),
    records: ['input', 'output'],
    record(asked, event) {
      if (event.kind === 'input') {
        if (event.node === client) asked.add(event.input.seq);
        return undefined;
      }
      if (event.kind !== 'output') return undefined;
      const { seq } = event.output;
      if (asked.has(seq)) return undefined;
      const sofar = [...asked].sort((left, right) => left - right);
      const listed = sofar.length === 0 ? 'none' : sofar.length > 10 ? `${sofar.slice(0, 10).join(', ')} and ${sofar.length - 10} more` : sofar.join(', ');
      return `${nodeName(event.node)} reported PongReceived ${seq} at ${event.timeMs} ms, but no SendPing ${seq} had asked for it (pings asked for so far: ${listed})`;
    },
  });
}

interface PongsMemory {
  /** The seqs the client was asked to get answered so far. */
  readonly asked: Set<number>;
  /** The seqs of the Pongs delivered to the client since it was asked for them. */
  readonly delivered: Set<number>;
  /** What the client is reacting to in the step `step`: "Pong 4", "SendPing 2". */
  trigger: { readonly step: number; readonly what: string } | null;
}

/**
 * Safety: the client reports ping `seq` answered only after a Pong `seq` from the server
 * reached it, since it was asked for `seq`. A client that reports a ping when it sends it, that
 * takes any Pong as the answer to another ping, that answers itself with a Pong of its own
 * making, or that pings ahead of being asked, reports answers the server never gave to the
 * ping asked for.
 */
export function answersFollowTheirPong(client: NodeId, server: NodeId): Property<PingPong, PongsMemory> {
  return always<PingPong, PongsMemory>('each answer follows its Pong', {
    memory: () => ({ asked: new Set(), delivered: new Set(), trigger: null }),
    records: ['deliver:Pong', 'input', 'output'],
    record(memory, event, cluster) {
      switch (event.kind) {
        case 'deliver':
          // Only the server answers: a Pong the client sent itself, or got from anyone else, is no answer.
          if (event.to !== client || event.from !== server || event.message.type !== 'Pong') return undefined;
          // A Pong that came before the ping was asked for answers a Ping sent ahead of time, not the ping asked for.
          if (memory.asked.has(event.message.seq)) memory.delivered.add(event.message.seq);
          memory.trigger = { step: cluster.step, what: `Pong ${event.message.seq}` };
          return undefined;
        case 'input':
          if (event.node !== client) return undefined;
          memory.asked.add(event.input.seq);
          memory.trigger = { step: cluster.step, what: `SendPing ${event.input.seq}` };
          return undefined;
        case 'output': {
          const { seq } = event.output;
          if (event.node !== client || memory.delivered.has(seq)) return undefined;
          // Inputs and deliveries are recorded just before the reaction, in the same step.
          const reaction = memory.trigger !== null && memory.trigger.step === cluster.step ? memory.trigger.what : 'a timer';
          return (
            `${nodeName(client)} reported PongReceived ${seq} at ${event.timeMs} ms, reacting to ${reaction}, but no Pong ${seq} from the server ${nodeName(server)} had reached it ` +
            `since SendPing ${seq}: a ping is answered only by the server's Pong of its own seq, to a Ping sent once the ping was asked for`
          );
        }
        default:
          return undefined;
      }
    },
  });
}

/**
 * Safety: the server sends a Pong only in its reaction to a Ping of that seq from the client
 * ("answer every Ping with a Pong of the same seq. It needs no state"). Pongs sent of its own
 * accord, for pings never asked, or again later for pings it once saw, would let a client that
 * sends nothing pass for one that pings, or flood the network for ever.
 */
export function pongsAnswerPings(client: NodeId, server: NodeId): Property<PingPong, { handed: { readonly seq: number; readonly step: number } | null }> {
  return always<PingPong, { handed: { readonly seq: number; readonly step: number } | null }>('each Pong answers a Ping', {
    memory: () => ({ handed: null }),
    records: ['deliver:Ping', 'send:Pong'],
    record(memory, event, cluster) {
      if (event.kind === 'deliver') {
        if (event.to === server) memory.handed = event.from === client && event.message.type === 'Ping' ? { seq: event.message.seq, step: cluster.step } : null;
        return undefined;
      }
      if (event.kind !== 'send' || event.from !== server || event.to !== client || event.message.type !== 'Pong') return undefined;
      const handed = memory.handed;
      if (handed !== null && handed.step === cluster.step && handed.seq === event.message.seq) return undefined;
      return (
        `the server ${nodeName(server)} sent Pong ${event.message.seq} to ${nodeName(client)} at ${event.timeMs} ms, but not in its reaction to a Ping ${event.message.seq} from ${nodeName(client)}: ` +
        'the server answers each Ping it receives, at once, and sends no Pong of its own accord'
      );
    },
  });
}

interface PingToAnswer {
  readonly from: NodeId;
  readonly seq: number;
  readonly step: number;
  readonly atMs: number;
}

/**
 * Safety: the server answers every Ping it receives with a Pong of its seq, to its sender, in
 * the same reaction ("It needs no state: a duplicated or re-sent Ping is simply answered
 * again"). A server that takes a re-sent Ping for a duplicate and drops it leaves the client
 * retrying; on a lossy network that can pass for slowness, so each Ping is judged on its own.
 * A crash in the middle of the reaction excuses it.
 */
export function serverAnswersEveryPing(server: NodeId): Property<PingPong, { pending: PingToAnswer | null }> {
  const unanswered = (ping: PingToAnswer) =>
    `the server ${nodeName(server)} received Ping ${ping.seq} from ${nodeName(ping.from)} at ${ping.atMs} ms and did not answer it in that reaction: ` +
    'the server answers every Ping with a Pong of its seq, a duplicated or re-sent one too (it keeps no state)';
  return always<PingPong, { pending: PingToAnswer | null }>('the server answers every Ping', {
    memory: () => ({ pending: null }),
    records: ['deliver:Ping', 'send:Pong', 'crash'],
    record(memory, event, cluster) {
      const pending = memory.pending;
      if (event.kind === 'send') {
        if (pending !== null && event.from === server && event.to === pending.from && event.message.type === 'Pong' && event.message.seq === pending.seq) memory.pending = null;
        return undefined;
      }
      if (event.kind === 'crash') {
        if (event.node === server) memory.pending = null;
        return undefined;
      }
      if (pending !== null && pending.step !== cluster.step) return unanswered(pending);
      if (event.kind === 'deliver' && event.to === server && event.message.type === 'Ping') {
        memory.pending = { from: event.from, seq: event.message.seq, step: cluster.step, atMs: event.timeMs };
      }
      return undefined;
    },
    check(cluster, memory) {
      const pending = memory.pending;
      return pending !== null && pending.step !== cluster.step ? unanswered(pending) : undefined;
    },
  });
}

/** Per outstanding ping, when it was asked for or last sent; and whether the client has sent any Ping. */
interface SentAgainMemory {
  readonly lastSent: Map<number, number>;
  sentAny: boolean;
}

/**
 * Safety: a ping still outstanding is sent again, at least once every `periods` retry periods
 * ("on RetryPing seq: if seq is still outstanding, send the Ping again"). A client that re-sends
 * only some of its outstanding pings (the oldest, say) answers them all in the end, only later:
 * on a lossy network that passes for slowness, so each ping is judged by the time since it was
 * last sent. The bound leaves room for a client that backs off.
 */
export function outstandingPingsSentAgain(client: NodeId, server: NodeId, retryMs: number, periods: number): Property<PingPong, SentAgainMemory> {
  const limitMs = retryMs * periods;
  const overdue = (lastSent: Map<number, number>, nowMs: number): string | undefined => {
    for (const [seq, sentMs] of lastSent) {
      if (nowMs - sentMs > limitMs) {
        return (
          `ping ${seq} was outstanding at ${nowMs} ms and the client ${nodeName(client)} had not sent it since ${sentMs} ms, more than ${periods} retry periods (${limitMs} ms): ` +
          'on each RetryPing of a ping still outstanding, the client sends that Ping again, whatever other pings are outstanding'
        );
      }
    }
    return undefined;
  };
  return always<PingPong, SentAgainMemory>('outstanding pings are sent again', {
    memory: () => ({ lastSent: new Map(), sentAny: false }),
    records: ['input', 'send:Ping', 'output', 'crash'],
    record(memory, event) {
      const { lastSent } = memory;
      if (event.kind === 'input') {
        if (event.node === client) lastSent.set(event.input.seq, event.timeMs);
      } else if (event.kind === 'send') {
        if (event.from === client && event.to === server && event.message.type === 'Ping') {
          memory.sentAny = true;
          if (lastSent.has(event.message.seq)) lastSent.set(event.message.seq, event.timeMs);
        }
      } else if (event.kind === 'output') {
        if (event.node === client) lastSent.delete(event.output.seq);
      } else if (event.kind === 'crash' && event.node === client) lastSent.clear();
      return undefined;
    },
    // Judged once the client has sent some Ping: a client that sends none fails for lack of progress.
    check(cluster, memory) {
      return memory.sentAny ? overdue(memory.lastSent, cluster.nowMs) : undefined;
    },
  });
}

/** What the client owes in the step it is reacting in: a Ping on a SendPing, a report on a Pong. */
interface Owed {
  readonly seq: number;
  readonly step: number;
  readonly atMs: number;
}

/**
 * Safety: on `SendPing seq` the client sends `Ping seq` to the server in that reaction ("on
 * SendPing seq: remember seq as outstanding, send Ping seq to the server, and set a RetryPing
 * seq timer"). A client that only sets the timer, or waits for its other pings, answers in the
 * end, a retry period or more late.
 */
export function firstPingOnSendPing(client: NodeId, server: NodeId): Property<PingPong, { owed: Owed | null; pinged: boolean }> {
  const unsent = (owed: Owed) =>
    `the client ${nodeName(client)} was asked SendPing ${owed.seq} at ${owed.atMs} ms and did not send Ping ${owed.seq} to the server ${nodeName(server)} in that reaction: ` +
    'on SendPing, the client sends the Ping at once, and sets its RetryPing timer';
  // Judged once the client has sent some Ping: one that never sends any fails for lack of progress.
  const late = (memory: { owed: Owed | null; pinged: boolean }, step: number) => {
    const owed = memory.owed;
    if (owed === null || owed.step === step) return undefined;
    memory.owed = null;
    return memory.pinged ? unsent(owed) : undefined;
  };
  return always<PingPong, { owed: Owed | null; pinged: boolean }>('the first Ping goes out on SendPing', {
    memory: () => ({ owed: null, pinged: false }),
    records: ['input', 'send:Ping', 'crash'],
    record(memory, event, cluster) {
      if (event.kind === 'crash') {
        if (event.node === client) memory.owed = null;
        return undefined;
      }
      if (event.kind === 'send') {
        if (event.from !== client || event.message.type !== 'Ping') return undefined;
        memory.pinged = true;
        const owed = memory.owed;
        if (owed !== null && event.to === server && event.message.seq === owed.seq) memory.owed = null;
        return undefined;
      }
      const problem = late(memory, cluster.step);
      if (problem !== undefined) return problem;
      if (event.kind === 'input' && event.node === client) memory.owed = { seq: event.input.seq, step: cluster.step, atMs: event.timeMs };
      return undefined;
    },
    check(cluster, memory) {
      return late(memory, cluster.step);
    },
  });
}

/**
 * Safety: the client sends Ping seq only while seq waits for its answer: after SendPing seq,
 * until it reports PongReceived seq ("on RetryPing seq: ... If it was answered, do nothing").
 * A client that goes on pinging an answered ping costs messages for ever, and on a reliable
 * network, where no ping is ever re-sent, no count shows it.
 */
export function noPingOnceAnswered(client: NodeId): Property<PingPong, Set<number>> {
  return always<PingPong, Set<number>>('no Ping once answered', {
    // The seqs asked for and not yet reported.
    memory: () => new Set(),
    records: ['input', 'output', 'send:Ping', 'restart'],
    record(waiting, event) {
      switch (event.kind) {
        case 'input':
          if (event.node === client) waiting.add(event.input.seq);
          return undefined;
        case 'output':
          if (event.node === client) waiting.delete(event.output.seq);
          return undefined;
        case 'restart':
          // A restarted client has forgotten what it was asked: the rule no longer knows what it waits for.
          if (event.node === client) waiting.clear();
          return undefined;
        case 'send':
          if (event.from !== client || event.message.type !== 'Ping' || waiting.has(event.message.seq)) return undefined;
          return (
            `the client ${nodeName(client)} sent Ping ${event.message.seq} at ${event.timeMs} ms, but ping ${event.message.seq} was not waiting for its answer ` +
            '(never asked for, or answered already): the client pings only the pings it was asked for and has not had answered'
          );
        default:
          return undefined;
      }
    },
  });
}

/**
 * Safety: a Pong from the server for a ping asked for and not yet reported is reported in the
 * reaction to it ("on Pong seq: if seq is outstanding, it is answered now: ... output
 * PongReceived"). A client that holds answers back (to report them in the order asked, or at
 * its next timer) reports them late.
 */
export function reportedOnItsPong(client: NodeId, server: NodeId): Property<PingPong, { asked: Set<number>; reported: Set<number>; owed: Owed | null }> {
  const unreported = (owed: Owed) =>
    `Pong ${owed.seq} from the server ${nodeName(server)} reached the client ${nodeName(client)} at ${owed.atMs} ms, while ping ${owed.seq} was waiting for its answer, ` +
    `and the client did not report PongReceived ${owed.seq} in that reaction: an outstanding ping is answered the moment its Pong arrives`;
  return always<PingPong, { asked: Set<number>; reported: Set<number>; owed: Owed | null }>('each ping reported on its Pong', {
    memory: () => ({ asked: new Set(), reported: new Set(), owed: null }),
    records: ['input', 'deliver:Pong', 'output', 'crash'],
    record(memory, event, cluster) {
      if (event.kind === 'crash') {
        if (event.node === client) memory.owed = null;
        return undefined;
      }
      if (event.kind === 'output') {
        if (event.node !== client) return undefined;
        memory.reported.add(event.output.seq);
        if (memory.owed !== null && memory.owed.seq === event.output.seq) memory.owed = null;
        return undefined;
      }
      const owed = memory.owed;
      if (owed !== null && owed.step !== cluster.step) return unreported(owed);
      if (event.kind === 'input') {
        if (event.node === client) memory.asked.add(event.input.seq);
      } else if (event.kind === 'deliver' && event.to === client && event.from === server && event.message.type === 'Pong') {
        const { seq } = event.message;
        if (memory.asked.has(seq) && !memory.reported.has(seq)) memory.owed = { seq, step: cluster.step, atMs: event.timeMs };
      }
      return undefined;
    },
    check(cluster, memory) {
      const owed = memory.owed;
      return owed !== null && owed.step !== cluster.step ? unreported(owed) : undefined;
    },
  });
}

/**
 * Safety: the client sends a ping's Ping again only once `retryMs` have passed since it last
 * sent it ("on RetryPing seq: if seq is still outstanding, send the Ping again and set the timer
 * again"; "every loss costs one more round trip after retryMs"). Two timers for one ping, or
 * every outstanding Ping sent again on any timer, floods a lossy network.
 */
export function noPingSentAgainEarly(client: NodeId, server: NodeId, retryMs: number): Property<PingPong, Map<number, number>> {
  return always<PingPong, Map<number, number>>('no Ping sent again before retryMs', {
    memory: () => new Map(),
    records: ['send:Ping', 'crash'],
    record(lastSent, event) {
      if (event.kind === 'crash') {
        if (event.node === client) lastSent.clear();
        return undefined;
      }
      if (event.kind !== 'send' || event.from !== client || event.to !== server || event.message.type !== 'Ping') return undefined;
      const { seq } = event.message;
      const before = lastSent.get(seq);
      lastSent.set(seq, event.timeMs);
      if (before === undefined || event.timeMs - before >= retryMs) return undefined;
      return (
        `the client ${nodeName(client)} sent Ping ${seq} at ${event.timeMs} ms, ${event.timeMs - before} ms after it last sent it (at ${before} ms): ` +
        `a ping's Ping goes again only on its own RetryPing, ${retryMs} ms (retryMs) after it was last sent`
      );
    },
  });
}

/** Liveness and progress: every ping asked for is answered (by a deadline, where the test has one). */
export function everyPingAnswered(pings: number, withinMs: number | undefined): Property<PingPong, Set<number>> {
  return eventually<PingPong, Set<number>>(
    'every ping answered',
    {
      memory: () => new Set(),
      records: ['output'],
      record(answered, event) {
        if (event.kind === 'output') answered.add(event.output.seq);
        return undefined;
      },
      check(cluster, answered) {
        if (answered.size === 0) return `no progress: none of the ${pings} pings was answered by ${cluster.nowMs} ms`;
        const missing: number[] = [];
        for (let seq = 1; seq <= pings; seq++) if (!answered.has(seq)) missing.push(seq);
        if (missing.length > 0) {
          return `${missing.length} of ${pings} pings never answered by ${cluster.nowMs} ms: ${missing.slice(0, 10).join(', ')}`;
        }
        return undefined;
      },
    },
    withinMs === undefined ? {} : { withinMs },
  );
}

/**
 * Budget: on a reliable network whose delays are far below the retry time, one Ping and one
 * Pong per ping (two Pings and no Pong is not the same two messages).
 */
export function twoMessagesPerPing(pings: number): Property<PingPong> {
  return budget<PingPong>('two messages per ping', (cluster) => {
    const counters = cluster.counters;
    const sent = counters.messagesSent;
    const pingsSent = counters.sentByType.get('Ping') ?? 0;
    const pongsSent = counters.sentByType.get('Pong') ?? 0;
    if (sent === 2 * pings && pingsSent === pings && pongsSent === pings) return undefined;
    return `${sent} messages (${pingsSent} Ping, ${pongsSent} Pong) for ${pings} pings; with no loss and delays under retryMs it takes exactly ${pings} of each`;
  });
}
