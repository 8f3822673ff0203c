// A bind mount of the build context (or of a named one) shows what docker's build context holds: the entries
// `.dockerignore` leaves out are not there, as BuildKit never receives them. Mounting the raw directory would let
// a step read ignored files (secrets, a host `node_modules`) that no cache key covers. The directory is the lower
// dir of an overlay whose upper dir holds a whiteout for each ignored entry (and copies of the attributes of the
// directories above them); a writable mount's writes land in that upper dir and go with the step.
import { chmod, chown, lstat, mkdir, readdir, rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { ContextSnapshot } from '../../cache/index.js';
import { launchChecked } from '../runtime/launcher.js';
import { mountOverlay } from '../snapshot/overlay.js';
import { makeWhiteoutNodes } from '../snapshot/whiteout-nodes.js';

/**
 * What to bind for the directory `source` (inside `snapshot.root`, symlinks resolved); null: `source` as it is
 * (read-only and nothing left out). A writable mount always gets the overlay: no copy of the directory is made.
 */
export async function filteredContextDir(
  snapshot: ContextSnapshot,
  source: string,
  writable: boolean,
  scratch: string,
  releases: (() => Promise<void>)[],
): Promise<string | null> {
  const rel = path.relative(snapshot.root, source).split(path.sep).join('/');
  const hidden = await ignoredOnce(snapshot, source, rel);
  if (hidden.length === 0 && !writable) return null;
  const upper = path.join(scratch, 'up');
  const work = path.join(scratch, 'wk');
  const target = path.join(scratch, 'm');
  await Promise.all([
    mkdir(upper, { recursive: true }),
    mkdir(work, { recursive: true }),
    mkdir(target, { recursive: true }),
  ]);
  // The upper dir's own directories stand above the lower ones: each keeps the attributes of the one it covers.
  const dirs = new Set<string>();
  for (const hiddenPath of hidden) {
    for (let parent = path.posix.dirname(hiddenPath); parent !== '.'; parent = path.posix.dirname(parent)) {
      dirs.add(parent);
    }
  }
  for (const dir of [...dirs].sort()) await mkdir(path.join(upper, dir));
  await makeWhiteoutNodes(upper, hidden);
  for (const dir of ['', ...[...dirs].sort().reverse()])
    await copyAttributes(path.join(source, dir), path.join(upper, dir));
  let mount: Awaited<ReturnType<typeof mountOverlay>>;
  try {
    mount = await mountOverlay({ lowerDirs: [source], upperDir: upper, workDir: work, target });
  } catch {
    // A context overlayfs cannot take as a lower dir (a path with ':' or ',', a filesystem it refuses): a copy
    // without the ignored entries shows the same, only slower.
    return filteredCopy(source, hidden, path.join(scratch, 'copy'));
  }
  releases.push(() => mount.unmount());
  return target;
}

async function filteredCopy(source: string, hidden: readonly string[], copy: string): Promise<string> {
  await launchChecked('cp', ['-a', '--no-dereference', source, copy]);
  for (const hiddenPath of hidden) await rm(path.join(copy, hiddenPath), { recursive: true, force: true });
  return copy;
}

/** The snapshot is the build's and does not change: every RUN that binds the same directory shares one walk. */
const ignoredLists = new WeakMap<ContextSnapshot, Map<string, Promise<string[]>>>();

function ignoredOnce(snapshot: ContextSnapshot, dir: string, rel: string): Promise<string[]> {
  let lists = ignoredLists.get(snapshot);
  if (lists === undefined) {
    lists = new Map();
    ignoredLists.set(snapshot, lists);
  }
  let list = lists.get(dir);
  if (list === undefined) {
    list = ignoredUnder(snapshot, dir, rel);
    lists.set(dir, list);
  }
  return list;
}

/** Paths (relative to `dir`, whose context path is `rel`) of the entries there that the context leaves out. */
async function ignoredUnder(snapshot: ContextSnapshot, dir: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    const contextPath = [rel, sub].filter((p) => p !== '').join('/');
    const kept = new Map(snapshot.children(contextPath).map((e) => [path.posix.basename(e.path), e]));
    for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
      const child = sub === '' ? entry.name : `${sub}/${entry.name}`;
      const known = kept.get(entry.name);
      if (known === undefined) out.push(child);
      else if (entry.isDirectory() && known.type === 'dir') await walk(child);
    }
  };
  await walk('');
  return out;
}

async function copyAttributes(from: string, to: string): Promise<void> {
  const info = await lstat(from);
  await chown(to, info.uid, info.gid);
  await chmod(to, info.mode & 0o7777);
  await utimes(to, info.atime, info.mtime);
}
