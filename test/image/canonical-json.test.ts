import { describe, expect, it } from 'vitest';
import {
  DockerMediaType,
  encodeConfig,
  encodeIndex,
  encodeManifest,
  type ImageConfig,
  isIndexMediaType,
  isManifestMediaType,
  layerCompression,
  OciMediaType,
  parseDigest,
  sha256Digest,
} from '../../image/index.js';

const d = (c: string) => `sha256:${c.repeat(64)}` as const;

describe('canonical JSON', () => {
  it('writes a config with sorted top level, BuildKit field order inside, sorted maps', () => {
    const config: ImageConfig = {
      rootfs: { type: 'layers', diff_ids: [d('a')] },
      os: 'linux',
      history: [{ empty_layer: true, created_by: 'ENV a=b', created: '2024-01-01T00:00:00Z' }],
      config: {
        Shell: ['/bin/sh', '-c'],
        Labels: { z: '1', a: '<&>' },
        Cmd: ['sh'],
        Env: ['PATH=/usr/bin'],
        ExposedPorts: { '80/tcp': {}, '443/tcp': {} },
        User: 'app',
        Entrypoint: undefined,
      },
      architecture: 'amd64',
      created: '2024-01-01T00:00:00Z',
    };
    const { bytes, digest } = encodeConfig(config);
    expect(bytes.toString()).toBe(
      '{"architecture":"amd64","config":{"User":"app","ExposedPorts":{"443/tcp":{},"80/tcp":{}},"Env":["PATH=/usr/bin"],' +
        '"Cmd":["sh"],"Labels":{"a":"\\u003c\\u0026\\u003e","z":"1"},"Shell":["/bin/sh","-c"]},' +
        '"created":"2024-01-01T00:00:00Z","history":[{"created":"2024-01-01T00:00:00Z","created_by":"ENV a=b","empty_layer":true}],' +
        '"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:' +
        'a'.repeat(64) +
        '"]}}',
    );
    expect(digest).toBe(sha256Digest(bytes));
    expect(JSON.parse(bytes.toString()).config.Labels.a).toBe('<&>');
  });

  it('writes manifests and indexes in OCI struct order', () => {
    const manifest = encodeManifest({
      layers: [{ size: 3, digest: d('b'), mediaType: OciMediaType.layerGzip, annotations: { b: '2', a: '1' } }],
      config: { digest: d('c'), size: 2, mediaType: OciMediaType.config },
      mediaType: OciMediaType.manifest,
      schemaVersion: 2,
    });
    expect(manifest.bytes.toString()).toBe(
      `{"schemaVersion":2,"mediaType":"${OciMediaType.manifest}","config":{"mediaType":"${OciMediaType.config}","digest":"${d('c')}","size":2},` +
        `"layers":[{"mediaType":"${OciMediaType.layerGzip}","digest":"${d('b')}","size":3,"annotations":{"a":"1","b":"2"}}]}`,
    );
    const index = encodeIndex({
      manifests: [
        {
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          size: 1,
          digest: d('e'),
          mediaType: OciMediaType.manifest,
        },
      ],
      schemaVersion: 2,
    });
    expect(index.bytes.toString()).toBe(
      `{"schemaVersion":2,"manifests":[{"mediaType":"${OciMediaType.manifest}","digest":"${d('e')}","size":1,` +
        '"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}',
    );
  });
});

describe('media types and digests', () => {
  it('classifies media types', () => {
    expect([isManifestMediaType(DockerMediaType.manifest), isManifestMediaType(OciMediaType.index)]).toEqual([
      true,
      false,
    ]);
    expect([isIndexMediaType(DockerMediaType.manifestList), isIndexMediaType(OciMediaType.index)]).toEqual([
      true,
      true,
    ]);
    expect(
      [OciMediaType.layer, OciMediaType.layerGzip, OciMediaType.layerZstd, DockerMediaType.layerGzip].map(
        layerCompression,
      ),
    ).toEqual(['none', 'gzip', 'zstd', 'gzip']);
  });

  it('validates digests with go-digest messages', () => {
    expect(parseDigest(d('f'))).toBe(d('f'));
    expect(() => parseDigest('sha256')).toThrow('invalid checksum digest format');
    expect(() => parseDigest('sha256:abc')).toThrow('invalid checksum digest length');
    expect(() => parseDigest(`sha256:${'F'.repeat(64)}`)).toThrow('invalid checksum digest format');
    expect(() => parseDigest(`foo:${'f'.repeat(64)}`)).toThrow('unsupported digest algorithm');
    expect(parseDigest(`sha512:${'0'.repeat(128)}`)).toBe(`sha512:${'0'.repeat(128)}`);
  });
});
