import { lstat, readlink } from 'node:fs/promises';
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
 * Resolves `relPath` under `root` the way the path would resolve if `root` were `/` (chroot semantics):
 * symlinks met on the way — absolute or relative — are followed inside `root`, and `..` never climbs above it.
 * The final component is followed only when `followFinal` is set. The result always lies inside `root`.
 */
export async function resolveInRoot(root: string, relPath: string, followFinal = false): Promise<string> {
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
    const candidate = path.join(root, ...resolved, part);
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++hops > maxSymlinkHops) throw new BreakoutError(`too many levels of symbolic links in ${relPath}`);
    const target = await readlink(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
  }
  return path.join(root, ...resolved);
}

/** True when `candidate` is `root` or lies below it (purely lexical; both must be absolute and clean). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  // `..foo` is a name inside the root; only `..` itself or a `../` prefix leaves it.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
