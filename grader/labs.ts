import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or handout) root: the folder above grader/. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Thrown for a usage or setup problem: the grader prints the message and exits with 2. */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

export interface LabInfo {
  /** Folder name, like `00-pingpong`. */
  readonly id: string;
  /** The name without its number, like `pingpong`. */
  readonly shortName: string;
  readonly directory: string;
  readonly suiteFile: string;
  /**
   * The lab's hidden tests (`hidden.ts`), where this checkout has them: the staff repository
   * and the Gradescope bundle do, a student's handout does not.
   */
  readonly hiddenTestsFile: string | undefined;
  readonly studentDirectory: string;
  readonly solutionDirectory: string;
  readonly hasSolutions: boolean;
}

/** Every lab under labs/ that has a suite, in order. */
export function listLabs(root = projectRoot): LabInfo[] {
  const labsDirectory = join(root, 'labs');
  if (!existsSync(labsDirectory)) return [];
  return readdirSync(labsDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d\d-/.test(entry.name) && existsSync(join(labsDirectory, entry.name, 'suite.ts')))
    .map((entry) => entry.name)
    .sort()
    .map((id) => {
      const solutionDirectory = join(root, 'solutions', id);
      const hiddenTestsFile = join(labsDirectory, id, 'hidden.ts');
      return {
        id,
        shortName: id.replace(/^\d\d-/, ''),
        directory: join(labsDirectory, id),
        suiteFile: join(labsDirectory, id, 'suite.ts'),
        hiddenTestsFile: existsSync(hiddenTestsFile) ? hiddenTestsFile : undefined,
        studentDirectory: join(labsDirectory, id, 'src'),
        solutionDirectory,
        hasSolutions: existsSync(join(solutionDirectory, 'index.ts')),
      };
    });
}

/** Finds a lab by folder name (`00-pingpong`), short name (`pingpong`) or number (`0`, `00`). */
export function findLab(name: string, root = projectRoot): LabInfo {
  const labs = listLabs(root);
  const wanted = name.trim().toLowerCase();
  const found = labs.find(
    (lab) => lab.id === wanted || lab.shortName === wanted || (/^\d+$/.test(wanted) && Number(lab.id.slice(0, 2)) === Number(wanted)),
  );
  if (found === undefined) {
    const known = labs.map((lab) => `${lab.id} (${lab.shortName})`).join(', ');
    throw new SetupError(`unknown lab "${name}". Known labs: ${known || 'none found under labs/'}.`);
  }
  return found;
}
