// `--platform` of build and plan: one platform to build for. A list (docker buildx's multi-platform build) is
// refused with a clear error rather than built for its first platform only.
import { type Platform, parsePlatform } from '../../../planner/index.js';

/** The platform `value` names (undefined when not given); throws a usage error for a list or a malformed one. */
export function platformOption(value: string | undefined): Platform | undefined {
  if (value === undefined) return undefined;
  if (value.includes(',')) {
    throw new Error(`--platform ${value}: multi-platform builds are not supported; build one platform at a time`);
  }
  const platform = parsePlatform(value);
  if (platform === null) throw new Error(`--platform ${value}: not a platform (os/arch[/variant], e.g. linux/arm64)`);
  return platform;
}
