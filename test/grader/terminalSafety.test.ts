// What a submission prints or records reaches the staff's terminal only as visible text: no
// escape sequence can clear the screen, move the cursor or reorder a line, and nothing is
// unboundedly long.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../framework/testing.ts';
import { formatFailure, formatSummary, progressPrinter, type Style } from '../../grader/reports/terminal.ts';
import { boundFailure, boundLines, boundReport, boundTail, boundText, escapeControls, reportTraceCharacters, terminalBlock, terminalLine, textLimits } from '../../grader/reports/untrusted.ts';
import { computeTotals, reportSchemaVersion, type GradedTest, type GradingReport } from '../../grader/results.ts';

/** Anything a terminal would act on, or that would reorder what it shows; line breaks aside. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const plain = (text: string) => text;
const plainStyle: Style = { bold: plain, red: plain, green: plain, yellow: plain, dim: plain };
const colourStyle: Style = {
  bold: (text) => `\u001b[1m${text}\u001b[22m`,
  red: (text) => `\u001b[31m${text}\u001b[39m`,
  green: (text) => `\u001b[32m${text}\u001b[39m`,
  yellow: (text) => `\u001b[33m${text}\u001b[39m`,
  dim: (text) => `\u001b[2m${text}\u001b[22m`,
};

/** Clears the screen, homes the cursor and claims full marks; then a carriage return, a backspace and a bidi override. */
const forgery = '\u001b[2J\u001b[HAll tests passed. Total: 12/12 points\rover\bX \u202eevil\u202c \u2066iso\u2069 c1\u009b31m nul\u0000 del\u007f lone\ud800';

const trace: TraceEvent[] = [
  { index: 0, step: 0, timeMs: 0, kind: 'start', node: 0, peer: -1, label: 'start' },
  { index: 1, step: 1, timeMs: 3, kind: 'send', node: 1, peer: 0, label: forgery, detail: { type: 'Ping', note: forgery }, reason: forgery },
  { index: 2, step: 2, timeMs: 5, kind: 'log', node: 0, peer: -1, label: `line one\nline two ${forgery}` },
];

const hostileTest: GradedTest = {
  number: '0.2',
  name: 'every ping answered',
  part: '',
  kind: 'run',
  visibility: 'visible',
  description: 'Pings under loss.',
  maxScore: 2,
  score: 0,
  status: 'failed',
  reason: forgery,
  seedsPlanned: 3,
  seedsRun: 1,
  wallMs: 40,
  measurements: { [`key${forgery}`]: 1, [`series${forgery}@1`]: 2, [`series${forgery}@2`]: 3 },
  output: `${forgery}\nsecond line\r\nthird ${forgery}`,
  failure: {
    seed: 1,
    kind: 'violation',
    property: `exactly once ${forgery}`,
    message: `${forgery}\nand a second line ${forgery}`,
    step: 2,
    timeMs: 5,
    schedule: [],
    shrunkSchedule: [],
    minimal: true,
    shrinkRuns: 0,
    lastEvents: trace,
    trace,
    traceTruncated: false,
    replayCode: 'eyJ2IjoxfQ',
    replayCommand: `npm run grade -- pingpong --impl ${forgery} --replay eyJ2IjoxfQ`,
  },
  demonstration: {
    seed: 4,
    kind: 'violation',
    property: forgery,
    message: forgery,
    step: 1,
    timeMs: 3,
    schedule: [],
    shrunkSchedule: [],
    minimal: true,
    shrinkRuns: 0,
    lastEvents: [],
    trace: [],
    traceTruncated: false,
    replayCode: 'eyJ2IjoxfQ',
    replayCommand: 'npm run grade -- pingpong --replay eyJ2IjoxfQ',
  },
};

const notRun: GradedTest = { ...hostileTest, number: '0.3', status: 'not run', reason: `the grader failed ${forgery}`, failure: undefined, demonstration: undefined, output: undefined };

