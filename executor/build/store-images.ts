// Base images from the local store: for the planner, the store resolver, which here keeps the images it finds so
// that each stage starts from the very image its cache keys were computed from; for the executor, an image's
// layers and history. An image that is not in the store is a clear error saying how to get it there (there is
// no daemon that could pull it).
import {
  familiarString,
  type HistoryEntry,
  hostPlatform,
  ImageNotFoundError,
  normalizeReference,
  parseDockerRef,
  type RegistryClient,
  type ResolvedImage,
  type Store,
} from '../../image/index.js';
import { type BaseImageResolver, formatPlatform, type Platform, storeResolver } from '../../planner/index.js';
import { BuildError } from './errors.js';
import type { FsState } from './layer-ref.js';
import type { Progress } from './progress.js';
import type { PullPolicy } from './pull-base.js';

export interface StoredBase {
  readonly fs: FsState;
  readonly history: readonly HistoryEntry[];
}

/**
 * The stored images the planner resolved, by reference and platform: a stage starts from the very image its
 * cache keys were computed from, without resolving the reference again (index.json, manifest and config reads).
 */
export type ResolvedBases = Map<string, ResolvedImage>;

function baseKey(ref: string, platform: Platform): string | undefined {
  try {
    return `${normalizeReference(ref)} ${platform.os}/${platform.architecture}/${platform.variant ?? ''}`;
  } catch {
    return undefined; // an image ID, which the store resolves but a reference cannot name
  }
}

export interface BaseImageOptions {
  readonly store: Store;
  readonly policy: PullPolicy;
  readonly progress: Progress;
  /** The registry client to pull with (default: one made when the first pull starts). */
  readonly registryClient?: RegistryClient | undefined;
}

/**
 * The base images of a build: the store's, and for an image the store lacks (or every tag under `--pull`) the
 * pulling resolver of pull-base.ts, loaded only then (a build from local images neither loads it nor makes a
 * registry client). `close` closes a registry client made here.
 */
export function baseImageResolver(options: BaseImageOptions): {
  readonly resolver: BaseImageResolver;
  /** The images it found in the store (for `storedBase`). */
  readonly resolved: ResolvedBases;
  close(): Promise<void>;
} {
  const resolved: ResolvedBases = new Map();
  const local = storeResolver(options.store, (ref, platform, image) => {
    const key = baseKey(ref, platform);
    if (key !== undefined) resolved.set(key, image);
  });
  let pulling: Promise<{ resolver: BaseImageResolver; close(): void }> | undefined;
  const remote = () =>
    (pulling ??= import('./pull-base.js').then(({ lazyRegistryClient, pullingResolver }) => {
      const client = lazyRegistryClient(options.registryClient);
      const resolver = pullingResolver({ ...options, client: client.get });
      return { resolver, close: client.close };
    }));
  return {
    resolver: {
      async resolve(ref: string, platform: Platform) {
        // What pullingResolver does first for these policies, without loading it.
        if (options.policy !== 'always') {
          const found = await local.resolve(ref, platform);
          if (found !== null || options.policy === 'never') return found;
        }
        return (await remote()).resolver.resolve(ref, platform);
      },
    },
    resolved,
    // A pulling resolver that failed to load has no client to close (its failure is the resolve's to report).
    close: async () => (await pulling?.catch(() => undefined))?.close(),
  };
}

/** `platform`: the one the build needs, named when it is not this machine's. */
export function missingImageMessage(ref: string, platform: Platform = hostPlatform()): string {
  const name = familiarString(parseDockerRef(ref));
  const wanted = formatPlatform(platform);
  const forPlatform = wanted === formatPlatform(hostPlatform()) ? '' : ` for ${wanted}`;
  return (
    `image ${name} is not in the local store${forPlatform}: import a root filesystem with ` +
    `'tsbuild import ROOTFS.tar ${name}', load a saved image with 'tsbuild load -i FILE', ` +
    `or pull it into the store first`
  );
}

/**
 * Why the pull of a base image failed (pull-base.ts), for the error of the step that needs it: that step
 * carries the Dockerfile line, which the resolver does not know.
 */
const pullFailures = new WeakMap<Store, Map<string, string>>();

export function recordPullFailure(store: Store, ref: string, reason: string): void {
  let failures = pullFailures.get(store);
  if (failures === undefined) {
    failures = new Map();
    pullFailures.set(store, failures);
  }
  failures.set(normalizeReference(ref), reason);
}

/**
 * The layers and history of a base image for `platform` (the stage's, or the build's for an image a COPY or a
 * mount names): as the planner resolved it (`resolved`), else from the store.
 */
export async function storedBase(
  store: Store,
  ref: string,
  platform: Platform,
  resolved?: ResolvedBases,
): Promise<StoredBase> {
  const key = resolved === undefined ? undefined : baseKey(ref, platform);
  let image: ResolvedImage | undefined;
  try {
    // What the planner resolved was of `platform` already; the store is asked for nothing else either.
    image =
      (key === undefined ? undefined : resolved?.get(key)) ??
      (await store.resolve(normalizeReference(ref), platform, { strictPlatform: true }));
  } catch (error) {
    if (!(error instanceof ImageNotFoundError)) throw error;
  }
  if (image === undefined) {
    const failure = pullFailures.get(store)?.get(normalizeReference(ref));
    const why = failure === undefined ? '' : ` (pulling ${ref} failed: ${failure})`;
    throw new BuildError(missingImageMessage(ref, platform) + why);
  }
  const diffIds = image.config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== image.manifest.layers.length) {
    throw new BuildError(`image ${ref}: ${image.manifest.layers.length} layers but ${diffIds.length} diff_ids`);
  }
  return {
    fs: {
      layers: image.manifest.layers.map((l, i) => ({
        digest: l.digest,
        size: l.size,
        mediaType: l.mediaType,
        diffId: diffIds[i],
      })),
    },
    history: image.config.history ?? [],
  };
}
