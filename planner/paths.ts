// Container-side path arithmetic (POSIX), as BuildKit's `system.NormalizePath` / `NormalizeWorkdir`.

import { posix } from 'node:path';

/** Resolves a COPY/ADD destination against the working directory, keeping a trailing slash. */
export function resolveDest(workdir: string, dest: string): string {
  let p = dest;
  if (p === '.' || p === '') p = './';
  const joined = posix.isAbsolute(p) ? posix.normalize(p) : posix.join(workdir || '/', p);
  const trailing = p.endsWith('/') || p.endsWith('/.');
  const clean = joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
  return trailing && clean !== '/' ? `${clean}/` : clean;
}

/** WORKDIR: relative paths are joined to the current working directory. */
export function resolveWorkdir(current: string, next: string): string {
  const joined = posix.isAbsolute(next) ? next : posix.join(current || '/', next);
  const clean = posix.normalize(joined);
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
}

export function shownPath(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}
