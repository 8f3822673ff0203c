// The names in `index.json`: tags, digest references and dangling (untagged) images, each change made under the
// store's index lock. An entry is renamed into place only once the manifest it names is durable (blob-commits.ts);
// a manifest still being committed is waited for while the new index.json is written and synced (under the lock), so
// the two syncs overlap.
import { stat } from 'node:fs/promises';
import type { Digest } from '../digest.js';
import { Annotation, OciMediaType } from '../media-types.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci-types.js';
import { readIndexFile, writeIndexFile } from './index-file.js';
import { refOf } from './ref-names.js';
import { ImageNotFoundError } from './resolve.js';

/** What of the store the index needs. */
export interface IndexedStore {
  readonly paths: { readonly indexJson: string };
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  blobPath(digest: Digest): string;
  /** Resolves once the blobs are durable; rejects when one of them could not be stored. */
  blobsDurable(digests: Iterable<Digest>): Promise<void>;
  hasBlob(digest: Digest): Promise<boolean>;
  blobSize(digest: Digest): Promise<number>;
  readBlob(digest: Digest): Promise<Buffer>;
}

/** Points the stored ref name `name` at `target` (a manifest or index the store holds). */
export async function pointRef(store: IndexedStore, name: string, target: Descriptor): Promise<void> {
  const durable = durableOf(store, target.digest);
  const entry: Descriptor = { ...target, annotations: { [Annotation.refName]: name } };
  // A rebuild that changed nothing re-tags the same manifest: leave index.json alone (no lock, no write).
  const current = (await readIndexFile(store.paths.indexJson)).manifests.find((m) => refOf(m) === name);
  if (current?.digest === target.digest && current.mediaType === target.mediaType && current.size === target.size)
    return durable;
  // A tagged image is no longer dangling: its untagged entry goes.
  const dangling = (m: Descriptor) => refOf(m) === undefined && m.digest === target.digest;
  await mutateIndex(store, durable, (manifests) => {
    const previous = manifests.find((m) => refOf(m) === name);
    const next = [...manifests.filter((m) => refOf(m) !== name && !dangling(m)), entry];
    // As in docker, the image a moved tag leaves, when nothing else names it, stays as a dangling image: its ID
    // still works and `images` lists it as <none> until a prune.
    if (previous !== undefined && !next.some((m) => m.digest === previous.digest)) {
      next.push({ mediaType: previous.mediaType, digest: previous.digest, size: previous.size });
    }
    return next;
  });
}

/** The descriptor of a stored manifest or index, read and checked to be one (a tag must name an image). */
export async function manifestDescriptor(store: IndexedStore, manifestDigest: Digest): Promise<Descriptor> {
  const notManifest = new ImageNotFoundError(`${manifestDigest} is not an image manifest or index`);
  if ((await store.hasBlob(manifestDigest)) && (await store.blobSize(manifestDigest)) > 4 * 1024 * 1024)
    throw notManifest;
  const bytes = await store.readBlob(manifestDigest);
  let parsed: Partial<ImageManifest & ImageIndex>;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw notManifest;
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    (!Array.isArray(parsed.manifests) && !Array.isArray(parsed.layers))
  ) {
    throw notManifest;
  }
  const mediaType = parsed.mediaType ?? ('manifests' in parsed ? OciMediaType.index : OciMediaType.manifest);
  return { mediaType, digest: manifestDigest, size: bytes.length };
}

/** An untagged entry for `manifest`, unless an entry holds it already (see `Store.keepDangling`). */
export async function keepDangling(store: IndexedStore, manifest: Descriptor): Promise<void> {
  const durable = durableOf(store, manifest.digest);
  if ((await readIndexFile(store.paths.indexJson)).manifests.some((m) => m.digest === manifest.digest)) return durable;
  const entry: Descriptor = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
  await mutateIndex(store, durable, (manifests) =>
    manifests.some((m) => m.digest === manifest.digest) ? manifests : [...manifests, entry],
  );
}

/** Removes the untagged entries whose manifest was written more than `graceMs` ago; returns their digests. */
export async function removeDangling(store: IndexedStore, graceMs: number, now: number): Promise<Digest[]> {
  const index = await readIndexFile(store.paths.indexJson);
  const old: Digest[] = [];
  for (const m of index.manifests) {
    if (refOf(m) !== undefined) continue;
    const age = await stat(store.blobPath(m.digest)).then(
      (s) => now - s.mtimeMs,
      () => Number.POSITIVE_INFINITY,
    );
    if (age >= graceMs) old.push(m.digest);
  }
  if (old.length === 0) return [];
  const gone = new Set<string>(old);
  await mutateIndex(store, undefined, (manifests) =>
    manifests.filter((m) => refOf(m) !== undefined || !gone.has(m.digest)),
  );
  return old;
}

/** Removes the entries `matches` selects; returns them. */
export async function removeEntries(store: IndexedStore, matches: (m: Descriptor) => boolean): Promise<Descriptor[]> {
  const removed: Descriptor[] = [];
  await mutateIndex(store, undefined, (manifests) =>
    manifests.filter((m) => {
      const match = matches(m);
      if (match) removed.push(m);
      return !match;
    }),
  );
  return removed;
}

/** `blobsDurable` of a manifest, its failure reported by whoever awaits it (never as an unhandled rejection). */
function durableOf(store: IndexedStore, digest: Digest): Promise<void> {
  const durable = store.blobsDurable([digest]);
  durable.catch(() => {});
  return durable;
}

/** `durable`: what the new entries name is durable once it resolves; index.json is replaced only then. */
async function mutateIndex(
  store: IndexedStore,
  durable: Promise<void> | undefined,
  change: (manifests: Descriptor[]) => Descriptor[],
): Promise<void> {
  await store.withLock('index', async () => {
    const index = await readIndexFile(store.paths.indexJson);
    // Ordered by code unit, not localeCompare: its first call loads ICU's collator, ~15 ms of every tagging build.
    const manifests = change(index.manifests).sort((a, b) => byCodeUnit(refOf(a) ?? '', refOf(b) ?? ''));
    await writeIndexFile(store.paths.indexJson, { ...index, manifests }, durable);
  });
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
