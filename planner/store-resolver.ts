// Base images from the local image store (image/): a reference resolves to its platform manifest
// digest and config; an image that is not in the store resolves to null.

import { ImageNotFoundError, type Store } from '../image/index.js';
import type { BaseImageResolver, ImageConfig, Platform, ResolvedImage } from './types.js';

export function storeResolver(store: Pick<Store, 'resolve'>): BaseImageResolver {
  return {
    async resolve(ref: string, platform: Platform): Promise<ResolvedImage | null> {
      try {
        const image = await store.resolve(ref, platform);
        const config = image.config;
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
