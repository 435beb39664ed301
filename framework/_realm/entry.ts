// The node runtime's script: run first in every new realm, it leaves the functions the
// judging realm calls where that realm picks them up once, before the submission's code runs.
import { installHost } from './host.ts';

(globalThis as unknown as Record<string, unknown>).__distlabHost = installHost();
