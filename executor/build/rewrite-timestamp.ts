// The exporter option `rewrite-timestamp=true` (BuildKit): every layer the build added (those after the
// base image's own layers) gets no file time later than SOURCE_DATE_EPOCH, and its descriptor the
// annotation `buildkit/rewritten-timestamp: <epoch>`. Layers already within the epoch keep their bytes
// (COPY and WORKDIR layers are clamped when written; RUN output is not). A changed layer changes the
// config's diff_ids, so the rewritten image gets its own config and manifest, written to the store.
import {
  Annotation,
  type Descriptor,
  type Digest,
  type ImageConfig,
  type ImageManifest,
  layerCompression,
  putLayer,
  readTar,
  type Store,
  type TarEntry,
  uncompressedLayer,
} from '../../image/index.js';
import type { Plan, PlanStage } from '../../planner/index.js';

export interface RewrittenImage {
  readonly manifestDigest: Digest;
  readonly configDigest: Digest;
  readonly config: ImageConfig;
}

/** Does the layer hold an entry newer than `epoch`? (One streaming pass, content skipped.) */
async function hasNewerEntry(store: Store, layer: Descriptor, epoch: number): Promise<boolean> {
  for await (const entry of readTar(uncompressedLayer(store, layer))) {
    for await (const _ of entry.body()) {
      // skipped: only headers matter
    }
    if (entry.header.mtime > epoch) return true;
  }
  return false;
}

async function* clampedEntries(store: Store, layer: Descriptor, epoch: number): AsyncGenerator<TarEntry> {
  for await (const entry of readTar(uncompressedLayer(store, layer))) {
    const { header } = entry;
    // Regular-file content is streamed through; the writer consumes it before asking for the next entry.
    yield {
      ...header,
      mtime: Math.min(header.mtime, epoch),
      ...(header.type === 'file' ? { content: () => entry.body() } : {}),
    };
    if (header.type !== 'file') {
      for await (const _ of entry.body()) {
        // drained: only files carry content
      }
    }
  }
}

/**
 * Rewrites the image `manifestDigest` for `epoch`, leaving its first `baseLayers` layers (the base
 * image's) alone as BuildKit does. Returns the original digests when no byte had to change and every
 * new layer already carried the annotation.
 */
export async function rewriteTimestamps(
  store: Store,
  manifestDigest: Digest,
  baseLayers: number,
  epoch: number,
): Promise<RewrittenImage> {
  const manifest = await store.readJson<ImageManifest>(manifestDigest);
  const config = await store.readJson<ImageConfig>(manifest.config.digest);
  const layers: Descriptor[] = [];
  const diffIds = [...config.rootfs.diff_ids];
  let changed = false;
  for (const [i, layer] of manifest.layers.entries()) {
    if (i < baseLayers) {
      layers.push(layer);
      continue;
    }
    let descriptor: Descriptor = layer;
    if (await hasNewerEntry(store, layer, epoch)) {
      const zstd = layerCompression(layer.mediaType) === 'zstd';
      const stored = await putLayer(store, clampedEntries(store, layer, epoch), {
        compression: zstd ? 'zstd' : 'gzip',
        // An uncompressed layer comes back gzip-compressed, typed as such.
        ...(layerCompression(layer.mediaType) === 'none' ? {} : { mediaType: layer.mediaType }),
      });
      descriptor = stored.descriptor;
      diffIds[i] = stored.diffId;
    }
    const stamp = String(epoch);
    if (descriptor !== layer || layer.annotations?.[Annotation.rewrittenTimestamp] !== stamp) changed = true;
    layers.push({ ...descriptor, annotations: { ...layer.annotations, [Annotation.rewrittenTimestamp]: stamp } });
  }
  if (!changed) return { manifestDigest, configDigest: manifest.config.digest, config };
  const newConfig: ImageConfig = { ...config, rootfs: { ...config.rootfs, diff_ids: diffIds } };
  const configDescriptor = await store.putConfig(newConfig, manifest.config.mediaType);
  const rewritten = await store.putManifest({ ...manifest, config: configDescriptor, layers });
  return { manifestDigest: rewritten.digest, configDigest: configDescriptor.digest, config: newConfig };
}

/** How many layers of `stage`'s image come from its base image (following FROM <stage> chains). */
export async function baseLayerCount(store: Store, plan: Plan, stage: PlanStage): Promise<number> {
  let current: PlanStage | undefined = stage;
  for (let hops = 0; current !== undefined && hops <= plan.stages.length; hops++) {
    const base: PlanStage['base'] = current.base;
    if (base.type === 'scratch' || base.type === 'context') return 0;
    if (base.type === 'image') {
      const image = await store.resolve(base.digest ?? base.ref, current.platform).catch(() => null);
      return image?.config.rootfs.diff_ids.length ?? 0;
    }
    current = plan.stages.find((s) => s.index === base.index);
  }
  return 0;
}
