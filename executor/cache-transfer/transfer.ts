// The build's side of cache transfer: `importCache` before the steps run (records of every
// --cache-from source the plan can use land in the store's cache index), `exportCache` after a
// successful build (one cache manifest per --cache-to destination).
import {
  type Descriptor,
  type Digest,
  type ImageReference,
  RegistryClient,
  type Store,
  sha256Digest,
} from '../../image/index.js';
import type { KeyCompletion } from '../build/content-key.js';
import { BuildError } from '../build/errors.js';
import type { Progress } from '../build/progress.js';
import { applyRecords } from './apply.js';
import { collectRecords } from './collect.js';
import { compressedRecords } from './compress.js';
import { CacheMediaType, cacheManifest, encodeCacheConfig, recordBlobs } from './format.js';
import { exportLocal, importLocal } from './local.js';
import { exportRegistry, importRegistry } from './registry.js';
import type { ImportScope } from './scope.js';
import type { CacheSpec } from './spec.js';

/** What a finished build exports: the step keys of the target stage (min) and of every stage run (max). */
export interface CacheExportScope {
  readonly minKeys: readonly string[];
  readonly maxKeys: readonly string[];
  /** The committed image manifest (its image record is exported too, so the image digest carries over). */
  readonly manifest: Digest;
  /**
   * The keys of the committed images' records in the store's cache index: the build's image, or each platform's of
   * a multi-platform build.
   */
  readonly imageKeys: readonly Digest[];
  /** Completed key → what it is made of, for the steps whose planned keys were pending. */
  readonly completions: ReadonlyMap<string, KeyCompletion>;
}

export interface TransferOptions {
  /** A registry client to use (default: a new one with the Docker config's credentials). */
  readonly client?: RegistryClient;
}

function describe(spec: CacheSpec): string {
  if (spec.type === 'inline') return 'type=inline';
  return spec.type === 'local' ? `type=local ${spec.dir}` : `type=registry ${refString(spec.ref)}`;
}

function refString(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}${ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`}`;
}

async function withClient<T>(options: TransferOptions, fn: (client: RegistryClient) => Promise<T>): Promise<T> {
  const client = options.client ?? new RegistryClient();
  try {
    return await fn(client);
  } finally {
    if (options.client === undefined) client.close();
  }
}

/**
 * Imports the usable records of each source. A source that cannot be read is reported and skipped, as
 * BuildKit does: a cache is an optimisation, never a reason for a build to fail.
 */
export async function importCache(
  store: Store,
  specs: readonly CacheSpec[],
  wanted: ImportScope,
  progress: Progress,
  options: TransferOptions = {},
): Promise<void> {
  for (const spec of specs) {
    if (spec.type === 'inline') continue; // export only (parseCacheSpec refuses it as a source)
    const step = progress.step(`importing cache manifest from ${describe(spec)}`);
    try {
      const imported =
        spec.type === 'local'
          ? await importLocalSource(store, spec.dir, wanted)
          : await withClient(options, (client) => importRegistrySource(store, client, spec.ref, wanted));
      step.note(imported === null ? 'no cache found' : `${imported} records imported`);
      step.done();
    } catch (error) {
      step.note(`WARNING: cache import failed: ${(error as Error).message}`);
      step.done();
    }
  }
}

async function importLocalSource(store: Store, dir: string, wanted: ImportScope): Promise<number | null> {
  const source = await importLocal(store, dir);
  return source === null ? null : applyRecords(store, source.records, wanted, source.ensure);
}

async function importRegistrySource(
  store: Store,
  client: RegistryClient,
  ref: ImageReference,
  wanted: ImportScope,
): Promise<number | null> {
  const source = await importRegistry(store, client, ref);
  if (source === null) return null;
  try {
    return await applyRecords(store, source.records, wanted, source.ensure);
  } finally {
    await source.dispose();
  }
}

/**
 * Writes one cache manifest per destination; a failed export fails the build (the user asked for it). An inline
 * destination is the image itself: the build writes it before naming the image (inline.ts).
 */
export async function exportCache(
  store: Store,
  specs: readonly CacheSpec[],
  scope: CacheExportScope,
  progress: Progress,
  options: TransferOptions = {},
): Promise<void> {
  for (const spec of specs) {
    if (spec.type === 'inline') continue;
    const step = progress.step(`exporting cache to ${describe(spec)}`);
    try {
      const collected = await collectRecords(
        store,
        spec.mode === 'max' ? scope.maxKeys : scope.minKeys,
        scope.imageKeys,
        scope.completions,
      );
      const records = spec.type === 'registry' ? await compressedRecords(store, collected) : collected;
      const config = encodeCacheConfig(records);
      const configDescriptor: Descriptor = {
        mediaType: CacheMediaType.config,
        digest: sha256Digest(config),
        size: config.length,
      };
      const manifest = { bytes: cacheManifest(configDescriptor, records), config, configDescriptor };
      const blobs = recordBlobs(records);
      if (spec.type === 'local') await exportLocal(store, spec.dir, manifest, blobs);
      else await withClient(options, (client) => exportRegistry(store, client, spec.ref, manifest, blobs));
      step.note(`writing cache manifest ${sha256Digest(manifest.bytes)} (${records.length} records) done`);
      step.done();
    } catch (error) {
      step.error((error as Error).message);
      throw new BuildError(`failed to export cache to ${describe(spec)}: ${(error as Error).message}`);
    }
  }
}
