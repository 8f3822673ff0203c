// Values of `tsbuild build` options that are checked before anything is built (a usage error, exit 2): `-t`
// names, `--network` and `--platform` (which `tsbuild plan` takes too). yargs checks some of them already; the
// fast path (cli/fast-path-build.ts) and other callers come here unchecked.
import { InvalidReferenceError } from '../../../image/index.js';
import { type BuildNetwork, formatPlatform, type Platform, parsePlatform } from '../../../planner/index.js';
import { networkModes } from '../../option-choices.js';
import { checkTagName } from '../tag/tag-name.js';

/** `-t NAME`: an error in Docker's words when NAME cannot be a tag. */
export function checkBuildTag(tag: string): void {
  try {
    checkTagName(tag);
  } catch (error) {
    if (!(error instanceof InvalidReferenceError)) throw error;
    throw new Error(`invalid argument "${tag}" for "-t, --tag" flag: ${error.message}`);
  }
}

/** `--network`'s value. */
export function networkMode(value: string | undefined): BuildNetwork | undefined {
  if (value === undefined) return undefined;
  if ((networkModes as readonly string[]).includes(value)) return value as BuildNetwork;
  throw new Error(`network mode ${JSON.stringify(value)} not supported: use default, none or host`);
}

/** `--platform` of build and plan: the platforms to build for, each once, in the order given (empty: this machine's). */
export function platformsOption(value: string | undefined): Platform[] {
  if (value === undefined) return [];
  const seen = new Map<string, Platform>();
  for (const part of value.split(',')) {
    const platform = parsePlatform(part.trim());
    if (platform === null)
      throw new Error(`--platform ${part.trim()}: not a platform (os/arch[/variant], e.g. linux/arm64)`);
    seen.set(formatPlatform(platform), platform);
  }
  return [...seen.values()];
}
