import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { encodeConfig, encodeIndex, encodeManifest } from '../canonical-json.js';
import { type Digest, digestHex, isSha256Digest } from '../digest.js';
import { OciMediaType } from '../media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from '../oci-types.js';
import { familiarString, parseDockerRef } from '../reference.js';
import { adoptVerifiedBlob } from './adopt-blob.js';
import { fsyncDir, writeFileAtomic } from './atomic-file.js';
import { BlobCommits } from './blob-commits.js';
import {
  type BlobExpectation,
  type BlobInfo,
  type DeferredBlob,
  type SyncBlobFile,
  writeBlobDeferred,
} from './blob-writer.js';
import { withFileLock } from './file-lock.js';
import { fileExists } from './fs-util.js';
import { readIndexFile, writeIndexFile } from './index-file.js';
import { keepDangling, manifestDescriptor, pointRef, removeDangling, removeEntries } from './index-refs.js';
import { type LayerRecipe, recipePath, recipeSnapshotDir, writeRecipe } from './layer-recipe.js';
import { materialiseBlob, missingBlobBytes, recipeOfMissing } from './lazy-blob.js';
import { defaultStoreRoot, type StorePaths, storePaths } from './paths.js';
import { hostPlatform } from './platform.js';
import { type GcRootsHook, type PruneOptions, type PruneResult, pruneStore } from './prune.js';
import { checkedRefName, refOf, storedRefName } from './ref-names.js';
import { ImageNotFoundError, type ResolvedImage, type ResolveOptions, resolveImage } from './resolve.js';

export interface StoreOptions {
  /** How a blob's bytes are made durable (default: fsync); a seam for tests of a slow or failing disk. */
  readonly syncBlobFile?: SyncBlobFile;
}

/** A tagged image as listed from `index.json`. */
export interface StoredImage {
  /** Full normalised reference, e.g. `docker.io/library/alpine:latest`. */
  ref: string;
  /** Display form, e.g. `alpine:latest`. */
  familiar: string;
  descriptor: Descriptor;
}

/**
 * The local image store: an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/`) plus `snapshots/`
 * and `cache/` directories owned by other modules. Safe for several processes at once: blob writes are
 * atomic renames of verified temp files, and each `index.json` mutation runs under a short file lock.
 */
export class Store {
  readonly paths: StorePaths;
  private readonly gcHooks = new Set<GcRootsHook>();
  private readonly commits = new BlobCommits();

  private constructor(
    readonly root: string,
    private readonly options: StoreOptions,
  ) {
    this.paths = storePaths(root);
  }

  /** Opens (creating when needed) the store at `root` (default: `defaultStoreRoot()`). */
  static async open(root: string = defaultStoreRoot(), options: StoreOptions = {}): Promise<Store> {
    const store = new Store(path.resolve(root), options);
    const p = store.paths;
    // Every command opens the store: its few file operations go to libuv's pool at once, not one after another.
    const [layoutThere, indexThere] = await Promise.all([
      fileExists(p.ociLayout),
      fileExists(p.indexJson),
      ...[p.blobs, p.snapshots, p.cache, p.locks].map((dir) => mkdir(dir, { recursive: true })),
    ]);
    if (!layoutThere) await writeFileAtomic(p.ociLayout, '{"imageLayoutVersion":"1.0.0"}');
    if (!indexThere) {
      await store.withLock('index', async () => {
        if (!(await fileExists(p.indexJson))) {
          await writeIndexFile(p.indexJson, { schemaVersion: 2, mediaType: OciMediaType.index, manifests: [] });
        }
      });
    }
    return store;
  }

