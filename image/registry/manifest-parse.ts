import { type Digest, isSha256Digest, sha256Digest } from '../digest.js';
import { isIndexMediaType, OciMediaType } from '../media-types.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci-types.js';
import { RegistryError } from './errors.js';
import { type FetchedManifest, registryManifestTypes } from './types.js';

// Manifests come from an untrusted registry: everything later code relies on (digests that become file
// names, sizes that bound downloads) is checked here, once.

function fail(what: string, why: string): RegistryError {
  return new RegistryError('EREG_BAD_RESPONSE', `${what}: invalid manifest: ${why}`);
}

function checkDescriptor(value: unknown, what: string, where: string): Descriptor {
  if (typeof value !== 'object' || value === null) throw fail(what, `${where} is not an object`);
  const d = value as Record<string, unknown>;
  if (typeof d['mediaType'] !== 'string') throw fail(what, `${where} has no mediaType`);
  if (typeof d['digest'] !== 'string' || !isSha256Digest(d['digest'])) {
    throw fail(what, `${where} has an unsupported digest ${JSON.stringify(d['digest'])}`);
  }
  const size = d['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw fail(what, `${where} has an invalid size`);
  return value as Descriptor;
}

/**
 * The manifest type of a response: the Content-Type when it names a manifest, otherwise the body's own
 * `mediaType`, otherwise its shape (OCI allows omitting `mediaType`).
 */
function detectMediaType(contentType: string | undefined, json: Record<string, unknown>, what: string): string {
  const header = contentType?.split(';')[0]?.trim().toLowerCase();
  const candidates = [header, typeof json['mediaType'] === 'string' ? json['mediaType'] : undefined];
  for (const c of candidates) {
    if (c !== undefined && registryManifestTypes.includes(c)) return c;
  }
  const declared = candidates.find((c) => c !== undefined && c !== 'application/json' && c !== 'text/plain');
  if (declared !== undefined) {
    throw new RegistryError('EREG_MEDIA_TYPE', `${what}: unsupported manifest media type ${declared}`);
  }
  if (Array.isArray(json['manifests'])) return OciMediaType.index;
  if (json['config'] !== undefined && Array.isArray(json['layers'])) return OciMediaType.manifest;
  throw new RegistryError('EREG_MEDIA_TYPE', `${what}: unknown manifest media type`);
}

/** Validates fetched manifest bytes against the digest they were asked by (or announced with). */
export function parseManifest(
  bytes: Buffer,
  contentType: string | undefined,
  expected: Digest | undefined,
  what: string,
): FetchedManifest {
  const digest = sha256Digest(bytes);
  if (expected !== undefined && expected !== digest) {
    throw new RegistryError('EREG_DIGEST_MISMATCH', `${what}: digest mismatch: expected ${expected}, got ${digest}`);
  }
  let json: Record<string, unknown>;
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    json = parsed as Record<string, unknown>;
  } catch (error) {
    throw fail(what, `not JSON (${(error as Error).message})`);
  }
  const mediaType = detectMediaType(contentType, json, what);
  if (json['schemaVersion'] !== 2) throw fail(what, `schemaVersion ${JSON.stringify(json['schemaVersion'])}, want 2`);
  const descriptor: Descriptor = { mediaType, digest, size: bytes.length };
  if (isIndexMediaType(mediaType)) {
    const manifests = json['manifests'];
    if (!Array.isArray(manifests)) throw fail(what, 'index without manifests');
    for (const [i, m] of manifests.entries()) checkDescriptor(m, what, `manifests[${i}]`);
    return { kind: 'index', descriptor, bytes, index: json as unknown as ImageIndex };
  }
  checkDescriptor(json['config'], what, 'config');
  const layers = json['layers'];
  if (!Array.isArray(layers)) throw fail(what, 'manifest without layers');
  for (const [i, l] of layers.entries()) checkDescriptor(l, what, `layers[${i}]`);
  return { kind: 'manifest', descriptor, bytes, manifest: json as unknown as ImageManifest };
}
