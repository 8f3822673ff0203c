// The exported cache: an OCI image manifest (artifactType `application/vnd.tsbuild.cache.v1`) whose config
// blob lists the cache records and whose layers are every blob those records name. The same manifest sits
// in a local OCI image layout or under a registry tag. Everything read back is untrusted: records are
// validated here, and blobs are only ever stored after digest verification.
import {
  type Descriptor,
  type Digest,
  encodeManifest,
  type ImageManifest,
  isSha256Digest,
  OciMediaType,
} from '../../image/index.js';
import { completionKey, type KeyCompletion } from '../build/content-key.js';

export const CacheMediaType = {
  artifact: 'application/vnd.tsbuild.cache.v1',
  config: 'application/vnd.tsbuild.cache.config.v1+json',
} as const;

/** Annotation of a step layer's descriptor: the digest of the uncompressed tar. */
export const diffIdAnnotation = 'dev.tsbuild.diff-id';

/**
 * A step's result: its layer (with the diff-id annotation) and when it ran. A step whose planned key was
 * pending (keyed by the content of a stage mount) is exported under its completed key, with what that key
 * is made of (`completion`, whose key must be `key`): an import keeps it for a plan with that planned key.
 */
export interface StepCacheRecord {
  readonly key: Digest;
  readonly kind: 'step';
  readonly layers: readonly Descriptor[];
  readonly created: string;
  readonly completion?: KeyCompletion;
}

/** Inputs of a completed key: content digests of stage mounts (`missing`: no such path) and stage keys. */
const completionInputLimit = 64;

/** A committed image: the manifest and config a build with this image key produced. */
export interface ImageCacheRecord {
  readonly key: Digest;
  readonly kind: 'image';
  readonly layers: readonly Descriptor[];
  readonly manifest: Descriptor;
  readonly config: Descriptor;
}

export type CacheRecord = StepCacheRecord | ImageCacheRecord;

export interface CacheConfig {
  readonly schemaVersion: 1;
  readonly records: readonly CacheRecord[];
}

export class CacheFormatError extends Error {
  readonly code = 'ECACHEFORMAT';
}

/** Every blob the records need, each once, in a stable order. */
export function recordBlobs(records: readonly CacheRecord[]): Descriptor[] {
  const out = new Map<string, Descriptor>();
  for (const r of records) {
    for (const l of r.layers) out.set(l.digest, l);
    if (r.kind === 'image') {
      out.set(r.manifest.digest, r.manifest);
      out.set(r.config.digest, r.config);
    }
  }
  return [...out.values()].sort((a, b) => a.digest.localeCompare(b.digest));
}

export function encodeCacheConfig(records: readonly CacheRecord[]): Buffer {
  const sorted = [...records].sort((a, b) => `${a.kind}${a.key}`.localeCompare(`${b.kind}${b.key}`));
  return Buffer.from(`${JSON.stringify({ schemaVersion: 1, records: sorted })}\n`);
}

export function cacheManifest(config: Descriptor, records: readonly CacheRecord[]): Buffer {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OciMediaType.manifest,
    artifactType: CacheMediaType.artifact,
    config,
    layers: recordBlobs(records).map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
  };
  return encodeManifest(manifest).bytes;
}

/** Checks that a manifest is a tsbuild cache manifest; answers its config descriptor. */
export function cacheConfigOf(manifest: ImageManifest, where: string): Descriptor {
  if (manifest.config?.mediaType !== CacheMediaType.config) {
    throw new CacheFormatError(`${where} is not a tsbuild cache (config media type ${manifest.config?.mediaType})`);
  }
  return checkDescriptor(manifest.config, where);
}

/** A descriptor read from untrusted JSON, checked field by field. */
export function checkDescriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (
    typeof d !== 'object' ||
    d === null ||
    typeof d.mediaType !== 'string' ||
    typeof d.digest !== 'string' ||
    !isSha256Digest(d.digest) ||
    typeof d.size !== 'number' ||
    !Number.isSafeInteger(d.size) ||
    d.size < 0
  ) {
    throw new CacheFormatError(`${where}: invalid descriptor ${JSON.stringify(value)}`);
  }
  return d as Descriptor;
}

function checkKey(value: unknown, where: string): Digest {
  if (typeof value !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(value)) {
    throw new CacheFormatError(`${where}: invalid cache key ${JSON.stringify(value)}`);
  }
  return value as Digest;
}

function checkRecord(value: unknown, where: string): CacheRecord {
  const r = value as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null) throw new CacheFormatError(`${where} is not an object`);
  const key = checkKey(r.key, where);
  const layers = Array.isArray(r.layers) ? r.layers.map((l, i) => checkDescriptor(l, `${where}.layers[${i}]`)) : null;
  if (layers === null) throw new CacheFormatError(`${where} has no layers`);
  if (r.kind === 'step') {
    if (typeof r.created !== 'string') throw new CacheFormatError(`${where} has no created time`);
    if (layers.length !== 1) throw new CacheFormatError(`${where}: a step record holds exactly one layer`);
    const diffId = layers[0].annotations?.[diffIdAnnotation];
    if (diffId === undefined || !isSha256Digest(diffId)) throw new CacheFormatError(`${where}: layer has no diff-id`);
    if (r.completion === undefined) return { key, kind: 'step', layers, created: r.created };
    const completion = checkCompletion(r.completion, key, `${where}.completion`);
    return { key, kind: 'step', layers, created: r.created, completion };
  }
  if (r.kind === 'image') {
    const manifest = checkDescriptor(r.manifest, `${where}.manifest`);
    const config = checkDescriptor(r.config, `${where}.config`);
    return { key, kind: 'image', layers, manifest, config };
  }
  throw new CacheFormatError(`${where}: unknown record kind ${JSON.stringify(r.kind)}`);
}

function checkCompletion(value: unknown, key: Digest, where: string): KeyCompletion {
  const c = value as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null) throw new CacheFormatError(`${where} is not an object`);
  const planned = checkKey(c.planned, `${where}.planned`);
  const parent = c.parent === null ? null : checkKey(c.parent, `${where}.parent`);
  if (!Array.isArray(c.inputs) || c.inputs.length > completionInputLimit) {
    throw new CacheFormatError(`${where}: inputs must be a list of at most ${completionInputLimit} digests`);
  }
  const inputs = c.inputs.map((input, i) => (input === 'missing' ? input : checkKey(input, `${where}.inputs[${i}]`)));
  const completion: KeyCompletion = { planned, parent, inputs };
  // The record may only ever answer a step with this planned key: its key must be made of these parts.
  if (completionKey(completion) !== key) throw new CacheFormatError(`${where} does not make the key ${key}`);
  return completion;
}

export function parseCacheConfig(bytes: Buffer, where: string): CacheConfig {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new CacheFormatError(`${where}: not JSON (${(error as Error).message})`);
  }
  const c = json as { schemaVersion?: unknown; records?: unknown } | null;
  if (typeof c !== 'object' || c === null || c.schemaVersion !== 1 || !Array.isArray(c.records)) {
    throw new CacheFormatError(`${where}: not a version 1 tsbuild cache config`);
  }
  return { schemaVersion: 1, records: checkRecords(c.records, where) };
}

/** Records read from untrusted JSON, each checked (key, layers, diff ids, completion); throws for the first bad one. */
export function checkRecords(values: readonly unknown[], where: string): CacheRecord[] {
  return values.map((r, i) => checkRecord(r, `${where}: records[${i}]`));
}
