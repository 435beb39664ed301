import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../framework/testing.ts';
import { writeGradescopeReport, validateGradescopeResults } from '../../grader/reports/gradescope.ts';
import { displayText, writeHtmlReport } from '../../grader/reports/html.ts';
import { unpackViewerEvents, type PackedViewerEvent } from '../../grader/reports/viewer/model.ts';
import { readableJson, writeJsonReport } from '../../grader/reports/json.ts';
import { writeJunitReport } from '../../grader/reports/junit.ts';
import { reportSchema, validateJsonSchema, validateReportJson } from '../../grader/reports/schema.ts';
import { formatFailure, formatSummary, splitMeasurements, type Style } from '../../grader/reports/terminal.ts';
import { computeTotals, reportSchemaVersion, type GradedFailure, type GradedTest, type GradingReport } from '../../grader/results.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures: reports built by hand, with the worst a submission could print.

const hostile = `</script><script>alert(1)</script> ]]> nul\u0000 bell\u0007 \u001b[31mred\u001b[0m {{x}} "double" 'single' <b>&amp; lone\ud800 end`;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const rawControl = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const hostileName = `answers "><img src=x onerror=alert(1)> {{x}}`;

const folders: string[] = [];
function outputFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'distlab-reports-'));
  folders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const trace: TraceEvent[] = [
  { index: 0, step: 0, timeMs: 0, kind: 'start', node: 0, peer: -1, label: 'start' },
  { index: 1, step: 1, timeMs: 3, kind: 'send', node: 1, peer: 0, label: 'Ping', detail: { type: 'Ping', seq: 1, note: hostile } },
  { index: 2, step: 2, timeMs: 100, kind: 'fault', node: -1, peer: -1, label: 'at 100 ms: crash n1' },
  { index: 3, step: 3, timeMs: 7, kind: 'deliver', node: 0, peer: 1, label: 'Ping', detail: { type: 'Ping', seq: 1, note: hostile } },
  { index: 4, step: 3, timeMs: 7, kind: 'log', node: 0, peer: -1, label: hostile },
  { index: 5, step: 3, timeMs: 7, kind: 'drop', node: 0, peer: 1, label: 'Pong', reason: 'n1 is down' },
  { index: 6, step: 3, timeMs: 7, kind: 'violation', node: 0, peer: -1, label: 'exactly once', reason: hostile },
];

/** An event as the page embeds it for its trace viewer and table (grader/reports/viewer/model.ts). */
interface ViewerEventShown { i: number; s: number; t: number; k: string; n: number; p: number; l: string; d?: string; r?: string; m?: number }

/** The first trace viewer's data in a page: its JSON text, the trace's id, and its events. */
function viewerEventsOf(page: string): [string, string, ViewerEventShown[]] {
  const match = /<script type="application\/json" id="([^"]+)-viewer">([^<]*)<\/script>/.exec(page);
  expect(match).not.toBeNull();
  const text = match?.[2] ?? '{}';
  const data = JSON.parse(text) as { events: PackedViewerEvent[]; messages: { send: number }[] };
  // Events come packed, and a delivery's detail is its send's: the page's script unpacks them
  // and copies it, and so does this.
  const unpacked = unpackViewerEvents(data.events) as ViewerEventShown[];
  const events = unpacked.map((event, position) => {
    const send = event.m === undefined ? undefined : data.messages[event.m]?.send;
    return send === undefined || send < 0 || send === position || event.d !== undefined ? event : { ...event, d: unpacked[send]?.d };
  });
  return [text, match?.[1] ?? '', events];
}

const passing: GradedTest = {
  number: '1.1',
  name: 'every ping is answered',
  part: 'A',
  kind: 'run',
  visibility: 'visible',
  description: 'Pings a server and waits for the pong.',
  maxScore: 2,
  score: 2,
  status: 'passed',
  seedsPlanned: 5,
  seedsRun: 5,
  wallMs: 812,
  measurements: { messagesPerPing: 2, latencyMs: 4.25 },
};

const failing: GradedTest = {
  number: '1.2',
  name: hostileName,
  part: 'A',
  kind: 'run',
  visibility: 'visible',
  description: `Answers exactly once under duplication. ${hostile}`,
  maxScore: 3,
  score: 0,
  status: 'failed',
  seedsPlanned: 5,
  seedsRun: 2,
  wallMs: 1234,
  output: `${hostile}\nline 2 of the output`,
  failure: {
    seed: 2,
    kind: 'violation',
    property: 'exactly once',
    message: hostile,
    step: 3,
    timeMs: 7,
    node: 0,
    schedule: [
      { atMs: 50, type: 'partition', groups: [[0], [1, 2]] },
      { atMs: 100, type: 'crash', node: 1 },
      { atMs: 400, type: 'heal' },
    ],
    shrunkSchedule: [{ atMs: 100, type: 'crash', node: 1 }],
    minimal: true,
    shrinkRuns: 17,
    lastEvents: trace.slice(-3),
    trace,
    traceTruncated: false,
    replayCode: 'eyJ2IjoxfQ',
    replayCommand: 'npm run grade -- pingpong --replay eyJ2IjoxfQ',
  },
};

const crashed: GradedTest = {
  number: '2.1',
  name: 'survives a restart',
  part: 'B',
  kind: 'budget',
  visibility: 'hidden',
  description: 'Restarts the server mid-run.',
  maxScore: 5,
  score: 0,
  status: 'crashed',
  reason: `the implementation's process exited: ${hostile}`,
  seedsPlanned: 3,
  seedsRun: 1,
  wallMs: 90,
  output: 'Segmentation fault\u0000',
};

const notRun: GradedTest = {
  number: '2.2',
  name: 'search for a bad schedule',
  part: 'B',
  kind: 'search',
  visibility: 'visible',
  description: 'Hunts for a failing schedule.',
  maxScore: 1,
  score: 0,
  status: 'not run',
  reason: 'grading was interrupted',
  seedsPlanned: 10,
  seedsRun: 0,
  wallMs: 0,
};

function makeReport(tests: readonly GradedTest[], extra: Partial<GradingReport> = {}): GradingReport {
  return {
    schemaVersion: reportSchemaVersion,
    tool: 'distlab',
    lab: '00-pingpong',
    labTitle: 'Lab 0: Ping-pong',
    implementation: 'student',
    startedAt: '2025-01-02T03:04:05.000Z',
    finishedAt: '2025-01-02T03:04:09.500Z',
    durationMs: 4500,
    interrupted: true,
    typeErrors: [`src/index.ts(3,1): error TS2322: ${hostile}`],
    options: { hidden: true, seeds: 5 },
    tests,
    totals: computeTotals(tests),
    ...extra,
  };
}

const report = makeReport([passing, failing, crashed, notRun]);

