// `type=registry`: the cache manifest pushed under a tag (blobs first, then the manifest, so the tag never
// names missing content), and pulled back with every blob verified against its digest before it is stored.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  type Descriptor,
  DockerMediaType,
  type ImageReference,
  OciMediaType,
  type RegistryClient,
  RegistryError,
  type Repository,
  type Store,
} from '../../image/index.js';
import type { EnsureBlobs } from './apply.js';
import { CacheFormatError, type CacheRecord, cacheConfigOf, checkDescriptor, parseCacheConfig } from './format.js';
import { inlineRecords } from './inline.js';

const configLimit = 16 * 1024 * 1024;

const isImageConfig = (mediaType: string | undefined): boolean =>
  mediaType === OciMediaType.config || mediaType === DockerMediaType.config;

function repositoryOf(ref: ImageReference): Repository {
  return { domain: ref.domain, path: ref.path };
}

function tagOf(ref: ImageReference): string {
  return ref.tag ?? 'latest';
}

export async function exportRegistry(
  store: Store,
  client: RegistryClient,
  ref: ImageReference,
  manifest: { bytes: Buffer; config: Buffer; configDescriptor: Descriptor },
  blobs: readonly Descriptor[],
): Promise<void> {
  const repo = repositoryOf(ref);
  // A layer kept only as its snapshot is written as a file first: uploads read ranges of it.
  const files = await Promise.all(blobs.map((blob) => store.ensureBlob(blob.digest)));
  await client.pushBlobs(repo, [
    ...blobs.map((blob, i) => ({ blob, source: { file: files[i] as string } })),
    { blob: manifest.configDescriptor, source: { bytes: manifest.config } },
  ]);
  await client.putManifest(repo, tagOf(ref), OciMediaType.manifest, manifest.bytes);
}

export interface RegistryCache {
  readonly records: readonly CacheRecord[];
  readonly ensure: EnsureBlobs;
  /** Removes the download directory. */
  dispose(): Promise<void>;
}

/** The records under `ref`; null when the tag does not exist (a first build with an empty cache). */
export async function importRegistry(
  store: Store,
  client: RegistryClient,
  ref: ImageReference,
): Promise<RegistryCache | null> {
  const repo = repositoryOf(ref);
  const where = `cache ${ref.domain}/${ref.path}:${tagOf(ref)}`;
  let fetched: Awaited<ReturnType<RegistryClient['getManifest']>>;
  try {
    fetched = await client.getManifest(repo, ref.digest ?? tagOf(ref));
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'EREG_NOT_FOUND') return null;
    throw error;
  }
  if (fetched.kind !== 'manifest') throw new CacheFormatError(`${where} is an index, not a tsbuild cache manifest`);
  const manifest = fetched.manifest;
  // An image rather than a cache manifest: its config may carry an inline cache (inline.ts).
  const inline = isImageConfig(manifest.config?.mediaType);
  const configDescriptor = inline ? checkDescriptor(manifest.config, where) : cacheConfigOf(manifest, where);
  if (configDescriptor.size > configLimit) throw new CacheFormatError(`${where}: config too large`);
  // Named like `tsbuild pull`'s transfer directories, so `prune` removes one a killed build left behind.
  await mkdir(path.join(store.root, 'tmp'), { recursive: true });
  const tmpDir = await mkdtemp(path.join(store.root, 'tmp', `pull-${process.pid}-`));
  const dispose = () => rm(tmpDir, { recursive: true, force: true });
  let records: readonly CacheRecord[];
  try {
    const configBytes = await client.fetchBlob(repo, configDescriptor, (file) => readFile(file), { tmpDir });
    records = inline ? inlineRecords(configBytes, manifest, where) : parseCacheConfig(configBytes, where).records;
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    records,
    dispose,
    ensure: async (blobs) => {
      let renamed = false;
      await client.fetchBlobs(
        repo,
        blobs,
        async (blob, file) => {
          renamed = (await store.adoptBlob(file, { digest: blob.digest, size: blob.size })) || renamed;
        },
        { tmpDir },
      );
      // The renames are made durable once for all blobs, before any cache record names them.
      if (renamed) await store.syncBlobs();
    },
  };
}
