// Cheats built on a lab's second correct implementation import its files from
// ../../alternative/ (so that this checkout typechecks without copies of them). A submission
// imports only from its own folder, so to grade one, the implementation's files are copied
// beside the cheat's index.ts in a scratch folder, and its imports made local.
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the second implementation's files are imported as from a cheat's folder in this checkout. */
const alternativeImport = '../../alternative/';

export interface CheatFolders {
  /** The folder to grade for cheat `name` (its own, or a scratch folder assembled as above). */
  folderOf(name: string): string;
  /** Removes the scratch folders (call it in afterAll). */
  removeScratch(): void;
}

/** Cheats under `fixtures`/cheats, built on `fixtures`/alternative. */
export function cheatFolders(fixtures: string): CheatFolders {
  const alternative = join(fixtures, 'alternative');
  const scratchFolders: string[] = [];
  return {
    folderOf(name) {
      const folder = join(fixtures, 'cheats', name);
      const index = readFileSync(join(folder, 'index.ts'), 'utf8');
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
