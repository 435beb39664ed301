import { build, stop, type BuildOptions, type BuildResult } from 'esbuild';

/**
 * esbuild runs every build of a process in one service process. Source nested deeply enough
 * (a million brackets, or a million `!` signs: a file of a few megabytes) overflows its parser's
 * stack and ends that process; every build then under way fails, and so does every build
 * after it, until the service is started again. A submission must not be able to do that to
 * the others of its class, so builds here run one at a time and the service is restarted
 * when it is gone.
 */
export class BundlerStopped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundlerStopped';
  }
}

/** What esbuild's API says of a build whose service ended. */
const serviceGone = /^The service (was stopped|is no longer running)/;

/** Options with no names esbuild does not know, as esbuild's own `build` takes them. */
type KnownOptions<Options extends BuildOptions> = Options & Record<Exclude<keyof Options, keyof BuildOptions>, never>;

let queue: Promise<unknown> = Promise.resolve();

/**
 * Builds alone: no other build of this process is under way meanwhile, so a build that ends
 * the service is the one that ended it. It is tried once more on a fresh service (the service
 * may have ended for another reason); when it ends that one too, it fails with
 * {@link BundlerStopped}, and the next build starts a fresh service.
 */
export function buildAlone<Options extends BuildOptions>(options: KnownOptions<Options>): Promise<BuildResult<Options>> {
  const turn = queue.then(() => buildRestarting<Options>(options));
  queue = turn.catch(() => undefined);
  return turn;
}

async function buildRestarting<Options extends BuildOptions>(options: KnownOptions<Options>): Promise<BuildResult<Options>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await build<Options>(options);
    } catch (error) {
      if (!(error instanceof Error) || !serviceGone.test(error.message)) throw error;
      // Forgets the service that ended: esbuild starts another at the next build.
      await stop();
      if (attempt === 2) throw new BundlerStopped('the bundler (esbuild) stopped twice while it read this code');
    }
  }
}
