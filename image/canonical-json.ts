import type { Digest } from './digest.js';
import { sha256Digest } from './digest.js';
import type { ContainerConfig, Descriptor, ImageConfig, ImageIndex, ImageManifest } from './oci-types.js';

/**
 * Serialisation of manifests, indexes and configs with a fixed key order, so the same value always gives the
 * same bytes (and digest). Struct-like objects follow the Go struct order of the OCI/BuildKit types; map-like
 * objects (labels, annotations, ports, volumes) are sorted; the image config's top level is sorted, as BuildKit
 * writes it. Like Go's encoding/json, `<`, `>`, `&`, U+2028 and U+2029 are escaped.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const descriptorOrder = ['mediaType', 'digest', 'size', 'urls', 'annotations', 'data', 'platform', 'artifactType'];
const platformOrder = ['architecture', 'os', 'os.version', 'os.features', 'variant'];
const manifestOrder = ['schemaVersion', 'mediaType', 'artifactType', 'config', 'layers', 'subject', 'annotations'];
const indexOrder = ['schemaVersion', 'mediaType', 'artifactType', 'manifests', 'subject', 'annotations'];
const containerConfigOrder = [
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'ArgsEscaped',
  'Healthcheck',
  'OnBuild',
  'Shell',
];
const healthOrder = ['Test', 'Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'];
const historyOrder = ['created', 'created_by', 'author', 'comment', 'empty_layer'];

/** Rebuilds `value` with `order` keys first (in that order), then the rest sorted; undefined is dropped. */
function ordered(value: object, order: readonly string[], nested: Record<string, (v: unknown) => Json> = {}): Json {
  const source = value as Record<string, unknown>;
  const keys = [
    ...order.filter((k) => k in source),
    ...Object.keys(source)
      .filter((k) => !order.includes(k))
      .sort(),
  ];
  const out: Record<string, Json> = {};
  for (const key of keys) {
    const v = source[key];
    if (v === undefined) continue;
    const convert = nested[key];
    out[key] = convert ? convert(v) : (v as Json);
  }
  return out;
}

const sortedMap = (v: unknown): Json => ordered(v as object, []);

function descriptorJson(v: unknown): Json {
  return ordered(v as Descriptor, descriptorOrder, {
    annotations: sortedMap,
    platform: (p) => ordered(p as object, platformOrder),
  });
}

export function manifestJson(manifest: ImageManifest): Json {
  return ordered(manifest, manifestOrder, {
    config: descriptorJson,
    layers: (l) => (l as Descriptor[]).map(descriptorJson),
    subject: descriptorJson,
    annotations: sortedMap,
  });
}

export function indexJson(index: ImageIndex): Json {
  return ordered(index, indexOrder, {
    manifests: (m) => (m as Descriptor[]).map(descriptorJson),
    subject: descriptorJson,
    annotations: sortedMap,
  });
}

function containerConfigJson(v: unknown): Json {
  return ordered(v as ContainerConfig, containerConfigOrder, {
    ExposedPorts: sortedMap,
    Volumes: sortedMap,
    Labels: sortedMap,
    Healthcheck: (h) => ordered(h as object, healthOrder),
  });
}

export function configJson(config: ImageConfig): Json {
  return ordered(config, [], {
    config: containerConfigJson,
    history: (h) => (h as object[]).map((entry) => ordered(entry, historyOrder)),
  });
}

/** Compact JSON with Go's HTML-safe escaping. */
export function stringifyJson(value: Json): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The exact bytes the store writes for a manifest, index or config, and their digest. */
export interface EncodedJson {
  readonly bytes: Buffer;
  readonly digest: Digest;
}

function encode(value: Json): EncodedJson {
  const bytes = Buffer.from(stringifyJson(value), 'utf8');
  return { bytes, digest: sha256Digest(bytes) };
}

export const encodeManifest = (manifest: ImageManifest): EncodedJson => encode(manifestJson(manifest));
export const encodeIndex = (index: ImageIndex): EncodedJson => encode(indexJson(index));
export const encodeConfig = (config: ImageConfig): EncodedJson => encode(configJson(config));
