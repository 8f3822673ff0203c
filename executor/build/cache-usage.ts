// What the build cache holds and what it costs: one entry per record (a step's layer, a committed image, a RUN
// cache mount) with its size, creation and last use (the record's mtime, set by every build that uses it:
// cache-index.ts, cache-mount.ts), whether an image holds the same data (shared: removing the record frees
// nothing), and whether a build running now uses it. `system df`, `prune --build-cache` and the collector
// after a build (cache-gc.ts) all read this.
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  type Digest,
  type ImageManifest,
  OciMediaType,
  reachableFromIndex,
  readVariant,
  type Store,
} from '../../image/index.js';
import { buildCacheDir, type ImageRecord, readRecord, type StepRecord } from './cache-index.js';
import { snapshotIdOf } from './layer-ref.js';
import { liveBuildsSince } from './live-builds.js';

/** How much earlier than a build's start a mark may read and still be that build's (see `used`). */
export const markSlackMs = 10;

/** BuildKit's record types that tsbuild has: step results and images are `regular`. */
export type CacheRecordType = 'regular' | 'exec.cachemount';

export interface CacheUsageRecord {
  /** The key's hex for a step or image record, the directory name for a cache mount. */
  readonly id: string;
  readonly kind: 'step' | 'image' | 'mount';
  readonly type: CacheRecordType;
  /** The record file, or the cache mount directory. */
  readonly path: string;
  readonly description: string;
  /** Bytes of what the record itself names (its layer; an image's manifest and config; a mount's files). */
  readonly size: number;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** An image in the store holds the same data. */
  readonly shared: boolean;
  /** A build running now has used it (since it started), or a mount is mounted or locked. */
  readonly inUse: boolean;
  /** The units of data (cache-usage `units`) the record keeps alive, with an image record's layers. */
  readonly holds: readonly string[];
}

export interface CacheUsage {
  readonly records: readonly CacheUsageRecord[];
  /** Bytes of each unit of data: a layer (blob, snapshot, compressed forms), a small blob, a mount's files. */
  readonly units: ReadonlyMap<string, number>;
  /** Units images hold: never freed by removing records. */
  readonly imageUnits: ReadonlySet<string>;
  /** Earliest start of a build running now (ms), if any. */
  readonly liveSince: number | null;
  /** When the reading began (ms): a mark after it is a use the reading could not see. */
  readonly readAt: number;
}

const fileSize = (file: string): Promise<number> =>
  stat(file).then(
    (s) => s.size,
    () => 0,
  );

/**
 * A layer's bytes: its blob, its unpacked snapshot when there is one (counted as the uncompressed tar: the same
 * files, without walking them), and its compressed forms.
 */
export async function layerBytes(store: Store, digest: Digest, diffId: string | undefined): Promise<number> {
  const blob = await fileSize(store.blobPath(digest));
  let bytes = blob;
  if (diffId !== undefined) {
    const snapshot = path.join(store.paths.snapshots, snapshotIdOf(diffId));
    if (
      await stat(snapshot).then(
        () => true,
        () => false,
      )
    )
      // A layer kept only as its snapshot has no blob file: its recipe has the tar's size.
      bytes +=
        digest === diffId
          ? blob || (await store.blobSize(digest).catch(() => 0))
          : ((await readVariant(store, 'tar', digest))?.size ?? blob);
  }
  for (const form of ['gzip', 'zstd'] as const) {
    const variant = await readVariant(store, form, digest).catch(() => null);
    if (variant !== null) bytes += variant.size;
  }
  return bytes;
}

async function readJson<T>(store: Store, digest: Digest): Promise<T | undefined> {
  if ((await fileSize(store.blobPath(digest))) > 4 * 1024 * 1024) return undefined;
  return store.readJson<T>(digest).catch(() => undefined);
}

/** Bytes of the files under `dir` (each inode once). */
export async function treeSize(dir: string, seen = new Set<string>()): Promise<number> {
  const info = await lstat(dir).catch(() => null);
  if (info === null) return 0;
  const inode = `${info.dev}:${info.ino}`;
  if (seen.has(inode)) return 0;
  seen.add(inode);
  if (!info.isDirectory()) return info.size;
  let total = info.size;
  for (const name of await readdir(dir).catch(() => [] as string[]))
    total += await treeSize(path.join(dir, name), seen);
  return total;
}

/** The cache mount directories: `<16 hex>` and the further private instances `<16 hex>-<n>`. */
export const mountDirName = /^[0-9a-f]{16}(-\d+)?$/;

