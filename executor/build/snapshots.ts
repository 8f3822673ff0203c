// Unpacked layers: each stored layer is extracted once into `<store>/snapshots/<short-id>/`, in the
// form overlayfs reads as a lower dir (unpack-lower-dir.ts). Extraction goes to a private temp dir that is renamed into
// place, so a snapshot directory that exists is complete, and concurrent builds may race safely.
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  decompressedStream,
  ImageNotFoundError,
  processAlive,
  readTar,
  type Store,
  type TarReadEntry,
} from '../../image/index.js';
import { cleanMountsUnder, listMountsUnder } from '../snapshot/leftovers.js';
import { type LayerRef, snapshotId } from './layer-ref.js';
import { unpackAsLowerDir } from './unpack-lower-dir.js';

export function snapshotDir(store: Store, layer: LayerRef): string {
  return path.join(store.paths.snapshots, snapshotId(layer));
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

/**
 * A private, empty directory under snapshots/ (same filesystem, so it can be renamed into place),
 * named `t<tag>-<pid>-<random>` so that work left by a killed process can be found and removed.
 */
export async function tempSnapshotDir(store: Store, tag: string): Promise<string> {
  const dir = path.join(store.paths.snapshots, `t${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Removes the work directories of tsbuild processes that died (SIGKILL, power loss): their mounts
 * first, then the directories. Directories of live processes are left alone.
 */
export async function removeStaleWork(store: Store): Promise<void> {
  const names = await readdir(store.paths.snapshots).catch(() => [] as string[]);
  for (const name of names) {
    const match = /^t[a-z]-(\d+)-[0-9a-f]+$/.exec(name);
    if (match === null || processAlive(Number(match[1]))) continue;
    const dir = path.join(store.paths.snapshots, name);
    await cleanMountsUnder(dir);
    if ((await listMountsUnder(dir)).length === 0) await rm(dir, { recursive: true, force: true });
  }
}

/** The diff_id of a layer without entries (two zero blocks): the layer of every RUN that changes nothing. */
const emptyLayerDiffId = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

/**
 * Whether `target` is the empty layer's snapshot spoiled by an older tsbuild: it published upper dirs that still
 * held unchanged copy-ups (fs-step.ts now removes them), so every image with a RUN that changed nothing saw
 * another build's files. Such a snapshot is moved out of the way (a build that has it mounted keeps its view; the
 * work-dir sweep removes it once this process is gone) and made anew.
 */
async function setAsideSpoiled(store: Store, layer: LayerRef, target: string): Promise<boolean> {
  if (layer.diffId !== emptyLayerDiffId) return false;
  const entries = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length === 0) return false;
  const aside = path.join(store.paths.snapshots, `tx-${process.pid}-${randomBytes(4).toString('hex')}`);
  await rename(target, aside).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  return true;
}

/**
 * Moves a finished directory to the layer's snapshot name; when the snapshot is there already (another step or
 * process won), ours is dropped. An existing snapshot is never replaced: rename(2) replaces an empty directory (the
 * empty layer's, which every RUN that changes nothing publishes), and an overlay that has the replaced directory as
 * a lower dir, mounted by a running step or a stage's read view, no longer lists its root.
 */
export async function publishSnapshot(store: Store, layer: LayerRef, dir: string): Promise<string> {
  const target = snapshotDir(store, layer);
  // A spoiled one in the way is replaced by this one, which a later step of this build may be using already.
  const setAside = await setAsideSpoiled(store, layer, target);
  if (setAside || !(await exists(target))) {
    try {
      await rename(dir, target);
      return target;
    } catch (error) {
      // Another process published it meanwhile (a non-empty snapshot is never replaced by rename).
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
  }
  await rm(dir, { recursive: true, force: true });
  return target;
}

const pending = new Map<string, Promise<string>>();

/** The snapshot directory of `layer`, extracting the stored blob when it is not there yet. */
export function ensureSnapshot(store: Store, layer: LayerRef): Promise<string> {
  const target = snapshotDir(store, layer);
  let job = pending.get(target);
  if (job === undefined) {
    job = (async () => {
      if ((await exists(target)) && !(await setAsideSpoiled(store, layer, target))) return target;
      const dir = await tempSnapshotDir(store, 'x');
      try {
        await extractAsLowerDir(store, layer, dir);
        return await publishSnapshot(store, layer, dir);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    })().finally(() => pending.delete(target));
    pending.set(target, job);
  }
  return job;
}

/** A layer of a stored image that could not be unpacked, and why. */
export interface UnpackFailure {
  readonly digest: string;
  readonly reason: string;
}

/**
 * Unpacks every layer of a stored image (by manifest digest) into its snapshot, as `docker import` and `docker
 * load` do, so that the first build from the image does not pay for it. Never throws: a layer that cannot be
 * unpacked now (no root, no mknod) is reported and left to the build, which unpacks on demand.
 */
export async function unpackImageLayers(store: Store, manifestDigest: string): Promise<UnpackFailure[]> {
  let layers: LayerRef[];
  try {
    const image = await store.resolve(manifestDigest);
    const diffIds = image.config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== image.manifest.layers.length) return [];
    layers = image.manifest.layers.map((l, i) => ({
      digest: l.digest,
      size: l.size,
      mediaType: l.mediaType,
      diffId: diffIds[i],
    }));
  } catch (error) {
    // An index without this machine's platform has nothing a build here would use.
    if (error instanceof ImageNotFoundError) return [];
    return [{ digest: manifestDigest, reason: (error as Error).message }];
  }
  const failures: UnpackFailure[] = [];
  for (const layer of layers) {
    await ensureSnapshot(store, layer).catch((error: unknown) => {
      failures.push({ digest: layer.digest, reason: (error as Error).message });
    });
  }
  return failures;
}

async function extractAsLowerDir(store: Store, layer: LayerRef, dir: string): Promise<void> {
  // 1 MiB reads: each chunk is a round trip through libuv's pool (see import-rootfs.ts).
  const blob = store.openBlob(layer.digest, { highWaterMark: 1 << 20 });
  await unpackAsLowerDir(readTar(await decompressedStream(blob)), dir);
}

/** An unpack fed with a layer's entries while something else reads them (import), published once its digest is known. */
export interface StreamedUnpack {
  /** Unpacks the entries as they come; never throws (a failure is reported by `publish`). */
  readonly consume: (entries: AsyncIterable<TarReadEntry>) => Promise<void>;
  /** Publishes the snapshot of `layer` (made from the entries consumed); what failed, if anything. */
  publish(layer: LayerRef): Promise<UnpackFailure[]>;
  /** Drops the work (the import failed). */
  discard(): Promise<void>;
}

/**
 * Starts unpacking a layer whose digest is not known yet into a work directory: the tar is read once, for storing
 * and unpacking together. A snapshot that is there already stays (the work is dropped when published).
 */
export async function startStreamedUnpack(store: Store): Promise<StreamedUnpack> {
  const dir = await tempSnapshotDir(store, 'x');
  let failure: unknown;
  let consumed: Promise<void> = Promise.resolve();
  // After the consumer is done: a directory removed under it would be made again by its next entry.
  const discard = () => consumed.then(() => rm(dir, { recursive: true, force: true }));
  return {
    consume: (entries) => {
      consumed = unpackAsLowerDir(entries, dir).catch((error: unknown) => {
        failure = error;
      });
      return consumed;
    },
    publish: async (layer) => {
      if (failure === undefined) {
        try {
          await publishSnapshot(store, layer, dir);
          return [];
        } catch (error) {
          failure = error;
        }
      }
      await discard();
      return [{ digest: layer.digest, reason: (failure as Error).message }];
    },
    discard,
  };
}
