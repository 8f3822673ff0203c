import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { Digest } from '../digest.js';
import { goTime, goTimeText } from '../go-time.js';
import { decompressedStream } from '../layer/decompress.js';
import { readTar, type TarReadEntry } from '../layer/tar-reader.js';
import { type MediaTypeFamily, mediaTypesFor } from '../media-types.js';
import type { ContainerConfig, Descriptor, ImageConfig } from '../oci-types.js';
import { hostPlatform } from '../store/platform.js';
import type { Store } from '../store/store.js';
import { storeLayerUncompressed } from './layer-blob.js';

export interface ImportOptions {
  architecture?: string;
  os?: string;
  variant?: string;
  /**
   * RFC 3339 time for `created`, written in Go's form (default: now, as Docker stamps it; the CLI passes
   * SOURCE_DATE_EPOCH when set).
   */
  created?: string;
  /** How errors name the input (default: the file path, or `standard input`). */
  sourceName?: string;
  /** History comment (default Docker's `Imported from -`). */
  message?: string;
  /** Runtime config to start with (what `docker import --change` would set). */
  config?: ContainerConfig;
  mediaTypes?: MediaTypeFamily;
  /**
   * Gets the tar's entries as the check reads them, while the layer is stored (the CLI unpacks them into a snapshot
   * on the way instead of reading the stored layer again). Bodies not read are skipped; a consumer that stops early
   * leaves the rest to the check. It must not throw: its own failures are its to report, never the import's.
   */
  onEntries?: (entries: AsyncIterable<TarReadEntry>) => Promise<void>;
}

export interface ImportedImage {
  manifestDigest: Digest;
  configDigest: Digest;
  diffId: Digest;
  layerDigest: Digest;
  /** The layer as the manifest lists it. */
  layer: Descriptor;
}

const readChunk = 1 << 20;

/** The input is not a (plain, gzip or zstd) tar archive; nothing was stored under a name. */
export class ImportInputError extends Error {
  readonly code = 'E_IMPORT_INPUT';
}

/** A failure to read the input at all (ENOENT, EISDIR, EACCES…), reported as it is. */
const readFailure = (error: unknown) => typeof (error as NodeJS.ErrnoException).syscall === 'string';

/**
 * `entries` for a consumer: without `return` (one that stops early does not end the reading), and remembering the
 * first error reading the tar threw, caught by the consumer or not.
 */
function sharedEntries(entries: AsyncGenerator<TarReadEntry>) {
  const shared = {
    failure: undefined as { error: unknown } | undefined,
    [Symbol.asyncIterator]: () => ({ next }),
  };
  const noted = (error: unknown): never => {
    shared.failure ??= { error };
    throw error;
  };
  async function* body(entry: TarReadEntry): AsyncGenerator<Buffer> {
    try {
      yield* entry.body();
    } catch (error) {
      noted(error);
    }
  }
  const next = async (): Promise<IteratorResult<TarReadEntry>> => {
    const result = await entries.next().catch(noted);
    return result.done ? result : { done: false, value: { ...result.value, body: () => body(result.value) } };
  };
  return shared;
}

/**
 * The uncompressed tar bytes, passed on while a tar reader checks them on the side: a file that is not a tar
 * (or a gzip that breaks off) fails the import instead of becoming a layer of garbage. The reader stops at the
 * end-of-archive blocks; what follows is passed on unchecked, as tar itself ignores it.
 */
async function* checkedTar(
  input: Uint8Array | AsyncIterable<Uint8Array>,
  name: string,
  onEntries?: (entries: AsyncIterable<TarReadEntry>) => Promise<void>,
): AsyncGenerator<Uint8Array> {
  const fail = (reason: string) =>
    new ImportInputError(
      `${name} is not a tar archive (plain, gzip or zstd)${reason === 'not a tar archive' ? '' : `: ${reason}`}`,
    );
  let tar: AsyncIterable<Uint8Array>;
  try {
    tar = await decompressedStream(input);
  } catch (error) {
    throw readFailure(error) ? error : fail((error as Error).message);
  }
  const probe = new PassThrough({ highWaterMark: 4 * readChunk });
  let checking = true;
  const checked = (async () => {
    const entries = readTar(probe);
    if (onEntries) {
      const shared = sharedEntries(entries);
      await onEntries(shared);
      // The consumer may have caught what the reader threw: it is the check's failure all the same.
      if (shared.failure) throw shared.failure.error;
    }
    for await (const entry of entries) {
      for await (const _ of entry.body()) {
        // content is not looked at, only the framing
      }
    }
  })().finally(() => {
    checking = false;
    probe.resume();
  });
  checked.catch(() => {});
  let total = 0;
  try {
    for await (const chunk of tar) {
      total += chunk.length;
      if (checking && !probe.write(chunk)) await Promise.race([once(probe, 'drain'), checked]);
      yield chunk;
    }
  } catch (error) {
    probe.destroy();
    throw error instanceof ImportInputError || readFailure(error) ? error : fail((error as Error).message);
  }
  probe.end();
  try {
    await checked;
  } catch (error) {
    throw fail((error as Error).message);
  }
  if (total === 0) throw fail('it is empty');
  // The reader takes a short tail for the end of the archive; a tar is made of 512-byte blocks.
  if (total < 512) throw fail(`${total} bytes is too short for a tar header`);
}

/**
 * `docker import`: a root filesystem tarball (plain, gzip or zstd; bytes, stream or file path) becomes a
 * one-layer image with an empty runtime config and a single history entry, tagged `name` when given.
 */
export async function importRootfs(
  store: Store,
  tarball: Uint8Array | AsyncIterable<Uint8Array> | string,
  name?: string,
  options: ImportOptions = {},
): Promise<ImportedImage> {
  // 1 MiB reads: every chunk is a round trip through libuv's pool and a turn of the tar reader, and on a busy machine
  // each waited milliseconds for a thread (64 KiB chunks: 3,200 of them for a 200 MB rootfs).
  const input = typeof tarball === 'string' ? createReadStream(tarball, { highWaterMark: readChunk }) : tarball;
  const sourceName = options.sourceName ?? (typeof tarball === 'string' ? tarball : 'standard input');
  // Kept uncompressed, as built layers are (gzip at ~30 MB/s was most of importing a 200 MB rootfs).
  const layer = await storeLayerUncompressed(store, checkedTar(input, sourceName, options.onEntries));
  const types = mediaTypesFor(options.mediaTypes ?? 'oci');
  const created = options.created === undefined ? goTime(Date.now()) : (goTimeText(options.created) ?? options.created);
  const platform = hostPlatform();
  const config: ImageConfig = {
    architecture: options.architecture ?? platform.architecture,
    os: options.os ?? 'linux',
    ...(options.variant !== undefined && { variant: options.variant }),
    created,
    config: options.config ?? {},
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created, comment: options.message ?? 'Imported from -' }],
  };
  const configDescriptor = await store.putConfig(config, types.config);
  const layerDescriptor: Descriptor = { mediaType: types.layer, digest: layer.digest, size: layer.size };
  const manifest = await store.putManifest({
    schemaVersion: 2,
    mediaType: types.manifest,
    config: configDescriptor,
    layers: [layerDescriptor],
  });
  if (name !== undefined) await store.tag(name, manifest.digest);
  return {
    manifestDigest: manifest.digest,
    configDigest: configDescriptor.digest,
    diffId: layer.diffId,
    layerDigest: layer.digest,
    layer: layerDescriptor,
  };
}
