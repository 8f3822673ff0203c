// The build context as a ContextSource, over a context snapshot from cache/: BuildKit's checksum
// of one COPY/ADD source path (CACHE.md 4.4). Symlinks in the path are followed inside the context
// (never out of it: `..` stops at the root and absolute targets are relative to the root).

import { createHash } from 'node:crypto';
import { type ContextSnapshot, ROOT, goMatch } from '../cache/index.js';
import type { ContextSource, SelectedFile, SourceChecksum, SourceSelectionOptions } from './types.js';

const MAX_LINKS = 255;

export function snapshotSource(snapshot: ContextSnapshot): ContextSource {
  return {
    async checksum(source: string, _options: SourceSelectionOptions): Promise<SourceChecksum> {
      const rel = resolvePath(snapshot, source);
      if (rel === null) return { ok: false, missing: clean(source) };
      if (hasWildcard(source)) return wildcard(snapshot, source);
      const digest = await snapshot.contentDigest(rel);
      return { ok: true, digest, files: await filesUnder(snapshot, rel) };
    },
  };
}

function clean(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function hasWildcard(path: string): boolean {
  return /[*?[]/.test(path);
}

/** Follows symlinks in every component; null when the path does not exist in the snapshot. */
function resolvePath(snapshot: ContextSnapshot, path: string): string | null {
  if (hasWildcard(path)) return clean(path.slice(0, path.search(/[*?[]/)).replace(/[^/]*$/, ''));
  const pending = clean(path).split('/').filter((p) => p !== '');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = [...done, part].join('/');
    const entry = snapshot.get(candidate);
    if (entry === undefined) return null;
    if (entry.type === 'symlink') {
      if (++links > MAX_LINKS) return null;
      const target = entry.linkTarget ?? '';
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
      continue;
    }
    done.push(part);
  }
  return done.length === 0 ? ROOT : done.join('/');
}

async function filesUnder(snapshot: ContextSnapshot, rel: string): Promise<SelectedFile[]> {
  const out: SelectedFile[] = [];
  const visit = async (path: string): Promise<void> => {
    const entry = path === ROOT ? undefined : snapshot.get(path);
    if (path !== ROOT && entry?.type !== 'dir') {
      out.push({ path, digest: await snapshot.entryDigest(path) });
      return;
    }
    for (const child of snapshot.children(path)) await visit(child.path);
  };
  await visit(rel);
  return out;
}

/**
 * Wildcard sources: entries below the literal prefix whose path matches (CACHE.md 4.4, simplified:
 * parent directory headers are not included). Stand-in until cache/ exports `selectSources`.
 */
async function wildcard(snapshot: ContextSnapshot, source: string): Promise<SourceChecksum> {
  const pattern = clean(source);
  const patternParts = pattern.split('/');
  const matched: SelectedFile[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    for (const child of snapshot.children(dir)) {
      const name = child.path.slice(child.path.lastIndexOf('/') + 1);
      if (!goMatch(patternParts[depth], name)) continue;
      if (depth === patternParts.length - 1) {
        matched.push({ path: child.path, digest: await snapshot.contentDigest(child.path) });
      } else if (child.type === 'dir') await visit(child.path, depth + 1);
    }
  };
  const prefix = patternParts.findIndex((p) => hasWildcard(p));
  const base = patternParts.slice(0, prefix).join('/');
  if (base !== '' && snapshot.get(base)?.type !== 'dir') return { ok: false, missing: pattern };
  await visit(base === '' ? ROOT : base, prefix);
  if (matched.length === 0) return { ok: false, missing: pattern };
  const hash = createHash('sha256');
  for (const m of matched) hash.update(`${m.path.slice(base === '' ? 0 : base.length + 1).replaceAll('/', '\0')}${m.digest}`);
  return { ok: true, digest: `sha256:${hash.digest('hex')}`, files: matched };
}
