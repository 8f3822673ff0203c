// A RUN's layer is kept as its snapshot: the commit hashes the tar without writing it and stores a recipe
// (image/store/layer-recipe.ts); the tar is rebuilt, verified, when something needs the blob. What must hold: the
// rebuilt bytes are the committed ones (archives, registry-bound files), a changed snapshot is an error and never
// a wrong blob, and prune keeps what an image uses and removes the rest.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneSnapshots } from '../../cli/commands/prune/snapshots.js';
import { run as save } from '../../cli/commands/save/run.js';
import { snapshotIdOf } from '../../executor/index.js';
import {
  type Digest,
  type ImageConfig,
  layerContentSize,
  loadArchive,
  OciMediaType,
  readTar,
  type Store,
  saveDockerArchive,
} from '../../image/index.js';
import { capture } from '../cli/image-helpers.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const RUN = 'RUN head -c 300000 /dev/zero > /big && echo x > /small && mkdir /d && ln -s /big /d/link';

async function sha256Of(chunks: AsyncIterable<Uint8Array>): Promise<Digest> {
  const hash = createHash('sha256');
  for await (const chunk of chunks) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

async function tarListing(chunks: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const { header, body } of readTar(chunks)) {
    for await (const _ of body()) {
      // drained: the reader needs each body consumed before the next header
    }
    out.push(`${header.type} ${header.path} ${header.size}`);
  }
  return out;
}

