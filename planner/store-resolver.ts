// Base images from the local image store (image/): a reference resolves to its platform manifest
// digest and config; an image that is not in the store, or not of the platform asked for, resolves to null.

import { ImageNotFoundError, type Store, type ResolvedImage as StoredImage } from '../image/index.js';
import type { BaseImageResolver, ImageConfig, Platform, ResolvedImage } from './image-config.js';

/** Told of each image the resolver finds, for a caller that keeps them (the executor starts stages from them). */
export type StoredImageFound = (ref: string, platform: Platform, image: StoredImage) => void;

export function storeResolver(store: Pick<Store, 'resolve'>, found?: StoredImageFound): BaseImageResolver {
  return {
    async resolve(ref: string, platform: Platform): Promise<ResolvedImage | null> {
      let image: StoredImage;
      try {
        // A single-platform image of another platform is not this platform's (its programs would not run).
        image = await store.resolve(ref, platform, { strictPlatform: true });
      } catch (error) {
        if (error instanceof ImageNotFoundError) return null;
        throw error;
      }
      found?.(ref, platform, image);
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
        // By the config's diff_ids, which the image ID covers; the executor refuses an image whose manifest
        // has another number of layers. Some imported configs lack a rootfs.
        empty: (config.rootfs?.diff_ids ?? []).length === 0,
      };
    },
  };
}
