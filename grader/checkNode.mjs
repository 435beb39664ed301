// Runs before every command, in plain JavaScript that any Node can read: on a Node too old
// for distlab, one sentence saying which Node is needed and how to get it, instead of a
// syntax or module error from deep inside a dependency.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** What is wrong with running on Node `version` given package.json's `engines.node` (">=20.19"); undefined when nothing is. */
export function nodeVersionProblem(version, requirement) {
  const wanted = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(requirement.trim());
  if (wanted === null) return undefined;
  const have = version.replace(/^v/, '').split('.').map(Number);
  const need = wanted.slice(1).map((part) => Number(part ?? 0));
  for (let index = 0; index < 3; index++) {
    if ((have[index] ?? 0) > need[index]) return undefined;
    if ((have[index] ?? 0) < need[index]) {
      return `distlab needs Node ${requirement.replace('>=', '').trim()} or later; this is Node ${version.replace(/^v/, '')}. ` +
        'Install a newer one (with nvm: nvm install, which reads .nvmrc) and run the command again.';
    }
  }
  return undefined;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const problem = nodeVersionProblem(process.versions.node, manifest.engines?.node ?? '>=0');
  if (problem !== undefined) {
    process.stderr.write(`${problem}\n`);
    process.exit(2);
  }
}
