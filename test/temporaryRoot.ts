// Every temporary folder a test makes, and every sandbox the grader makes for it, goes into
// one folder of this run, removed when the run ends: `npm test` leaves nothing behind in the
// system's temporary folder, even where a test does not clean up after itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'distlab-test-run-'));
  const previous = process.env.TMPDIR;
  // Read by os.tmpdir() in the test workers and every process they start, all started after this.
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
