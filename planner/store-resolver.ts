// Base images from the local image store (image/): a reference resolves to its platform manifest
// digest and config; an image that is not in the store resolves to null.

import { ImageNotFoundError, type Store } from '../image/index.js';
import type { BaseImageResolver, ImageConfig, Platform, ResolvedImage } from './types.js';

/**
 * Whether an image config's os/architecture is `wanted`: a variant counts only when both name one (an image
 * without a variant serves any). Configs without an architecture (some imports) match every platform.
 */
export function platformMatches(
  config: { readonly os?: string; readonly architecture?: string; readonly variant?: string },
  wanted: Platform,
): boolean {
  if (config.architecture === undefined || config.architecture === '') return true;
  if ((config.os ?? 'linux') !== wanted.os || config.architecture !== wanted.architecture) return false;
  return config.variant === undefined || wanted.variant === undefined || config.variant === wanted.variant;
}

export function storeResolver(store: Pick<Store, 'resolve'>): BaseImageResolver {
  return {
    async resolve(ref: string, platform: Platform): Promise<ResolvedImage | null> {
      try {
        const image = await store.resolve(ref, platform);
        const config = image.config;
        // A single-platform image of another platform is not this platform's (its programs would not run).
        if (!platformMatches(config, platform)) return null;
        return {
          ref,
          digest: image.manifestDigest,
          platform: {
            os: config.os,
            architecture: config.architecture,
            ...(config.variant ? { variant: config.variant } : {}),
          },
          config: (config.config ?? {}) as ImageConfig,
          empty: config.rootfs.diff_ids.length === 0,
        };
      } catch (error) {
        if (error instanceof ImageNotFoundError) return null;
        throw error;
      }
    },
  };
}
