// A built image keeps uncompressed layers in the store; what leaves the machine is compressed: a push (registry
// and skopeo see gzip layers that decompress to the diff_ids, same config, so the same image id) and an OCI
// archive (read by skopeo and umoci). The second push and save reuse the compressed blobs.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ImageManifest,
  OciMediaType,
  parseDockerRef,
  pushImage,
  RegistryClient,
  readVariant,
  type Store,
  saveOciArchive,
  sha256Digest,
} from '../../image/index.js';
import { type DistributionServer, startDistribution } from '../image/registry/distribution-server.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const exec = promisify(execFile);

describe.skipIf(isolationUnavailable() !== undefined)('compressed exports of a built image', () => {
  let store: Store;
  let registry: DistributionServer;
  let built: { manifestDigest: string; imageId: string };
  let local: ImageManifest;
  let diffIds: string[];

  beforeAll(async () => {
    registry = await startDistribution();
    store = await storeWithBusybox();
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nCOPY app /app/\nRUN echo built > /app/built\n' },
      { path: 'app/a.txt', content: 'a\n'.repeat(1000) },
    ]);
    const run = await buildIn(store, ctx, { tags: ['out:1'] });
    if (run.error) throw run.error;
    built = { manifestDigest: run.result!.manifestDigest, imageId: run.result!.imageId };
    local = await store.readJson<ImageManifest>(run.result!.manifestDigest as `sha256:${string}`);
    diffIds = (await store.resolve('out:1')).config.rootfs.diff_ids;
  });
  afterAll(async () => {
    await registry?.stop();
    await removeFreshDirs();
  });

  it('commits the built layers uncompressed, digest = diff_id', () => {
    const built = local.layers.slice(1);
    expect(built.map((l) => l.mediaType)).toEqual([OciMediaType.layer, OciMediaType.layer]);
    expect(built.map((l) => l.digest)).toEqual(diffIds.slice(1));
  });

  it('pushes gzip layers that decompress to the diff_ids, with the same config', async () => {
    const name = `${registry.host}/team/out:1`;
    const client = new RegistryClient();
    try {
      const pushed = await pushImage(client, store, parseDockerRef(name), {
        digest: built.manifestDigest as `sha256:${string}`,
        reference: '1',
      });
      expect(pushed.digest).not.toBe(built.manifestDigest);
      const raw = JSON.parse(
        (await exec('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${name}`])).stdout,
      ) as ImageManifest;
      expect(raw.config.digest).toBe(built.imageId);
      expect(raw.layers.map((l) => l.mediaType)).toEqual(raw.layers.map(() => OciMediaType.layerGzip));
      const layout = path.join(await freshDir('o'), 'layout');
      await exec('skopeo', ['copy', '--src-tls-verify=false', `docker://${name}`, `oci:${layout}:x`]);
      for (const [i, layer] of raw.layers.entries()) {
        const blob = await readFile(path.join(layout, 'blobs', 'sha256', layer.digest.slice(7)));
        expect(sha256Digest(gunzipSync(blob))).toBe(diffIds[i]);
      }
      // The local manifest still names the uncompressed layers; the variants are recorded and reused.
      expect((await store.resolve('out:1')).manifestDigest).toBe(built.manifestDigest);
      const variant = await readVariant(store, 'gzip', diffIds[2] as `sha256:${string}`);
      expect(variant?.digest).toBe(raw.layers[2]!.digest);
      const again = await pushImage(client, store, parseDockerRef(name), {
        digest: built.manifestDigest as `sha256:${string}`,
        reference: '1',
      });
      expect(again).toEqual(pushed);
    } finally {
      client.close();
    }
  });

  it('saves an OCI archive with gzip layers that skopeo and umoci read', async () => {
    const dir = await freshDir('a');
    const archive = path.join(dir, 'out.tar');
    await saveOciArchive(store, ['out:1'], archive);
    const inspected = JSON.parse(
      (await exec('skopeo', ['inspect', '--raw', `oci-archive:${archive}:1`])).stdout,
    ) as ImageManifest;
    expect(inspected.config.digest).toBe(built.imageId);
    expect(inspected.layers.every((l) => l.mediaType === OciMediaType.layerGzip)).toBe(true);
    await exec('tar', ['-xf', archive, '-C', dir]);
    await exec('umoci', ['unpack', '--rootless', '--image', `${dir}:1`, path.join(dir, 'bundle')]);
    expect(await readFile(path.join(dir, 'bundle', 'rootfs', 'app', 'built'), 'utf8')).toBe('built\n');
    expect(await readFile(path.join(dir, 'bundle', 'rootfs', 'app', 'a.txt'), 'utf8')).toBe('a\n'.repeat(1000));
  });
});
