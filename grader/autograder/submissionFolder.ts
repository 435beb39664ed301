import { lstatSync, readdirSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { LabInfo } from '../labs.ts';

// Where in an upload the student's code is. Gradescope puts the files a student uploads in
// /autograder/submission as they were: loose files, a folder or two from a zip
// (`Dana Smith_123/lab0/src/index.ts`, as LMS exports and zipped folders come), or a whole
// repository pushed from GitHub (`labs/00-pingpong/src/index.ts`, next to other labs' code).

/** Names never looked into: tooling, macOS zip leftovers, dependencies. */
const skippedNames = new Set(['node_modules', '__MACOSX']);
/** Every name looked at: bounds the walk on an upload of a whole disk. */
const maxEntries = 20_000;
/** Folders inside folders, counted from the upload's root. */
const maxDepth = 16;
/** Files named in a message about too many candidates. */
const namedAtMost = 5;

export type SubmissionFolder =
  | {
      readonly kind: 'found';
      /** The folder holding the entry file (the upload's root, or a folder inside it). */
      readonly folder: string;
      /** The entry file, relative to the upload's root, with `/` between folders. */
      readonly entryFile: string;
    }
  | { readonly kind: 'not found'; readonly message: string };

/** A path from the upload, safe to show: control and formatting characters escaped, and bounded. */
function shown(path: string): string {
  const escaped = path.replace(/[\p{Cc}\p{Cf}]/gu, (character) => `\\u{${(character.codePointAt(0) as number).toString(16)}}`);
  return escaped.length > 200 ? `${escaped.slice(0, 200)}…` : escaped;
}

/**
 * Finds the folder of the lab's code in an upload: the folder of its `index.ts` (or, failing
 * any, `index.js`) at whatever depth. In a whole repository, `labs/<lab>/src/index.ts` wins;
 * otherwise the shallowest entry file, when only one is that shallow (a helper module named
 * index.ts in a subfolder is not the entry). Links are never followed, and dot-folders,
 * `node_modules` and `__MACOSX` are not looked into.
 *
 * @example
 * findSubmissionFolder('/autograder/submission', findLab('pingpong'))
 * // { kind: 'found', folder: '/autograder/submission/Dana Smith_123/lab0', entryFile: 'Dana Smith_123/lab0/index.ts' }
 */
export function findSubmissionFolder(uploadRoot: string, lab: LabInfo): SubmissionFolder {
  const labFolderHint = `labs/${lab.id}/src`;
  try {
    if (!lstatSync(uploadRoot).isDirectory()) return { kind: 'not found', message: 'The submission is not a folder of files.' };
  } catch {
    return { kind: 'not found', message: 'The submission has no files.' };
  }
  const entries: { readonly path: string; readonly depth: number; readonly name: string }[] = [];
  let seen = 0;
  let cutShort = false;
  // Breadth first: shallower files are found first, and the bounds cut off the deepest ones.
  let level: string[] = [uploadRoot];
  for (let depth = 0; depth <= maxDepth && level.length > 0 && !cutShort; depth++) {
    const next: string[] = [];
    for (const folder of level) {
      let children: Dirent[];
      try {
        children = readdirSync(folder, { withFileTypes: true });
      } catch {
        continue;
      }
      children.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
      for (const child of children) {
        seen++;
        if (seen > maxEntries) {
          cutShort = true;
          break;
        }
        if (child.name.startsWith('.') || skippedNames.has(child.name)) continue;
        const path = join(folder, child.name);
        // Dirent types come from the folder listing and are never a link's target.
        if (child.isDirectory()) next.push(path);
        else if (child.isFile() && (child.name === 'index.ts' || child.name === 'index.js')) {
          entries.push({ path: relative(uploadRoot, path).split(sep).join('/'), depth, name: child.name });
        }
      }
      if (cutShort) break;
    }
    level = next;
  }

  const typeScriptEntries = entries.filter((entry) => entry.name === 'index.ts');
  const candidates = typeScriptEntries.length > 0 ? typeScriptEntries : entries;
  if (candidates.length === 0) {
    const limit = cutShort ? ` (only the first ${maxEntries} files and folders were looked at)` : '';
    return {
      kind: 'not found',
      message:
        `The submission has no index.ts${limit}. Upload the files of ${labFolderHint} from your repository ` +
        '(index.ts and the files it imports), that folder zipped, or the whole repository.',
    };
  }
  const inRepository = candidates.filter((entry) => `/${entry.path}`.endsWith(`/${labFolderHint}/${entry.name}`));
  const shallowest = (list: typeof candidates) => list.filter((entry) => entry.depth === Math.min(...list.map((other) => other.depth)));
  const chosen = inRepository.length > 0 ? shallowest(inRepository) : shallowest(candidates);
  if (chosen.length > 1) {
    const named = chosen.slice(0, namedAtMost).map((entry) => shown(entry.path));
    const more = chosen.length > namedAtMost ? ` and ${chosen.length - namedAtMost} more` : '';
    return {
      kind: 'not found',
      message:
        `The submission has several ${chosen[0]?.name} files at the same depth (${named.join(', ')}${more}), so which one to grade is unclear. ` +
        `Upload only the files of ${labFolderHint}, or the whole repository.`,
    };
  }
  const entry = chosen[0] as (typeof chosen)[number];
  const folder = entry.path.includes('/') ? join(uploadRoot, ...entry.path.split('/').slice(0, -1)) : uploadRoot;
  return { kind: 'found', folder, entryFile: entry.path };
}
