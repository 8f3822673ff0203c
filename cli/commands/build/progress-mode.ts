// Which progress display a build uses: `--progress`, else the BUILDKIT_PROGRESS environment variable that docker
// build and buildx read (CI jobs set it to plain once for every build), else auto.
import { progressModes } from '../../option-choices.js';

export type ProgressMode = (typeof progressModes)[number];

/** `warn` hears of a BUILDKIT_PROGRESS value tsbuild has no display for (buildx's rawjson …): auto is used. */
export function progressMode(
  option: ProgressMode | undefined,
  env: Readonly<Record<string, string | undefined>>,
  warn: (message: string) => void,
): ProgressMode {
  if (option !== undefined) return option;
  const fromEnv = env.BUILDKIT_PROGRESS;
  if (fromEnv === undefined || fromEnv === '') return 'auto';
  if ((progressModes as readonly string[]).includes(fromEnv)) return fromEnv as ProgressMode;
  warn(`WARN: BUILDKIT_PROGRESS=${fromEnv}: tsbuild's displays are ${progressModes.join(', ')}; using auto\n`);
  return 'auto';
}