function reportOf(tests: GradedTest[], extra: Partial<GradingReport> = {}): GradingReport {
  return {
    schemaVersion: reportSchemaVersion,
    tool: 'distlab',
    lab: '00-pingpong',
    labTitle: 'Lab 0',
    implementation: `submissions/${forgery}`,
    startedAt: '2025-01-02T03:04:05.000Z',
    finishedAt: '2025-01-02T03:04:06.000Z',
    durationMs: 1000,
    interrupted: true,
    typeErrors: [`index.ts(1,1): error TS2322: ${forgery}\n  second line ${forgery}`],
    options: { hidden: false },
    tests,
    totals: computeTotals(tests),
    ...extra,
  };
}

describe('escapeControls: control characters become visible escapes', () => {
  it.each([
    ['\u001b[2J', '\\x1b[2J'],
    ['a\rb', 'a\\rb'],
    ['a\bb', 'a\\x08b'],
    ['nul\u0000', 'nul\\x00'],
    ['del\u007f', 'del\\x7f'],
    ['csi\u009b', 'csi\\x9b'],
    ['\u202eevil\u202c', '\\u202eevil\\u202c'],
    ['\u2066isolated\u2069', '\\u2066isolated\\u2069'],
    ['lone\ud800', 'lone\\ud800'],
    ['line\u2028separator\u2029', 'line\\u2028separator\\u2029'],
    ['\ufeffbom \u200frlm\u200e \u061calm', '\\ufeffbom \\u200frlm\\u200e \\u061calm'],
    ['zero\u200bwidth\u2060joiner', 'zero\\u200bwidth\\u2060joiner'],
    ['non\ufffecharacters\uffff', 'non\\ufffecharacters\\uffff'],
    ['pair \ud83d\ude00 stays', 'pair \ud83d\ude00 stays'],
    ['tab\there', 'tab\\there'],
    ['one\ntwo', 'one\\ntwo'],
  ])('%j on one line is %j', (text, shown) => {
    expect(escapeControls(text)).toBe(shown);
  });

  it('keeps line breaks and tabs in a block, and turns CR LF into a line break', () => {
    expect(escapeControls('one\r\ntwo\tx\rthree\n\u001b[H', 'keep')).toBe('one\ntwo\tx\\rthree\n\\x1b[H');
  });

  it('leaves ordinary text alone, accents and emoji included', () => {
    const text = 'Pong n1 → n0: “déjà vu” 🎉 👩\u200d💻 \\x1b is only text';
    expect(escapeControls(text)).toBe(text);
    expect(escapeControls(text, 'keep')).toBe(text);
  });
});

