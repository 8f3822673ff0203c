// `tsbuild build` through its command function with every option at its CLI default, output captured:
// what the e2e tests of the build command share.
import { type BuildCliOptions, type BuildIo, run } from '../../cli/commands/build/run.js';
import type { Store } from '../../image/index.js';

export interface CapturedBuild {
  code: number;
  stdout: string;
  stderr: string;
}

/** `store`: an opened store, or only its root (a `--check`/`--call` never opens it). */
export async function buildCommand(
  store: Store | string,
  opts: Partial<BuildCliOptions> & { context: string },
  io: Partial<BuildIo> = {},
): Promise<CapturedBuild> {
  const out = { stdout: '', stderr: '' };
  const defaults: Omit<BuildCliOptions, 'context'> = {
    tags: [],
    buildArgs: [],
    labels: [],
    noCache: false,
    quiet: false,
    outputs: [],
    secrets: [],
    root: typeof store === 'string' ? store : store.root,
  };
  const code = await run(
    { ...defaults, ...opts },
    {
      stdout: (t) => {
        out.stdout += t;
      },
      stderr: (t) => {
        out.stderr += t;
      },
      env: {},
      ...io,
    },
  );
  return { code, ...out };
}