// ---------------------------------------------------------------------------------------------
// A strict little XML parser: enough of XML 1.0 to prove a document well-formed.

interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const illegalXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const xmlName = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;

function decodeReferences(raw: string, where: string): string {
  return raw.replace(/&([^;]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw new Error(`${where}: bare & in ${JSON.stringify(raw.slice(0, 80))}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (body in named) return named[body] as string;
    const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
    if (!numeric) throw new Error(`${where}: unknown entity &${body};`);
    const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2] as string, 10);
    const character = String.fromCodePoint(code);
    if (illegalXmlChar.test(character)) throw new Error(`${where}: reference to an illegal character &${body};`);
    return character;
  });
}

function parseXml(source: string): XmlElement {
  const illegal = illegalXmlChar.exec(source);
  if (illegal) throw new Error(`illegal character U+${(illegal[0].codePointAt(0) as number).toString(16)} at ${illegal.index}`);
  let position = 0;
  const fail = (problem: string): never => {
    throw new Error(`${problem} at ${position}: ${JSON.stringify(source.slice(position, position + 40))}`);
  };
  const skipSpace = () => {
    while (position < source.length && /[ \t\r\n]/.test(source[position] as string)) position++;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (source.startsWith('<!--', position)) {
        const end = source.indexOf('-->', position + 4);
        if (end < 0) fail('unterminated comment');
        position = end + 3;
      } else return;
    }
  };
  const name = (): string => {
    const match = xmlName.exec(source.slice(position));
    if (!match) return fail('expected a name');
    position += match[0].length;
    return match[0];
  };

  if (source.startsWith('<?xml', position)) {
    const end = source.indexOf('?>', position);
    if (end < 0) fail('unterminated XML declaration');
    const declaration = source.slice(position, end + 2);
    if (!/^<\?xml version="1\.[0-9]"( encoding="[A-Za-z][A-Za-z0-9._-]*")?( standalone="(yes|no)")? ?\?>$/.test(declaration)) fail('bad XML declaration');
    position = end + 2;
  }
  skipMisc();

  const element = (): XmlElement => {
    if (source[position] !== '<') fail('expected <');
    position++;
    const tag = name();
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = position;
      skipSpace();
      if (source.startsWith('/>', position)) {
        position += 2;
        return { name: tag, attributes, children: [], text: '' };
      }
      if (source[position] === '>') {
        position++;
        break;
      }
      if (position === before) fail('expected white space before an attribute');
      const attribute = name();
      skipSpace();
      if (source[position] !== '=') fail('expected =');
      position++;
      skipSpace();
      const quote = source[position];
      if (quote !== '"' && quote !== "'") fail('attribute value must be quoted');
      const end = source.indexOf(quote as string, position + 1);
      if (end < 0) fail('unterminated attribute value');
      const raw = source.slice(position + 1, end);
      if (raw.includes('<')) fail('< in an attribute value');
      if (Object.hasOwn(attributes, attribute)) fail(`duplicate attribute ${attribute}`);
      attributes[attribute] = decodeReferences(raw, `attribute ${attribute}`);
      position = end + 1;
    }
    const result: XmlElement = { name: tag, attributes, children: [], text: '' };
    for (;;) {
      const next = source.indexOf('<', position);
      if (next < 0) fail(`unclosed <${tag}>`);
      const raw = source.slice(position, next);
      if (raw.includes(']]>')) fail(']]> in character data');
      result.text += decodeReferences(raw, `text of <${tag}>`);
      position = next;
      if (source.startsWith('<![CDATA[', position)) {
        const end = source.indexOf(']]>', position);
        if (end < 0) fail('unterminated CDATA');
        result.text += source.slice(position + 9, end);
        position = end + 3;
      } else if (source.startsWith('<!--', position)) {
        const end = source.indexOf('-->', position);
        if (end < 0) fail('unterminated comment');
        position = end + 3;
      } else if (source.startsWith('</', position)) {
        position += 2;
        const closing = name();
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`);
        skipSpace();
        if (source[position] !== '>') fail('expected >');
        position++;
        return result;
      } else {
        result.children.push(element());
      }
    }
  };

  const root = element();
  skipMisc();
  if (position !== source.length) fail('content after the root element');
  return root;
}

function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

// ---------------------------------------------------------------------------------------------

describe('the strict XML checker itself', () => {
  it('rejects what is not well-formed', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow();
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<a x="<"/>')).toThrow();
    expect(() => parseXml('<a>]]></a>')).toThrow();
    expect(() => parseXml('<a>&bogus;</a>')).toThrow();
    expect(() => parseXml('<a>AT&T</a>')).toThrow();
    expect(() => parseXml('<a>\u0007</a>')).toThrow(/illegal/);
    expect(() => parseXml('<a>\ud800</a>')).toThrow(/illegal/);
    expect(() => parseXml('<a/><b/>')).toThrow();
    expect(parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a x="&lt;&#10;">t&amp;<b/>u</a>\n')).toMatchObject({
      name: 'a',
      attributes: { x: '<\n' },
      text: 't&u',
    });
  });
});