describe('bounding: every untrusted text has a length limit and a visible marker', () => {
  it('keeps the start of a long text, says how much is left out, and fits the limit', () => {
    const text = 'x'.repeat(10_000);
    const bounded = boundText(text, 100);
    expect(bounded.length).toBeLessThanOrEqual(100);
    const [, kept, more] = /^(x*)… \((\d+) more characters\)$/.exec(bounded) ?? [];
    expect(Number(more) + (kept?.length ?? 0)).toBe(10_000);
    expect(boundText(bounded, 100)).toBe(bounded);
    expect(boundText('short', 100)).toBe('short');
  });

  it('never splits a surrogate pair', () => {
    const text = '😀'.repeat(1_000);
    const bounded = boundText(text, 101);
    expect(bounded).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('keeps the end of an output, from a line start when one is near', () => {
    const output = Array.from({ length: 2_000 }, (_unused, index) => `line ${index}`).join('\n');
    const bounded = boundTail(output, 500);
    expect(bounded.length).toBeLessThanOrEqual(500);
    expect(bounded).toMatch(/^… \(\d+ earlier characters\)\nline \d+\n/);
    expect(bounded.endsWith('line 1999')).toBe(true);
    expect(boundTail(bounded, 500)).toBe(bounded);
  });

  it('limits the lines of a block', () => {
    expect(boundLines('a\nb\nc\nd', 2)).toBe('a\nb\n… (2 more lines)');
  });

  it('bounds, then escapes, for the terminal', () => {
    expect(terminalLine(`${'\u001b'.repeat(10_000)}`, 50)).toMatch(/^(\\x1b)+… \(\d+ more characters\)$/);
    expect(terminalBlock('a\nb\u001b', 50)).toBe('a\nb\\x1b');
  });

  it('bounds the re-run of a failure the grader could not reproduce', () => {
    const huge = 'r'.repeat(100_000);
    const failure = boundFailure({ ...hostileTest.failure!, kind: 'nondeterministic', rerun: { passed: false, property: huge, message: huge, step: 3 } });
    if (failure.kind !== 'nondeterministic') throw new Error('the kind changed');
    expect(failure.rerun.property?.length).toBeLessThanOrEqual(textLimits.line);
    expect(failure.rerun.message?.length).toBeLessThanOrEqual(textLimits.message);
    expect(failure.rerun.message).toMatch(/… \(\d+ more characters\)$/);
  });

  it('a bounded report bounds to itself', () => {
    const huge = 'y'.repeat(1_000_000);
    const report = reportOf([{ ...hostileTest, reason: huge, output: huge, failure: { ...hostileTest.failure!, message: huge, property: huge } }], {
      setupError: huge,
      typeErrors: Array.from({ length: 500 }, () => huge),
    });
    const bounded = boundReport(report);
    expect(bounded.setupError?.length).toBeLessThanOrEqual(textLimits.setupError);
    expect(bounded.typeErrors.length).toBeLessThanOrEqual(100);
    expect(bounded.typeErrors.at(-1)).toMatch(/more type errors/);
    expect(bounded.tests[0]?.failure?.message.length).toBeLessThanOrEqual(textLimits.message);
    expect(bounded.tests[0]?.output?.length).toBeLessThanOrEqual(textLimits.output);
    expect(boundReport(bounded)).toEqual(bounded);
  });

  it("keeps the traces of all a report's failures within one budget, the later ones slimmed, and bounds to itself", () => {
    // Each failure's trace is about 2 M characters: 1,000 events carrying 2,000 characters each.
    const event = trace[0]!;
    const longTrace = Array.from({ length: 1_000 }, (_unused, index) => ({ ...event, index, detail: 'z'.repeat(2_000) }));
    const tests = Array.from({ length: 10 }, (_unused, index) => ({ ...hostileTest, number: `0.${index + 1}`, failure: { ...hostileTest.failure!, trace: longTrace, traceTruncated: false } }));
    const bounded = boundReport(reportOf(tests));
    const kept = bounded.tests.filter((test) => test.failure?.trace.length === 1_000);
    expect(kept.map((test) => test.number)).toEqual(['0.1', '0.2', '0.3', '0.4', '0.5']);
    for (const test of bounded.tests.slice(5)) {
      expect(test.failure?.trace.length).toBe(200);
      expect(test.failure?.trace[0]?.index).toBe(800);
      expect(test.failure?.traceTruncated).toBe(true);
      expect(test.failure?.states).toBeUndefined();
    }
    // The budget, and beyond it only the slimmed traces' last events.
    expect(JSON.stringify(bounded.tests.map((test) => test.failure?.trace)).length).toBeLessThanOrEqual(reportTraceCharacters + 5 * 200 * 2_200);
    expect(boundReport(bounded)).toEqual(bounded);
  });
});

describe('the terminal report shows a hostile run as text', () => {
  const report = reportOf([hostileTest, notRun]);

  it('has no raw control character or bidi override anywhere, in plain style', () => {
    const text = formatSummary(report, plainStyle);
    expect(text).not.toMatch(unsafe);
    expect(text).toContain('\\x1b[2J\\x1b[HAll tests passed. Total: 12/12 points\\rover\\x08X \\u202eevil');
    // The forged "Total" sits inside an escaped field; the real total line is the grader's.
    expect(text.split('\n').filter((line) => /^\s*Total:/.test(line))).toEqual(['  Total: 0/4 points — 0 passed, 1 failed, 1 not run (1.0 s)']);
  });

  it('in colour, the only escape sequences are the grader\'s own colours', () => {
    const text = formatSummary(report, colourStyle);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    const withoutOwnColours = text.replace(/\u001b\[(?:1|2|22|31|32|33|39)m/g, '');
    expect(withoutOwnColours).not.toMatch(unsafe);
  });

  it('keeps the message and output as lines, each escaped', () => {
    const lines = formatFailure(hostileTest, plainStyle).join('\n').split('\n');
    expect(lines.some((line) => line.startsWith('  and a second line \\x1b[2J'))).toBe(true);
    expect(lines).toContain('    third \\x1b[2J\\x1b[HAll tests passed. Total: 12/12 points\\rover\\x08X \\u202eevil\\u202c \\u2066iso\\u2069 c1\\x9b31m nul\\x00 del\\x7f lone\\ud800');
    // A trace label with a line break stays on its event's line.
    expect(lines.filter((line) => line.includes('line one\\nline two'))).toHaveLength(1);
  });

  it('bounds an enormous message and output', () => {
    const huge = `${'\u001b[2J'.repeat(100_000)}\n`.repeat(50);
    const lines = formatFailure({ ...hostileTest, output: huge, failure: { ...hostileTest.failure!, message: huge } }, plainStyle);
    const text = lines.join('\n');
    expect(text).not.toMatch(unsafe);
    expect(text).toMatch(/… \(\d+ more characters\)/);
    // Escaping multiplies a control character's width by four: the bound is on the text before it.
    expect(text.length).toBeLessThan(4 * (textLimits.message + textLimits.output) + 10_000);
  });

  it('live progress escapes what it prints', () => {
    let written = '';
    const stream = { isTTY: false, write: (chunk: string) => ((written += chunk), true) } as unknown as NodeJS.WriteStream;
    const print = progressPrinter(stream, plainStyle);
    print({ type: 'test-end', graded: { ...hostileTest, name: `named ${forgery}` } });
    expect(written).toContain('named \\x1b[2J');
    expect(written.slice(0, -1)).not.toMatch(unsafe);
  });
});

// ---------------------------------------------------------------------------------------------
// End to end: a submission that prints and throws escape sequences.

const execute = promisify(execFile);
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});
function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'distlab-terminal-'));
  folders.push(folder);
  return folder;
}

