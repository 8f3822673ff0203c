// The one walk over what index.json holds (image/store/reachable.ts), shared by disk accounting and snapshot pruning.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Descriptor, type Digest, OciMediaType, reachableFromIndex, Store } from '../../image/index.js';
import { storeOneLayerImage } from './one-layer-image.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function freshStore(): Promise<Store> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsbuild-reachable-'));
  dirs.push(dir);
  return Store.open(dir);
}

async function configAndLayer(store: Store, manifest: Descriptor): Promise<[Digest, Digest]> {
  const json = await store.readJson<{ config: Descriptor; layers: Descriptor[] }>(manifest.digest);
  return [json.config.digest, (json.layers[0] as Descriptor).digest];
}

describe('reachableFromIndex', () => {
  it('collects the manifests, configs, layers and diff_ids of tagged, dangling and multi-platform images', async () => {
    const store = await freshStore();
    const tagged = await storeOneLayerImage(store, 'tagged');
    await store.tagManifest('a:1', tagged);
    const dangling = await storeOneLayerImage(store, 'dangling');
    await store.keepDangling(dangling);
    const platform = await storeOneLayerImage(store, 'platform');
    const index = await store.putManifest({
      schemaVersion: 2,
      mediaType: OciMediaType.index,
      manifests: [
        { ...platform, platform: { os: 'linux', architecture: 'amd64' } },
        // A platform that was never pulled: passed over, not an error.
        {
          mediaType: OciMediaType.manifest,
          digest: `sha256:${'1'.repeat(64)}`,
          size: 10,
          platform: { os: 'linux', architecture: 'arm64' },
        },
      ],
    });
    await store.tagManifest('multi:1', index);
    const unreferenced = await storeOneLayerImage(store, 'unreferenced');

    const reachable = await reachableFromIndex(store);
    const parts = await Promise.all([tagged, dangling, platform].map((m) => configAndLayer(store, m)));
    expect([...reachable.manifests].sort()).toEqual(
      [tagged.digest, dangling.digest, platform.digest, index.digest, `sha256:${'1'.repeat(64)}`].sort(),
    );
    expect([...reachable.configs].sort()).toEqual(parts.map(([config]) => config).sort());
    // The test layers are uncompressed: their digests are their diff_ids.
    expect([...reachable.layers].sort()).toEqual(parts.map(([, layer]) => layer).sort());
    expect([...reachable.diffIds].sort()).toEqual(parts.map(([, layer]) => layer).sort());
    const [, unreferencedLayer] = await configAndLayer(store, unreferenced);
    expect(reachable.layers.has(unreferencedLayer)).toBe(false);
  });
});
