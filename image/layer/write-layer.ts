import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Digest } from '../digest.js';
import { HashingStream } from './hashing-stream.js';
import { canonicalLayerOrder } from './layer-order.js';
import type { TarEntry } from './tar-entry.js';
import { tarChunks } from './tar-writer.js';

export interface LayerOptions {
  /** Clamp every mtime to at most this (seconds), as `SOURCE_DATE_EPOCH` asks. */
  sourceDateEpoch?: number;
  /** gzip level, 1–9 (default 6). */
  gzipLevel?: number;
  /** Blob compression (default gzip; zstd with `application/vnd.oci.image.layer.v1.tar+zstd`). */
  compression?: 'gzip' | 'zstd';
}

/** The layer's identities: `diffId` of the uncompressed tar, `digest`/`size` of the compressed blob. */
export interface LayerDigests {
  diffId: Digest;
  uncompressedSize: number;
  digest: Digest;
  size: number;
}

/** Reads `SOURCE_DATE_EPOCH` (whole seconds) from an environment; undefined when unset or invalid. */
export function sourceDateEpochFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['SOURCE_DATE_EPOCH'];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** Entries in canonical order with mtimes clamped; the input of every deterministic layer. */
export function prepareLayerEntries(entries: readonly TarEntry[], options: LayerOptions = {}): TarEntry[] {
  const epoch = options.sourceDateEpoch;
  return canonicalLayerOrder(entries).map((entry) =>
    epoch !== undefined && entry.mtime > epoch ? { ...entry, mtime: epoch } : entry,
  );
}

/** The uncompressed layer tar as a stream: sorted entries, same input → same bytes. */
export function layerTarStream(entries: readonly TarEntry[], options: LayerOptions = {}): Readable {
  return Readable.from(tarChunks(prepareLayerEntries(entries, options)));
}

export async function layerTarBytes(entries: readonly TarEntry[], options: LayerOptions = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarChunks(prepareLayerEntries(entries, options))) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * gzip with no file name and a zero mtime in its header (zlib's defaults), so the compressed bytes depend only
 * on the input and the level.
 */
export function deterministicGzip(level = 6) {
  return zlib.createGzip({ level, strategy: zlib.constants.Z_DEFAULT_STRATEGY });
}

/**
 * Compresses an uncompressed tar stream into `sink` while computing both digests. `sink` is typically a
 * store blob writer or a file; pass `undefined` to just compute the digests.
 */
export async function compressLayer(
  tar: AsyncIterable<Uint8Array> | Readable,
  sink: NodeJS.WritableStream | undefined,
  options: LayerOptions = {},
): Promise<LayerDigests> {
  const raw = new HashingStream();
  const compressed = new HashingStream();
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream)[] = [
    tar instanceof Readable ? tar : Readable.from(tar),
    raw,
    options.compression === 'zstd' ? zlib.createZstdCompress() : deterministicGzip(options.gzipLevel),
    compressed,
  ];
  stages.push(sink ?? new Writable({ write: (_chunk, _encoding, callback) => callback() }));
  await (pipeline as (...streams: unknown[]) => Promise<void>)(...stages);
  const a = raw.result();
  const b = compressed.result();
  return { diffId: a.digest, uncompressedSize: a.size, digest: b.digest, size: b.size };
}

/** Builds a whole layer in memory: tar, gzip blob and digests (for small layers and tests). */
export async function buildLayer(
  entries: readonly TarEntry[],
  options: LayerOptions = {},
): Promise<LayerDigests & { tar: Buffer; blob: Buffer }> {
  const tar = await layerTarBytes(entries, options);
  const chunks: Buffer[] = [];
  const collector = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const digests = await compressLayer(Readable.from([tar]), collector, options);
  return { ...digests, tar, blob: Buffer.concat(chunks) };
}
