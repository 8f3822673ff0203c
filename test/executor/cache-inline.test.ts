// An image config's inline cache is read as untrusted input: every record must name a layer of the manifest it came
// with, and carries that layer and its diff id into the cache index; anything else is refused with what is wrong.
import { describe, expect, it } from 'vitest';
import { inlineRecords } from '../../executor/cache-transfer/inline.js';
import { type ImageManifest, OciMediaType, sha256Digest } from '../../image/index.js';

const layer = (text: string) => ({ mediaType: OciMediaType.layerGzip, digest: sha256Digest(text), size: text.length });
const manifest: ImageManifest = {
  schemaVersion: 2,
  mediaType: OciMediaType.manifest,
  config: { mediaType: OciMediaType.config, digest: sha256Digest('config'), size: 6 },
  layers: [layer('base'), layer('copy')],
};
const diffIds = [sha256Digest('base tar'), sha256Digest('copy tar')];
const key = sha256Digest('step key');
const where = 'cache r/app:1';

const config = (fields: Record<string, unknown>, ids: string[] = diffIds): Buffer =>
  Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: ids }, ...fields }),
  );

describe('inline cache records', () => {
  it("gives each record the manifest's layer and the config's diff id", () => {
    const bytes = config({ 'dev.tsbuild.cache.v1': { schemaVersion: 1, records: [{ key, layer: 1, created: 'T' }] } });
    expect(inlineRecords(bytes, manifest, where)).toEqual([
      {
        key,
        kind: 'step',
        layers: [{ ...layer('copy'), annotations: { 'dev.tsbuild.diff-id': diffIds[1] } }],
        created: 'T',
      },
    ]);
  });

  it('says why an image has none: no field, or only BuildKit’s', () => {
    expect(() => inlineRecords(config({}), manifest, where)).toThrow(
      "cache r/app:1 is an image without tsbuild's inline cache",
    );
    expect(() => inlineRecords(config({ 'moby.buildkit.cache.v0': 'e30=' }), manifest, where)).toThrow(
      "cache r/app:1 is an image without tsbuild's inline cache (it holds BuildKit's, which tsbuild cannot use)",
    );
  });

  it('refuses records that name no layer, keys that are no digest, and configs that do not match the manifest', () => {
    const withRecords = (records: unknown, ids?: string[]) =>
      config({ 'dev.tsbuild.cache.v1': { schemaVersion: 1, records } }, ids);
    for (const bad of [2, -1, 0.5, '1', undefined]) {
      expect(() => inlineRecords(withRecords([{ key, layer: bad, created: 'T' }]), manifest, where)).toThrow(
        `cache r/app:1: inline record ${JSON.stringify({ key, layer: bad, created: 'T' })} names no layer of the image`,
      );
    }
    expect(() => inlineRecords(withRecords([{ key: 'sha256:x', layer: 0, created: 'T' }]), manifest, where)).toThrow(
      'cache r/app:1: records[0]: invalid cache key "sha256:x"',
    );
    expect(() => inlineRecords(withRecords([], [diffIds[0]]), manifest, where)).toThrow(
      "cache r/app:1: the config's diff_ids do not match the manifest's layers",
    );
    expect(() => inlineRecords(withRecords({}), manifest, where)).toThrow(
      'cache r/app:1: dev.tsbuild.cache.v1 must hold a list of at most 1024 records',
    );
    expect(() => inlineRecords(Buffer.from('{'), manifest, where)).toThrow(/^cache r\/app:1: image config is not JSON/);
  });
});
