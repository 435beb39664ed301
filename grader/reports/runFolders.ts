// Where a grading's reports go when no --out is given: a folder of its own under reports/,
// named after the lab and the time, with `reports/latest` pointing at the newest. No grading
// overwrites another's reports, and only the last few are kept.
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** How many run folders `reports/` keeps; older ones are removed after each grading. */
export const keptRuns = 10;

/** The link to the newest run's folder. */
export const latestName = 'latest';

/** The report files each format writes, to tell whether a folder already holds a report. */
export const reportFileNames: Readonly<Record<string, string>> = {
  json: 'report.json',
  html: 'report.html',
  junit: 'junit.xml',
  gradescope: 'results.json',
};

const runFolderPattern = /^[a-z0-9-]+-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(-\d+)?$/;

/** `2026-12-02T07-40-12`: sortable, and legal in a file name everywhere. */
function stamp(time: Date): string {
  return time.toISOString().slice(0, 19).replace(/:/g, '-');
}

/** Makes a fresh folder under `root` for one grading of `lab` (a short name like `paxos`) and returns its path. */
export function newRunFolder(root: string, lab: string, time = new Date()): string {
  const base = `${lab.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'lab'}-${stamp(time)}`;
  for (let attempt = 1; ; attempt++) {
    const folder = join(root, attempt === 1 ? base : `${base}-${attempt}`);
    try {
      mkdirSync(folder);
      return folder;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * Points `root/latest` at `folder` by replacing the link in one step, so a reader never finds
 * it missing. A `latest` that is not a link (a folder someone made) is left alone: returns false.
 */
export function pointLatest(root: string, folder: string): boolean {
  const link = join(root, latestName);
  try {
    if (existsSync(link) && !lstatSync(link).isSymbolicLink()) return false;
  } catch {
    return false;
  }
  const temporary = join(root, `.${latestName}-${process.pid}`);
  try {
    rmSync(temporary, { force: true });
    symlinkSync(folder.slice(root.length + 1), temporary, 'dir');
    renameSync(temporary, link);
    return true;
  } catch {
    rmSync(temporary, { force: true });
    return false;
  }
}

/** Removes all but the newest `keep` run folders under `root` (only folders named as runs are). */
export function pruneRuns(root: string, keep = keptRuns): void {
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && runFolderPattern.test(entry.name))
      .map((entry) => entry.name);
  } catch {
    return;
  }
  // Sorted by time (the name's stamp), then by name for runs in the same second.
  const byTime = names.sort((left, right) => {
    const leftStamp = /\d{4}-.*$/.exec(left)?.[0] ?? '';
    const rightStamp = /\d{4}-.*$/.exec(right)?.[0] ?? '';
    return leftStamp === rightStamp ? left.localeCompare(right) : leftStamp.localeCompare(rightStamp);
  });
  for (const name of byTime.slice(0, Math.max(0, byTime.length - keep))) rmSync(join(root, name), { recursive: true, force: true });
}

/**
 * Removes from `folder` the report files of the formats a grading did not write this time, so
 * that the folder holds one grading's reports and never pairs them with an earlier grading's
 * (a junit.xml of yesterday's run beside today's report.json). Returns the files removed.
 */
export function removeOtherReports(folder: string, written: readonly string[]): string[] {
  const removed: string[] = [];
  for (const [format, name] of Object.entries(reportFileNames)) {
    if (written.includes(format)) continue;
    const file = join(folder, name);
    try {
      if (!lstatSync(file).isFile()) continue;
      rmSync(file, { force: true });
      removed.push(file);
    } catch {
      // Not there: nothing to remove.
    }
  }
  return removed;
}

/** Whether `folder` already holds a report file of any of these formats. */
export function holdsReport(folder: string, formats: readonly string[]): boolean {
  return formats.some((format) => {
    const name = reportFileNames[format];
    return name !== undefined && existsSync(join(folder, name));
  });
}