describe('HTML report', () => {
  const folder = outputFolder();
  const file = writeHtmlReport(report, folder);
  const html = readFileSync(file, 'utf8');

  it('is written as report.html', () => {
    expect(file).toBe(join(folder, 'report.html'));
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('contains no unescaped hostile markup', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>&amp;');
    // The page's data, its script, and one JSON block per trace viewer.
    const viewerBlocks = html.match(/<script type="application\/json" id="[^"]+-trace-viewer">/g)?.length ?? 0;
    expect(viewerBlocks).toBeGreaterThan(0);
    expect(html.match(/<script/g)).toHaveLength(2 + viewerBlocks);
    expect(html.match(/<\/script>/g)).toHaveLength(2 + viewerBlocks);
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('{{x}}');
    // No tag anywhere carries an event handler.
    for (const [, attributes] of html.matchAll(/<[a-zA-Z][\w-]*(\s[^>]*)?>/g)) {
      expect(attributes ?? '').not.toMatch(/\son[a-z]+\s*=/i);
    }
  });

  it('holds no raw control characters and no lone surrogates', () => {
    expect(html).not.toMatch(rawControl);
    expect(html).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    // Control characters are shown as control pictures.
    expect(html).toContain('\u2407');
  });

  it('embeds JSON that parses back to the original strings', () => {
    const match = /<script type="application\/json" id="distlab-data">([\s\S]*?)<\/script>/.exec(html);
    expect(match).not.toBeNull();
    const raw = (match as RegExpExecArray)[1] as string;
    expect(raw).not.toMatch(/[<>&\u2028\u2029]/);
    const data = JSON.parse(raw) as { failures: { message: string; name: string; replayCommand: string; test: string }[] };
    expect(data.failures).toHaveLength(1);
    expect(data.failures[0]?.message).toBe(hostile);
    expect(data.failures[0]?.name).toBe(hostileName);
    expect(data.failures[0]?.replayCommand).toBe(failing.failure?.replayCommand);
  });

  it('references nothing outside the file', () => {
    expect(html).not.toMatch(/\s(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|\/\/)/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    for (const [, value] of html.matchAll(/\shref="([^"]*)"/g)) expect(value?.startsWith('#')).toBe(true);
  });

  it('allows exactly its own inline script and style in the Content-Security-Policy', () => {
    const attribute = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';
    // The attribute is HTML-escaped; the browser decodes these references.
    const csp = attribute.replace(/&#x([0-9a-f]+);/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16))).replace(/&amp;/g, '&');
    expect(csp).toContain("default-src 'none'");
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
  });

  it('shows the summary, the table, the failure and a filterable trace', () => {
    expect(html).toContain('Lab 0: Ping-pong');
    expect(html).toContain('<strong>2</strong> / 11 points');
    expect(html).toContain('Grading was interrupted');
    expect(html).toContain('Type errors (1; grading went on)');
    expect(html).toContain('messagesPerPing=2');
    expect(html).toContain('latencyMs=4.25');
    expect(html).toContain('grading was interrupted');
    expect(html).toContain('Shrunk from 3 to 1 action');
    expect(html).toContain('1-minimal');
    expect(html).toContain('at 100 ms: crash n1');
    expect(html).toContain('npm run grade -- pingpong --replay eyJ2IjoxfQ');
    expect(html).toContain('line 2 of the output');
    // The table's rows are drawn by the page's script from the viewer's data: the violation is
    // there, on n0, and the page links to its row.
    const [, traceId, events] = viewerEventsOf(html);
    const violation = events.find((event) => event.k === 'violation');
    expect(violation).toMatchObject({ n: 0, p: -1, l: 'exactly once' });
    expect(html).toContain(`href="#${traceId}-e${violation?.i}"`);
    expect(html).toMatch(new RegExp(`<table class="events" data-failing-step="-?\\d+">\\s*<thead>[\\s\\S]*?</thead>\\s*<tbody></tbody>`));
    expect(html).toContain('<input type="search" name="query"');
    expect(html).toContain('<select name="node">');
    expect(html).toMatch(/<input type="checkbox" name="kind" value="deliver" checked>/);
    // The crashed test has its own section with the reason.
    expect(html).toContain('survives a restart');
    expect(html).toContain('Crashed:');
  });

  it("embeds every event of the trace as its table's row shows it, for the page's script", () => {
    // The script builds the rows from this data and filters it (see test/browser/htmlReport.test.ts).
    const [, , events] = viewerEventsOf(html);
    expect(events).toHaveLength(trace.length);
    events.forEach((event, position) => {
      const original = trace[position] as TraceEvent;
      expect(event).toMatchObject({ i: original.index, s: original.step, t: original.timeMs, k: original.kind, n: original.node, p: original.peer });
      expect(event.l).toBe(displayText(original.label));
      expect(event.d).toBe(original.detail === undefined ? undefined : displayText(JSON.stringify(original.detail)));
      expect(event.r).toBe(original.reason === undefined ? undefined : displayText(original.reason));
    });
    // The filters: one box per kind with its count, one option per node.
    for (const kind of new Set(trace.map((event) => event.kind))) {
      expect(html).toContain(`<input type="checkbox" name="kind" value="${kind}" checked> ${kind} <span class="muted">${trace.filter((event) => event.kind === kind).length}</span>`);
    }
    expect(html).toContain('<option value="0">n0</option><option value="1">n1</option>');
    expect(html).toContain(`${trace.length} events</span>`);
  });

  it('renders a setup error without tests', () => {
    const setup = makeReport([], { setupError: `cannot load ${hostile}`, interrupted: false, typeErrors: [] });
    const page = readFileSync(writeHtmlReport(setup, outputFolder()), 'utf8');
    expect(page).toContain('Grading could not start');
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('No tests were run.');
  });
});

describe('JUnit report', () => {
  const folder = outputFolder();
  const file = writeJunitReport(report, folder);
  const xml = readFileSync(file, 'utf8');
  const root = parseXml(xml);

  it('is well-formed XML whatever the submission printed', () => {
    expect(file).toBe(join(folder, 'junit.xml'));
    expect(root.name).toBe('testsuites');
    expect(xml).not.toContain(']]>');
    expect(xml).not.toContain('<script>');
  });

  it('has one test suite whose counts match the report', () => {
    const suites = childrenNamed(root, 'testsuite');
    expect(suites).toHaveLength(1);
    const suite = suites[0] as XmlElement;
    expect(suite.attributes).toMatchObject({ name: '00-pingpong', tests: '4', failures: '1', errors: '1', skipped: '1', time: '4.500' });
    const cases = childrenNamed(suite, 'testcase');
    expect(cases).toHaveLength(4);
    expect(cases.map((testcase) => testcase.attributes.classname)).toEqual(['00-pingpong.A', '00-pingpong.A', '00-pingpong.B', '00-pingpong.B']);
    expect(cases[0]?.attributes.name).toBe('1.1 every ping is answered');
    expect(cases[0]?.attributes.time).toBe('0.812');
    expect(cases[0]?.children).toHaveLength(0);
    expect(cases.filter((testcase) => childrenNamed(testcase, 'failure').length === 1)).toHaveLength(1);
    expect(cases.filter((testcase) => childrenNamed(testcase, 'error').length === 1)).toHaveLength(1);
    expect(cases.filter((testcase) => childrenNamed(testcase, 'skipped').length === 1)).toHaveLength(1);
  });

  it('puts the failure in <failure> and the output in <system-out>, escaped and cleaned', () => {
    const suite = childrenNamed(root, 'testsuite')[0] as XmlElement;
    const failed = childrenNamed(suite, 'testcase')[1] as XmlElement;
    expect(failed.attributes.name).toBe(`1.2 ${hostileName}`);
    const failure = childrenNamed(failed, 'failure')[0] as XmlElement;
    expect(failure.attributes.type).toBe('violation');
    // Colour sequences are dropped; other control characters are shown as escapes.
    expect(failure.attributes.message?.startsWith('exactly once: </script><script>alert(1)</script> ]]> nul\\x00 bell\\x07 red {{x}} "double"')).toBe(true);
    expect(failure.text).toContain('seed 2, event #3 at 7 ms');
    expect(failure.text).toContain('at 100 ms: crash');
    expect(failure.text).toContain('npm run grade -- pingpong --replay eyJ2IjoxfQ');
    const out = childrenNamed(failed, 'system-out')[0] as XmlElement;
    expect(out.text).toContain('</script><script>alert(1)</script> ]]>');
    expect(out.text).toContain('line 2 of the output');
    expect(out.text).not.toMatch(rawControl);

    const crashedCase = childrenNamed(suite, 'testcase')[2] as XmlElement;
    expect(childrenNamed(crashedCase, 'error')[0]?.attributes.type).toBe('crash');
    const skipped = childrenNamed(childrenNamed(suite, 'testcase')[3] as XmlElement, 'skipped')[0];
    expect(skipped?.attributes.message).toBe('grading was interrupted');
    expect(childrenNamed(suite, 'system-err')[0]?.text).toContain('error TS2322');
  });

  it('reports a setup error as an erroring test case', () => {
    const setup = makeReport([], { setupError: `cannot load ${hostile}` });
    const suite = childrenNamed(parseXml(readFileSync(writeJunitReport(setup, outputFolder()), 'utf8')), 'testsuite')[0] as XmlElement;
    expect(suite.attributes).toMatchObject({ tests: '1', errors: '1', failures: '0' });
    expect(childrenNamed(childrenNamed(suite, 'testcase')[0] as XmlElement, 'error')[0]?.attributes.type).toBe('setup');
  });
});

describe('Gradescope results.json', () => {
  const folder = outputFolder();
  const file = writeGradescopeReport(report, folder);
  const results = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { tests: Record<string, unknown>[] };

  it('follows the specification', () => {
    expect(file).toBe(join(folder, 'results.json'));
    expect(validateGradescopeResults(results)).toEqual([]);
    expect(results.score).toBe(2);
    expect(results).not.toHaveProperty('max_score');
    expect(results.execution_time).toBe(5);
    expect(results.stdout_visibility).toBe('hidden');
    expect(typeof results.output).toBe('string');
    expect(results.output).toContain('Grading was interrupted');
  });

  it('has one entry per test with its fields', () => {
    expect(results.tests).toHaveLength(4);
    for (const test of results.tests) {
      expect(Object.keys(test)).toEqual(expect.arrayContaining(['name', 'number', 'score', 'max_score', 'status', 'output', 'visibility']));
    }
    expect(results.tests[0]).toMatchObject({ number: '1.1', score: 2, max_score: 2, status: 'passed', visibility: 'visible' });
    expect(results.tests[1]).toMatchObject({ number: '1.2', score: 0, max_score: 3, status: 'failed', visibility: 'visible' });
    expect(results.tests[2]).toMatchObject({ number: '2.1', status: 'failed', visibility: 'after_published' });
    expect(results.tests[3]).toMatchObject({ number: '2.2', status: 'failed' });
    const output = results.tests[1]?.output as string;
    expect(output).toContain('safety property broken: exactly once');
    expect(output).toContain('seed 2');
    expect(output).toContain('at 100 ms: crash');
    expect(output).toContain('replay: npm run grade -- pingpong --replay eyJ2IjoxfQ');
    expect(output).not.toMatch(rawControl);
    expect(output).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(results.tests[2]?.output).toContain("crashed: the implementation's process exited");
  });

  it("tells students that a hidden test's replay command is for their staff", () => {
    const failure = report.tests[1]?.failure;
    const hiddenFailure = { ...report, tests: [{ ...(report.tests[1] as GradedTest), visibility: 'hidden' as const, ...(failure ? { failure } : {}) }] };
    const shown = JSON.parse(readFileSync(writeGradescopeReport(hiddenFailure, outputFolder()), 'utf8')) as typeof results;
    expect(shown.tests[0]?.output).toContain("A hidden test: its command above needs the course's hidden tests, which your handout does not have, so only your course staff can run it.");
    expect(results.tests[1]?.output, 'a visible test').not.toContain('A hidden test');
  });

  it('uses the staff-chosen visibility for hidden tests', () => {
    const hidden = JSON.parse(readFileSync(writeGradescopeReport(report, outputFolder(), { hiddenVisibility: 'hidden' }), 'utf8')) as typeof results;
    expect(hidden.tests[2]?.visibility).toBe('hidden');
    expect(hidden.tests[0]?.visibility).toBe('visible');
  });

  it('validateGradescopeResults finds violations', () => {
    expect(validateGradescopeResults([])).not.toEqual([]);
    expect(validateGradescopeResults({ output: 'no score anywhere' })).toEqual([expect.stringContaining('score')]);
    const problems = validateGradescopeResults({
      score: '3',
      visibility: 'sometimes',
      max_scor: 3,
      tests: [{ score: 1, status: 'ok', number: 1, tags: [1] }, 'x'],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'results.score must be a number',
        expect.stringContaining('results.visibility must be one of'),
        'results: "max_scor" is not a field of the specification',
        expect.stringContaining('results.tests[0].status must be one of'),
        'results.tests[0].number must be a string',
        'results.tests[0].tags must be an array of strings',
        'results.tests[1] must be an object',
      ]),
    );
  });
});

describe('JSON report and its schema', () => {
  const folder = outputFolder();
  const parsed = JSON.parse(readFileSync(writeJsonReport(report, folder), 'utf8')) as Record<string, unknown>;

  it('is a draft 2020-12 schema', () => {
    const schema = reportSchema() as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect((schema.properties as Record<string, unknown>).schemaVersion).toMatchObject({ const: reportSchemaVersion });
  });

  it('accepts the reports the grader writes', () => {
    expect(validateReportJson(parsed)).toEqual([]);
    const setup = makeReport([], { setupError: 'no such lab', typeErrors: [], options: { hidden: false } });
    expect(validateReportJson(JSON.parse(JSON.stringify(setup)))).toEqual([]);
    const network = makeReport([
      {
        ...failing,
        failure: {
          ...(failing.failure as NonNullable<GradedTest['failure']>),
          schedule: [{ atMs: 0, type: 'network', dropRate: 0.5, delay: { kind: 'exponential', meanMs: 5 } }, { atMs: 1, type: 'cut', from: [0], to: [1] }, { atMs: 2, type: 'isolate', node: 2 }, { atMs: 3, type: 'restart', node: 1 }],
        },
      },
    ]);
    expect(validateReportJson(JSON.parse(JSON.stringify(network)))).toEqual([]);
  });

  it('indents only its first levels: a deeply nested message stays about as long as compact JSON', () => {
    // 880 digits 45 arrays deep, as a submission may send: indented at every level, each digit
    // would take a line of about 100 characters, and a few thousand such messages in the traces
    // would pass the longest string the grader can write.
    let deep: unknown = Array.from({ length: 880 }, (_, index) => index % 10);
    for (let level = 0; level < 45; level++) deep = [deep];
    const events = Array.from({ length: 20 }, (_, index) => ({ index, type: 'deliver', message: { type: 'Ping', pad: deep } }));
    const value = { tests: [{ failure: { trace: events, skipped: undefined, format: () => 'not data' } }] };
    const text = readableJson(value);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
    expect(text.length).toBeLessThan(JSON.stringify(value).length * 1.1);
    // Each event is one line, below the levels that are indented.
    expect(text.split('\n').filter((line) => line.includes('"deliver"'))).toHaveLength(20);
    expect(readableJson([undefined, () => 1, { a: [] }], 5)).toBe('[\n  null,\n  null,\n  {\n    "a": []\n  }\n]');
  });

  it('rejects a report with a missing field or a wrong type', () => {
    const copy = () => JSON.parse(JSON.stringify(parsed)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

    const missing = copy();
    delete missing.lab;
    expect(validateReportJson(missing)).toEqual(['$: "lab" is required']);

    const wrongType = copy();
    wrongType.totals.score = '2';
    expect(validateReportJson(wrongType)).toEqual(['$.totals.score: expected number, got string']);

    const badFailure = copy();
    delete badFailure.tests[1].failure.replayCommand;
    badFailure.tests[1].failure.trace[0].kind = 'teleport';
    badFailure.tests[1].status = 'flaky';
    expect(validateReportJson(badFailure)).toEqual(
      expect.arrayContaining([
        '$.tests[1].failure: "replayCommand" is required',
        expect.stringContaining('$.tests[1].failure.trace[0].kind: must be one of'),
        expect.stringContaining('$.tests[1].status: must be one of'),
      ]),
    );

    const extra = copy();
    extra.surprise = true;
    expect(validateReportJson(extra)).toEqual(['$: "surprise" is not an allowed field']);

    const version = copy();
    version.schemaVersion = 3;
    expect(validateReportJson(version)).toEqual(['$.schemaVersion: must be 2, not 3']);

    const schedule = copy();
    schedule.tests[1].failure.shrunkSchedule[0] = { atMs: 100, type: 'crash', node: 'n1' };
    const problems = validateReportJson(schedule);
    expect(problems[0]).toContain('$.tests[1].failure.shrunkSchedule[0]: matches none');
    expect(problems).toContain('  $.tests[1].failure.shrunkSchedule[0].node: expected integer, got string');

    expect(validateReportJson(null)).toEqual(['$: expected object, got null']);
  });

  it('the validator refuses schema keywords it does not implement', () => {
    expect(() => validateJsonSchema('x', { type: 'string', pattern: '^x$' })).toThrow(/pattern/);
  });
});

// ---------------------------------------------------------------------------------------------
// Demonstrations and plotted measurements

const demonstrationTrace: TraceEvent[] = [
  { index: 0, step: 0, timeMs: 0, kind: 'start', node: 0, peer: -1, label: 'start' },
  { index: 1, step: 1, timeMs: 9, kind: 'output', node: 0, peer: -1, label: 'Enter' },
  { index: 2, step: 2, timeMs: 12, kind: 'deliver', node: 1, peer: 0, label: 'Reply', detail: { type: 'Reply', note: hostile } },
  { index: 3, step: 2, timeMs: 12, kind: 'output', node: 1, peer: -1, label: 'Enter' },
  { index: 4, step: 2, timeMs: 12, kind: 'violation', node: -1, peer: -1, label: 'mutual exclusion', reason: hostile },
];

const demonstrationMessage = `n1 entered the critical section at 12 ms while n0 was in it (since 9 ms) ${hostile}`;

const demonstrating: GradedTest = {
  number: '1C.7',
  name: 'Lamport without FIFO channels: two nodes in the critical section (demonstration)',
  part: 'C',
  kind: 'run',
  visibility: 'visible',
  description: 'Shows that Lamport needs FIFO channels.',
  maxScore: 0,
  score: 0,
  status: 'passed',
  seedsPlanned: 200,
  seedsRun: 8,
  wallMs: 115,
  demonstration: {
    seed: 8,
    kind: 'violation',
    property: 'mutual exclusion',
    message: demonstrationMessage,
    step: 2,
    timeMs: 12,
    schedule: [],
    shrunkSchedule: [],
    minimal: true,
    shrinkRuns: 0,
    lastEvents: demonstrationTrace.slice(-3),
    trace: demonstrationTrace,
    traceTruncated: false,
    replayCode: 'eyJkZW1vIjoxfQ',
    replayCommand: 'npm run grade -- mutex --replay eyJkZW1vIjoxfQ',
  },
};

/** Lamport's 3(N-1) messages per entry for N = 2..9, and a tenth size whose measurement was not finite. */
const seriesMeasurements: Record<string, number> = { entries: 40 };
for (let n = 2; n <= 9; n++) {
  seriesMeasurements[`measured@${n}`] = 3 * (n - 1);
  seriesMeasurements[`formula@${n}`] = 3 * (n - 1);
}
seriesMeasurements['measured@10'] = Number.NaN;
seriesMeasurements['formula@10'] = 27;

const plotted: GradedTest = {
  number: '1C.6',
  name: 'Lamport: exactly 3(N-1) messages per entry',
  part: 'C',
  kind: 'budget',
  visibility: 'visible',
  description: 'Fault-free runs with N = 2 to 10.',
  maxScore: 1,
  score: 1,
  status: 'passed',
  seedsPlanned: 9,
  seedsRun: 9,
  wallMs: 373,
  measurements: seriesMeasurements,
};

const hostileSeries: GradedTest = {
  ...plotted,
  number: '1C.8',
  name: hostileName,
  measurements: { [`${hostileName}@1`]: 1, [`${hostileName}@2`]: 2.5, 'latency@1': 4, 'latency@10': 5, 'latency@100': 6.125 },
};

const featureReport = makeReport([passing, demonstrating, plotted, hostileSeries, failing], { interrupted: false });

const plainStyle: Style = { bold: (text) => text, red: (text) => text, green: (text) => text, yellow: (text) => text, dim: (text) => text };

function svgCharts(page: string): string[] {
  return [...page.matchAll(/<svg class="plot"[\s\S]*?<\/svg>/g)].map((match) => match[0]);
}

describe('measurement series', () => {
  it('splits `<series>@<x>` names from plain figures, sorted by x', () => {
    const { series, plain } = splitMeasurements({ 'a@10': 3, 'a@2': 1, total: 5, '@3': 1, 'b@x': 2, 'b@1e1': 7, 'c@': 1, 'c@0x10': 1, 'a@-1': 0, 'd@Infinity': 1 });
    expect(series).toEqual([
      { name: 'a', points: [{ x: -1, y: 0 }, { x: 2, y: 1 }, { x: 10, y: 3 }] },
      { name: 'b', points: [{ x: 10, y: 7 }] },
    ]);
    expect(plain.map(([key]) => key)).toEqual(['total', '@3', 'b@x', 'c@', 'c@0x10', 'd@Infinity']);
    expect(splitMeasurements(undefined)).toEqual({ series: [], plain: [] });
  });
});

describe('HTML report: demonstrations and charts', () => {
  const page = readFileSync(writeHtmlReport(featureReport, outputFolder()), 'utf8');

  it('shows a passing demonstration as an informational section, escaped', () => {
    const section = /<section class="demonstration" id="([^"]+)">([\s\S]*?)<\/section>/.exec(page);
    expect(section).not.toBeNull();
    const [, anchor, body] = section as RegExpExecArray;
    expect(body).toMatch(/Demonstration: <span class="property demonstrated">mutual exclusion<\/span> breaks/);
    expect(body).toContain('<span class="badge pass">PASS</span>');
    expect(body).toContain('n1 entered the critical section at 12 ms while n0 was in it (since 9 ms) &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).toContain('<dt>Seed</dt><dd>8</dd>');
    expect(body).toContain('event #2 at 12 ms');
    expect(body).toContain('No scheduled faults: the property breaks without any.');
    expect(body).toContain('npm run grade -- mutex --replay eyJkZW1vIjoxfQ');
    expect(body).toContain('data-list="demonstration" data-index="0"');
    // The same filterable trace as a failure's, with its violation anchored.
    expect(body).toContain(`<div class="trace viewer" id="${anchor}-trace" data-trace="${anchor}-trace" tabindex="0">`);
    expect(body).toContain('<input type="search" name="query"');
    const [traceId, events] = viewerEventsOf(body).slice(1) as [string, ViewerEventShown[]];
    expect(traceId).toBe(`${anchor}-trace`);
    const violation = events.find((event) => event.k === 'violation');
    expect(violation).toBeDefined();
    expect(body).toContain(`href="#${traceId}-e${violation?.i}"`);
    // Not styled as a failure.
    expect(body).not.toContain('badge fail');
    expect(page.match(/<section class="failure"/g)).toHaveLength(1);
    // The results table links to it from the test's row.
    const rows = [...page.matchAll(/<tr class="status-(\w+)">\s*<td class="nowrap">(.*?)<\/td>\s*<td>(.*?)<\/td>/g)];
    const row = rows.find((match) => match[3]?.includes(demonstrating.name));
    expect(row?.[1]).toBe('pass');
    expect(row?.[2]).toBe(`<a href="#${anchor}">1C.7</a>`);
    expect(row?.[3]).toContain(`<a class="tag info" href="#${anchor}">demonstration</a>`);
  });

  it('stays safe with a hostile demonstration and hostile series names', () => {
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img');
    const viewerBlocks = page.match(/<script type="application\/json" id="[^"]+-trace-viewer">/g)?.length ?? 0;
    expect(page.match(/<script/g)).toHaveLength(2 + viewerBlocks);
    expect(page).not.toMatch(rawControl);
    for (const [, attributes] of page.matchAll(/<[a-zA-Z][\w-]*(\s[^>]*)?>/g)) {
      expect(attributes ?? '').not.toMatch(/\son[a-z]+\s*=/i);
    }
    expect(page).not.toMatch(/\s(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|\/\/)/i);
    for (const [, value] of page.matchAll(/\shref="([^"]*)"/g)) expect(value?.startsWith('#')).toBe(true);
    const data = JSON.parse(/<script type="application\/json" id="distlab-data">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '{}') as {
      failures: unknown[];
      demonstrations: { test: string; message: string; replayCommand: string }[];
    };
    expect(data.failures).toHaveLength(1);
    expect(data.demonstrations).toEqual([expect.objectContaining({ test: '1C.7', message: demonstrationMessage, replayCommand: 'npm run grade -- mutex --replay eyJkZW1vIjoxfQ' })]);
  });

  it('copies the demonstration\'s replay command with its Copy button', () => {
    type Listener = () => void;
    const buttons = [...page.matchAll(/<button type="button" data-copy="([^"]+)" data-list="([^"]+)" data-index="([^"]+)" data-target="([^"]+)">/g)].map(([, copy, list, index, target]) => {
      const listeners: Listener[] = [];
      const attributes: Record<string, string | undefined> = { 'data-copy': copy, 'data-list': list, 'data-index': index, 'data-target': target };
      return { textContent: 'Copy', getAttribute: (name: string) => attributes[name] ?? null, addEventListener: (_type: string, listener: Listener) => listeners.push(listener), click: () => listeners.forEach((listener) => listener()) };
    });
    expect(buttons).toHaveLength(2);
    const copied: string[] = [];
    const dataText = /<script type="application\/json" id="distlab-data">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
    const document = {
      getElementById: (id: string) => (id === 'distlab-data' ? { textContent: dataText } : null),
      querySelectorAll: (selector: string) => (selector === 'button[data-copy]' ? buttons : []),
    };
    const navigator = { clipboard: { writeText: (text: string) => (copied.push(text), { then: () => undefined }) } };
    const script = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
    runInNewContext(script, { document, window: { isSecureContext: true }, navigator, setTimeout: () => 0, clearTimeout: () => undefined });
    for (const button of buttons) button.click();
    expect(copied).toEqual(['npm run grade -- pingpong --replay eyJ2IjoxfQ', 'npm run grade -- mutex --replay eyJkZW1vIjoxfQ']);
  });

  it('draws one accessible SVG line chart per test with series, in a Measurements section', () => {
    expect(page).toContain('<h2>Measurements</h2>');
    const charts = svgCharts(page);
    expect(charts).toHaveLength(2);
    const chart = charts[0] as string;
    expect(chart).toMatch(/role="img"/);
    expect(chart).toMatch(/aria-labelledby="[^"]+"/);
    expect(chart).toContain('<title id="');
    expect(chart).toContain('1C.6 Lamport: exactly 3(N-1) messages per entry</title>');
    // One polyline per series, the formula drawn first (under the measurement); the measured series skips its non-finite point.
    const polylines = [...chart.matchAll(/<polyline points="([^"]*)"([^>]*)\/>/g)];
    expect(polylines).toHaveLength(2);
    const pointCounts = polylines.map(([, points]) => (points as string).trim().split(/\s+/).length);
    expect(pointCounts).toEqual([9, 8]);
    for (const [, points] of polylines) for (const pair of (points as string).trim().split(/\s+/)) expect(pair).toMatch(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/);
    // The formula is dashed, the measurement solid.
    expect(polylines[0]?.[2]).toContain('stroke-dasharray');
    expect(polylines[1]?.[2]).not.toContain('stroke-dasharray');
    expect(chart.match(/<path class="marker(?: hollow)?"/g)).toHaveLength(17);
    // Tick labels: every x, and y from 0 up past the largest value.
    const labels = [...chart.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map(([, label]) => label);
    for (let n = 2; n <= 10; n++) expect(labels).toContain(String(n));
    expect(labels).toContain('0');
    const yLabels = [...chart.matchAll(/<text [^>]*text-anchor="end">([^<]*)<\/text>/g)].map(([, label]) => Number(label));
    expect(Math.min(...yLabels)).toBe(0);
    expect(Math.max(...yLabels)).toBeGreaterThanOrEqual(27);
    for (const svg of charts) expect(svg).not.toMatch(/NaN|Infinity|undefined|null/);
    // The legend names the series.
    const figure = /<figure class="chart"[\s\S]*?<\/figure>/.exec(page)?.[0] ?? '';
    expect(figure).toMatch(/<ul class="legend">[\s\S]*measured[\s\S]*formula[\s\S]*<\/ul>/);
  });

  it('keeps plain measurements in the table and links series to their chart', () => {
    expect(page).toContain('entries=40');
    expect(page).toContain('messagesPerPing=2');
    const table = /<table class="tests">[\s\S]*?<\/table>/.exec(page)?.[0] ?? '';
    expect(table).not.toContain('measured@');
    expect(table).toContain('latency');
    const chartId = /<figure class="chart" id="([^"]+)">/.exec(page)?.[1];
    expect(table).toContain(`<a class="measure" href="#${chartId}">chart</a>`);
  });

  it('escapes hostile series names in the chart, its legend and its data table', () => {
    const hostileChart = svgCharts(page)[1] as string;
    const escaped = 'answers &quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; {{x}}';
    expect(hostileChart).toContain(escaped);
    const figure = [...page.matchAll(/<figure class="chart"[\s\S]*?<\/figure>/g)][1]?.[0] ?? '';
    expect(figure).toContain(`<figcaption>1C.8 ${escaped}</figcaption>`);
    expect(figure).toMatch(new RegExp(`<ul class="legend">[\\s\\S]*</svg>${escaped.replace(/[.*+?^$()|[\]{}\\]/g, '\\$&')}</li>`));
    expect(figure).toContain(`<th class="num">${escaped}</th>`);
    expect(hostileChart.match(/<polyline/g)).toHaveLength(2);
    // x at 1, 2, 10 and 100: each a tick, but the label 2 would run into 1 and is left out.
    expect(hostileChart.match(/<line class="axis" x1="([\d.]+)" x2="\1"/g)).toHaveLength(4 + 1);
    const labels = [...hostileChart.matchAll(/<text [^>]*text-anchor="middle">([^<]*)<\/text>/g)].map(([, label]) => label);
    expect(labels).toEqual(['1', '10', '100']);
  });

  it('draws degenerate series without NaN: one point, all zero, negative values, huge spans', () => {
    const tests: GradedTest[] = [
      { ...passing, number: '9.1', measurements: { 'one@5': 3 } },
      { ...passing, number: '9.2', measurements: { 'zero@1': 0, 'zero@2': 0 } },
      { ...passing, number: '9.3', measurements: { 'delta@1': -2.5, 'delta@2': 0.1, 'delta@3': 3 } },
      { ...passing, number: '9.4', measurements: { 'tiny@0.001': 0.0001, 'tiny@0.002': 0.0003 } },
      { ...passing, number: '9.5', measurements: { 'huge@1': Number.MAX_VALUE, 'huge@2': -Number.MAX_VALUE } },
      { ...passing, number: '9.6', measurements: { 'gone@1': Number.NaN, 'gone@2': Number.POSITIVE_INFINITY } },
      { ...passing, number: '9.7', measurements: { 'top@1': Number.MAX_VALUE * 0.95 } },
      { ...passing, number: '9.8', measurements: { 'far@1e308': 1 } },
    ];
    const odd = readFileSync(writeHtmlReport(makeReport(tests), outputFolder()), 'utf8');
    const charts = svgCharts(odd);
    // Nothing finite to draw, or a span too wide to scale: no chart; the figures stay in the table.
    expect(charts).toHaveLength(5);
    for (const svg of charts) {
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
      expect(svg).toContain('<polyline');
    }
    expect(charts[2]).toMatch(/text-anchor="end">-\d/);
    expect(odd).toContain('gone@1=NaN');
    expect(odd).toContain('huge@1=');
    expect(odd).toContain('top@1=');
  });
});

describe('terminal summary: the fault schedule of a failure', () => {
  it('lists the actions in time order (a test lists its scenario first), and marks those after the failure as not reached', () => {
    const failure = failing.failure!;
    const lines = formatFailure(
      {
        ...failing,
        failure: {
          ...failure,
          timeMs: 344,
          scenarioActions: 2,
          schedule: [{ atMs: 800, type: 'heal' }, { atMs: 3_000, type: 'crash', node: 2 }, { atMs: 88, type: 'partition', groups: [[0], [1, 2]] }],
          shrunkSchedule: [{ atMs: 800, type: 'heal' }, { atMs: 3_000, type: 'crash', node: 2 }, { atMs: 88, type: 'partition', groups: [[0], [1, 2]] }],
        },
      },
      plainStyle,
    );
    const actions = lines.filter((line) => /^ {4}at \d+ ms/.test(line));
    expect(actions.map((line) => /^ {4}at (\d+) ms/.exec(line)?.[1])).toEqual(['88', '800', '3000']);
    expect(actions[0]).not.toMatch(/not reached/);
    expect(actions[1]).toMatch(/\(after the failure at 344 ms: not reached\)$/);
    expect(actions[2]).toMatch(/\(after the failure at 344 ms: not reached\)$/);
  });
});

describe('terminal summary: demonstrations and series', () => {
  const text = formatSummary(featureReport, plainStyle);
  const lines = text.split('\n');

  it('prints a demonstration block after the failures and keeps the row a PASS', () => {
    const start = lines.indexOf(`${demonstrating.number} ${demonstrating.name}`);
    expect(start).toBeGreaterThan(lines.findIndex((line) => line.startsWith(`1.2 ${hostileName}`)));
    // The message as the terminal may show it: its control characters escaped.
    const escaped = demonstrationMessage.replace('\u0000', '\\x00').replace('\u0007', '\\x07').replaceAll('\u001b', '\\x1b').replace('\ud800', '\\ud800');
    expect(lines[start + 1]).toBe(`  demonstrated: mutual exclusion: ${escaped} (seed 8)`);
    expect(lines[start + 2]).toBe('  replay: npm run grade -- mutex --replay eyJkZW1vIjoxfQ');
    expect(lines.find((line) => line.startsWith('  1C.7'))).toMatch(/PASS\s+0\/0\s+8 of 200 seeds run/);
  });

  it('compacts series to one line each under the row, sorted by x, with plain figures inline', () => {
    const row = lines.findIndex((line) => line.startsWith('  1C.6'));
    expect(lines[row]).toContain('9/9 seeds entries=40');
    expect(lines[row]).not.toContain('@');
    expect(lines[row + 1]).toMatch(/^ {8}measured 2\.\.10: 3 6 9 12 15 18 21 24 NaN$/);
    expect(lines[row + 2]).toMatch(/^ {8}formula {2}2\.\.10: 3 6 9 12 15 18 21 24 27$/);
    expect(lines[row + 3]).toMatch(/^ {2}1C\.8/);
    expect(lines[row + 4]).toContain(`${hostileName} 1..2: 1 2.50`);
    expect(lines[row + 5]).toMatch(/latency\s+@1=4 @10=5 @100=6\.13$/);
  });
});

describe('other reports: demonstrations and series', () => {
  it('validate against the JSON schema, and a broken demonstration does not', () => {
    const parsed = JSON.parse(readFileSync(writeJsonReport(featureReport, outputFolder()), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(validateReportJson(parsed)).toEqual([]);
    expect(parsed.tests[2].measurements['measured@10']).toBeNull();
    delete parsed.tests[1].demonstration.replayCommand;
    parsed.tests[1].demonstration.seed = 'eight';
    expect(validateReportJson(parsed)).toEqual(
      expect.arrayContaining(['$.tests[1].demonstration: "replayCommand" is required', '$.tests[1].demonstration.seed: expected integer, got string']),
    );
  });

  it('Gradescope: the passing test mentions the demonstration and its replay; series are compact', () => {
    const results = JSON.parse(readFileSync(writeGradescopeReport(featureReport, outputFolder()), 'utf8')) as { tests: Record<string, unknown>[] };
    expect(validateGradescopeResults(results)).toEqual([]);
    const demo = results.tests[1] as Record<string, unknown>;
    expect(demo).toMatchObject({ number: '1C.7', status: 'passed', score: 0, max_score: 0 });
    const output = demo.output as string;
    expect(output).toContain('Passed: seed 8 broke "mutual exclusion", as this demonstration expects (8/200 seeds run).');
    expect(output).toContain('Demonstrated: mutual exclusion: n1 entered the critical section at 12 ms while n0 was in it (since 9 ms) </script><script>alert(1)</script>');
    expect(output).toContain('Replay: npm run grade -- mutex --replay eyJkZW1vIjoxfQ');
    expect(output).not.toMatch(rawControl);
    expect(output).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    const series = results.tests[2]?.output as string;
    expect(series).toContain('Measurements: entries=40');
    expect(series).toContain('measured 2..10: 3 6 9 12 15 18 21 24 NaN');
    expect(series).not.toContain('measured@');
  });

  it('JUnit: the demonstration goes to the passing test case\'s <system-out>', () => {
    const root = parseXml(readFileSync(writeJunitReport(featureReport, outputFolder()), 'utf8'));
    const cases = childrenNamed(childrenNamed(root, 'testsuite')[0] as XmlElement, 'testcase');
    const demo = cases.find((testcase) => testcase.attributes.name?.startsWith('1C.7')) as XmlElement;
    expect(childrenNamed(demo, 'failure')).toHaveLength(0);
    const out = childrenNamed(demo, 'system-out')[0]?.text ?? '';
    expect(out).toContain('demonstrated: mutual exclusion: n1 entered the critical section at 12 ms');
    expect(out).toContain('</script><script>alert(1)</script>');
    expect(out).toContain('replay: npm run grade -- mutex --replay eyJkZW1vIjoxfQ');
    expect(out).not.toMatch(rawControl);
  });
});

describe('every report bounds what a submission wrote', () => {
  // A megabyte in every untrusted field, with control characters and a bidi override in it.
  const huge = `${hostile}\u202e${'m'.repeat(1_000_000)}`;
  const flooded: GradedTest = {
    ...failing,
    reason: huge,
    output: huge,
    measurements: { [`key ${huge}`]: 1 },
    failure: {
      ...(failing.failure as GradedFailure),
      property: huge,
      message: huge,
      lastEvents: [{ ...(trace[1] as TraceEvent), label: huge, reason: huge, detail: { note: huge } }],
      trace: [{ ...(trace[1] as TraceEvent), label: huge, reason: huge, detail: huge }],
    },
  };
  const floodedReport = makeReport([flooded, { ...crashed, reason: huge, output: huge }], {
    setupError: huge,
    typeErrors: Array.from({ length: 1_000 }, () => huge),
  });
  const folder = outputFolder();
  const files = {
    json: writeJsonReport(floodedReport, folder),
    html: writeHtmlReport(floodedReport, folder),
    junit: writeJunitReport(floodedReport, folder),
    gradescope: writeGradescopeReport(floodedReport, folder),
  };
  const longestRun = (text: string) => Math.max(...(text.match(/m+/g) ?? ['']).map((run) => run.length));

  it.each(Object.keys(files))('%s: no untrusted text is kept whole, and the cut is marked', (format) => {
    const text = readFileSync(files[format as keyof typeof files], 'utf8');
    expect(longestRun(text)).toBeLessThanOrEqual(8_000);
    expect(text).toMatch(/… \(\d+ (more|earlier) characters\)/);
    // The whole file stays small: 1,000 type errors and megabyte fields make well under 2 MB.
    expect(text.length).toBeLessThan(2_000_000);
  });

  it('the JSON report still validates, the Gradescope file follows the specification, the JUnit file is well-formed', () => {
    expect(validateReportJson(JSON.parse(readFileSync(files.json, 'utf8')))).toEqual([]);
    expect(validateGradescopeResults(JSON.parse(readFileSync(files.gradescope, 'utf8')))).toEqual([]);
    expect(() => parseXml(readFileSync(files.junit, 'utf8'))).not.toThrow();
  });

  it('no page or text meant for people shows a bidirectional override raw (report.json is data, kept as written)', () => {
    // The JSON blocks (the page's data and each trace viewer's) are data; the viewer's script shows their text escaped.
    const page = readFileSync(files.html, 'utf8').replace(/<script type="application\/json"[^>]*>[^<]*<\/script>/g, '');
    for (const text of [page, readFileSync(files.junit, 'utf8'), readFileSync(files.gradescope, 'utf8')]) {
      expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    }
  });

  it('JUnit stays well-formed whatever characters XML forbids', () => {
    const forbidden = Array.from({ length: 32 }, (_unused, code) => String.fromCharCode(code)).join('') + '\u007f\u0085\ufffe\uffff\ud800\udfff';
    const xml = readFileSync(writeJunitReport(makeReport([{ ...failing, name: forbidden, output: forbidden, reason: forbidden }], { setupError: forbidden }), outputFolder()), 'utf8');
    expect(() => parseXml(xml)).not.toThrow();
  });
});
