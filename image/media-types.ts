/** OCI image-spec media types. */
export const OciMediaType = {
  layout: 'application/vnd.oci.layout.header.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  emptyJson: 'application/vnd.oci.empty.v1+json',
} as const;

/** Docker image manifest v2 schema 2 media types. */
export const DockerMediaType = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  manifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar',
  layerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  layerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

/** The family of media types an image is written with. */
export type MediaTypeFamily = 'oci' | 'docker';

export function isManifestMediaType(mediaType: string): boolean {
  return mediaType === OciMediaType.manifest || mediaType === DockerMediaType.manifest;
}

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === OciMediaType.index || mediaType === DockerMediaType.manifestList;
}

/** Layer compression implied by a layer media type (Docker's gzip type included). */
export function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip')) return 'gzip';
  if (mediaType.endsWith('+zstd')) return 'zstd';
  return 'none';
}

export function mediaTypesFor(family: MediaTypeFamily): {
  manifest: string;
  config: string;
  layer: string;
  layerGzip: string;
} {
  return family === 'oci'
    ? {
        manifest: OciMediaType.manifest,
        config: OciMediaType.config,
        layer: OciMediaType.layer,
        layerGzip: OciMediaType.layerGzip,
      }
    : {
        manifest: DockerMediaType.manifest,
        config: DockerMediaType.config,
        layer: DockerMediaType.layer,
        layerGzip: DockerMediaType.layerGzip,
      };
}

/** Annotation keys the store and archives use. */
export const Annotation = {
  refName: 'org.opencontainers.image.ref.name',
  created: 'org.opencontainers.image.created',
  containerdImageName: 'io.containerd.image.name',
  /** On a layer whose mtimes were clamped to SOURCE_DATE_EPOCH: the epoch, as BuildKit writes it. */
  rewrittenTimestamp: 'buildkit/rewritten-timestamp',
  /** On BuildKit's attestation manifests in an index (`attestation-manifest`): not an image of a platform. */
  referenceType: 'vnd.docker.reference.type',
} as const;
