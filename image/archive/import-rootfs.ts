import { createReadStream } from 'node:fs';
import type { Digest } from '../digest.js';
import { type MediaTypeFamily, mediaTypesFor } from '../media-types.js';
import type { ContainerConfig, ImageConfig } from '../oci-types.js';
import { hostPlatform } from '../store/platform.js';
import type { Store } from '../store/store.js';
import { storeLayerAsGzip } from './layer-blob.js';

export interface ImportOptions {
  architecture?: string;
  os?: string;
  variant?: string;
  /** ISO time for `created` (default: now). */
  created?: string;
  /** History comment (default Docker's `Imported from -`). */
  message?: string;
  /** Runtime config to start with (what `docker import --change` would set). */
  config?: ContainerConfig;
  mediaTypes?: MediaTypeFamily;
}

export interface ImportedImage {
  manifestDigest: Digest;
  configDigest: Digest;
  diffId: Digest;
  layerDigest: Digest;
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
  const input = typeof tarball === 'string' ? createReadStream(tarball) : tarball;
  const layer = await storeLayerAsGzip(store, input);
  const types = mediaTypesFor(options.mediaTypes ?? 'oci');
  const created = options.created ?? new Date().toISOString();
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
  const manifest = await store.putManifest({
    schemaVersion: 2,
    mediaType: types.manifest,
    config: configDescriptor,
    layers: [{ mediaType: types.layerGzip, digest: layer.digest, size: layer.size }],
  });
  if (name !== undefined) await store.tag(name, manifest.digest);
  return {
    manifestDigest: manifest.digest,
    configDigest: configDescriptor.digest,
    diffId: layer.diffId,
    layerDigest: layer.digest,
  };
}
