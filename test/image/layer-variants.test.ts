// Compressed variants of uncompressed layers: made on first need, recorded, reused; the exported form of an image
// (push, OCI archive) lists them while the local manifest keeps the uncompressed layers and the same config.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compressedImage,
  compressedLayer,
  type Descriptor,
  type Digest,
  DockerMediaType,
  type ImageManifest,
  layerTarBytes,
  OciMediaType,
  readVariant,
  Store,
  sha256Digest,
  uncompressedLayerInfo,
  variantRecordPath,
} from '../../image/index.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tsbuild-variants-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshStore = () => Store.open(path.join(scratch, `store-${n++}`));

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  return layerTarBytes(
    Object.entries(files).map(([p, text]) => ({
      path: p,
      type: 'file' as const,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: 1_700_000_000,
      content: Buffer.from(text),
    })),
  );
}

/** An image of uncompressed layers, as a build commits it. */
async function builtImage(
  store: Store,
  texts: readonly string[],
): Promise<{ manifest: Descriptor; layers: Descriptor[] }> {
  const layers: Descriptor[] = [];
  for (const [i, text] of texts.entries()) {
    const stored = await store.putBlob(await tarOf({ [`f${i}`]: text.repeat(200) }));
    layers.push({ mediaType: OciMediaType.layer, ...stored });
  }
  const config = await store.putConfig({
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
  });
  const manifest = await store.putManifest({ schemaVersion: 2, mediaType: OciMediaType.manifest, config, layers });
  return { manifest, layers };
}

describe('compressed layer variants', () => {
  it('are made once, recorded, and decompress to the diff_id', async () => {
    const store = await freshStore();
    const { layers } = await builtImage(store, ['hello ']);
    const layer = layers[0]!;
    expect(await readVariant(store, 'gzip', layer.digest)).toBeNull();
    const gz = await compressedLayer(store, layer);
    expect(gz.mediaType).toBe(OciMediaType.layerGzip);
    expect(gz.digest).not.toBe(layer.digest);
    const blob = await store.readBlob(gz.digest);
    expect(blob.length).toBe(gz.size);
    expect(sha256Digest(gunzipSync(blob))).toBe(layer.digest);
    expect(await readVariant(store, 'gzip', layer.digest)).toEqual({ digest: gz.digest, size: gz.size });
    expect(JSON.parse(readFileSync(variantRecordPath(store, 'gzip', layer.digest), 'utf8'))).toEqual({
      digest: gz.digest,
      size: gz.size,
    });
  });

  it('are reused: a second request reads the record and writes nothing', async () => {
    const store = await freshStore();
    const { layers } = await builtImage(store, ['reuse ']);
    const first = await compressedLayer(store, layers[0]!);
    // A record pointing at a planted blob proves the second call trusts the record instead of compressing.
    const planted = await store.putBlob(Buffer.from('planted'));
    writeFileSync(variantRecordPath(store, 'gzip', layers[0]!.digest), JSON.stringify(planted));
    expect((await compressedLayer(store, layers[0]!)).digest).toBe(planted.digest);
    writeFileSync(variantRecordPath(store, 'gzip', layers[0]!.digest), JSON.stringify(first));
    expect(await compressedLayer(store, layers[0]!)).toEqual(first);
  });

  it('give the same digest every time, in another store too (deterministic gzip)', async () => {
    const a = await freshStore();
    const b = await freshStore();
    const la = (await builtImage(a, ['same '])).layers[0]!;
    const lb = (await builtImage(b, ['same '])).layers[0]!;
    const [ga, gb] = await Promise.all([compressedLayer(a, la), compressedLayer(b, lb)]);
    expect(ga).toEqual(gb);
    const zstd = await compressedLayer(a, la, 'zstd');
    expect(zstd.mediaType).toBe(OciMediaType.layerZstd);
    expect(await compressedLayer(b, lb, 'zstd')).toEqual(zstd);
  });

  it('survive a crash at any point: a missing blob, a torn or missing record only mean doing it again', async () => {
    const store = await freshStore();
    const layer = (await builtImage(store, ['crash '])).layers[0]!;
    const made = await compressedLayer(store, layer);
    const record = variantRecordPath(store, 'gzip', layer.digest);
    // Killed after the blob, before the record.
    rmSync(record);
    expect(await compressedLayer(store, layer)).toEqual(made);
    // A torn record (no atomic rename happened) and a record whose blob was removed.
    writeFileSync(record, '{"digest":"sha256:');
    expect(await compressedLayer(store, layer)).toEqual(made);
    rmSync(store.blobPath(made.digest));
    expect(await readVariant(store, 'gzip', layer.digest)).toBeNull();
    expect(await compressedLayer(store, layer)).toEqual(made);
    expect(existsSync(store.blobPath(made.digest))).toBe(true);
  });

  it('leave compressed layers alone and keep Docker media types Docker', async () => {
    const store = await freshStore();
    const gzipped: Descriptor = { mediaType: OciMediaType.layerGzip, digest: sha256Digest('x'), size: 1 };
    expect(await compressedLayer(store, gzipped)).toBe(gzipped);
    const tar = await store.putBlob(await tarOf({ d: 'docker' }));
    const docker = await compressedLayer(store, { mediaType: 'application/vnd.docker.image.rootfs.diff.tar', ...tar });
    expect(docker.mediaType).toBe(DockerMediaType.layerGzip);
  });

  it('remember the uncompressed size of a gzip layer, so a docker-archive reads it once', async () => {
    const store = await freshStore();
    const { layers } = await builtImage(store, ['size ']);
    const gz = await compressedLayer(store, layers[0]!);
    expect(await readVariant(store, 'tar', gz.digest)).toBeNull();
    expect(await uncompressedLayerInfo(store, gz)).toEqual({ diffId: layers[0]!.digest, size: layers[0]!.size });
    expect(await readVariant(store, 'tar', gz.digest)).toEqual({ digest: layers[0]!.digest, size: layers[0]!.size });
  });

  it('are kept by prune while their layer is live, and go with it', async () => {
    const store = await freshStore();
    const { manifest, layers } = await builtImage(store, ['prune ']);
    await store.tag('app:1', manifest.digest);
    const gz = await compressedLayer(store, layers[0]!);
    await store.prune({ gracePeriodMs: 0 });
    expect(await store.hasBlob(gz.digest)).toBe(true);
    expect(await readVariant(store, 'gzip', layers[0]!.digest)).not.toBeNull();
    await store.untag('app:1');
    await store.prune({ gracePeriodMs: 0 });
    expect(await store.hasBlob(gz.digest)).toBe(false);
    expect(existsSync(variantRecordPath(store, 'gzip', layers[0]!.digest))).toBe(false);
  });
});

