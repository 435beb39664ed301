/** What is wrong with running on Node `version` given package.json's `engines.node` (">=20.19"); undefined when nothing is. */
export function nodeVersionProblem(version: string, requirement: string): string | undefined;
