// COPY (and WORKDIR) planned as a direct write: when every path the copy creates is new to the lower layers, the
// layer is known entry by entry before anything is written, so the copy goes straight into a new snapshot
// directory while the layer tar is made from the same bytes (direct-write.ts; fs-step's runDirectStep stores it):
// no overlay mount, no walk of an upper dir, no second read for the tar. The directories of the destination that
// exist below (`COPY src/ /app/src/` onto a base with /app) are in the layer as overlayfs' copy-up makes them:
// their lower owner, mode and times, except that the one the copy creates entries in gets a new mtime
// (lower-probe.ts finds them without a mount). Anything else (a path that exists below, a symlinked or
// whiteout-ed parent, ADD, URLs, a path written twice) gets null and goes through the overlay.
import path from 'node:path';
import { contextRefId } from '../../cache/index.js';
import { comparePaths } from '../../image/index.js';
import type { StepOperation } from '../../planner/index.js';
import { parseChmod } from './chmod.js';
import { type CopyGroup, type CopyItem, inlineGroup, selectGroups } from './copy-items.js';
import { relOf } from './copy-write.js';
import type { DirectEntry } from './direct-write.js';
import type { FsState } from './layer-ref.js';
import { lowerDirsOf, publishedDirOf, withReadView } from './lower-dirs.js';
import { probeLower } from './lower-probe.js';
import { contextOf, type StepEnv } from './step-env.js';
import { resolveFileOwner } from './users.js';

export type { DirectEntry, ReusedFile } from './direct-write.js';
export { writeDirect } from './direct-write.js';

type CopyOperation = Extract<StepOperation, { type: 'copy' }>;

const isUrl = (s: string): boolean => /^https?:\/\//.test(s);

/** The entries of a direct copy from the context in canonical order; null when the copy needs the overlay. */
export async function planDirectCopy(env: StepEnv, op: CopyOperation, fs: FsState): Promise<DirectEntry[] | null> {
  if (op.add || op.from.type !== 'context' || op.sources.some(isUrl)) return null;
  const groups: CopyGroup[] = op.inline.map((doc) => inlineGroup(doc.name, doc.content, env.now));
  if (op.sources.length > 0) {
    const selection = { excludes: op.excludes, parents: op.parents };
    const ref = contextRefId(op.from.name);
    const tree = { snapshot: contextOf(env, op.from), keepOwners: false, checksums: true, ref };
    groups.push(...(await selectGroups(tree, op.sources, selection)));
  }
  return planCopyEntries(env, op, fs, groups);
}

/** The entries of a copy of `groups` (sources already selected) onto `fs`; null when it needs the overlay. */
export async function planCopyEntries(
  env: StepEnv,
  op: CopyOperation,
  fs: FsState,
  groups: readonly CopyGroup[],
): Promise<DirectEntry[] | null> {
  const dest = relOf(op.dest);
  const owner =
    op.chown === null || op.chown === ''
      ? null
      : await withReadView(env.store, fs, (root) => resolveFileOwner(root, op.chown as string));
  const mode = op.chmod === null ? null : parseChmod(op.chmod);
  const entries = new Map<string, DirectEntry>();
  // The directories of the `mkdir -p` of each destination: they may exist below, what is copied may not.
  const made = new Set<string>();
  const createdMeta = {
    type: 'dir' as const,
    mode: mode?.(0o755, true) ?? 0o755,
    ...(owner ?? { uid: 0, gid: 0 }),
    mtime: op.epoch ?? env.now,
  };
  for (const group of groups) {
    if (group.unmatched === true) continue; // a wildcard that matched nothing makes nothing (see writeGroup)
    const fileTarget = group.single && !op.dest.endsWith('/') && dest !== '';
    const baseDir = fileTarget ? path.posix.dirname(dest) : dest;
    // `mkdir -p` of the destination; directories this copy made earlier are reused.
    const parts = baseDir === '.' || baseDir === '' ? [] : baseDir.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const existing = entries.get(dir);
      if (existing === undefined) entries.set(dir, { path: dir, ...createdMeta });
      else if (existing.type !== 'dir') return null;
      made.add(dir);
    }
    for (const item of group.items) {
      if (item.to === '' && item.type === 'dir') continue; // the destination itself keeps its defaults
      const rel = fileTarget ? dest : path.posix.join(baseDir, item.to);
      const parent = path.posix.dirname(rel);
      // Never above the new directory (a heredoc name is the user's text); the overlay path judges those.
      if (rel === '.' || rel === '..' || rel.startsWith('../') || path.posix.isAbsolute(rel)) return null;
      if (entries.has(rel) || (parent !== '.' && entries.get(parent)?.type !== 'dir')) return null;
      entries.set(rel, entryOf(rel, item, owner, mode, op.epoch));
    }
  }
  return ontoLower(env, fs, [...entries.values()], made);
}

