import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { describeFault, nodeName, type FaultAction, type FaultSchedule, type TraceEvent, type TraceKind } from 'distlab';
import type { GradedFailure, GradedStatus, GradedTest, GradingReport } from '../results.ts';

/**
 * `report.html`: one self-contained page (inline CSS and JS, nothing loaded from the network)
 * with the summary, the results table and, for each failing test, the failure, the shrunk fault
 * schedule, the replay command, the output and the trace as a filterable table.
 *
 * Safety: the page shows text written by submissions (messages, output, trace labels and
 * details, even test names in a hostile suite fork). The template is the grader's own, compiled
 * in an isolated Handlebars instance; every such value goes through `{{ }}` (HTML-escaped) and
 * nothing from a report is ever triple-stashed. The only raw insertions are the grader's own
 * CSS and JS (constants below) and the JSON data block, which is escaped for a `<script>`
 * element's content. A Content-Security-Policy allows only those two inline blocks (by hash) and
 * no network access at all, as a second line of defence.
 */
export function writeHtmlReport(report: GradingReport, outputDirectory: string): string {
  const file = join(outputDirectory, 'report.html');
  writeFileSync(file, renderHtmlReport(report));
  return file;
}

const templateFile = new URL('./templates/report.hbs', import.meta.url);

/** A detail longer than this is folded: the summary shows its start. */
const detailFoldLength = 160;

// ---------------------------------------------------------------------------------------------
// Text helpers

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ansiSequence = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as the page shows it: ANSI colour sequences removed, other control characters shown as
 * Unicode control pictures (U+0007 as ␇), lone surrogates as U+FFFD. HTML escaping is left to
 * Handlebars.
 */
export function displayText(text: string): string {
  return text
    .replace(ansiSequence, '')
    .replace(/\r\n/g, '\n')
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (character) => {
      const code = character.charCodeAt(0);
      return String.fromCharCode(code === 0x7f ? 0x2421 : 0x2400 + code);
    })
    .replace(loneSurrogate, '\uFFFD');
}

/**
 * JSON for the content of a `<script type="application/json">` element: `<`, `>` and `&` are
 * written as \u escapes (so no `</script>` or `<!--` can appear), and so are U+2028 and U+2029.
 * JSON.stringify already escapes lone surrogates, so the data parses back exactly.
 */