  /** Runs `fn` under the named store lock (`locks/<name>.lock`); for short mutations only. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`invalid lock name ${JSON.stringify(name)}`);
    return withFileLock(path.join(this.paths.locks, `${name}.lock`), fn);
  }

  blobPath(digest: Digest): string {
    if (!isSha256Digest(digest)) throw new ImageNotFoundError(`invalid blob digest ${digest}`);
    return path.join(this.paths.blobs, digestHex(digest));
  }

  /**
   * How the blob is stored: a file in `blobs/`, a layer's recipe only (kept as its snapshot: layer-recipe.ts), or not
   * at all. One check for the common case, a file. A recipe whose snapshot is gone (removed by hand) holds no bytes:
   * the blob is not stored, so a pull or a load writes it again, and prune sweeps the recipe.
   */
  async blobForm(digest: Digest): Promise<'file' | 'recipe' | null> {
    const file = this.blobPath(digest);
    await this.commits.settled(digest);
    if (await fileExists(file)) return 'file';
    if (
      (await fileExists(recipePath(this.paths.recipes, digest))) &&
      (await fileExists(recipeSnapshotDir(this.paths.snapshots, digest)))
    )
      return 'recipe';
    return (await fileExists(file)) ? 'file' : null; // materialised (and its recipe removed) between the two checks
  }

  /** True when the blob is stored, as a file or as a layer's recipe. */
  async hasBlob(digest: Digest): Promise<boolean> {
    return (await this.blobForm(digest)) !== null;
  }

  /** True when the blob is a layer kept only as its snapshot: no file in `blobs/` (yet). */
  async isLazyLayer(digest: Digest): Promise<boolean> {
    return (await this.blobForm(digest)) === 'recipe';
  }

  async blobSize(digest: Digest): Promise<number> {
    await this.commits.settled(digest);
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch (error) {
      const recipe = await recipeOfMissing(this, error, digest);
      return recipe === undefined ? this.blobSize(digest) : recipe.size;
    }
  }

  async readBlob(digest: Digest): Promise<Buffer> {
    await this.commits.settled(digest);
    try {
      return await readFile(this.blobPath(digest));
    } catch (error) {
      await recipeOfMissing(this, error, digest);
      return readFile(await this.ensureBlob(digest));
    }
  }

  /** The blob's bytes; a lazy layer's tar is rebuilt from its snapshot as it is read (and verified at its end). */
  openBlob(digest: Digest, options: { highWaterMark?: number } = {}): Readable {
    const file = this.blobPath(digest);
    if (this.commits.pending(digest) !== undefined) {
      const settled = this.commits.settled(digest);
      return Readable.from(
        afterCommit(settled, () => this.openBlob(digest, options)),
        { objectMode: false },
      );
    }
    return existsSync(file)
      ? createReadStream(file, options)
      : Readable.from(missingBlobBytes(this, digest), { objectMode: false });
  }

  /**
   * The blob's file, written from the layer's recipe first when it is a lazy layer (for readers that need a file:
   * ranged reads, uploads by path).
   */
  async ensureBlob(digest: Digest): Promise<string> {
    await this.commits.settled(digest);
    return materialiseBlob(this, digest);
  }

  /** Records a layer whose blob is its snapshot (see layer-recipe.ts); its snapshot's data must be synced first. */
  putLayerRecipe(recipe: LayerRecipe): Promise<void> {
    return writeRecipe(this.root, this.paths.recipes, recipe);
  }

  /**
   * `putLayerRecipe` in the background, tracked as the layer's commit (blob-commits.ts): readers of the layer wait
   * for it, whatever names it (a cache record, a manifest a tag points at) waits until it is durable, and so does the
   * end of the process (`blobsIdle`). A failure is reported by those.
   */
  putLayerRecipeDeferred(recipe: LayerRecipe): void {
    this.commits.trackCommit(recipe.digest, this.putLayerRecipe(recipe));
  }

  /** Stores bytes or a stream, verified against `expected` when given; answers once the blob is durable. */
  async putBlob(data: Uint8Array | AsyncIterable<Uint8Array>, expected?: BlobExpectation | Digest): Promise<BlobInfo> {
    const { digest, size, durable } = await this.putBlobDeferred(data, expected);
    await durable;
    return { digest, size };
  }

