// On a Node too old for distlab, every command says which Node it needs and how to get it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem } from '../../grader/checkNode.mjs';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

describe('the Node version check', () => {
  it('names the Node needed, the one found, and how to install it', () => {
    expect(nodeVersionProblem('18.19.0', '>=20.19')).toBe(
      'distlab needs Node 20.19 or later; this is Node 18.19.0. Install a newer one (with nvm: nvm install, which reads .nvmrc) and run the command again.',
    );
    expect(nodeVersionProblem('v20.18.9', '>=20.19')).toMatch(/this is Node 20\.18\.9/);
    for (const fine of ['20.19.0', '20.20.2', '22.1.0', '24.0.0']) expect(nodeVersionProblem(fine, '>=20.19')).toBeUndefined();
  });

  it('passes on this Node, which .nvmrc pins and package.json accepts', () => {
    const pinned = readFileSync(new URL('../../.nvmrc', import.meta.url), 'utf8').trim();
    expect(nodeVersionProblem(pinned, manifest.engines.node)).toBeUndefined();
    expect(nodeVersionProblem(process.versions.node, manifest.engines.node)).toBeUndefined();
    expect(execFileSync(process.execPath, ['grader/checkNode.mjs'], { encoding: 'utf8' })).toBe('');
  });

  it('runs before every command a user types, and npm ci refuses an old Node (engine-strict)', () => {
    for (const script of ['test', 'grade', 'watch', 'handout', 'gradescope']) {
      expect(manifest.scripts[script]).toMatch(/^node grader\/checkNode\.mjs && /);
    }
    expect(readFileSync(new URL('../../.npmrc', import.meta.url), 'utf8')).toMatch(/^engine-strict=true$/m);
  });
});
