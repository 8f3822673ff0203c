// Symlink resolution inside a snapshot, as BuildKit's contenthash `getFollowLinks` does: every
// component is looked up in the snapshot, links are followed lexically, absolute targets restart
// at the context root and `..` stops at the root, so a path can never leave the context.

import type { ContextEntry } from './entry.js';
import { cleanPath } from './go-path.js';

const MAX_LINKS = 255;

export class TooManyLinksError extends Error {
  constructor(p: string) {
    super(`${JSON.stringify(p)}: too many links`);
    this.name = 'TooManyLinksError';
  }
}

/** What the resolver needs from a snapshot. */
export interface EntryLookup {
  get(relPath: string): ContextEntry | undefined;
}

/** A rooted clean path ("/a/b", "/" for the root) to a snapshot key ("a/b", "" for the root). */
export function toRel(rooted: string): string {
  const c = cleanPath('/' + rooted);
  return c === '/' ? '' : c.slice(1);
}

/**
 * Resolves `rooted` (e.g. "/a/b") to the relative path of an existing entry ('' = root), following
 * symlinks in every component, and in the last one only if `followTrailing`. Undefined if missing.
 */
export function resolveInSnapshot(snap: EntryLookup, rooted: string, followTrailing: boolean): string | undefined {
  const direct = toRel(rooted);
  if (direct === '') return '';
  const e = snap.get(direct);
  if (e && (!followTrailing || e.type !== 'symlink')) return direct;

  let current = '';
  let remaining = direct;
  let links = 0;
  let found: ContextEntry | undefined;
  while (remaining !== '') {
    const slash = remaining.indexOf('/');
    const part = slash < 0 ? remaining : remaining.slice(0, slash);
    remaining = slash < 0 ? '' : remaining.slice(slash + 1);
    const next = toRel(`/${current}/${part}`);
    found = next === '' ? undefined : snap.get(next);
    if (next === '' || !found || found.type !== 'symlink') {
      // A missing component keeps walking lexically, like upstream; the final lookup then fails.
      current = next;
      continue;
    }
    if (!followTrailing && remaining === '') {
      current = next;
      break;
    }
    if (++links > MAX_LINKS) throw new TooManyLinksError('/' + direct);
    const target = found.linkTarget ?? '';
    remaining = remaining === '' ? target : `${target}/${remaining}`;
    if (target.startsWith('/')) current = '';
  }
  if (current === '') return '';
  return snap.get(current) ? current : undefined;
}
