// Image exporters (`--output type=oci|docker|image`) and the `rewrite-timestamp` exporter option.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportOutput, parseOutput, rewriteTimestamps, wantsRewriteTimestamp } from '../../executor/index.js';
import {
  type Digest,
  digestHex,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  OciMediaType,
  putLayer,
  readTar,
  type Store,
  uncompressedLayer,
} from '../../image/index.js';
import { type TempStore, tempStore } from '../cli/image-helpers.js';

const run = promisify(execFile);
let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

/** An image of two layers: a "base" layer and a "new" one, each a file with the given mtime. */
async function twoLayerImage(store: Store, baseMtime: number, newMtime: number): Promise<Digest> {
  const file = (p: string, mtime: number) => ({ path: p, type: 'file' as const, mode: 0o644, uid: 0, gid: 0, mtime });
  const base = await putLayer(store, [{ ...file('base', baseMtime), content: Buffer.from('b') }]);
  const added = await putLayer(store, [
    { ...file('dir', newMtime), type: 'directory' as const, mode: 0o755 },
    { ...file('dir/new', newMtime), content: Buffer.from('new content') },
  ]);
  const config: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    created: '2020-01-01T00:00:00Z',
    config: {},
    rootfs: { type: 'layers', diff_ids: [base.diffId, added.diffId] },
    history: [{ created_by: 'base' }, { created_by: 'COPY new /dir/new' }],
  };
  const manifest = await store.putManifest({
    schemaVersion: 2,
    mediaType: OciMediaType.manifest,
    config: await store.putConfig(config),
    layers: [base.descriptor, added.descriptor],
  });
  return manifest.digest;
}

async function layerMtimes(store: Store, manifestDigest: Digest, index: number): Promise<Record<string, number>> {
  const manifest = await store.readJson<ImageManifest>(manifestDigest);
  const out: Record<string, number> = {};
  for await (const entry of readTar(uncompressedLayer(store, manifest.layers[index]!))) {
    for await (const _ of entry.body()) {
      // headers only
    }
    out[entry.header.path] = entry.header.mtime;
  }
  return out;
}

describe('parseOutput: image exporters', () => {
  it('reads oci, docker and image outputs, with CSV-quoted name lists', () => {
    expect(parseOutput('type=oci,dest=/x/out.tar,"name=org/repo:t1,alpine",rewrite-timestamp=true')).toEqual({
      type: 'oci',
      dest: '/x/out.tar',
      tar: true,
      names: ['docker.io/org/repo:t1', 'docker.io/library/alpine:latest'],
      rewriteTimestamp: true,
    });
    expect(parseOutput('type=oci,dest=/x/dir,tar=false,source-date-epoch=')).toMatchObject({
      tar: false,
      sourceDateEpoch: null,
    });
    expect(parseOutput('type=docker,dest=-')).toMatchObject({ type: 'docker', dest: '-', tar: true, names: [] });
    expect(parseOutput('type=image,name=a:1')).toMatchObject({ type: 'image', names: ['docker.io/library/a:1'] });
  });

  it('rejects what BuildKit rejects', () => {
    expect(() => parseOutput('type=oci')).toThrow('output type oci needs dest=');
    expect(() => parseOutput('type=docker,dest=x,tar=false')).toThrow(
      'output type docker is always a tar (tar=false is for oci)',
    );
    expect(() => parseOutput('type=oci,dest=x,tar=maybe')).toThrow('invalid value maybe for tar (true or false)');
    expect(() => parseOutput('type=oci,dest=x,source-date-epoch=soon')).toThrow(
      'invalid source-date-epoch soon (whole seconds)',
    );
    expect(() => parseOutput('type=ftp,dest=x')).toThrow(/^unsupported output type ftp/);
  });

  it('turns rewrite-timestamp into the build option', () => {
    expect(wantsRewriteTimestamp([parseOutput('type=local,dest=d')])).toBeUndefined();
    expect(wantsRewriteTimestamp([parseOutput('type=oci,dest=d,rewrite-timestamp=true')])).toEqual({});
    expect(wantsRewriteTimestamp([parseOutput('type=oci,dest=d,rewrite-timestamp=true,source-date-epoch=5')])).toEqual({
      epoch: 5,
    });
  });
});

