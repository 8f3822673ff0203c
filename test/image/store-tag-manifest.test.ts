// `Store.tagManifest`: a build tags the manifest it has just stored from its descriptor (no read-back), with the
// same index.json as `tag` writes; index.json lists its references in code-unit order.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readIndexFile, Store, sha256Digest } from '../../image/index.js';
import { storeOneLayerImage } from './one-layer-image.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-tag-manifest-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const storeManifest = (store: Store, text: string) => storeOneLayerImage(store, text);

const refNameOf = (m: { annotations?: Record<string, string> }) => m.annotations?.['org.opencontainers.image.ref.name'];

const refNames = (index: { manifests: { annotations?: Record<string, string> }[] }) =>
  index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']);

describe('Store.tagManifest', () => {
  it('writes the index entry tag() writes for the same manifest', async () => {
    const byTag = await Store.open(path.join(dir, 'a'));
    const byDescriptor = await Store.open(path.join(dir, 'b'));
    await byTag.tag('app:1', (await storeManifest(byTag, 'layer')).digest);
    await byDescriptor.tagManifest('app:1', await storeManifest(byDescriptor, 'layer'));
    const [a, b] = await Promise.all([readFile(byTag.paths.indexJson), readFile(byDescriptor.paths.indexJson)]);
    expect(b.toString()).toBe(a.toString());
    expect((await byDescriptor.resolve('app:1')).manifestDigest).toBe((await byTag.resolve('app:1')).manifestDigest);
  });

  it('leaves index.json untouched when the tag already names that manifest, and moves it otherwise', async () => {
    const store = await Store.open(dir);
    const first = await storeManifest(store, 'one');
    await store.tagManifest('app', first);
    const before = await stat(store.paths.indexJson);
    await store.tagManifest('app', first);
    expect((await stat(store.paths.indexJson)).ino).toBe(before.ino); // not replaced by a rename
    const second = await storeManifest(store, 'two');
    await store.tagManifest('docker.io/library/app:latest', second);
    expect((await store.resolve('app')).manifestDigest).toBe(second.digest);
  });

  it('keeps the image a moved tag leaves as a dangling one when nothing else names it, as docker', async () => {
    const store = await Store.open(dir);
    const first = await storeManifest(store, 'one');
    const second = await storeManifest(store, 'two');
    const third = await storeManifest(store, 'three');
    await store.tagManifest('app:1', first);
    await store.tagManifest('app:1', second);
    const entries = async () =>
      (await readIndexFile(store.paths.indexJson)).manifests.map((m) => [refNameOf(m), m.digest]);
    expect(await entries()).toEqual([
      [undefined, first.digest],
      ['docker.io/library/app:1', second.digest],
    ]);
    expect((await store.resolve(first.digest)).manifestDigest).toBe(first.digest);
    // Still named by another tag: no dangling entry for it.
    await store.tagManifest('other:1', second);
    await store.tagManifest('app:1', third);
    expect(await entries()).toEqual([
      [undefined, first.digest],
      ['docker.io/library/app:1', third.digest],
      ['docker.io/library/other:1', second.digest],
    ]);
  });

  it('refuses a digest reference naming another manifest', async () => {
    const store = await Store.open(dir);
    const manifest = await storeManifest(store, 'one');
    const other = sha256Digest('other');
    await expect(store.tagManifest(`app@${other}`, manifest)).rejects.toThrow(
      `app@${other} names ${other}, not ${manifest.digest}`,
    );
  });

  it('orders index.json by code unit: upper case before lower case, `-` before `.` before `:`', async () => {
    const store = await Store.open(dir);
    const manifest = await storeManifest(store, 'one');
    for (const ref of ['b:x', 'a.b:1', 'a-b:1', 'a:Z', 'a:a', 'a:1']) await store.tagManifest(ref, manifest);
    const index = JSON.parse(await readFile(store.paths.indexJson, 'utf8'));
    expect(refNames(index)).toEqual([
      'docker.io/library/a-b:1',
      'docker.io/library/a.b:1',
      'docker.io/library/a:1',
      'docker.io/library/a:Z',
      'docker.io/library/a:a',
      'docker.io/library/b:x',
    ]);
  });
});
