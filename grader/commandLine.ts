// What the commands say about a command line they cannot read (node:util's parseArgs gives
// the facts; its wording speaks of positional arguments and quotes that do not help here).
import { SetupError } from './labs.ts';

/** Edits (insertions, deletions, changes of one character) that turn `from` into `to`. */
function editDistance(from: string, to: string): number {
  let previous = Array.from({ length: to.length + 1 }, (_unused, index) => index);
  for (let row = 1; row <= from.length; row++) {
    const current = [row];
    for (let column = 1; column <= to.length; column++) {
      const change = (previous[column - 1] as number) + (from[row - 1] === to[column - 1] ? 0 : 1);
      current[column] = Math.min(change, (previous[column] as number) + 1, (current[column - 1] as number) + 1);
    }
    previous = current;
  }
  return previous[to.length] as number;
}

/** The known option a mistyped one most likely meant: a prefix of it, or within two edits. */
function closestOption(typed: string, known: readonly string[]): string | undefined {
  const name = typed.replace(/^-+/, '').split('=')[0] ?? '';
  if (name.length === 0) return undefined;
  const prefixed = known.filter((candidate) => candidate.startsWith(name) || name.startsWith(candidate));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The message for an option the command does not have: the option as typed, the one it most
 * likely meant, and where the options are listed.
 */
export function unknownOptionMessage(typed: string, known: readonly string[]): string {
  const meant = closestOption(typed, known);
  return `unknown option ${typed}: ${meant !== undefined ? `did you mean --${meant}? ` : ''}see --help for the options`;
}

/** The option parseArgs refused as unknown, from its message, or undefined for another error. */
export function refusedOption(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  return /^Unknown option '(-{1,2}[^']*)'/.exec(message)?.[1];
}

/**
 * The SetupError for a command line parseArgs refused: an unknown option named with the one
 * most likely meant, anything else in parseArgs' first line.
 */
export function commandLineError(error: unknown, known: readonly string[]): SetupError {
  const unknownOption = refusedOption(error);
  if (unknownOption !== undefined) return new SetupError(unknownOptionMessage(unknownOption, known));
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  return new SetupError(`${message.replace(/\.$/, '')}. See --help.`);
}
