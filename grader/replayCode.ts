import { existsSync, readFileSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { FaultSchedule, SearchEvent } from 'distlab/testing';
import { SetupError } from './labs.ts';

/** Everything needed to re-run one failure: the test, the seed and the (shrunk) schedule travel together. */
export interface ReplayTarget {
  readonly lab: string;
  readonly test: string;
  readonly seed: number;
  readonly schedule: FaultSchedule;
  /** For a search test: the path of events to the violation. */
  readonly path?: readonly SearchEvent[];
}

/**
 * The version of the runs a code replays. 2: the network draws each link's numbers from the
 * seed, the link and its send count. A code of version 1 names a run of the earlier network,
 * which the same seed and schedule no longer give; a search's path draws nothing from the
 * network and replays whatever the version.
 */
const replayVersion = 2;

/** Codes of targets whose JSON is longer than this are compressed (a search's path repeats itself). */
const compressAboveCharacters = 300;
/** A compressed code starts with this; a plain one is base64url of `{"v"...`, which starts with `eyJ`. */
const compressedPrefix = 'z';
/** The most a compressed code may inflate to: a code is pasted text, not a way to fill memory. */
const maxInflatedBytes = 16 * 1024 * 1024;

/**
 * A copy-pasteable code for a replay target: base64url of its JSON, deflated first when long,
 * so that a search's path of dozens of steps still fits on one line of a terminal.
 */
export function encodeReplay(target: ReplayTarget): string {
  const json = JSON.stringify({ v: replayVersion, ...target });
  if (json.length <= compressAboveCharacters) return Buffer.from(json, 'utf8').toString('base64url');
  return compressedPrefix + deflateRawSync(Buffer.from(json, 'utf8'), { level: 9 }).toString('base64url');
}

function decodeReplayCode(code: string): unknown {
  const bytes = Buffer.from(code.startsWith(compressedPrefix) ? code.slice(compressedPrefix.length) : code, 'base64url');
  const json = code.startsWith(compressedPrefix) ? inflateRawSync(bytes, { maxOutputLength: maxInflatedBytes }) : bytes;
  return JSON.parse(json.toString('utf8'));
}

/** Refuses a run of an earlier version, which would replay silently into another run. */
function checkVersion(version: unknown, hasPath: boolean, where: string): void {
  if (hasPath || version === undefined || version === replayVersion) return;
  if (typeof version === 'number' && version < replayVersion) {
    throw new SetupError(
      `${where} was made by an earlier version of distlab, whose network drew its losses, duplicates and delays differently: ` +
        'the same seed and schedule now give another run, so it cannot be replayed. Grade the test again for a code that replays (docs/grading.md, "Replaying a failure").',
    );
  }
  throw new SetupError(`${where} was made by a later version of distlab (replay version ${String(version)}); update distlab to replay it`);
}

function checkTarget(value: unknown, where: string): ReplayTarget {
  const target = value as Partial<ReplayTarget> & { v?: unknown };
  if (
    typeof target !== 'object' ||
    target === null ||
    typeof target.lab !== 'string' ||
    typeof target.test !== 'string' ||
    typeof target.seed !== 'number' ||
    !Array.isArray(target.schedule)
  ) {
    throw new SetupError(`${where} is not a replay: it needs lab, test, seed and schedule`);
  }
  checkVersion(target.v, Array.isArray(target.path), where);
  return {
    lab: target.lab,
    test: target.test,
    seed: target.seed,
    schedule: target.schedule,
    ...(Array.isArray(target.path) ? { path: target.path } : {}),
  };
}

/**
 * Reads `--replay`: a code printed with a failure, a JSON report (its first failure, or the
 * one of `testNumber`), or a file holding one replay object.
 */
export function parseReplay(argument: string, testNumber?: string): ReplayTarget {
  if (existsSync(argument)) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(argument, 'utf8'));
    } catch {
      throw new SetupError(`--replay ${argument}: the file is not JSON (give a report.json or a replay code)`);
    }
    const report = data as {
      lab?: string;
      tests?: { number: string; failure?: { seed: number; shrunkSchedule: FaultSchedule; path?: readonly SearchEvent[]; replayCode?: unknown } }[];
    };
    if (Array.isArray(report.tests)) {
      const failing = report.tests.filter((test) => test.failure !== undefined && (testNumber === undefined || test.number === testNumber));
      const chosen = failing[0];
      if (chosen?.failure === undefined || typeof report.lab !== 'string') {
        throw new SetupError(`--replay ${argument}: the report has no recorded failure${testNumber ? ` for test ${testNumber}` : ''} to replay`);
      }
      const { seed, shrunkSchedule, path, replayCode } = chosen.failure;
      // A report carries no version of its own: its failure's replay code does.
      if (typeof replayCode === 'string' && replayCode !== '') {
        let version: unknown;
        try {
          version = (decodeReplayCode(replayCode) as { v?: unknown }).v;
        } catch {
          version = undefined;
        }
        checkVersion(version, Array.isArray(path), `--replay ${argument}`);
      }
      return { lab: report.lab, test: chosen.number, seed, schedule: shrunkSchedule, ...(path ? { path } : {}) };
    }
    return checkTarget(data, `--replay ${argument}`);
  }
  let decoded: unknown;
  try {
    decoded = decodeReplayCode(argument.trim());
  } catch {
    throw new SetupError(`--replay ${argument.slice(0, 40)}: neither a file nor a replay code (copy the code printed with the failure)`);
  }
  const target = checkTarget(decoded, '--replay code');
  if (testNumber !== undefined && testNumber !== target.test) {
    throw new SetupError(
      `this replay code is for test ${target.test}, not ${testNumber}: a code replays the run it names (--test picks a failure from a report.json given to --replay)`,
    );
  }
  return target;
}