describe('compressedImage', () => {
  it('is a stored manifest with the gzip variants and the same config; the local manifest is unchanged', async () => {
    const store = await freshStore();
    const { manifest, layers } = await builtImage(store, ['one ', 'two ']);
    const exported = await compressedImage(store, manifest.digest);
    expect(exported.digest).not.toBe(manifest.digest);
    expect(exported.mediaType).toBe(OciMediaType.manifest);
    const local = await store.readJson<ImageManifest>(manifest.digest);
    const remote = await store.readJson<ImageManifest>(exported.digest);
    expect(local.layers).toEqual(layers);
    expect(remote.config).toEqual(local.config);
    expect(remote.layers.map((l) => l.mediaType)).toEqual([OciMediaType.layerGzip, OciMediaType.layerGzip]);
    for (const [i, l] of remote.layers.entries()) {
      expect(sha256Digest(gunzipSync(await store.readBlob(l.digest)))).toBe(layers[i]!.digest);
    }
    expect(await compressedImage(store, manifest.digest)).toEqual(exported);
    // Already compressed: the same manifest, byte for byte.
    expect(await compressedImage(store, exported.digest)).toEqual({ ...exported });
  });

  it('rewrites an index through its platform manifests', async () => {
    const store = await freshStore();
    const { manifest } = await builtImage(store, ['idx ']);
    const missing: Digest = sha256Digest('never pulled');
    const index = await store.putManifest({
      schemaVersion: 2,
      mediaType: OciMediaType.index,
      manifests: [
        { ...manifest, platform: { architecture: 'amd64', os: 'linux' } },
        {
          mediaType: OciMediaType.manifest,
          digest: missing,
          size: 10,
          platform: { architecture: 'arm64', os: 'linux' },
        },
      ],
    });
    const exported = await compressedImage(store, index.digest);
    const json = await store.readJson<{ manifests: Descriptor[] }>(exported.digest);
    expect(json.manifests[0]!.digest).toBe((await compressedImage(store, manifest.digest)).digest);
    expect(json.manifests[0]!.platform).toEqual({ architecture: 'amd64', os: 'linux' });
    expect(json.manifests[1]!.digest).toBe(missing);
  });
});
