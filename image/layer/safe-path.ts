import { readlinkSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import path from 'node:path';

/** Raised when a layer tries to reach outside the directory it is applied to. */
export class BreakoutError extends Error {
  readonly code = 'EBREAKOUT';
}

const maxSymlinkHops = 255;

/**
 * Cleans a path from a tar (`./a//b/` → `a/b`, `/etc/x` → `etc/x`). Like Docker's archive code, an absolute
 * name is taken relative to the root, and a name that climbs above the root with `..` is a breakout.
 */
export function cleanLayerPath(name: string): string {
  // Like Go's filepath.Clean: `..` at the root of an absolute name stays at the root; a relative name that
  // climbs out is a breakout.
  const normalized = name.startsWith('/') ? path.posix.normalize(name).slice(1) : path.posix.normalize(name);
  const cleaned = normalized === '.' ? '' : normalized.replace(/\/+$/, '');
  if (cleaned === '..' || cleaned.startsWith('../')) {
    throw new BreakoutError(`${JSON.stringify(name)} is outside of the extraction root`);
  }
  return cleaned;
}

/**
 * The resolution of `relPath` under `root`, one step at a time: it yields each path whose symlink-ness decides the
 * next step and is answered with the link's target, or undefined when the path is not a symlink (or does not
 * exist). One algorithm for the async and the sync resolvers.
 */
function* resolution(
  root: string,
  relPath: string,
  followFinal: boolean,
): Generator<string, string, string | undefined> {
  let pending = relPath.split('/').filter((part) => part !== '' && part !== '.');
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    if (pending.length === 0 && !followFinal) {
      resolved.push(part);
      break;
    }
    const target = yield path.join(root, ...resolved, part);
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++hops > maxSymlinkHops) throw new BreakoutError(`too many levels of symbolic links in ${relPath}`);
    if (target.startsWith('/')) resolved.length = 0;
    pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
  }
  return path.join(root, ...resolved);
}

/** readlink(2) as the answer to a resolution step: EINVAL (not a link) and ENOENT (nothing there) are undefined. */
function linkTargetOrUndefined(error: unknown): undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EINVAL' || code === 'ENOENT') return undefined;
  throw error;
}

/**
 * Resolves `relPath` under `root` the way the path would resolve if `root` were `/` (chroot semantics):
 * symlinks met on the way — absolute or relative — are followed inside `root`, and `..` never climbs above it.
 * The final component is followed only when `followFinal` is set. The result always lies inside `root`.
 */
export async function resolveInRoot(root: string, relPath: string, followFinal = false): Promise<string> {
  const steps = resolution(root, relPath, followFinal);
  let step = steps.next();
  while (!step.done) {
    const target = await readlink(step.value).catch(linkTargetOrUndefined);
    step = steps.next(target);
  }
  return step.value;
}

/** `resolveInRoot` with synchronous calls (one readlink per component), for the extractor's tight loop. */
export function resolveInRootSync(root: string, relPath: string, followFinal = false): string {
  const steps = resolution(root, relPath, followFinal);
  let step = steps.next();
  while (!step.done) {
    let target: string | undefined;
    try {
      target = readlinkSync(step.value);
    } catch (error) {
      target = linkTargetOrUndefined(error);
    }
    step = steps.next(target);
  }
  return step.value;
}

/** True when `candidate` is `root` or lies below it (purely lexical; both must be absolute and clean). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  // `..foo` is a name inside the root; only `..` itself or a `../` prefix leaves it.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