export interface UsageOptions {
  /** Mount points under the store (a killed container's leftovers, a RUN right now): their mounts are in use. */
  readonly mounted?: readonly string[];
}

export async function readCacheUsage(store: Store, options: UsageOptions = {}): Promise<CacheUsage> {
  const readAt = Date.now();
  const liveSince = await liveBuildsSince(store);
  // A mark's time is Date.now() (whole ms); a build's start is its mark file's mtime (the kernel's coarse clock):
  // the slack keeps a use in the same instant on the right side.
  const used = (time: number) => liveSince !== null && time >= liveSince - markSlackMs;
  const reachable = await reachableFromIndex(store);
  const imageUnits = new Set<string>([...reachable.manifests, ...reachable.configs, ...reachable.layers]);
  const units = new Map<string, number>();
  const unit = async (name: string, bytes: () => Promise<number>): Promise<number> => {
    if (!units.has(name)) units.set(name, await bytes());
    return units.get(name) ?? 0;
  };
  const records: CacheUsageRecord[] = [];
  const dir = buildCacheDir(store);
  // Steps first: the layers they name are measured with their snapshots before an image record names them too.
  const names = (await readdir(dir).catch(() => [] as string[])).sort((a, b) =>
    a[0] === b[0] ? (a < b ? -1 : 1) : a[0] === 's' ? -1 : 1,
  );
  for (const name of names) {
    const match = /^([si])-([0-9a-f]{64})\.json$/.exec(name);
    if (match === null) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (info === null) continue;
    const common = { id: match[2]!, type: 'regular' as const, path: file, lastUsedAt: info.mtimeMs };
    if (match[1] === 's') {
      const record = await readRecord<StepRecord>(file);
      if (record === null) continue;
      const layer = record.layer;
      const size = layer === null ? 0 : await unit(layer.digest, () => layerBytes(store, layer.digest, layer.diffId));
      const created = Date.parse(record.created);
      records.push({
        ...common,
        kind: 'step',
        description: record.description ?? '',
        size,
        createdAt: Number.isNaN(created) ? info.birthtimeMs : created,
        shared: layer !== null && imageUnits.has(layer.digest),
        inUse: used(info.mtimeMs),
        holds: layer === null ? [] : [layer.digest],
      });
    } else {
      const record = await readRecord<ImageRecord>(file);
      if (record === null) continue;
      let size = 0;
      for (const digest of [record.manifest, record.config])
        size += await unit(digest, () => fileSize(store.blobPath(digest)));
      const manifest = await readJson<ImageManifest>(store, record.manifest);
      const layers: string[] = [];
      for (const layer of manifest?.layers ?? []) {
        await unit(layer.digest, () =>
          layerBytes(store, layer.digest, layer.mediaType === OciMediaType.layer ? layer.digest : undefined),
        );
        layers.push(layer.digest);
      }
      records.push({
        ...common,
        kind: 'image',
        description: `image ${record.config}`,
        size,
        createdAt: info.birthtimeMs,
        shared: imageUnits.has(record.manifest),
        inUse: used(info.mtimeMs),
        holds: [record.manifest, record.config, ...layers],
      });
    }
  }
  records.push(...(await mountRecords(store, options.mounted ?? [], used, unit)));
  return { records, units, imageUnits, liveSince, readAt };
}

async function mountRecords(
  store: Store,
  mounted: readonly string[],
  used: (time: number) => boolean,
  unit: (name: string, bytes: () => Promise<number>) => Promise<number>,
): Promise<CacheUsageRecord[]> {
  const root = path.join(store.paths.cache, 'mounts');
  const out: CacheUsageRecord[] = [];
  for (const name of (await readdir(root).catch(() => [] as string[])).sort()) {
    if (!mountDirName.test(name)) continue;
    const dir = path.join(root, name);
    const info = await stat(dir).catch(() => null);
    if (info === null || !info.isDirectory()) continue;
    const id = (await readFile(`${dir.replace(/-\d+$/, '')}.id`, 'utf8').catch(() => '')).trim();
    const busy = mounted.some((target) => target === dir || target.startsWith(dir + path.sep));
    out.push({
      id: name,
      kind: 'mount',
      type: 'exec.cachemount',
      path: dir,
      description: id === '' ? 'cache mount' : `cache mount ${id}`,
      size: await unit(`mount:${name}`, () => treeSize(dir)),
      createdAt: info.birthtimeMs,
      lastUsedAt: info.mtimeMs,
      shared: false,
      inUse: busy || used(info.mtimeMs),
      holds: [`mount:${name}`],
    });
  }
  return out;
}
