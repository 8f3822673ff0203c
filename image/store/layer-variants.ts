// A layer's other forms. Built layers are stored uncompressed (digest == diff_id); a registry or an OCI archive
// wants them compressed. The compressed blob is made on first need, stored like any blob, and remembered in a
// small record `variants/<gzip|zstd>/<hex of the uncompressed digest>` → `{digest, size}`, so the next push or
// export reuses it. The reverse record `variants/tar/<hex of a compressed digest>` → `{digest: diff_id, size}`
// remembers the uncompressed size of a pulled or loaded layer (a docker-archive needs it before the content).
// Records are written after their blob and atomically; a record whose blob is gone counts as missing, and the
// compression is deterministic, so a crash at any point at worst repeats work that yields the same digest.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { type Digest, digestHex, isSha256Digest } from '../digest.js';
import { DockerMediaType, layerCompression, OciMediaType } from '../media-types.js';
import type { Descriptor } from '../oci-types.js';
import { writeFileAtomic } from './atomic-file.js';
import type { Store } from './store.js';

export type LayerCompressionKind = 'gzip' | 'zstd';

/** A record's form: a compressed blob of an uncompressed layer, or the uncompressed identity of a compressed one. */
export type VariantForm = LayerCompressionKind | 'tar';

export interface VariantRecord {
  readonly digest: Digest;
  readonly size: number;
}

/**
 * gzip level of compressed variants: level 1 is about three times faster than the default 6 for a slightly
 * larger blob. Fixed, so the same layer always compresses to the same digest.
 */
export const variantGzipLevel = 1;

export function variantRecordPath(store: Store, form: VariantForm, source: Digest): string {
  if (!isSha256Digest(source)) throw new Error(`invalid layer digest ${source}`);
  return path.join(store.paths.variants, form, `${digestHex(source)}.json`);
}

/** The record of `source` in `form`; null when there is none, it is unreadable, or (compressed) its blob is gone. */
export async function readVariant(store: Store, form: VariantForm, source: Digest): Promise<VariantRecord | null> {
  let record: Partial<VariantRecord>;
  try {
    record = JSON.parse(await readFile(variantRecordPath(store, form, source), 'utf8')) as Partial<VariantRecord>;
  } catch {
    return null;
  }
  if (typeof record.digest !== 'string' || !isSha256Digest(record.digest)) return null;
  if (typeof record.size !== 'number' || !Number.isSafeInteger(record.size) || record.size < 0) return null;
  if (form !== 'tar' && !(await store.hasBlob(record.digest))) return null;
  return { digest: record.digest, size: record.size };
}

export async function writeVariant(
  store: Store,
  form: VariantForm,
  source: Digest,
  record: VariantRecord,
): Promise<void> {
  const file = variantRecordPath(store, form, source);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify({ digest: record.digest, size: record.size })}\n`);
}

/** The media type of `mediaType`'s layer once compressed: Docker's gzip type for Docker layers, OCI's otherwise. */
export function compressedMediaType(mediaType: string, compression: LayerCompressionKind): string {
  const docker = mediaType.startsWith('application/vnd.docker.');
  if (compression === 'gzip') {
    if (docker) return mediaType.endsWith('.tar') ? `${mediaType}.gzip` : DockerMediaType.layerGzip;
    return mediaType.endsWith('.tar') ? `${mediaType}+gzip` : OciMediaType.layerGzip;
  }
  return !docker && mediaType.endsWith('.tar') ? `${mediaType}+zstd` : OciMediaType.layerZstd;
}

const inProcess = new Map<string, Promise<VariantRecord>>();

/**
 * The descriptor of `layer` as a registry or archive should get it: a compressed layer as it is (pulled images
 * keep their blobs), an uncompressed one as its compressed variant, made once and reused.
 */
export async function compressedLayer(
  store: Store,
  layer: Descriptor,
  compression: LayerCompressionKind = 'gzip',
): Promise<Descriptor> {
  if (layerCompression(layer.mediaType) !== 'none') return layer;
  const key = `${compression}:${layer.digest}`;
  let job = inProcess.get(key);
  if (job === undefined) {
    job = variantOf(store, layer.digest, compression).finally(() => inProcess.delete(key));
    inProcess.set(key, job);
  }
  const { digest, size } = await job;
  const { annotations, urls } = layer;
  return {
    mediaType: compressedMediaType(layer.mediaType, compression),
    digest,
    size,
    ...(annotations === undefined ? {} : { annotations }),
    ...(urls === undefined ? {} : { urls }),
  };
}

async function variantOf(store: Store, source: Digest, compression: LayerCompressionKind): Promise<VariantRecord> {
  const known = await readVariant(store, compression, source);
  if (known !== null) return known;
  const encoder = compression === 'gzip' ? zlib.createGzip({ level: variantGzipLevel }) : zlib.createZstdCompress();
  const blob = store.openBlob(source);
  blob.on('error', (error) => encoder.destroy(error));
  const stored = await store.putBlob(blob.pipe(encoder));
  await writeVariant(store, compression, source, stored);
  return stored;
}
