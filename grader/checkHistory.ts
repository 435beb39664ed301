/**
 * `npm run check-history -- FILE... [--model kv|register] [--json] [--html DIR] [--max-steps N]`: checks
 * recorded client histories (the JSON format of docs/testing.md) for linearizability.
 *
 * One line per file: its verdict, its operations and how long the check took; with `--json`,
 * one JSON object per line instead; with `--html DIR`, a page per file with the history drawn as
 * a timeline. Exit 0 when every history is linearizable, 1 when one is not or the checker could
 * not decide, 2 when an option or a file cannot be used (the message names which and why).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { checkLinearizability, historyModelNames, historyModels, parseHistory, type HistoryModelName, type HistoryOperation, type LinearizabilityResult, type SequentialModel } from 'distlab/testing';
import { SetupError } from './labs.ts';
import { prepareOutputFolder, writeReportFile } from './reports/outputFolder.ts';
import { renderHistoryTimelinePage } from './reports/historyTimeline.ts';
import { terminalLine } from './reports/untrusted.ts';

const exitCodes = { linearizable: 0, notLinearizable: 1, unusable: 2 } as const;

type AnyModel = SequentialModel<unknown, unknown, unknown>;
const modelNames: readonly string[] = historyModelNames;

const usage = `Usage: npm run check-history -- FILE... [--model kv|register] [--json] [--html DIR] [--max-steps N]

Checks each recorded history (JSON, see docs/testing.md) for linearizability.

  --model kv|register  the sequential model, instead of the one each file names
  --json               one JSON object per file and line: {"file","verdict","operations","ms"}
  --html DIR           also write DIR/<file>.html: the history as a timeline, showing why
  --max-steps N        the checker's budget of model steps per file (default 10,000,000);
                       a history it cannot decide within it is "unknown", which fails
  --help               this text

Exit status: 0 every history is linearizable; 1 one is not, or the checker could not decide;
2 an option or a file cannot be used.`;

interface Options {
  readonly files: readonly string[];
  readonly model?: HistoryModelName;
  readonly json: boolean;
  readonly htmlFolder?: string;
  readonly maxSteps?: number;
  readonly help: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { model: { type: 'string' }, json: { type: 'boolean' }, html: { type: 'string' }, 'max-steps': { type: 'string' }, help: { type: 'boolean' } },
    });
  } catch (error) {
    throw new SetupError(`${(error instanceof Error ? error.message : String(error)).replace(/\.$/, '')}. See --help.`);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { files: [], json: false, help: true };
  if (values.model !== undefined && !modelNames.includes(values.model)) {
    throw new SetupError(`--model ${terminalLine(values.model)}: use ${modelNames.join(' or ')}`);
  }
  const maxStepsText = values['max-steps'];
  const maxSteps = maxStepsText === undefined ? undefined : Number(maxStepsText);
  if (maxStepsText !== undefined && !(/^[0-9]+$/.test(maxStepsText) && Number.isSafeInteger(maxSteps) && (maxSteps as number) > 0)) {
    throw new SetupError(`--max-steps ${terminalLine(maxStepsText)}: give a positive whole number of steps, e.g. --max-steps 1000000`);
  }
  if (positionals.length === 0) throw new SetupError('which histories? Give one or more files, e.g. npm run check-history -- history.json. See --help.');
  return {
    files: positionals,
    ...(values.model !== undefined ? { model: values.model as HistoryModelName } : {}),
    json: values.json === true,
    ...(values.html !== undefined ? { htmlFolder: values.html } : {}),
    ...(maxSteps !== undefined ? { maxSteps } : {}),
    help: false,
  };
}

function codeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

interface LoadedHistory {
  readonly model: AnyModel;
  readonly operations: readonly HistoryOperation<unknown, unknown>[];
}

/** A file's history and its model, or a SetupError naming the file and what is wrong with it. */
function loadHistory(file: string, modelOption: HistoryModelName | undefined): LoadedHistory {
  const name = terminalLine(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = codeOf(error);
    throw new SetupError(`${name}: cannot read it (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : code})`);
  }
  let history;
  try {
    history = parseHistory(text, file, modelOption);
  } catch (error) {
    // The parser's messages name the file already; an unexpected failure still gets its name.
    const message = terminalLine(error instanceof Error ? error.message : String(error), 1_000);
    throw new SetupError(message.startsWith(name) ? message : `${name}: ${message}`);
  }
  const model = historyModels[history.model] as unknown as AnyModel;
  return { model, operations: history.operations as readonly HistoryOperation<unknown, unknown>[] };
}