  /**
   * `putBlob` answering once the bytes are written and hashed: the blob becomes durable in the background (its
   * `durable`). Until then its readers wait for it, and so does everything that names it: the index's entries
   * here, cache records through `blobsDurable`; the process waits for it before it ends (`blobsIdle`). A manifest
   * gives the blobs it `references`: it counts as durable (for `blobsDurable`, a tag) only once they are too.
   */
  async putBlobDeferred(
    data: Uint8Array | AsyncIterable<Uint8Array>,
    expected?: BlobExpectation | Digest,
    references: readonly Digest[] = [],
  ): Promise<DeferredBlob> {
    const expectation = typeof expected === 'string' ? { digest: expected } : expected;
    const writing = writeBlobDeferred(this.paths.blobs, data, expectation, this.options.syncBlobFile);
    return this.commits.trackBlob(writing, expectation?.digest, references);
  }

  /** Resolves once the blobs are durable (a record may name them); rejects when one of them could not be stored. */
  blobsDurable(digests: Iterable<Digest>): Promise<void> {
    return this.commits.durable(digests);
  }

  /** Runs `write` (of a record naming `digests`) once they are durable; tracked as the commits are (`blobsIdle`). */
  whenDurable<T>(digests: Iterable<Digest>, write: () => Promise<T>): Promise<T> {
    return this.commits.whenDurable(digests, write);
  }

  /** Resolves once no blob of this process is being committed, nor a record waiting for one: before it ends. */
  blobsIdle(): Promise<void> {
    return this.commits.idle();
  }

  /** Renames a verified, fsynced download into place; see adopt-blob.ts. True if a file was renamed in. */
  adoptBlob(verifiedFile: string, expected: BlobExpectation & { digest: Digest }): Promise<boolean> {
    return adoptVerifiedBlob(this, verifiedFile, expected);
  }

  /** Makes renames into the blob directory durable: once after a batch of `adoptBlob`s. */
  syncBlobs(): Promise<void> {
    return fsyncDir(this.paths.blobs);
  }

  async putConfig(config: ImageConfig, mediaType: string = OciMediaType.config): Promise<Descriptor> {
    const { bytes } = encodeConfig(config);
    const { digest, size } = await this.putBlob(bytes);
    return { mediaType, digest, size };
  }

