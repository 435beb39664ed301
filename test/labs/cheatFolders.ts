// Cheats built on a lab's second correct implementation import its files from
// ../../alternative/ (so that this checkout typechecks without copies of them). A submission
// imports only from its own folder, so to grade one, the implementation's files are copied
// beside the cheat's index.ts in a scratch folder, and its imports made local.
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { projectRoot } from '../../grader/labs.ts';

/** What the second implementation's files are imported as from a cheat's folder in this checkout. */
const alternativeImport = '../../alternative/';
/**
 * What the reference solution's files are imported as from a cheat's folder in this checkout
 * (`test/fixtures/<lab>/cheats/<name>/`), for the cheats that change how it behaves by a
 * subclass: its files are copied beside the cheat's index.ts too, with their type-only
 * imports of the lab's protocol made absolute.
 */
const referenceImport = /'\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/solutions\/([0-9a-z-]+)\//;

export interface CheatFolders {
  /** The folder to grade for cheat `name` (its own, or a scratch folder assembled as above). */
  folderOf(name: string): string;
  /** Removes the scratch folders (call it in afterAll). */
  removeScratch(): void;
}

/**
 * A cheat written once and graded as several: the variant is its base cheat's index.ts with
 * some lines changed (the flags that choose what it does), graded from a scratch folder.
 */
export interface CheatVariant {
  readonly base: string;
  /** Each [line, replacement]: the line must be in the base's index.ts. */
  readonly changes: readonly (readonly [string, string])[];
}

/**
 * A cheat that is a correct implementation with a few lines changed: a copy of `folder`'s
 * source files in a scratch folder (added to `scratchFolders`, for the caller to remove), with
 * each [line, replacement] of `changes` made in `file`. The line must be there.
 */
export function changedCopy(folder: string, file: string, changes: readonly (readonly [string, string])[], scratchFolders: string[]): string {
  const scratch = mkdtempSync(join(tmpdir(), 'distlab-cheat-'));
  scratchFolders.push(scratch);
  for (const name of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
    let text = readFileSync(join(folder, name), 'utf8');
    if (name === file) {
      for (const [line, replacement] of changes) {
        if (!text.includes(line)) throw new Error(`${join(folder, file)} has no line "${line}" to change`);
        text = text.replace(line, replacement);
      }
    }
    writeFileSync(join(scratch, name), text);
  }
  return scratch;
}

/** Cheats under `fixtures`/cheats, built on `fixtures`/alternative, and the `variants` of some of them. */
export function cheatFolders(fixtures: string, variants: Readonly<Record<string, CheatVariant>> = {}): CheatFolders {
  const alternative = join(fixtures, 'alternative');
  const scratchFolders: string[] = [];
  return {
    folderOf(name) {
      const variant = variants[name];
      if (variant !== undefined) {
        const baseFolder = join(fixtures, 'cheats', variant.base);
        let index = readFileSync(join(baseFolder, 'index.ts'), 'utf8');
        for (const [line, replacement] of variant.changes) {
          if (!index.includes(line)) throw new Error(`cheat ${variant.base} has no line "${line}" for its variant ${name}`);
          index = index.replace(line, replacement);
        }
        // Relative imports are made absolute: the variant is graded from another folder.
        index = index.replace(/from '(\.\.\/[^']+)'/g, (_whole, path: string) => `from '${resolve(baseFolder, path)}'`);
        const scratch = mkdtempSync(join(tmpdir(), `distlab-cheat-${name}-`));
        scratchFolders.push(scratch);
        writeFileSync(join(scratch, 'index.ts'), index);
        return scratch;
      }
      const folder = join(fixtures, 'cheats', name);
      const index = readFileSync(join(folder, 'index.ts'), 'utf8');
      const reference = referenceImport.exec(index)?.[1];
      if (reference !== undefined) {
        const solution = join(projectRoot, 'solutions', reference);
        const scratch = mkdtempSync(join(tmpdir(), `distlab-cheat-${name}-`));
        scratchFolders.push(scratch);
        for (const file of readdirSync(solution).filter((file) => file.endsWith('.ts') && file !== 'index.ts' && !file.startsWith('mutants'))) {
          const text = readFileSync(join(solution, file), 'utf8');
          writeFileSync(join(scratch, file), text.replaceAll("from '../../labs/", `from '${join(projectRoot, 'labs')}/`));
        }
        writeFileSync(join(scratch, 'index.ts'), index.replaceAll(`../../../../../solutions/${reference}/`, './'));
        return scratch;
      }
      if (!index.includes(alternativeImport)) return folder;
      const scratch = mkdtempSync(join(tmpdir(), `distlab-cheat-${name}-`));
      scratchFolders.push(scratch);
      for (const file of readdirSync(alternative).filter((file) => file.endsWith('.ts') && file !== 'index.ts')) copyFileSync(join(alternative, file), join(scratch, file));
      writeFileSync(join(scratch, 'index.ts'), index.replaceAll(alternativeImport, './'));
      return scratch;
    },
    removeScratch() {
      for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
    },
  };
}