/** `a.json` → `a.html`; a second `a.json` from another folder → `a-2.html`. */
function pageName(file: string, taken: Set<string>): string {
  const stem = basename(file).replace(/\.json$/i, '').replace(/[^A-Za-z0-9._-]/g, '_') || 'history';
  let name = `${stem}.html`;
  for (let count = 2; taken.has(name); count++) name = `${stem}-${count}.html`;
  taken.add(name);
  return name;
}

function formatMs(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms < 1000 ? ms.toFixed(1) : ms.toFixed(0);
}

function main(argv: readonly string[]): number {
  const options = parseOptions(argv);
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return exitCodes.linearizable;
  }
  const htmlFolder = options.htmlFolder === undefined ? undefined : prepareHtmlFolder(options.htmlFolder);
  const pageNames = new Set<string>();
  let exitCode: number = exitCodes.linearizable;
  for (const file of options.files) {
    let history: LoadedHistory;
    try {
      history = loadHistory(file, options.model);
    } catch (error) {
      if (!(error instanceof SetupError)) throw error;
      // The other files are still checked; the run ends with 2.
      process.stderr.write(`check-history: ${error.message}\n`);
      exitCode = exitCodes.unusable;
      continue;
    }
    const start = performance.now();
    const result: LinearizabilityResult = checkLinearizability(history.model, history.operations, options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps });
    const ms = performance.now() - start;
    if (result.verdict !== 'linearizable' && exitCode === exitCodes.linearizable) exitCode = exitCodes.notLinearizable;
    const page = htmlFolder === undefined ? undefined : join(htmlFolder, pageName(file, pageNames));
    if (page !== undefined) writeReportFile(page, renderHistoryTimelinePage(result, history.operations, history.model, basename(file)));
    const count = history.operations.length;
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ file, verdict: result.verdict, operations: count, ms: Number(ms.toFixed(3)), ...(page !== undefined ? { html: page } : {}) })}\n`);
    } else {
      const timeline = page === undefined ? '' : `; timeline: ${terminalLine(page)}`;
      process.stdout.write(`${terminalLine(file)}: ${result.verdict} (${count} ${count === 1 ? 'operation' : 'operations'}, ${formatMs(ms)} ms)${whyText(result)}${timeline}\n`);
    }
  }
  return exitCode;
}

/** What to look at, after the verdict: the first reason, or that giving up is not a pass. */
function whyText(result: LinearizabilityResult): string {
  switch (result.verdict) {
    case 'linearizable':
      return '';
    case 'not linearizable':
      return `: ${terminalLine(result.failures[0]?.reason ?? '', 300)}`;
    case 'unknown':
      return result.exhausted === 'memo entries'
        ? `: the checker gave up when its memo reached its limit of ${result.maxMemoEntries ?? 'its'} entries, which is not a pass`
        : `: the checker gave up after ${result.maxSteps} ${result.maxSteps === 1 ? 'step' : 'steps'}, which is not a pass`;
  }
}

function prepareHtmlFolder(folder: string): string {
  try {
    return prepareOutputFolder(folder);
  } catch (error) {
    // The shared folder check speaks of --out; this command's option is --html.
    if (error instanceof SetupError) throw new SetupError(error.message.replace(/^--out /, '--html '));
    throw error;
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof SetupError)) throw error;
  process.stderr.write(`check-history: ${error.message}\n`);
  process.exitCode = exitCodes.unusable;
}