/** WORKDIR: `mkdir -p`, every created directory with the step's owner and mode 0755; existing ones stay. */
export async function planDirectMkdir(
  env: StepEnv,
  op: Extract<StepOperation, { type: 'mkdir' }>,
  fs: FsState,
): Promise<DirectEntry[] | null> {
  const rel = relOf(op.path);
  if (rel === '') return null;
  const owner =
    op.user === '' ? { uid: 0, gid: 0 } : await withReadView(env.store, fs, (root) => resolveFileOwner(root, op.user));
  const parts = rel.split('/');
  const entries = parts.map((_, i) => ({
    path: parts.slice(0, i + 1).join('/'),
    type: 'dir' as const,
    mode: 0o755,
    ...owner,
    mtime: op.epoch ?? env.now,
  }));
  return ontoLower(env, fs, entries, new Set(entries.map((entry) => entry.path)));
}

/**
 * `entries` as they are when nothing exists below, made to fit the lower layers and the overlay path's times. The
 * directories of `made` that exist below become their copy-up (lower owner and mode, lower times) or leave the
 * layer when nothing is created below them. A directory of `made` that something is created in, existing or not,
 * has the time of that creation, as the kernel sets it on the overlay path (its own time was set before). Null
 * when the copy needs the overlay.
 */
async function ontoLower(
  env: StepEnv,
  fs: FsState,
  entries: readonly DirectEntry[],
  made: ReadonlySet<string>,
): Promise<DirectEntry[] | null> {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  const probed = sorted.map((entry) => ({ path: entry.path, mayExist: made.has(entry.path) }));
  // What is read of a pending RUN layer is remembered for its snapshot (dir-xattr-memo.ts), as for a settled one.
  const publishedAs = (dir: string) => publishedDirOf(env.store, fs, dir);
  const lower = await probeLower(env.store, await lowerDirsOf(env.store, fs, false), probed, publishedAs);
  if (lower === null) return null;
  const now = Date.now() / 1000;
  const kept = sorted.filter((entry) => lower.get(entry.path)?.role !== 'untouched');
  const parents = new Set(kept.map((entry) => path.posix.dirname(entry.path)));
  return kept.map((entry): DirectEntry => {
    const dir = lower.get(entry.path);
    if (dir === undefined) return made.has(entry.path) && parents.has(entry.path) ? { ...entry, mtime: now } : entry;
    const meta = { path: entry.path, type: 'dir' as const, mode: dir.mode, uid: dir.uid, gid: dir.gid };
    if (dir.role === 'parent') return { ...meta, mtime: now };
    return { ...meta, mtime: Number(dir.times.mtimeNs / 1000n) / 1e6, keepTimesOf: dir.times };
  });
}

function entryOf(
  rel: string,
  item: CopyItem,
  owner: { uid: number; gid: number } | null,
  mode: ((mode: number, isDir: boolean) => number) | null,
  epoch: number | null,
): DirectEntry {
  return {
    path: rel,
    type: item.type,
    mode: item.type === 'symlink' ? 0o777 : (mode?.(item.mode, item.type === 'dir') ?? item.mode),
    ...(owner ?? { uid: item.uid, gid: item.gid }),
    mtime: epoch ?? item.mtime,
    ...(item.linkTarget === undefined ? {} : { linkTarget: item.linkTarget }),
    ...(item.sourcePath === undefined ? {} : { sourcePath: item.sourcePath }),
    ...(item.content === undefined ? {} : { content: item.content }),
  };
}
