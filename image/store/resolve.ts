import { type Digest, isSha256Digest } from '../digest.js';
import { Annotation, isIndexMediaType } from '../media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from '../oci-types.js';
import { familiarString, InvalidReferenceError, normalizeReference, parseDockerRef } from '../reference.js';
import { readIndexFile } from './index-file.js';
import { platformMatches, selectPlatformManifest } from './platform.js';

/** Raised when a reference or digest is not in the store. */
export class ImageNotFoundError extends Error {
  readonly code = 'ENOTFOUND';
}

/** What a reference resolves to: the platform manifest, its config and the digests involved. */
export interface ResolvedImage {
  manifestDigest: Digest;
  manifest: ImageManifest;
  /** The image ID, as Docker shows it. */
  configDigest: Digest;
  config: ImageConfig;
  /** Set when the reference named an index and a platform manifest was picked from it. */
  indexDigest?: Digest;
}

interface ResolvableStore {
  paths: { indexJson: string };
  hasBlob(digest: Digest): Promise<boolean>;
  blobSize(digest: Digest): Promise<number>;
  readJson<T>(digest: Digest): Promise<T>;
}

const maxManifestSize = 4 * 1024 * 1024;

/** Reads a blob expected to be a manifest or index; a layer (large, or not JSON) is reported, not parsed. */
async function readTopLevel(store: ResolvableStore, digest: Digest, ref: string): Promise<TopLevel> {
  const notManifest = new ImageNotFoundError(`${ref}: ${digest} is not an image manifest`);
  if ((await store.blobSize(digest)) > maxManifestSize) throw notManifest;
  try {
    const json = await store.readJson<TopLevel>(digest);
    if (json === null || typeof json !== 'object') throw notManifest;
    return json;
  } catch (error) {
    if (error instanceof SyntaxError) throw notManifest;
    throw error;
  }
}

type TopLevel = Partial<ImageManifest> & Partial<ImageIndex>;

const isIndex = (json: TopLevel) => Array.isArray(json.manifests) || isIndexMediaType(json.mediaType ?? '');

/** The platform manifest of a manifest or index digest, with its config. */
async function resolveDigest(
  store: ResolvableStore,
  digest: Digest,
  platform: Platform,
  ref: string,
  preferred: boolean,
): Promise<ResolvedImage> {
  if (!(await store.hasBlob(digest))) throw new ImageNotFoundError(`No such image: ${ref}`);
  let top = await readTopLevel(store, digest, ref);
  let manifestDigest = digest;
  let indexDigest: Digest | undefined;
  if (isIndex(top)) {
    const chosen = await indexEntryFor(store, top.manifests ?? [], platform, preferred, ref);
    indexDigest = digest;
    manifestDigest = chosen.digest;
    top = await readTopLevel(store, manifestDigest, ref);
  }
  if (typeof top.config?.digest !== 'string' || !Array.isArray(top.layers)) {
    throw new ImageNotFoundError(`${ref}: ${manifestDigest} is not an image manifest`);
  }
  const manifest = top as ImageManifest;
  const config = await store.readJson<ImageConfig>(manifest.config.digest);
  return {
    manifestDigest,
    manifest,
    configDigest: manifest.config.digest,
    config,
    ...(indexDigest !== undefined && { indexDigest }),
  };
}

/**
 * The entry of an index to resolve: `platform`'s. When `platform` is only `preferred` (no platform was asked for),
 * as docker's image store does without `--platform`, only the images the store has count, and with none of
 * `platform` the first of them is taken: an index built or pulled for other platforms only is still inspected,
 * tagged, pushed or saved by its name.
 */
async function indexEntryFor(
  store: ResolvableStore,
  manifests: readonly Descriptor[],
  platform: Platform,
  preferred: boolean,
  ref: string,
): Promise<Descriptor> {
  const chosen = selectPlatformManifest(manifests, platform);
  // The common case first: `platform`'s image is there (one stat, not one per entry of the index).
  if (chosen !== undefined && (await store.hasBlob(chosen.digest))) return chosen;
  if (preferred) {
    const present: Descriptor[] = [];
    for (const entry of manifests) {
      if (isPlatformImage(entry) && (await store.hasBlob(entry.digest))) present.push(entry);
    }
    const best = selectPlatformManifest(present, platform) ?? present[0];
    if (best !== undefined) return best;
  }
  const wanted = `${platform.os}/${platform.architecture}`;
  if (chosen === undefined) throw new ImageNotFoundError(`${ref}: no manifest for platform ${wanted}`);
  throw new ImageNotFoundError(`${ref}: the ${wanted} manifest is not in the store`);
}

