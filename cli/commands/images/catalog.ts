// The store's images as the listing commands see them: every index.json entry (tagged or not) with the
// platform image it resolves to. One bad entry never hides the others.
import {
  Annotation,
  type Descriptor,
  type Digest,
  familiarString,
  layerContentSize,
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

/** Content sizes of layers already asked for in this command: images of one store share most of their layers. */
export type LayerSizes = Map<Digest, Promise<number>>;

/**
 * Docker's size of an image (`docker images`, `docker inspect` .Size): the sum of its layers' content sizes,
 * without tar overhead, compression or the config. Each layer is measured once and then remembered in the store.
 */
export async function imageSize(store: Store, image: ResolvedImage, known: LayerSizes = new Map()): Promise<number> {
  const sizes = image.manifest.layers.map((layer) => {
    let size = known.get(layer.digest);
    if (size === undefined) {
      size = layerContentSize(store, layer);
      known.set(layer.digest, size);
    }
    return size;
  });
  return (await Promise.all(sizes)).reduce((sum, size) => sum + size, 0);
}