describe.skipIf(isolationUnavailable() !== undefined)('RUN layers kept as their snapshot', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  async function buildTop(dockerfile: string, tags: string[] = []) {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    const run = await buildIn(store, ctx, { tags });
    expect(run.error).toBeNull();
    const layer = run.result!.fs.layers.at(-1)!;
    return { run, layer };
  }

  it('stores no blob for a layer of big files, only its recipe; the tar rebuilt from the snapshot is the committed one', async () => {
    const { layer } = await buildTop(`FROM busybox\n${RUN}\n`);
    expect(layer.mediaType).toBe(OciMediaType.layer);
    expect(existsSync(store.blobPath(layer.digest))).toBe(false);
    expect(await readdir(store.paths.recipes)).toContain(`${layer.digest.slice(7)}.json`);
    expect(await store.isLazyLayer(layer.digest)).toBe(true);
    expect(await store.hasBlob(layer.digest)).toBe(true);
    expect(await store.blobSize(layer.digest)).toBe(layer.size);
    expect(await sha256Of(store.openBlob(layer.digest))).toBe(layer.digest);
    expect(await tarListing(store.openBlob(layer.digest))).toEqual([
      'file big 300000',
      'directory d 0',
      'symlink d/link 0',
      'file small 2',
    ]);
    // docker's SIZE of the layer, from the recipe's headers: the file contents and the symlink's target.
    expect(await layerContentSize(store, { mediaType: layer.mediaType, digest: layer.digest, size: layer.size })).toBe(
      300000 + 2 + '/big'.length,
    );
  });

  it('writes the blob of a layer of many small files, as rebuilding it would cost more than writing it', async () => {
    const { layer } = await buildTop(
      'FROM busybox\nRUN for i in $(seq 1 100); do head -c 4096 /dev/zero > /f$i; done\n',
    );
    expect(existsSync(store.blobPath(layer.digest))).toBe(true);
    expect(await store.isLazyLayer(layer.digest)).toBe(false);
  });

  it('saves a docker archive whose layers are the tars the image config names', async () => {
    await buildTop(`FROM busybox\n${RUN}\nRUN echo second > /second\n`, ['lazy:save']);
    const dir = await freshDir('a');
    const archive = path.join(dir, 'image.tar');
    await saveDockerArchive(store, ['lazy:save'], archive);
    const files = new Map<string, Buffer>();
    for await (const { header, body } of readTar([await readFile(archive)])) {
      const chunks: Buffer[] = [];
      for await (const chunk of body()) chunks.push(chunk);
      if (header.type === 'file') files.set(header.path, Buffer.concat(chunks));
    }
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { Config: string; Layers: string[] }[];
    const config = JSON.parse(files.get(manifest[0]!.Config)!.toString()) as ImageConfig;
    const layerDigests = manifest[0]!.Layers.map(
      (name) => `sha256:${createHash('sha256').update(files.get(name)!).digest('hex')}`,
    );
    expect(layerDigests).toEqual(config.rootfs.diff_ids);
  });

  it('writes the blob when a reader needs a file; the recipe goes and the bytes stay the same', async () => {
    const { layer } = await buildTop(`FROM busybox\n${RUN}\nRUN head -c 200000 /dev/zero > /ensure\n`);
    expect(await store.isLazyLayer(layer.digest)).toBe(true);
    const file = await store.ensureBlob(layer.digest);
    expect(file).toBe(store.blobPath(layer.digest));
    expect(
      `sha256:${createHash('sha256')
        .update(await readFile(file))
        .digest('hex')}`,
    ).toBe(layer.digest);
    expect(existsSync(path.join(store.paths.recipes, `${layer.digest.slice(7)}.json`))).toBe(false);
    expect(await store.isLazyLayer(layer.digest)).toBe(false);
    expect(await sha256Of(store.openBlob(layer.digest))).toBe(layer.digest);
  });

  it('refuses to rebuild a layer whose snapshot changed, naming it, and writes no blob', async () => {
    const { layer } = await buildTop(`FROM busybox\n${RUN}\nRUN head -c 200000 /dev/zero > /spoiled\n`);
    const snapshot = path.join(store.paths.snapshots, snapshotIdOf(layer.diffId));
    await appendFile(path.join(snapshot, 'spoiled'), 'x');
    const message = new RegExp(
      `layer ${layer.digest} cannot be rebuilt from its snapshot: ${snapshot}/spoiled has 200001 bytes, the layer 200000`,
    );
    await expect(sha256Of(store.openBlob(layer.digest))).rejects.toThrow(message);
    await expect(store.ensureBlob(layer.digest)).rejects.toThrow(message);
    expect(existsSync(store.blobPath(layer.digest))).toBe(false);
    expect((await readdir(store.paths.blobs)).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('runs a cached step again when its layer is kept as a snapshot that is gone', async () => {
    const dockerfile = `FROM busybox\n${RUN}\nRUN head -c 200000 /dev/zero > /gone\n`;
    const { layer } = await buildTop(dockerfile);
    await rm(path.join(store.paths.snapshots, snapshotIdOf(layer.diffId)), { recursive: true });
    const again = await buildTop(dockerfile);
    expect(again.run.log).toMatch(/\[3\/3\] RUN head -c 200000[^\n]*\n(?!#\d+ CACHED)/);
    // Run again, the step's layer is usable (its files' times may differ: another layer then, as in docker).
    const rebuilt = again.layer;
    expect(existsSync(path.join(store.paths.snapshots, snapshotIdOf(rebuilt.diffId)))).toBe(true);
    expect(await sha256Of(store.openBlob(rebuilt.digest))).toBe(rebuilt.digest);
  });

  it('counts a layer whose snapshot was removed by hand as not stored: save names both, a load writes the blob again', async () => {
    const { layer } = await buildTop(`FROM busybox\n${RUN}\nRUN head -c 200000 /dev/zero > /removed\n`, ['lazy:gone']);
    const archive = path.join(await freshDir('a'), 'image.tar');
    await saveDockerArchive(store, ['lazy:gone'], archive);
    const snapshot = path.join(store.paths.snapshots, snapshotIdOf(layer.diffId));
    await rm(snapshot, { recursive: true });

    expect(await store.hasBlob(layer.digest)).toBe(false);
    expect(await store.blobForm(layer.digest)).toBeNull();
    const out = capture();
    expect(
      await save(
        { root: store.root, images: ['lazy:gone'], output: path.join(path.dirname(archive), 'again.tar') },
        out.io,
      ),
    ).toBe(1);
    expect(out.err()).toBe(
      `Error: layer ${layer.digest} cannot be rebuilt: its snapshot ${snapshot} is gone; ` +
        'remove the images that use it and build (or pull) them again\n',
    );
    expect(existsSync(store.blobPath(layer.digest))).toBe(false);

    // A load (or a pull) of the same layer stores it again: readable, and the cache's steps may use it.
    await loadArchive(store, archive);
    expect(await store.blobForm(layer.digest)).toBe('file');
    expect(await sha256Of(store.openBlob(layer.digest))).toBe(layer.digest);
  });

  it('prune sweeps the recipe of a layer whose snapshot is gone, as it holds no bytes', async () => {
    const { layer } = await buildTop(`FROM busybox\n${RUN}\nRUN head -c 200000 /dev/zero > /swept\n`, ['lazy:swept']);
    await rm(path.join(store.paths.snapshots, snapshotIdOf(layer.diffId)), { recursive: true });
    const swept = await store.prune({ gracePeriodMs: 0 });
    expect(swept.removedBlobs).toContain(layer.digest);
    expect(existsSync(path.join(store.paths.recipes, `${layer.digest.slice(7)}.json`))).toBe(false);
  });

  it('prune keeps the recipe and snapshot of an image it keeps, and removes both with the image', async () => {
    const { layer } = await buildTop(`FROM busybox\n${RUN}\nRUN head -c 200000 /dev/zero > /prune\n`, ['lazy:prune']);
    const recipe = path.join(store.paths.recipes, `${layer.digest.slice(7)}.json`);
    const snapshot = path.join(store.paths.snapshots, snapshotIdOf(layer.diffId));
    const kept = await store.prune({ gracePeriodMs: 0 });
    expect(kept.removedBlobs).not.toContain(layer.digest);
    expect((await pruneSnapshots(store, [], 0)).removed).not.toContain(snapshotIdOf(layer.diffId));
    expect(existsSync(recipe) && existsSync(snapshot)).toBe(true);

    await store.removeImage('lazy:prune');
    const swept = await store.prune({ gracePeriodMs: 0 });
    expect(swept.removedBlobs).toContain(layer.digest);
    expect(existsSync(recipe)).toBe(false);
    expect((await pruneSnapshots(store, [], 0)).removed).toContain(snapshotIdOf(layer.diffId));
    expect(existsSync(snapshot)).toBe(false);
  });
});
