// An in-memory BaseImageResolver: tests and callers without an image store use it.

import { normalizeReference } from '../image/index.js';
import type { BaseImageResolver, Platform, ResolvedImage } from './image-config.js';

export class MemoryImageResolver implements BaseImageResolver {
  private readonly images = new Map<string, ResolvedImage>();

  /** Registers an image under its normalised reference (`busybox` → `docker.io/library/busybox:latest`). */
  add(ref: string, image: Omit<ResolvedImage, 'ref'>): this {
    const normal = normalizeReference(ref);
    this.images.set(normal, { ...image, ref: normal });
    return this;
  }

  async resolve(ref: string, _platform: Platform): Promise<ResolvedImage | null> {
    return this.images.get(normalizeReference(ref)) ?? null;
  }
}
