// `--cache-to type=inline` (or the build arg BUILDKIT_INLINE_CACHE=1, as docker build and buildx take it): the
// cache records of the image's own layers travel in its config, under `dev.tsbuild.cache.v1`, each naming its layer
// by index; the layers themselves are untouched. A later build given the image as `--cache-from` (a bare reference,
// or type=registry,ref=…) reads them back with the layers of the manifest it pulled, whatever compression a push
// gave them. Only tsbuild's own records: BuildKit's inline cache (`moby.buildkit.cache.v0`) keys steps by LLB
// digests tsbuild does not compute, so an image that holds only that is reported as holding no tsbuild cache.
import type { Digest, ImageConfig, ImageManifest, Store } from '../../image/index.js';
import type { KeyCompletion } from '../build/content-key.js';
import { stepRecords } from './collect.js';
import { CacheFormatError, type CacheRecord, checkRecords, diffIdAnnotation } from './format.js';

/** The image config field that holds the records. */
export const inlineCacheField = 'dev.tsbuild.cache.v1';
/** BuildKit's inline cache field, recognised only to say that tsbuild cannot use it. */
const buildkitInlineField = 'moby.buildkit.cache.v0';
/** Records an image config may carry: one per layer it can have (an OCI image has at most 127 in practice). */
const recordLimit = 1024;

/** One record of the field: a step key and the index of its layer in the image. */
interface InlineRecord {
  readonly key: Digest;
  readonly layer: number;
  readonly created: string;
  readonly completion?: KeyCompletion;
}

export interface InlinedImage {
  readonly manifestDigest: Digest;
  readonly configDigest: Digest;
  readonly config: ImageConfig;
}

/**
 * The image with the records of `stepKeys` in its config (each step whose layer is one of the image's), stored as a
 * new config and manifest beside the original. The field replaces one the image had.
 */
export async function inlineCache(
  store: Store,
  manifestDigest: Digest,
  stepKeys: readonly string[],
  completions: ReadonlyMap<string, KeyCompletion>,
): Promise<InlinedImage> {
  const manifest = await store.readJson<ImageManifest>(manifestDigest);
  const config = await store.readJson<ImageConfig>(manifest.config.digest);
  const diffIds = config.rootfs.diff_ids;
  const records: InlineRecord[] = [];
  for (const record of await stepRecords(store, stepKeys, completions)) {
    const layer = diffIds.indexOf(record.layers[0]?.annotations?.[diffIdAnnotation] as Digest);
    if (layer < 0) continue;
    const { key, created, completion } = record;
    records.push({ key, layer, created, ...(completion === undefined ? {} : { completion }) });
  }
  records.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const inlined = { ...config, [inlineCacheField]: { schemaVersion: 1, records } } as ImageConfig;
  const configDescriptor = await store.putConfig(inlined, manifest.config.mediaType);
  const written = await store.putManifest({ ...manifest, config: configDescriptor });
  return { manifestDigest: written.digest, configDigest: configDescriptor.digest, config: inlined };
}

/**
 * The step records an image config carries for the layers of `manifest`, checked as those of an exported cache are;
 * throws a CacheFormatError that says why there are none.
 */
export function inlineRecords(configBytes: Buffer, manifest: ImageManifest, where: string): readonly CacheRecord[] {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(configBytes.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new CacheFormatError(`${where}: image config is not JSON (${(error as Error).message})`);
  }
  const field = config?.[inlineCacheField] as { schemaVersion?: unknown; records?: unknown } | undefined;
  if (field === undefined) {
    const buildkit = config?.[buildkitInlineField] !== undefined;
    throw new CacheFormatError(
      `${where} is an image without tsbuild's inline cache${buildkit ? " (it holds BuildKit's, which tsbuild cannot use)" : ''}`,
    );
  }
  if (!Array.isArray(field?.records) || field.records.length > recordLimit) {
    throw new CacheFormatError(`${where}: ${inlineCacheField} must hold a list of at most ${recordLimit} records`);
  }
  const diffIds = (config.rootfs as { diff_ids?: unknown } | undefined)?.diff_ids;
  const layers = manifest.layers;
  if (!Array.isArray(diffIds) || !Array.isArray(layers) || diffIds.length !== layers.length) {
    throw new CacheFormatError(`${where}: the config's diff_ids do not match the manifest's layers`);
  }
  // Each record becomes the exported form, with the manifest's layer, and is checked as one (format.ts).
  const records = field.records.map((value: unknown) => {
    const r = value as Partial<InlineRecord> | null;
    const index = r?.layer;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= layers.length) {
      throw new CacheFormatError(`${where}: inline record ${JSON.stringify(value)} names no layer of the image`);
    }
    const layer = layers[index];
    return {
      key: r?.key,
      kind: 'step',
      layers: [{ ...layer, annotations: { ...layer?.annotations, [diffIdAnnotation]: diffIds[index] } }],
      created: r?.created,
      ...(r?.completion === undefined ? {} : { completion: r.completion }),
    };
  });
  return checkRecords(records, where);
}
