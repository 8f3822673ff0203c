// The store's images as the listing commands see them: every index.json entry (tagged or not) with the
// platform image it resolves to. One bad entry never hides the others.
import {
  Annotation,
  type Descriptor,
  type Digest,
  familiarString,
  parseDockerRef,
  type ResolvedImage,
  readIndexFile,
  type Store,
} from '../../../image/index.js';

export interface CatalogEntry {
  /** Full normalised reference, or undefined for an untagged entry. */
  ref?: string;
  /** `alpine:latest`-style display name. */
  familiar?: string;
  /** The digest index.json points at (a manifest or an index). */
  topDigest: Digest;
  /** The platform image, or undefined when it cannot be resolved (e.g. another platform only). */
  image?: ResolvedImage;
}

export async function readIndexEntries(store: Store): Promise<Descriptor[]> {
  return [...(await readIndexFile(store.paths.indexJson)).manifests];
}

export async function listCatalog(store: Store): Promise<CatalogEntry[]> {
  const entries: CatalogEntry[] = [];
  for (const descriptor of await readIndexEntries(store)) {
    const ref = descriptor.annotations?.[Annotation.refName];
    let familiar: string | undefined;
    try {
      familiar = ref === undefined ? undefined : familiarString(parseDockerRef(ref));
    } catch {
      familiar = ref;
    }
    const image = await store.resolve(descriptor.digest).catch(() => undefined);
    entries.push({
      ...(ref !== undefined && { ref }),
      ...(familiar !== undefined && { familiar }),
      topDigest: descriptor.digest,
      ...(image !== undefined && { image }),
    });
  }
  return entries;
}

/** The digest a resolved image is tagged by: its index when it came from one, else its manifest. */
export function topDigestOf(image: ResolvedImage): Digest {
  return image.indexDigest ?? image.manifestDigest;
}

/** Bytes of an image's content as stored: config and (compressed) layers. */
export function storedSize(image: ResolvedImage): number {
  return image.manifest.config.size + image.manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
}
