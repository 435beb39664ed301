// Traces of the simulator and of the model checker's replay, reduced to what both must agree
// on: each stimulus a node reacted to, and each effect of its reaction, in order. Network
// decisions (losses, duplicates), fault announcements and start markers are left out; a
// run's timer lines keep the time the timer is due when `withDueTimes` is set.
import type { TraceEvent } from '../../framework/trace.ts';
import { nodeName } from '../../framework/types.ts';
import { canonical } from './observe.ts';

const crashCut = /after (\d+) of its (\d+) effects/;

export function normalizeTrace(trace: readonly TraceEvent[], options: { readonly withDueTimes: boolean }): string[] {
  const lines: string[] = [];
  for (const event of trace) {
    const node = nodeName(event.node);
    const detail = event.detail === undefined ? '' : ` ${canonical(event.detail)}`;
    switch (event.kind) {
      case 'deliver':
        lines.push(`deliver ${nodeName(event.peer)} -> ${node}${detail}`);
        break;
      case 'timer-fire':
        lines.push(`fire ${node}${detail}`);
        break;
      case 'input':
        // An input for a crashed node is never given.
        if (event.reason === undefined) lines.push(`input ${node}${detail}`);
        break;
      case 'send':
        lines.push(`  ${node} send -> ${nodeName(event.peer)}${detail}`);
        break;
      case 'timer-set': {
        const due = options.withDueTimes && event.reason !== undefined ? ` (${event.reason})` : '';
        lines.push(`  ${node} set-timer${detail}${due}`);
        break;
      }
      case 'timer-cancel':
        lines.push(`  ${node} cancel-timer${detail}${event.reason === undefined ? '' : ` (${event.reason})`}`);
        break;
      case 'store':
        lines.push(`  ${node} store ${event.label}${event.reason === 'deleted' ? ' (deleted)' : detail}`);
        break;
      case 'output':
        lines.push(`  ${node} output${detail}`);
        break;
      case 'log':
        lines.push(`  ${node} log ${event.label}`);
        break;
      case 'crash': {
        const cut = crashCut.exec(event.reason ?? '');
        // A crash after all of a reaction's effects is the reaction followed by a crash.
        if (cut !== null && Number(cut[1]) < Number(cut[2])) lines.push(`  ${node} crashes after ${cut[1]} of ${cut[2]} effects`);
        else lines.push(`crash ${node}`);
        break;
      }
      case 'restart':
        lines.push(`restart ${node}`);
        break;
      case 'violation':
        lines.push(`failure ${event.label}: ${(event.reason ?? '').split('\n')[0]}`);
        return lines;
      case 'start':
      case 'fault':
      case 'drop':
      case 'duplicate':
        break;
    }
  }
  return lines;
}

/**
 * Undefined when the two lists are equal; otherwise the first differing line with the lines
 * before it, as a readable report.
 */
export function firstDifference(
  expected: readonly string[],
  actual: readonly string[],
  names: { readonly expected: string; readonly actual: string },
  contextLines = 6,
): string | undefined {
  const length = Math.max(expected.length, actual.length);
  let index = 0;
  while (index < length && expected[index] === actual[index]) index++;
  if (index === length) return undefined;
  const width = Math.max(names.expected.length, names.actual.length);
  const pad = (text: string) => text.padEnd(width);
  const context = expected.slice(Math.max(0, index - contextLines), index).map((line) => `  ${' '.repeat(width)}  ${line}`);
  const show = (line: string | undefined) => (line === undefined ? '(nothing: the list ends here)' : line);
  return [
    `first difference at line ${index + 1} (of ${expected.length} ${names.expected} and ${actual.length} ${names.actual}):`,
    ...context,
    `- ${pad(names.expected)}  ${show(expected[index])}`,
    `+ ${pad(names.actual)}  ${show(actual[index])}`,
  ].join('\n');
}
