// `type=local`: the cache as an OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/`).
// index.json names one manifest, the cache manifest; blobs accumulate across exports (content addressed),
// index.json is replaced atomically. Import reads blobs through digest verification only.
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  type Descriptor,
  digestHex,
  encodeIndex,
  type ImageIndex,
  type ImageManifest,
  isSha256Digest,
  OciMediaType,
  type Store,
  sha256Digest,
  writeBlob,
  writeFileAtomic,
} from '../../image/index.js';
import type { EnsureBlobs } from './apply.js';
import { CacheFormatError, type CacheRecord, cacheConfigOf, parseCacheConfig } from './format.js';

const refName = 'org.opencontainers.image.ref.name';
const jsonLimit = 16 * 1024 * 1024;

export async function exportLocal(
  store: Store,
  dir: string,
  manifest: { bytes: Buffer; config: Buffer },
  blobs: readonly Descriptor[],
): Promise<void> {
  const blobDir = path.join(dir, 'blobs', 'sha256');
  await mkdir(blobDir, { recursive: true });
  for (const blob of blobs) {
    if (await exists(path.join(blobDir, digestHex(blob.digest)))) continue;
    await writeBlob(blobDir, store.openBlob(blob.digest), { digest: blob.digest, size: blob.size });
  }
  await writeBlob(blobDir, manifest.config);
  const { digest, size } = await writeBlob(blobDir, manifest.bytes);
  await writeFileAtomic(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: OciMediaType.index,
    manifests: [{ mediaType: OciMediaType.manifest, digest, size, annotations: { [refName]: 'latest' } }],
  };
  await writeFileAtomic(path.join(dir, 'index.json'), encodeIndex(index).bytes);
}

export interface LocalCache {
  readonly records: readonly CacheRecord[];
  readonly ensure: EnsureBlobs;
}

/** Reads the cache manifest of a layout directory; null when the directory holds no cache yet. */
export async function importLocal(store: Store, dir: string): Promise<LocalCache | null> {
  const indexFile = path.join(dir, 'index.json');
  if (!(await exists(indexFile))) return null;
  const index = JSON.parse((await readLimited(indexFile)).toString('utf8')) as Partial<ImageIndex>;
  const entry = Array.isArray(index.manifests)
    ? index.manifests.find((m) => m.mediaType === OciMediaType.manifest && isSha256Digest(m.digest))
    : undefined;
  if (entry === undefined) throw new CacheFormatError(`${indexFile} names no cache manifest`);
  const blob = (d: Descriptor) => path.join(dir, 'blobs', 'sha256', digestHex(d.digest));
  const manifestBytes = await readVerified(blob(entry), entry);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as ImageManifest;
  const configDescriptor = cacheConfigOf(manifest, `cache manifest in ${dir}`);
  const config = parseCacheConfig(await readVerified(blob(configDescriptor), configDescriptor), `cache in ${dir}`);
  return {
    records: config.records,
    ensure: async (blobs) => {
      // A few at a time: each put waits mostly on its fsync, and those overlap.
      const queue = [...blobs];
      const worker = async (): Promise<void> => {
        for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
          await store.putBlob(createReadStream(blob(d)), { digest: d.digest, size: d.size });
        }
      };
      await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
    },
  };
}

async function readVerified(file: string, expected: Descriptor): Promise<Buffer> {
  const bytes = await readLimited(file);
  if (sha256Digest(bytes) !== expected.digest || bytes.length !== expected.size) {
    throw new CacheFormatError(`${file} does not match its digest ${expected.digest}`);
  }
  return bytes;
}

async function readLimited(file: string): Promise<Buffer> {
  if ((await stat(file)).size > jsonLimit) throw new CacheFormatError(`${file} is too large for a cache manifest`);
  return readFile(file);
}

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );
