// Whether a lab's stub folder still holds the stub: in a git checkout, the files of
// labs/<lab>/src with changes not committed (someone's own work on the lab, most often).
import { execFileSync } from 'node:child_process';

/**
 * The files under the labs' `src/` folders that differ from what is committed (modified, added
 * or not yet tracked), sorted, as paths from the repository's root. Empty outside a git
 * checkout, or where git cannot be run: there is nothing to compare with.
 */
export function uncommittedStubChanges(sourceRoot: string, labIds: readonly string[]): string[] {
  let status: string;
  try {
    status = execFileSync('git', ['-C', sourceRoot, 'status', '--porcelain', '--untracked-files=all', '--', ...labIds.map((id) => `labs/${id}/src`)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return [];
  }
  return status
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3))
    .sort();
}

/** A few of `files`, for a message: the first five, and how many more. */
export function someFiles(files: readonly string[]): string {
  return files.slice(0, 5).join(', ') + (files.length > 5 ? ` and ${files.length - 5} more` : '');
}