/** An index entry that is an image: not a nested index, nor BuildKit's attestation manifest (`unknown/unknown`). */
function isPlatformImage(entry: Descriptor): boolean {
  if (isIndexMediaType(entry.mediaType)) return false;
  return entry.annotations?.[Annotation.referenceType] !== 'attestation-manifest' && entry.platform?.os !== 'unknown';
}

/** Config digest (image ID) of a tagged entry, or undefined for an index / missing blob. */
async function imageId(store: ResolvableStore, entry: Descriptor): Promise<Digest | undefined> {
  if (!(await store.hasBlob(entry.digest))) return undefined;
  const json = await readTopLevel(store, entry.digest, entry.digest).catch(() => undefined);
  if (json === undefined) return undefined;
  return isIndex(json) ? undefined : json.config?.digest;
}

/** Finds the manifest whose digest or image ID (config digest) starts with `hex` (Docker's short IDs). */
async function byIdPrefix(store: ResolvableStore, hex: string, ref: string): Promise<Digest | undefined> {
  const index = await readIndexFile(store.paths.indexJson);
  const matches = new Set<Digest>();
  for (const entry of index.manifests) {
    const id = await imageId(store, entry);
    if (entry.digest.startsWith(`sha256:${hex}`) || id?.startsWith(`sha256:${hex}`)) matches.add(entry.digest);
  }
  if (matches.size > 1) throw new ImageNotFoundError(`${ref}: ambiguous image ID prefix`);
  return [...matches][0];
}

export interface ResolveOptions {
  /**
   * Only an image of `platform` will do (a build's base image, whose programs must run there): a single-platform
   * image of another platform is not found. Without it (inspect, run, tag …) `platform` only picks the manifest
   * of an index, and an image of any platform is taken.
   */
  readonly strictPlatform?: boolean;
  /**
   * `platform` is this machine's, taken because none was asked for (inspect, tag, push, save … without `--platform`):
   * an index without an image of it resolves to the first image of another platform it has (indexEntryFor).
   */
  readonly platformPreferred?: boolean;
}

/**
 * Resolves a tag (`alpine`, `alpine:3`), `name@sha256:…`, a manifest digest, an image ID (`sha256:<config>`)
 * or a unique ID prefix of at least 4 hex digits (tags win, as in Docker).
 */
export async function resolveImage(
  store: ResolvableStore,
  ref: string,
  platform: Platform,
  options: ResolveOptions = {},
): Promise<ResolvedImage> {
  const preferred = options.platformPreferred === true && options.strictPlatform !== true;
  const image = await resolveAnyPlatform(store, ref, platform, preferred);
  if (options.strictPlatform === true && !platformMatches(image.config, platform)) {
    const { os, architecture, variant } = image.config;
    const wanted = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
    const found = [os, architecture, variant].filter(Boolean).join('/');
    throw new ImageNotFoundError(`${ref}: the image is for ${found}, not ${wanted}`);
  }
  return image;
}

async function resolveAnyPlatform(
  store: ResolvableStore,
  ref: string,
  platform: Platform,
  preferred: boolean,
): Promise<ResolvedImage> {
  if (isSha256Digest(ref)) {
    const byId = await byIdPrefix(store, ref.slice(7), ref);
    return resolveDigest(store, byId ?? ref, platform, ref, preferred);
  }
  const hexLike = /^[a-f0-9]{4,64}$/.test(ref);
  let parsed: ReturnType<typeof parseDockerRef> | undefined;
  try {
    parsed = parseDockerRef(ref);
  } catch (error) {
    if (!(error instanceof InvalidReferenceError) || !hexLike) throw error;
  }
  if (parsed?.digest !== undefined) return resolveDigest(store, parsed.digest, platform, ref, preferred);
  if (parsed !== undefined) {
    const name = normalizeReference(ref);
    const index = await readIndexFile(store.paths.indexJson);
    const entry = index.manifests.find((m) => m.annotations?.[Annotation.refName] === name);
    if (entry !== undefined) return resolveDigest(store, entry.digest, platform, ref, preferred);
  }
  if (hexLike) {
    const digest = await byIdPrefix(store, ref, ref);
    if (digest !== undefined) return resolveDigest(store, digest, platform, ref, preferred);
  }
  throw new ImageNotFoundError(`No such image: ${parsed ? familiarString(parsed) : ref}`);
}
