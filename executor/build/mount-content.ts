// The content digest of a path in a stage's filesystem, for keys of RUN steps that mount it
// (`--mount=from=<stage>,source=<path>`): BuildKit's contenthash recipe (CACHE.md section 4: mode, owner,
// size, type, link target and bytes; never timestamps), over a read-only view of the stage's layers.
// Extended attributes are left out (Node cannot read them cheaply): a change of xattrs alone keeps the key.
// The digest is a pure function of the layers' diff_ids and the path, so it is remembered under
// `cache/mount-content/`: a build whose stages are all cached reads one small file and no layer data.
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import {
  compareNames,
  devMajorMinor,
  directoryDigest,
  EMPTY_DIGEST,
  type HeaderFields,
  headerBytes,
  headerOnlyDigest,
} from '../../cache/index.js';
import { isInside, resolveInRoot, type Store } from '../../image/index.js';
import { MISSING, rememberedDigest } from './content-memo.js';
import { eventLoopTurns, fileContentDigest } from './file-content-hash.js';
import type { FsState } from './layer-ref.js';
import { type ReadViews, readView } from './read-views.js';

/**
 * `rememberedOnly`: only a remembered digest is taken (content-memo.ts); nothing is read or mounted. `views`: the
 * build's shared views.
 */
export async function stageContentDigest(
  store: Store,
  fs: FsState,
  source: string,
  rememberedOnly = false,
  views?: ReadViews,
): Promise<string> {
  const rel = path.posix.normalize(`/${source}`).slice(1);
  const what = { layers: fs.layers.map((l) => l.diffId), source: rel };
  return rememberedDigest(store, 'mount-content', what, rememberedOnly, async () =>
    fs.layers.length === 0 ? emptyRootDigest(rel) : await readView(store, views, fs, (root) => digestAt(root, rel)),
  );
}

/** An empty filesystem (scratch) has only its root directory. */
function emptyRootDigest(rel: string): string {
  if (rel !== '') return MISSING;
  return directoryDigest(headerOnlyDigest(header('5', 0o755, 0, 0)), []);
}

/** `rel` resolved inside `root` (symlinks followed, the last one too, as a bind mount source is). */
export async function digestAt(root: string, rel: string): Promise<string> {
  const target = await resolveInRoot(root, rel, true);
  if (!isInside(root, target)) return MISSING;
  const info = await lstat(target).catch(() => null);
  if (info === null) return MISSING;
  return entryDigest(target, info, eventLoopTurns());
}

type Stats = Awaited<ReturnType<typeof lstat>>;

function header(typeflag: HeaderFields['typeflag'], mode: number, uid: number, gid: number): HeaderFields {
  return { typeflag, mode: mode & 0o7777, uid, gid, size: 0, linkname: '', devmajor: 0, devminor: 0 };
}

/**
 * The entries below `abs` are listed and read with blocking calls (the view is read-only and local: a few µs each,
 * against a round trip through the thread pool per call, one entry after another), the event loop given a turn now
 * and then (`turn`).
 */
async function entryDigest(abs: string, info: Stats, turn: (blockingBytes: number) => Promise<void>): Promise<string> {
  const mode = Number(info.mode);
  const uid = Number(info.uid);
  const gid = Number(info.gid);
  if (info.isDirectory()) {
    const names = readdirSync(abs).sort(compareNames);
    const children: { name: string; digest: string }[] = [];
    for (const name of names) {
      const child = path.join(abs, name);
      children.push({ name, digest: await entryDigest(child, lstatSync(child), turn) });
    }
    return directoryDigest(headerOnlyDigest(header('5', mode, uid, gid)), children, true);
  }
  if (info.isSymbolicLink()) {
    return headerOnlyDigest({ ...header('2', 0o777, uid, gid), linkname: readlinkSync(abs) });
  }
  if (info.isSocket()) return headerOnlyDigest({ ...header('0', mode, uid, gid), size: 0 });
  if (info.isFile()) {
    const size = Number(info.size);
    const { hex, blockingBytes } = await fileContentDigest(abs, headerBytes({ ...header('0', mode, uid, gid), size }));
    await turn(blockingBytes);
    return `sha256:${hex}`;
  }
  if (info.isCharacterDevice() || info.isBlockDevice()) {
    const [devmajor, devminor] = devMajorMinor(info.rdev);
    return headerOnlyDigest({ ...header(info.isCharacterDevice() ? '3' : '4', mode, uid, gid), devmajor, devminor });
  }
  if (info.isFIFO()) return headerOnlyDigest(header('6', mode, uid, gid));
  return EMPTY_DIGEST;
}