  /** Stores a manifest (object, encoded canonically, or exact bytes) and returns its descriptor. */
  async putManifest(manifest: ImageManifest | ImageIndex | Uint8Array, mediaType?: string): Promise<Descriptor> {
    const bytes = manifest instanceof Uint8Array ? manifest : encodeManifestLike(manifest);
    const parsed =
      manifest instanceof Uint8Array ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as ImageManifest) : manifest;
    const { digest, size } = await this.putBlob(bytes);
    return { mediaType: mediaType ?? parsed.mediaType ?? OciMediaType.manifest, digest, size };
  }

  /**
   * A JSON blob (a manifest, an index, a config: a few KiB), read synchronously: builds read several per base
   * image and per commit, and a small file in the page cache takes microseconds, where an asynchronous read is
   * four round trips through libuv's thread pool (open, fstat, read, close).
   */
  async readJson<T>(digest: Digest): Promise<T> {
    await this.commits.settled(digest);
    let text: string;
    try {
      text = readFileSync(this.blobPath(digest), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ImageNotFoundError(`blob ${digest} not found`);
      throw error;
    }
    return JSON.parse(text) as T;
  }

  /**
   * Points `ref` (normalised: `alpine` → `docker.io/library/alpine:latest`) at a stored manifest or index.
   * A digest reference (`alpine@sha256:…`, what a pull by digest records, as Docker's reference store does)
   * must name that very digest; it keeps the image from being pruned and shows in `RepoDigests`.
   */
  async tag(ref: string, manifestDigest: Digest): Promise<void> {
    const name = checkedRefName(ref, manifestDigest);
    await pointRef(this, name, await manifestDescriptor(this, manifestDigest));
  }

  /** The descriptor of a stored manifest or index (its media type and size), checked to be one. */
  manifestDescriptor(manifestDigest: Digest): Promise<Descriptor> {
    return manifestDescriptor(this, manifestDigest);
  }

  /**
   * `tag` for an image manifest this store holds and the caller has just written or read (its descriptor, as
   * `putManifest` returns it): a build tags what it committed without reading the blob back to check it.
   */
  async tagManifest(ref: string, manifest: Descriptor): Promise<void> {
    const name = checkedRefName(ref, manifest.digest);
    await pointRef(this, name, { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size });
  }

  /**
   * Keeps an image nothing names (a build without `-t`) as Docker keeps a dangling image: an untagged entry, so that
   * its ID works (`tsbuild run $(tsbuild build -q .)`) and `images` lists it as <none>. Nothing when an entry
   * already holds the manifest. `prune` removes dangling entries (`removeDangling`).
   */
  keepDangling(manifest: Descriptor): Promise<void> {
    return keepDangling(this, manifest);
  }

  /**
   * Removes the untagged entries (dangling images, as `docker image prune` does) whose manifest was written more
   * than `graceMs` ago (a build in another process may be about to tag its own); returns their digests.
   */
  removeDangling(graceMs: number, now = Date.now()): Promise<Digest[]> {
    return removeDangling(this, graceMs, now);
  }

  /** Removes a tag or digest reference; true when it existed. */
  async untag(ref: string): Promise<boolean> {
    const name = storedRefName(ref);
    return (await removeEntries(this, (m) => refOf(m) === name)).length > 0;
  }

  /** Removes a tag, or every tag of a manifest digest; returns the refs removed (blobs go at the next prune). */
  async removeImage(refOrDigest: string): Promise<string[]> {
    const byDigest = isSha256Digest(refOrDigest) ? refOrDigest : undefined;
    const name = byDigest ? undefined : storedRefName(refOrDigest);
    const removed = await removeEntries(this, (m) => (byDigest ? m.digest === byDigest : refOf(m) === name));
    if (removed.length === 0) throw new ImageNotFoundError(`No such image: ${refOrDigest}`);
    return removed.map((m) => refOf(m) ?? m.digest);
  }

  async listImages(): Promise<StoredImage[]> {
    const index = await readIndexFile(this.paths.indexJson);
    return index.manifests.flatMap((descriptor) => {
      const ref = refOf(descriptor);
      return ref === undefined ? [] : [{ ref, familiar: familiarString(parseDockerRef(ref)), descriptor }];
    });
  }

  /** Resolves a tag, `name@digest`, manifest digest, image ID or ID prefix (see `resolveImage`). */
  resolve(ref: string, platform?: Platform, options: ResolveOptions = {}): Promise<ResolvedImage> {
    // No platform asked for: this machine's is preferred, as docker's image store does without --platform.
    if (platform === undefined) return resolveImage(this, ref, hostPlatform(), { ...options, platformPreferred: true });
    return resolveImage(this, ref, platform, options);
  }

  /** Lets another module (the cache) keep blobs alive through `prune`. Returns an unregister function. */
  registerGcRoots(hook: GcRootsHook): () => void {
    this.gcHooks.add(hook);
    return () => this.gcHooks.delete(hook);
  }

  /** Removes blobs no tag or GC hook reaches, and temp files left by dead processes. */
  async prune(options: PruneOptions = {}): Promise<PruneResult> {
    await this.blobsIdle();
    return this.withLock('index', () => pruneStore(this, [...this.gcHooks], options));
  }
}

function encodeManifestLike(value: ImageManifest | ImageIndex): Buffer {
  return 'manifests' in value ? encodeIndex(value).bytes : encodeManifest(value).bytes;
}

/** The bytes of a blob whose commit was in flight when it was opened: once it has ended, as `open` reads them. */
async function* afterCommit(settled: Promise<void>, open: () => Readable): AsyncGenerator<Uint8Array> {
  await settled;
  yield* open();
}