describe('rewriteTimestamps', () => {
  it('clamps the new layers, annotates them, and leaves base layers alone', async () => {
    const original = await twoLayerImage(t.store, 2_000_000_000, 2_000_000_000);
    const rewritten = await rewriteTimestamps(t.store, original, 1, 1_000);
    expect(rewritten.manifestDigest).not.toBe(original);
    const manifest = await t.store.readJson<ImageManifest>(rewritten.manifestDigest);
    const before = await t.store.readJson<ImageManifest>(original);
    expect(manifest.layers[0]).toEqual(before.layers[0]);
    expect(manifest.layers[1]!.annotations).toEqual({ 'buildkit/rewritten-timestamp': '1000' });
    expect(manifest.layers[1]!.digest).not.toBe(before.layers[1]!.digest);
    expect(await layerMtimes(t.store, rewritten.manifestDigest, 0)).toEqual({ base: 2_000_000_000 });
    expect(await layerMtimes(t.store, rewritten.manifestDigest, 1)).toEqual({ dir: 1000, 'dir/new': 1000 });
    expect(rewritten.config.rootfs.diff_ids[1]).not.toBe(
      (await t.store.readJson<ImageConfig>(before.config.digest)).rootfs.diff_ids[1],
    );
    expect(rewritten.configDigest).toBe(manifest.config.digest);
  });

  it('keeps the bytes of a layer already within the epoch (only the annotation is added), and is idempotent', async () => {
    const original = await twoLayerImage(t.store, 5, 500);
    const once = await rewriteTimestamps(t.store, original, 1, 1_000);
    const manifest = await t.store.readJson<ImageManifest>(once.manifestDigest);
    const before = await t.store.readJson<ImageManifest>(original);
    expect(manifest.layers[1]!.digest).toBe(before.layers[1]!.digest);
    expect(manifest.layers[1]!.annotations).toEqual({ 'buildkit/rewritten-timestamp': '1000' });
    expect(await rewriteTimestamps(t.store, once.manifestDigest, 1, 1_000)).toMatchObject({
      manifestDigest: once.manifestDigest,
    });
  });
});

describe('exportOutput: image exporters', () => {
  const result = (manifestDigest: Digest, tags: string[] = []) => ({
    imageId: manifestDigest,
    manifestDigest,
    config: {} as ImageConfig,
    fs: { layers: [] },
    tags,
  });

  it('writes an OCI layout directory with one index entry per name', async () => {
    const digest = await twoLayerImage(t.store, 1, 1);
    const dest = path.join(t.dir, 'layout');
    await exportOutput(
      t.store,
      result(digest),
      parseOutput(`type=oci,dest=${dest},tar=false,"name=org/repo:t1,org/repo:t2"`),
    );
    expect((await readdir(dest)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
    const index = JSON.parse(await readFile(path.join(dest, 'index.json'), 'utf8')) as ImageIndex;
    const descriptor = {
      mediaType: OciMediaType.manifest,
      digest,
      size: await t.store.blobSize(digest),
      platform: { architecture: 'amd64', os: 'linux' },
    };
    expect(index).toEqual({
      schemaVersion: 2,
      mediaType: OciMediaType.index,
      manifests: [
        {
          ...descriptor,
          annotations: {
            'io.containerd.image.name': 'docker.io/org/repo:t1',
            'org.opencontainers.image.ref.name': 't1',
          },
        },
        {
          ...descriptor,
          annotations: {
            'io.containerd.image.name': 'docker.io/org/repo:t2',
            'org.opencontainers.image.ref.name': 't2',
          },
        },
      ],
    });
    const manifest = await t.store.readJson<ImageManifest>(digest);
    const blobs = (await readdir(path.join(dest, 'blobs/sha256'))).sort();
    expect(blobs).toEqual(
      [digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)].map(digestHex).sort(),
    );
    for (const hex of blobs) {
      expect(await readFile(path.join(dest, 'blobs/sha256', hex))).toEqual(await t.store.readBlob(`sha256:${hex}`));
    }
    // Names given to an image exporter are tags in the store too.
    expect((await t.store.resolve('org/repo:t2')).manifestDigest).toBe(digest);
  });

  it('writes the same layout as a tar, and a docker-archive with the build tags as RepoTags', async () => {
    const digest = await twoLayerImage(t.store, 1, 1);
    await t.store.tag('app:1', digest);
    const ociTar = path.join(t.dir, 'oci.tar');
    await exportOutput(t.store, result(digest, ['app:1']), parseOutput(`type=oci,dest=${ociTar}`));
    const listing = (await run('tar', ['-tf', ociTar])).stdout.trim().split('\n');
    expect(listing.slice(0, 3)).toEqual(['oci-layout', 'blobs/', 'blobs/sha256/']);
    expect(listing.at(-1)).toBe('index.json');
    const index = JSON.parse((await run('tar', ['-xOf', ociTar, 'index.json'])).stdout) as ImageIndex;
    expect(index.manifests.map((m) => m.annotations)).toEqual([
      { 'io.containerd.image.name': 'docker.io/library/app:1', 'org.opencontainers.image.ref.name': '1' },
    ]);

    const dockerTar = path.join(t.dir, 'docker.tar');
    await exportOutput(t.store, result(digest, ['app:1']), parseOutput(`type=docker,dest=${dockerTar}`));
    const dockerManifest = JSON.parse((await run('tar', ['-xOf', dockerTar, 'manifest.json'])).stdout);
    expect(dockerManifest).toHaveLength(1);
    expect(dockerManifest[0].RepoTags).toEqual(['app:1']);
    expect(dockerManifest[0].Layers).toHaveLength(2);
  });
});
