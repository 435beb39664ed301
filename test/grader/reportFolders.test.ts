// Reports are not lost: each grading writes a folder of its own, `reports/latest` points at the
// newest, the last few are kept, and a command that cannot start never overwrites a report.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { keptRuns, pruneRuns } from '../../grader/reports/runFolders.ts';
import type { GradingReport } from '../../grader/results.ts';

const execute = promisify(execFile);
const cli = fileURLToPath(new URL('../../grader/cli.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The grading command, run from `cwd` as a student runs it from their checkout. */
async function grade(cwd: string, ...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execute(process.execPath, ['--import', tsx, cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const runFolders = (reports: string) => readdirSync(reports).filter((name) => name !== 'latest').sort();

describe('reports are not lost', () => {
  it('each grading writes a fresh folder, reports/latest points at the newest, and a mistyped command changes nothing', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'distlab-reports-'));
    const reports = join(cwd, 'reports');
    const first = await grade(cwd, 'pingpong', '--test', '0.1');
    expect(first.code).toBe(0);
    const second = await grade(cwd, 'pingpong', '--test', '0.2', '--seeds', '2');
    expect(second.code).toBe(0);
    const folders = runFolders(reports);
    expect(folders).toHaveLength(2);
    expect(folders.every((name) => /^pingpong-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(-\d+)?$/.test(name))).toBe(true);
    const latest = readlinkSync(join(reports, 'latest'));
    const newest = JSON.parse(readFileSync(join(reports, 'latest', 'report.json'), 'utf8')) as GradingReport;
    expect(newest.tests.map((test) => test.number)).toEqual(['0.2']);
    expect(second.stdout).toContain(join(reports, latest, 'report.html'));
    const before = readFileSync(join(reports, 'latest', 'report.json'), 'utf8');

    for (const typo of [
      ['pingpong', '--tset', '0.1'],
      ['pingpnog'],
      ['pingpong', '--test', '9.9'],
      ['pingpong', '--impl', 'no/such/folder'],
    ]) {
      const mistyped = await grade(cwd, ...typo);
      expect(mistyped.code).toBe(2);
      expect(mistyped.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(runFolders(reports)).toEqual(folders);
    expect(readlinkSync(join(reports, 'latest'))).toBe(latest);
    expect(readFileSync(join(reports, 'latest', 'report.json'), 'utf8')).toBe(before);
  });

  it('a setup error writes its report into an --out folder that holds none, and keeps one that is there', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'distlab-reports-'));
    const out = join(cwd, 'pipeline');
    const setupError = await grade(cwd, 'pingpong', '--test', '9.9', '--report', 'json', '--out', out);
    expect(setupError.code).toBe(2);
    const written = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as GradingReport;
    expect(written.setupError).toMatch(/there is no test 9\.9/);

    const graded = await grade(cwd, 'pingpong', '--test', '0.1', '--report', 'json', '--out', out);
    expect(graded.code).toBe(0);
    const report = readFileSync(join(out, 'report.json'), 'utf8');
    const again = await grade(cwd, 'pingpong', '--tset', '0.1', '--report', 'json', '--out', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/no report written: .*pipeline holds an earlier report, which is kept/);
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe(report);
    // Nor in another format: a folder that holds any report keeps it.
    const otherFormat = await grade(cwd, 'pingpong', '--tset', '0.1', '--report', 'html', '--out', out);
    expect(otherFormat.stderr).toMatch(/no report written: .*pipeline holds an earlier report, which is kept/);
    expect(readdirSync(out)).toEqual(['report.json']);
  });

  it('a grading into an --out folder leaves only its own reports there: an earlier one of another format is removed, and it says so', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'distlab-reports-'));
    const out = join(cwd, 'alice');
    const first = await grade(cwd, 'pingpong', '--test', '0.1', '--report', 'json,junit,gradescope', '--out', out);
    expect(first.code).toBe(0);
    writeFileSync(join(out, 'notes.txt'), 'the staff\'s own file');
    const second = await grade(cwd, 'pingpong', '--test', '0.2', '--seeds', '2', '--report', 'terminal,json,html', '--out', out);
    expect(second.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['notes.txt', 'report.html', 'report.json']);
    expect(second.stdout).toMatch(/removed: .*alice\/junit\.xml \(an earlier grading's/);
    expect(second.stdout).toMatch(/removed: .*alice\/results\.json/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as GradingReport;
    expect(report.tests.map((test) => test.number)).toEqual(['0.2']);
  });

  it(`only the newest ${keptRuns} gradings' folders are kept, and nothing else is touched`, () => {
    const reports = mkdtempSync(join(tmpdir(), 'distlab-prune-'));
    const names = Array.from({ length: keptRuns + 3 }, (_unused, index) => `mutex-2026-01-${String(index + 1).padStart(2, '0')}T10-00-00`);
    for (const name of [...names, 'class-mutex', 'notes']) mkdirSync(join(reports, name));
    writeFileSync(join(reports, 'report.json'), '{}');
    pruneRuns(reports);
    expect(readdirSync(reports).sort()).toEqual([...names.slice(3), 'class-mutex', 'notes', 'report.json'].sort());
    expect(existsSync(join(reports, names[0] as string))).toBe(false);
  });
});
