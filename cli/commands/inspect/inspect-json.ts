// Docker's `docker image inspect` object for a stored image (API 1.50 field set: the image config's runtime
// part as `Config`, no container-only fields).
import {
  type Digest,
  familiarName,
  familiarString,
  goTimeText,
  parseDockerRef,
  type ResolvedImage,
} from '../../../image/index.js';

export interface ImageInspect {
  Id: Digest;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  Author: string;
  Config: Record<string, unknown>;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  RootFS: { Type: string; Layers: Digest[] };
  Metadata: { LastTagTime: string };
}

/** Go's zero time, which Docker prints for an unknown time. */
const zeroTime = '0001-01-01T00:00:00Z';

/**
 * `refs` are the full references (tags and digest references) stored for the same digest as `image`;
 * RepoDigests name that digest in each of their repositories, as the containerd image store does. `size` is
 * Docker's size of the image (images/catalog.ts imageSize). API 1.44 dropped VirtualSize, so there is none.
 */
export function inspectImage(image: ResolvedImage, refs: readonly string[], size: number): ImageInspect {
  const all = refs.map((ref) => parseDockerRef(ref));
  // Digest references (`name@sha256:…`, from a pull by digest) are RepoDigests only, never RepoTags.
  const parsed = all.filter((ref) => ref.digest === undefined);
  const top = image.indexDigest ?? image.manifestDigest;
  const config = image.config;
  const history = config.history ?? [];
  return {
    Id: image.configDigest,
    RepoTags: parsed.map((ref) => familiarString(ref)),
    RepoDigests: [...new Set(all.map((ref) => `${familiarName(ref)}@${ref.digest ?? top}`))],
    Parent: '',
    Comment: history.at(-1)?.comment ?? '',
    // Docker prints the time it read (a time.Time) in Go's form, whatever form the config holds.
    Created: config.created === undefined ? zeroTime : (goTimeText(config.created) ?? config.created),
    Author: config.author ?? '',
    Config: { ...(config.config ?? {}) },
    Architecture: config.architecture,
    ...(config.variant !== undefined && { Variant: config.variant }),
    Os: config.os,
    Size: size,
    RootFS: { Type: 'layers', Layers: [...config.rootfs.diff_ids] },
    Metadata: { LastTagTime: zeroTime },
  };
}
