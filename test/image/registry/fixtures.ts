import { sha256 } from './fake-registry.js';

// Small, valid-looking images for the registry tests: the registry does not look inside layers.

export interface TestImage {
  readonly config: Buffer;
  readonly layer: Buffer;
  readonly manifest: Buffer;
  readonly manifestType: string;
}

export function makeImage(seed: string, options: { docker?: boolean; platform?: string } = {}): TestImage {
  const [os, architecture, variant] = (options.platform ?? 'linux/amd64').split('/');
  const layer = Buffer.from(`layer bytes of ${seed}\n`.repeat(1000));
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os,
      ...(variant ? { variant } : {}),
      config: { Env: ['PATH=/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [sha256(`uncompressed ${seed}`)] },
    }),
  );
  const docker = options.docker === true;
  const manifestType = docker
    ? 'application/vnd.docker.distribution.manifest.v2+json'
    : 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestType,
      config: {
        mediaType: docker
          ? 'application/vnd.docker.container.image.v1+json'
          : 'application/vnd.oci.image.config.v1+json',
        digest: sha256(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: docker
            ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
            : 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: sha256(layer),
          size: layer.length,
        },
      ],
    }),
  );
  return { config, layer, manifest, manifestType };
}

export function makeIndex(entries: readonly { image: TestImage; platform: string }[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: entries.map(({ image, platform }) => {
        const [os, architecture, variant] = platform.split('/');
        return {
          mediaType: image.manifestType,
          digest: sha256(image.manifest),
          size: image.manifest.length,
          platform: { architecture, os, ...(variant ? { variant } : {}) },
        };
      }),
    }),
  );
}