export function jsonForScript(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function compactJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

function formatNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function plural(count: number, word: string): string {
  return `${word}${count === 1 ? '' : 's'}`;
}

function node(id: number): string {
  return Number.isInteger(id) && id >= 0 ? nodeName(id) : '';
}

/** Schedules come from JSON: an action of an unknown type is still shown. */
function describeAction(action: FaultAction): string {
  const described = describeFault(action) as string | undefined;
  if (typeof described === 'string') return described;
  const { atMs, type, ...rest } = action as unknown as Record<string, unknown>;
  return `at ${String(atMs)} ms: ${String(type)} ${compactJson(rest)}`;
}

function describeSchedule(schedule: FaultSchedule): string[] {
  return schedule.map((action) => displayText(describeAction(action)));
}

// ---------------------------------------------------------------------------------------------
// The view: every string the template shows, already formatted (the template only escapes).

const statusLook: Record<GradedStatus, { readonly text: string; readonly className: string }> = {
  passed: { text: 'PASS', className: 'pass' },
  failed: { text: 'FAIL', className: 'fail' },
  crashed: { text: 'CRASH', className: 'crash' },
  'timed out': { text: 'TIMEOUT', className: 'timeout' },
  'not run': { text: 'NOT RUN', className: 'notrun' },
};

function anchorFor(test: GradedTest, position: number): string {
  return `test-${position}-${test.number.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function hasDetails(test: GradedTest): boolean {
  return test.status === 'failed' || test.status === 'crashed' || test.status === 'timed out';
}

const traceKinds: readonly TraceKind[] = [
  'start',
  'input',
  'send',
  'deliver',
  'drop',
  'duplicate',
  'timer-set',
  'timer-fire',
  'timer-cancel',
  'output',
  'log',
  'fault',
  'crash',
  'restart',
  'violation',
];

/** Filter checkboxes in a fixed order; a kind unknown to this version goes last. */
function kindOrder(kind: string): number {
  const position = traceKinds.indexOf(kind as TraceKind);
  return position < 0 ? traceKinds.length : position;
}

function traceView(failure: GradedFailure, id: string) {
  const events: readonly TraceEvent[] = failure.trace.length > 0 ? failure.trace : failure.lastEvents;
  const kinds = new Map<string, number>();
  const nodes = new Set<number>();
  let violationAnchor = '';
  const rows = events.map((event) => {
    kinds.set(event.kind, (kinds.get(event.kind) ?? 0) + 1);
    if (event.node >= 0) nodes.add(event.node);
    if (event.peer >= 0) nodes.add(event.peer);
    const detail = event.detail === undefined ? '' : displayText(compactJson(event.detail));
    const violation = event.kind === 'violation';
    const anchor = violation && violationAnchor === '' ? `${id}-violation` : '';
    if (anchor) violationAnchor = anchor;
    const classes = [violation ? 'violation' : '', !violation && event.step === failure.step ? 'failing-step' : ''].filter(Boolean);
    return {
      index: event.index,
      timeMs: formatNumber(event.timeMs),
      nodeId: String(event.node),
      peerId: String(event.peer),
      node: node(event.node) || '—',
      peer: node(event.peer),
      kind: event.kind,
      label: displayText(event.label),
      detail,
      long: detail.length > detailFoldLength,
      short: detail.length > detailFoldLength ? `${detail.slice(0, detailFoldLength - 40)}…` : '',
      reason: event.reason === undefined ? '' : displayText(event.reason),
      rowClass: classes.join(' '),
      anchor,
    };
  });
  return {
    view: {
      id,
      events: rows,
      total: rows.length,
      truncated: failure.traceTruncated,
      kinds: [...kinds]
        .sort(([left], [right]) => kindOrder(left) - kindOrder(right))
        .map(([kind, count]) => ({ kind, count })),
      nodes: [...nodes].sort((left, right) => left - right).map((value) => ({ value: String(value), label: nodeName(value) })),
    },
    violationAnchor,
  };
}

interface EmbeddedFailure {
  readonly test: string;
  readonly name: string;
  readonly property: string;
  readonly message: string;
  readonly seed: number;
  readonly replayCommand: string;
  readonly replayCode: string;
}

function buildView(report: GradingReport) {
  const totals = report.totals;
  const embedded: EmbeddedFailure[] = [];
  const tests = report.tests.map((test, position) => {
    const look = statusLook[test.status];
    return {
      number: test.number,
      anchor: hasDetails(test) ? anchorFor(test, position) : '',
      name: displayText(test.name),
      description: displayText(test.description),
      hidden: test.visibility === 'hidden',
      part: test.part || '—',
      statusText: look.text,
      statusClass: look.className,
      score: formatNumber(test.score),
      maxScore: formatNumber(test.maxScore),
      seeds: `${test.seedsRun}/${test.seedsPlanned}`,
      wall: formatMs(test.wallMs),
      measurements: Object.entries(test.measurements ?? {}).map(([key, value]) => ({ key: displayText(key), value: formatNumber(value as number | null) })),
      note: test.status === 'not run' && test.reason ? displayText(test.reason) : '',
    };
  });

  const failures = report.tests.flatMap((test, position) => {
    if (!hasDetails(test)) return [];
    const look = statusLook[test.status];
    const anchor = anchorFor(test, position);
    const failure = test.failure;
    let failureView;
    let trace;
    if (failure) {
      const traced = traceView(failure, `${anchor}-trace`);
      trace = traced.view;
      const dataIndex = embedded.length;
      embedded.push({
        test: test.number,
        name: test.name,
        property: failure.property,
        message: failure.message,
        seed: failure.seed,
        replayCommand: failure.replayCommand,
        replayCode: failure.replayCode,
      });
      failureView = {
        property: displayText(failure.property),
        kind: failure.kind,
        message: displayText(failure.message),
        seed: failure.seed,
        step: failure.step,
        timeMs: formatNumber(failure.timeMs),
        node: failure.node === undefined ? '' : node(failure.node),
        violationAnchor: traced.violationAnchor,
        replayCommand: displayText(failure.replayCommand),
        replayId: `${anchor}-replay`,
        dataIndex,
        originalCount: failure.schedule.length,
        originalWord: plural(failure.schedule.length, 'action'),
        shrunkCount: failure.shrunkSchedule.length,
        actionsWord: plural(failure.shrunkSchedule.length, 'action'),
        minimal: failure.minimal,
        shrinkRuns: failure.shrinkRuns,
        shrunk: describeSchedule(failure.shrunkSchedule),
        original: describeSchedule(failure.schedule),
        showOriginal: failure.schedule.length > failure.shrunkSchedule.length,
      };
    }
    return [
      {
        anchor,
        number: test.number,
        name: displayText(test.name),
        description: displayText(test.description),
        statusText: look.text,
        statusClass: look.className,
        statusWord: test.status === 'crashed' ? 'Crashed' : test.status === 'timed out' ? 'Timed out' : 'Failed',
        reason: test.reason ? displayText(test.reason) : '',
        failure: failureView,
        output: test.output ? displayText(test.output) : '',
        trace,
      },
    ];
  });

  const options = report.options;
  const optionText = [
    options.seed !== undefined ? `seed ${options.seed}` : options.seeds !== undefined ? `seeds 1..${options.seeds}` : 'default seeds',
    options.part !== undefined ? `part ${options.part}` : '',
    options.tests && options.tests.length > 0 ? `tests ${options.tests.join(', ')}` : '',
    options.hidden ? 'hidden tests included' : 'visible tests only',
  ].filter(Boolean);

  const counts = [
    { value: totals.passed, label: 'passed', cls: 'pass' },
    { value: totals.failed, label: 'failed', cls: 'fail' },
    { value: totals.crashed, label: 'crashed', cls: 'crash' },
    { value: totals.timedOut, label: 'timed out', cls: 'timeout' },
    { value: totals.notRun, label: 'not run', cls: 'notrun' },
  ];

  return {
    title: displayText(`${report.labTitle} — ${totals.score}/${totals.maxScore} — distlab report`),
    lab: displayText(report.lab),
    labTitle: displayText(report.labTitle),
    implementation: displayText(report.implementation),
    startedAt: displayText(report.startedAt),
    finishedAt: displayText(report.finishedAt),
    duration: formatMs(report.durationMs),
    generatedAt: new Date().toISOString(),
    score: formatNumber(totals.score),
    maxScore: formatNumber(totals.maxScore),
    progressMax: totals.maxScore > 0 ? totals.maxScore : 1,
    counts,
    testCount: report.tests.length,
    interrupted: report.interrupted,
    setupError: report.setupError === undefined ? '' : displayText(report.setupError),
    typeErrors: report.typeErrors.map(displayText),
    options: optionText.join(' · '),
    tests,
    failures,
    data: { schemaVersion: report.schemaVersion, lab: report.lab, implementation: report.implementation, failures: embedded },
    csp: contentSecurityPolicy,
  };
}

// ---------------------------------------------------------------------------------------------
// The grader's own CSS and JS, inlined verbatim and allowed by hash in the page's CSP.

const style = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --soft: #f6f7f9;
  --pass: #137333; --pass-bg: #e6f4ea; --fail: #b3261e; --fail-bg: #fce8e6; --warn: #8a5a00; --warn-bg: #fef3d6;
  --info: #1a56db; --info-bg: #e8effd; --mark: #fff8c5; }
@media (prefers-color-scheme: dark) { :root { --bg: #14171c; --fg: #e6e8eb; --muted: #98a2b3; --line: #2b313a; --soft: #1b1f26;
  --pass: #6dd58c; --pass-bg: #17301f; --fail: #ff8a80; --fail-bg: #3a1a18; --warn: #f5c451; --warn-bg: #332a12;
  --info: #8ab4f8; --info-bg: #182438; --mark: #3a3412; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
code, pre, .events { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
header.top { display: flex; flex-wrap: wrap; gap: 16px; justify-content: space-between; align-items: center; padding: 20px 32px; border-bottom: 1px solid var(--line); background: var(--soft); }
header.top h1 { margin: 0 0 4px; font-size: 22px; }
header.top p { margin: 0; }
.score { min-width: 220px; }
.score-figure { font-size: 18px; }
.score-figure strong { font-size: 28px; }
progress { width: 100%; height: 10px; accent-color: var(--pass); }
main { padding: 8px 32px 32px; max-width: 1400px; }
section { margin: 24px 0; }
section.failure { border: 1px solid var(--line); border-left: 4px solid var(--fail); border-radius: 8px; padding: 4px 20px 16px; }
h2 { font-size: 18px; margin: 16px 0 8px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.muted { color: var(--muted); }
.banner { border-radius: 8px; padding: 10px 16px; }
.banner h2 { margin-top: 4px; }
.banner.error { background: var(--fail-bg); border: 1px solid var(--fail); }
.banner.warning { background: var(--warn-bg); border: 1px solid var(--warn); }
ul.counts { display: flex; flex-wrap: wrap; gap: 8px; list-style: none; padding: 0; margin: 0 0 12px; }
ul.counts li { border: 1px solid var(--line); border-radius: 999px; padding: 2px 12px; }
.count-pass strong { color: var(--pass); } .count-fail strong, .count-crash strong, .count-timeout strong { color: var(--fail); } .count-notrun strong { color: var(--warn); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; min-width: 0; }
pre { margin: 0; padding: 10px 12px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.output { max-height: 420px; overflow: auto; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; position: sticky; top: 0; z-index: 1; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.nowrap { white-space: nowrap; }
.note { color: var(--muted); font-size: 13px; }
.badge { display: inline-block; font-size: 12px; font-weight: 700; letter-spacing: .03em; padding: 1px 8px; border-radius: 4px; }
.badge.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail, .badge.crash, .badge.timeout { color: var(--fail); background: var(--fail-bg); }
.badge.notrun { color: var(--warn); background: var(--warn-bg); }
.tag { font-size: 12px; border: 1px solid var(--line); border-radius: 4px; padding: 0 6px; color: var(--muted); }
.tag.ok { color: var(--pass); border-color: var(--pass); } .tag.warn { color: var(--warn); border-color: var(--warn); }
.measure { white-space: nowrap; font-size: 13px; }
.property { color: var(--fail); }
.replay { display: flex; gap: 8px; align-items: flex-start; }
.replay code { flex: 1; padding: 6px 10px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; overflow-wrap: anywhere; user-select: all; }
button { font: inherit; font-size: 13px; padding: 3px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); cursor: pointer; }
button:hover { background: var(--soft); }
ol.schedule { margin: 4px 0; padding-left: 28px; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 8px 0; }
.filters input[type=search] { font: inherit; padding: 3px 8px; min-width: 240px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
.filters select { font: inherit; padding: 2px 6px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
fieldset.kinds { border: 1px solid var(--line); border-radius: 6px; padding: 2px 8px 6px; display: flex; flex-wrap: wrap; gap: 2px 10px; align-items: center; }
fieldset.kinds legend { color: var(--muted); font-size: 13px; padding: 0 4px; }
label.kind { font-size: 13px; white-space: nowrap; }
.trace-wrap { max-height: 70vh; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
table.events td { padding: 2px 8px; }
table.events td.detail { max-width: 520px; overflow-wrap: anywhere; }
table.events summary { cursor: pointer; }
tr.violation td { background: var(--fail-bg); color: var(--fail); font-weight: 600; }
tr.failing-step td { background: var(--mark); }
.kind-label { font-size: 12px; }
.kind-send, .kind-deliver, .kind-duplicate { color: var(--info); }
.kind-drop, .kind-crash, .kind-violation { color: var(--fail); }
.kind-fault, .kind-restart { color: var(--warn); }
tr:target td { outline: 2px solid var(--fail); }
footer { padding: 16px 32px 32px; font-size: 13px; }
`;

const script = `
(function () {
  'use strict';
  var dataElement = document.getElementById('distlab-data');
  var data = {};
  try { data = JSON.parse(dataElement ? dataElement.textContent || '{}' : '{}'); } catch (error) { data = {}; }
  var failures = Array.isArray(data.failures) ? data.failures : [];

  function copyText(text, button) {
    function done(ok) {
      var before = button.textContent;
      button.textContent = ok ? 'Copied' : 'Select and copy';
      setTimeout(function () { button.textContent = before; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { fallback(); });
    } else {
      fallback();
    }
    function fallback() {
      var target = document.getElementById(button.getAttribute('data-target') || '');
      if (!target) { done(false); return; }
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (error) { ok = false; }
      done(ok);
    }
  }

  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var failure = failures[Number(button.getAttribute('data-failure'))];
      var field = button.getAttribute('data-copy');
      var text = failure && typeof failure[field] === 'string' ? failure[field] : '';
      if (!text) {
        var target = document.getElementById(button.getAttribute('data-target') || '');
        text = target ? target.textContent : '';
      }
      copyText(text, button);
    });
  });

  document.querySelectorAll('.trace').forEach(function (trace) {
    var rows = Array.prototype.slice.call(trace.querySelectorAll('tbody tr'));
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    var search = trace.querySelector('input[name=query]');
    var node = trace.querySelector('select[name=node]');
    var boxes = Array.prototype.slice.call(trace.querySelectorAll('input[name=kind]'));
    var shown = trace.querySelector('.shown');
    var timer = 0;

    function apply() {
      var terms = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var kinds = {};
      boxes.forEach(function (box) { if (box.checked) kinds[box.value] = true; });
      var wanted = node.value;
      var count = 0;
      rows.forEach(function (row, index) {
        var visible = kinds[row.getAttribute('data-kind')] === true &&
          (wanted === '' || row.getAttribute('data-node') === wanted || row.getAttribute('data-peer') === wanted) &&
          terms.every(function (term) { return texts[index].indexOf(term) !== -1; });
        row.hidden = !visible;
        if (visible) count++;
      });
      shown.textContent = count === rows.length ? rows.length + ' events' : count + ' of ' + rows.length + ' events';
    }

    search.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
    node.addEventListener('change', apply);
    boxes.forEach(function (box) { box.addEventListener('change', apply); });
    trace.querySelectorAll('button[data-kinds]').forEach(function (button) {
      button.addEventListener('click', function () {
        var all = button.getAttribute('data-kinds') === 'all';
        boxes.forEach(function (box) { box.checked = all; });
        apply();
      });
    });
    var reset = trace.querySelector('button[data-reset]');
    function resetFilters() {
      search.value = '';
      node.value = '';
      boxes.forEach(function (box) { box.checked = true; });
      apply();
    }
    reset.addEventListener('click', resetFilters);
    // Jumping to the violation shows it even when the filters hide it.
    document.querySelectorAll('a[href^="#' + trace.id + '-"]').forEach(function (link) {
      link.addEventListener('click', function () {
        var target = document.getElementById(link.getAttribute('href').slice(1));
        if (target && target.hidden) resetFilters();
      });
    });
  });
})();
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const contentSecurityPolicy = [
  "default-src 'none'",
  `script-src ${cspHash(script)}`,
  `style-src ${cspHash(style)}`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

// ---------------------------------------------------------------------------------------------
// Rendering

type Render = (view: ReturnType<typeof buildView>) => string;
let render: Render | undefined;

/** Compiles the template once, in an isolated Handlebars instance with only the helpers it needs. */
function compiled(): Render {
  if (render !== undefined) return render;
  const handlebars = Handlebars.create();
  handlebars.registerHelper('jsonScript', (value: unknown) => new handlebars.SafeString(jsonForScript(value)));
  handlebars.registerHelper('trustedStyle', () => new handlebars.SafeString(style));
  handlebars.registerHelper('trustedScript', () => new handlebars.SafeString(script));
  const template = handlebars.compile(readFileSync(templateFile, 'utf8'), {
    knownHelpers: { jsonScript: true, trustedStyle: true, trustedScript: true },
    knownHelpersOnly: true,
  });
  render = (view) => template(view);
  return render;
}

/** The page as a string. */
export function renderHtmlReport(report: GradingReport): string {
  return compiled()(buildView(report));
}
