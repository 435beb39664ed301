// `npm run check-history` as users run it: one line per file, --json lines, the timeline pages,
// exit codes 0/1/2, and messages that name the file and the problem.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const execute = promisify(execFile);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function checkHistory(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execute(process.execPath, ['--import', 'tsx', 'grader/checkHistory.ts', ...args], { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const fixtures = 'test/fixtures/histories';
const linearizableRegister = `${fixtures}/register-linearizable.json`;
const linearizableKeyValue = `${fixtures}/kv-linearizable.json`;
const staleRead = `${fixtures}/register-stale-read.json`;
const concurrentAppends = `${fixtures}/kv-concurrent-appends.json`;

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

function writeHistory(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'distlab-history-')), name);
  writeFileSync(file, text);
  return file;
}

describe('npm run check-history: verdicts and exit codes', () => {
  it('prints one line per file with its verdict, operations and time, and exits 0 when all are linearizable', async () => {
    const run = await checkHistory(linearizableRegister, linearizableKeyValue);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toEqual([
      expect.stringMatching(new RegExp(`^${linearizableRegister}: linearizable \\(3 operations, [0-9.]+ ms\\)$`)),
      expect.stringMatching(new RegExp(`^${linearizableKeyValue}: linearizable \\(6 operations, [0-9.]+ ms\\)$`)),
    ]);
  });

  it('exits 1 when one history is not linearizable, and says why on its line', async () => {
    const run = await checkHistory(linearizableRegister, staleRead, concurrentAppends);
    expect(run.code).toBe(1);
    const [first, second, third] = lines(run.stdout);
    expect(first).toMatch(/: linearizable \(3 operations/);
    expect(second).toMatch(new RegExp(`^${staleRead}: not linearizable \\(4 operations, [0-9.]+ ms\\): .+`));
    expect(second).toContain('read');
    expect(third).toMatch(new RegExp(`^${concurrentAppends}: not linearizable \\(5 operations, [0-9.]+ ms\\): .+`));
    expect(third).toContain('"ba"');
  });

  it('--json prints one object per line with file, verdict, operations and ms', async () => {
    const run = await checkHistory('--json', linearizableKeyValue, staleRead);
    expect(run.code).toBe(1);
    const objects = lines(run.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(objects).toEqual([
      { file: linearizableKeyValue, verdict: 'linearizable', operations: 6, ms: expect.any(Number) },
      { file: staleRead, verdict: 'not linearizable', operations: 4, ms: expect.any(Number) },
    ]);
  });

  it('--model replaces the model the files name, and a file that names none shows its own by its operations', async () => {
    const asRegister = await checkHistory('--model', 'register', linearizableKeyValue);
    expect(asRegister.code).toBe(2);
    expect(asRegister.stderr).toContain(`${linearizableKeyValue}: operations[0].input.kind`);
    expect(asRegister.stderr).toContain('register');
    const history = writeHistory('unnamed.json', JSON.stringify({ operations: (JSON.parse(readFileSync(linearizableRegister, 'utf8')) as { operations: unknown }).operations }));
    const unnamed = await checkHistory('--json', history);
    expect(unnamed.code).toBe(0);
    expect(JSON.parse(unnamed.stdout)).toMatchObject({ verdict: 'linearizable', operations: 3 });
    const named = await checkHistory('--model', 'register', history);
    expect(named.code).toBe(0);
    expect(named.stdout).toContain(': linearizable (3 operations');
  });

  it('--html writes a timeline page per file and names it on the line', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'distlab-history-html-')), 'pages');
    const run = await checkHistory('--html', folder, concurrentAppends, linearizableRegister);
    expect(run.code).toBe(1);
    const page = join(folder, 'kv-concurrent-appends.html');
    expect(lines(run.stdout)[0]).toContain(`timeline: ${page}`);
    expect(existsSync(join(folder, 'register-linearizable.html'))).toBe(true);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<svg');
    expect(html).toContain('class="operation');
  });
});

describe('npm run check-history: unusable input exits 2 with a message naming the file and the problem', () => {
  it('a missing file', async () => {
    const run = await checkHistory(linearizableRegister, 'no/such/history.json');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no\/such\/history\.json: cannot read it \(no such file\)/);
    // The files that can be read are still checked.
    expect(run.stdout).toContain(`${linearizableRegister}: linearizable`);
  });

  it('a file that is not JSON', async () => {
    const file = writeHistory('broken.json', '{ "model": "kv", "operations": [ ');
    const run = await checkHistory(file);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toMatch(/JSON/);
    expect(run.stdout).toBe('');
  });

  it('an operation that is not one', async () => {
    const file = writeHistory('bad-operation.json', JSON.stringify({ model: 'register', operations: [{ client: 0, call: 'soon', return: 2, input: { kind: 'read' }, output: { value: null } }] }));
    const run = await checkHistory(file);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toContain('call');
  });

  it('an unknown --model, an unknown option and no files at all', async () => {
    const model = await checkHistory('--model', 'queue', linearizableRegister);
    expect(model.code).toBe(2);
    expect(model.stderr).toContain('--model queue: use kv or register');
    expect(model.stdout).toBe('');
    const option = await checkHistory('--jsonl', linearizableRegister);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('--jsonl');
    const none = await checkHistory();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('which histories?');
  });

  it('an --html folder that cannot be made', async () => {
    const file = writeHistory('in-the-way', 'a file, not a folder');
    const run = await checkHistory('--html', file, linearizableRegister);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--html ${file}: `);
    expect(run.stderr).toContain('is a file, not a folder');
    expect(run.stdout).toBe('');
  });

  it('a file name with control characters is shown escaped', async () => {
    const run = await checkHistory('missing-\u001b[31mred.json');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing-\\x1b[31mred.json');
    expect(run.stderr).not.toContain('\u001b');
  });

  it('--help lists every option and exits 0', async () => {
    const run = await checkHistory('--help');
    expect(run.code).toBe(0);
    for (const option of ['--model', '--json', '--html', '--max-steps']) expect(run.stdout).toContain(option);
  });

  it('--max-steps: a budget too small to decide gives unknown, which exits 1', async () => {
    const run = await checkHistory('--max-steps', '1', linearizableKeyValue);
    expect(run.code).toBe(1);
    expect(lines(run.stdout)).toEqual([expect.stringMatching(new RegExp(`^${linearizableKeyValue}: unknown \\(6 operations, [0-9.]+ ms\\): the checker gave up after 1 step, which is not a pass$`))]);
    const json = await checkHistory('--json', '--max-steps', '1', linearizableKeyValue);
    expect(json.code).toBe(1);
    expect(JSON.parse(lines(json.stdout)[0] as string)).toMatchObject({ verdict: 'unknown', operations: 6 });
    // A budget large enough decides it.
    expect((await checkHistory('--max-steps', '1000', linearizableKeyValue)).code).toBe(0);
  });

  it.each(['0', '-5', '1.5', 'many'])('--max-steps %s is not a budget', async (value) => {
    const run = await checkHistory(`--max-steps=${value}`, linearizableKeyValue);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--max-steps ${value}: give a positive whole number of steps`);
  });
});
