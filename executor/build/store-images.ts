// Base images from the local store: the planner's BaseImageResolver (config and manifest digest)
// and, for the executor, an image's layers and history. An image that is not in the store is a
// clear error saying how to get it there (there is no daemon that could pull it).
import {
  familiarString,
  type HistoryEntry,
  ImageNotFoundError,
  normalizeReference,
  parseDockerRef,
  type Store,
} from '../../image/index.js';
import type { BaseImageResolver, ImageConfig, Platform } from '../../planner/index.js';
import { BuildError } from './errors.js';
import type { FsState } from './layer-ref.js';

export interface StoredBase {
  readonly fs: FsState;
  readonly history: readonly HistoryEntry[];
}

export function storeResolver(store: Store): BaseImageResolver {
  return {
    async resolve(ref: string, platform: Platform) {
      try {
        const image = await store.resolve(ref, platform);
        return {
          ref,
          digest: image.manifestDigest,
          platform: {
            os: image.config.os,
            architecture: image.config.architecture,
            ...(image.config.variant === undefined ? {} : { variant: image.config.variant }),
          },
          config: (image.config.config ?? {}) as ImageConfig,
          empty: image.manifest.layers.length === 0,
        };
      } catch (error) {
        if (error instanceof ImageNotFoundError) return null;
        throw error;
      }
    },
  };
}

export function missingImageMessage(ref: string): string {
  const name = familiarString(parseDockerRef(ref));
  return (
    `image ${name} is not in the local store: import a root filesystem with ` +
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

export async function storedBase(store: Store, ref: string): Promise<StoredBase> {
  let image: Awaited<ReturnType<Store['resolve']>>;
  try {
    image = await store.resolve(normalizeReference(ref));
  } catch (error) {
    if (error instanceof ImageNotFoundError) {
      const failure = pullFailures.get(store)?.get(normalizeReference(ref));
      const why = failure === undefined ? '' : ` (pulling ${ref} failed: ${failure})`;
      throw new BuildError(missingImageMessage(ref) + why);
    }
    throw error;
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
