import type { Digest } from '../digest.js';

// Minimal OCI model the registry client needs. image/oci-types.ts (owned elsewhere) did not exist when this was
// written; these shapes follow the OCI image spec, so they are structurally compatible with it.

export const mediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

export type ManifestMediaType = (typeof mediaTypes)[keyof typeof mediaTypes];

/** Every manifest type we can read, most capable first (the order of the Accept header). */
export const acceptedManifestTypes: readonly ManifestMediaType[] = [
  mediaTypes.ociIndex,
  mediaTypes.dockerManifestList,
  mediaTypes.ociManifest,
  mediaTypes.dockerManifest,
];

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === mediaTypes.ociIndex || mediaType === mediaTypes.dockerManifestList;
}

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly urls?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Platform;
  readonly artifactType?: string;
}

export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly manifests: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

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
