// `import` and `load` unpack the new image's layers into snapshots (as `docker import`/`docker load` do), so the
// first build from the image does not pay for it; a layer that cannot be unpacked fails nothing.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as importRun } from '../../cli/commands/import/run.js';
import { run as loadRun } from '../../cli/commands/load/run.js';
import { run as save } from '../../cli/commands/save/run.js';
import { Store, tarChunks } from '../../image/index.js';
import { buildImage, capture, type TempStore, tarOf, tempStore } from './image-helpers.js';

const asRoot = process.getuid?.() === 0;

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

/** The snapshot directory of a layer: 16 hex digits of its diff_id. */
const snapshotOf = (store: Store, diffId: string) => path.join(store.paths.snapshots, diffId.slice(7, 23));

describe.skipIf(!asRoot)('import and load unpack layers for builds (root)', () => {
  it('import leaves the layer unpacked, and prints only the image ID', async () => {
    const file = path.join(t.dir, 'rootfs.tar');
    await writeFile(file, await tarOf({ 'bin/tool': '#!/bin/sh\n', 'etc/motd': 'hi\n' }));
    const c = capture();
    expect(await importRun({ root: t.root, file, name: 'base:1' }, c.io)).toBe(0);
    const image = await t.store.resolve('base:1');
    expect(c.out()).toBe(`${image.configDigest}\n`);
    expect(c.err()).toBe('');
    const snapshot = snapshotOf(t.store, image.config.rootfs.diff_ids[0] as string);
    expect(await readFile(path.join(snapshot, 'bin/tool'), 'utf8')).toBe('#!/bin/sh\n');
    expect(await readFile(path.join(snapshot, 'etc/motd'), 'utf8')).toBe('hi\n');
  });

  it('load unpacks every layer of every loaded image', async () => {
    await buildImage(t.store, 'app:1');
    const file = path.join(t.dir, 'oci.tar');
    expect(await save({ root: t.root, images: ['app:1'], output: file, format: 'oci' }, capture().io)).toBe(0);
    const other = await Store.open(path.join(t.dir, 'other'));
    const c = capture();
    expect(await loadRun({ root: other.root, input: file }, c.io)).toBe(0);
    expect(c.out()).toBe('Loaded image: app:1\n');
    expect(c.err()).toBe('');
    const [first, second] = (await other.resolve('app:1')).config.rootfs.diff_ids as string[];
    expect(await readFile(path.join(snapshotOf(other, first as string), 'etc/hello'), 'utf8')).toBe('hello a\n');
    expect(await readFile(path.join(snapshotOf(other, second as string), 'app/run.sh'), 'utf8')).toBe('echo a\n');
    expect((await readdir(other.paths.snapshots)).sort()).toEqual(
      [first, second].map((id) => (id as string).slice(7, 23)).sort(),
    );
  });

  it('a layer that cannot be unpacked fails nothing: a warning, and the build unpacks (and fails) later', async () => {
    const chunks: Buffer[] = [];
    const meta = { mode: 0o644, uid: 0, gid: 0, mtime: 0 };
    for await (const chunk of tarChunks([{ path: 'dangling', type: 'hardlink', linkname: 'missing', ...meta }])) {
      chunks.push(chunk);
    }
    const file = path.join(t.dir, 'odd.tar');
    await writeFile(file, Buffer.concat(chunks));
    const c = capture();
    expect(await importRun({ root: t.root, file, name: 'odd:1' }, c.io)).toBe(0);
    const image = await t.store.resolve('odd:1');
    expect(c.out()).toBe(`${image.configDigest}\n`);
    const layer = image.manifest.layers[0]?.digest as string;
    expect(c.err()).toBe(
      `warning: ${layer} not unpacked (hard link dangling points to "missing", which is not a file); a build will unpack it\n`,
    );
    expect(await readdir(t.store.paths.snapshots)).toEqual([]);
  });
});
