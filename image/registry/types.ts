import { DockerMediaType, OciMediaType } from '../media-types.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci-types.js';

/** The manifest types the client reads, most capable first (the order of the Accept header). */
export const registryManifestTypes: readonly string[] = [
  OciMediaType.index,
  DockerMediaType.manifestList,
  OciMediaType.manifest,
  DockerMediaType.manifest,
];

/** A manifest as fetched: exact bytes (their digest is the manifest's identity) plus the parsed form. */
export type FetchedManifest =
  | {
      readonly kind: 'manifest';
      readonly descriptor: Descriptor;
      readonly bytes: Buffer;
      readonly manifest: ImageManifest;
    }
  | { readonly kind: 'index'; readonly descriptor: Descriptor; readonly bytes: Buffer; readonly index: ImageIndex };

/** A repository on a registry: `domain` is the registry host as in a normalised reference (`docker.io`). */
export interface Repository {
  readonly domain: string;
  readonly path: string;
}
