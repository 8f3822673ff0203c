// A layer unpacked as overlayfs reads a lower dir: OCI whiteouts become 0/0 character devices and opaque markers the
// `trusted.overlay.opaque` xattr, and the file data is synced, so that the directory can be published by a rename.
import { lstat, mkdir, rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import {
  BreakoutError,
  cleanLayerPath,
  type ExtractEntry,
  extractEntries,
  isInside,
  opaqueWhiteoutName,
  resolveInRoot,
  type TarReadEntry,
  whiteoutPrefix,
} from '../../image/index.js';
import { helperSpecialFiles } from '../runtime/special-files.js';
import { syncFileSystemOf } from '../snapshot/durable-upper.js';
import { makeWhiteoutNodes, markOpaqueDirs } from '../snapshot/whiteout-nodes.js';

interface Whiteouts {
  readonly deleted: string[];
  readonly opaque: string[];
  /** The mtime (seconds) of each directory entry of the layer, by its path: the last entry's, as extracted. */
  readonly dirTimes: Map<string, number>;
}

/** Unpacks a layer's entries into `dir` as an overlay lower dir, its data synced (ready to be published by a rename). */
export async function unpackAsLowerDir(tar: AsyncIterable<TarReadEntry>, dir: string): Promise<void> {
  const whiteouts: Whiteouts = { deleted: [], opaque: [], dirTimes: new Map() };
  let dataFiles = 0;
  // The entries go to the extractor as read: one pass over the tar (it was written out and parsed again).
  await extractEntries(
    withoutWhiteouts(tar, whiteouts, () => dataFiles++),
    dir,
    { special: helperSpecialFiles() },
  );
  // Paths are prepared in Node (a path named twice is one device), then made by a few batched commands.
  const nodes = new Set<string>();
  for (const rel of whiteouts.deleted) nodes.add(await whiteoutTarget(dir, rel));
  await makeWhiteoutNodes(
    dir,
    [...nodes].map((target) => path.relative(dir, target)),
  );
  const opaque = new Set<string>();
  for (const rel of whiteouts.opaque) opaque.add(await opaqueTarget(dir, rel));
  await markOpaqueDirs([...opaque]);
  await restoreDirTimes(dir, whiteouts);
  // The snapshot is published by a rename: its file data must be on disk first, or a crash could leave a
  // published snapshot with empty files (metadata is ordered by the journal; see durable-upper.ts).
  if (dataFiles > 0) await syncFileSystemOf(dir);
}

async function* withoutWhiteouts(
  entries: AsyncIterable<TarReadEntry>,
  whiteouts: Whiteouts,
  onDataFile: () => void,
): AsyncGenerator<ExtractEntry> {
  for await (const entry of entries) {
    const name = cleanLayerPath(entry.header.path);
    const base = path.posix.basename(name);
    if (base.startsWith(whiteoutPrefix)) {
      const parent = path.posix.dirname(name) === '.' ? '' : path.posix.dirname(name);
      const victim = base.slice(whiteoutPrefix.length);
      if (base === opaqueWhiteoutName) whiteouts.opaque.push(parent);
      // `.wh.`, `.wh..` and `.wh...` name no entry of the directory (and must never become the directory itself).
      else if (victim !== '' && victim !== '.' && victim !== '..')
        whiteouts.deleted.push(path.posix.join(parent, victim));
      for await (const _ of entry.body()) {
        // drained: a whiteout has no content that matters
      }
      continue;
    }
    if (entry.header.type === 'file' && (entry.header.size ?? 0) > 0) onDataFile();
    if (entry.header.type === 'directory' && name !== '') whiteouts.dirTimes.set(name, entry.header.mtime);
    yield entry;
  }
}

/** The emptied place of a whiteout device, resolved inside the snapshot (a symlink in the layer never leads out of it). */
async function whiteoutTarget(root: string, rel: string): Promise<string> {
  const parent = await resolveInRoot(root, path.posix.dirname(rel), true);
  if (!isInside(root, parent)) throw new BreakoutError(`whiteout ${rel} is outside of the layer`);
  await mkdir(parent, { recursive: true });
  const target = path.join(parent, path.posix.basename(rel));
  await rm(target, { recursive: true, force: true });
  return target;
}

async function opaqueTarget(root: string, rel: string): Promise<string> {
  const target = await resolveInRoot(root, rel, true);
  if (!isInside(root, target)) throw new BreakoutError(`opaque marker ${rel} is outside of the layer`);
  await mkdir(target, { recursive: true });
  return target;
}

/**
 * A whiteout device is made in its directory after the extraction set the directories' times, which makes the
 * directory's mtime the time of the unpack. containerd's Apply (and docker's overlay2) set the times of the layer's
 * directories after everything in them, whiteouts included: a directory of the layer gets its time back, set as the
 * extraction set it (a parent that is not in the layer keeps the time of its making, as there).
 */
async function restoreDirTimes(root: string, whiteouts: Whiteouts): Promise<void> {
  const parents = new Set(whiteouts.deleted.map((rel) => path.posix.dirname(rel)));
  for (const rel of parents) {
    const mtime = whiteouts.dirTimes.get(rel);
    if (mtime === undefined) continue;
    const target = await resolveInRoot(root, rel, true);
    if (!isInside(root, target) || target === root) continue;
    if ((await lstat(target).catch(() => null))?.isDirectory() !== true) continue;
    await utimes(target, mtime, mtime);
  }
}