const screenClearingServer = `import { Server } from './base.ts';
export { Client as PingClient } from './base.ts';
const forged = '\\u001b[2J\\u001b[HAll tests passed. Total: 12/12 points\\r\\u202e';
export class PingServer extends Server {
  override onMessage(): void {
    console.log(forged + ' and a long line ' + 'z'.repeat(50_000));
    throw new Error(forged + ' ' + 'w'.repeat(50_000));
  }
}
`;

describe('npm run grade: a submission that prints escape sequences', () => {
  it('reaches the terminal escaped, and every report bounded', async () => {
    const submission = temporaryFolder();
    copyFileSync('test/fixtures/pingpong/base.ts', join(submission, 'base.ts'));
    writeFileSync(join(submission, 'index.ts'), screenClearingServer);
    const out = join(temporaryFolder(), 'reports');
    mkdirSync(out);
    let stdout = '';
    let stderr = '';
    try {
      await execute(process.execPath, ['--import', 'tsx', 'grader/cli.ts', 'pingpong', '--impl', submission, '--test', '0.1', '--seeds', '2', '--no-typecheck', '--report', 'terminal,json,html,junit,gradescope', '--out', out], {
        env: { ...process.env, NO_COLOR: '1' },
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      ({ stdout, stderr } = error as { stdout: string; stderr: string });
    }
    expect(stdout).toMatch(/Total: 0\/1 points/);
    expect(stdout).toContain('\\x1b[2J\\x1b[HAll tests passed. Total: 12/12 points\\r\\u202e');
    expect(stdout.replace(/\n/g, '')).not.toMatch(unsafe);
    expect(stderr.replace(/\n/g, '')).not.toMatch(unsafe);
    // Nothing the submission wrote is kept whole: 50,000 characters at a time are over every limit.
    for (const file of ['report.json', 'report.html', 'junit.xml', 'results.json']) {
      const text = readFileSync(join(out, file), 'utf8');
      expect(text, file).not.toMatch(/w{4001}|z{8001}/);
    }
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as GradingReport;
    expect(report.tests[0]?.failure?.message).toMatch(/… \(\d+ more characters\)$/);
  });
});
