// Committing a layer with big files: files past 64 KiB are read into buffers reused across files and commits
// (image/store/buffer-pool.ts), which is only right because the store's blob writer is done with a chunk (hashed and
// copied) before it asks for the next one. The stored blob must be
// byte for byte the tar the plain entry conversion gives, and its digest the diff_id.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitLayer } from '../../executor/build/layer-commit.js';
import type { LayerEntry } from '../../executor/diff/layer-entry.js';
import { toTarEntry } from '../../executor/index.js';
import { layerTarBytes, Store } from '../../image/index.js';
import { removeScratch, scratchDir } from './helpers.js';

describe('commitLayer of big files', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = await scratchDir();
    store = await Store.open(path.join(dir, 'store'));
  });
  afterAll(async () => {
    await removeScratch(dir);
  });

  async function fileEntry(name: string, content: Buffer): Promise<LayerEntry> {
    const sourcePath = path.join(dir, name);
    await writeFile(sourcePath, content);
    return {
      path: name,
      type: 'file',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: content.length,
      mtime: new Date(1_700_000_000_000),
      sourcePath,
    };
  }

  it('stores exactly the tar of the entries, for files of many sizes around the read chunk (1 MiB)', async () => {
    const mib = 1 << 20;
    const kib64 = 64 * 1024;
    // Random content: a chunk overwritten before it was consumed would show as a digest and byte difference. Small
    // (read ahead whole) and pooled files alternate; two layers in a row reuse the same buffers.
    const sizes = [mib + 1, 2 * mib, kib64 + 1, 2 * mib + 511, kib64, 300_000, 5 * mib + 12345, 3 * mib - 1, 700, mib];
    for (const round of [1, 2]) {
      const files = sizes.map((size, i) => fileEntry(`r${round}-f${i}.bin`, randomBytes(size)));
      const entries = await Promise.all(round === 1 ? files : files.reverse());
      const expected = await layerTarBytes(entries.map(toTarEntry));
      const layer = await commitLayer(store, entries, null);
      // The blob is made durable in the background: its file has its name once it is.
      await store.blobsDurable([layer.digest]);
      const blob = await readFile(store.blobPath(layer.digest));
      expect(blob.equals(expected)).toBe(true);
      expect(layer.diffId).toBe(`sha256:${createHash('sha256').update(expected).digest('hex')}`);
      expect(layer.digest).toBe(layer.diffId);
      expect(layer.size).toBe(expected.length);
    }
  });

  it('refuses a big or pooled file that grew since the diff (content longer than its size)', async () => {
    for (const size of [3 << 20, 200_000]) {
      const entry = await fileEntry(`grown-${size}.bin`, randomBytes(size));
      await writeFile(entry.sourcePath as string, randomBytes(1024), { flag: 'a' });
      await expect(commitLayer(store, [entry], null)).rejects.toThrow(
        `grown-${size}.bin: content is longer than its size ${size}`,
      );
    }
  });

  it('reads small files whole, never through a symlink put in their place since the diff', async () => {
    const small = await fileEntry('small.txt', Buffer.from('small file\n'));
    const entries = [
      small,
      await fileEntry('medium.bin', randomBytes(20_000)),
      await fileEntry('empty', Buffer.alloc(0)),
    ];
    const expected = await layerTarBytes(entries.map(toTarEntry));
    const layer = await commitLayer(store, entries, null);
    await store.blobsDurable([layer.digest]);
    expect((await readFile(store.blobPath(layer.digest))).equals(expected)).toBe(true);

    const swapped = await fileEntry('swapped.txt', Buffer.from('0123456789'));
    await writeFile(path.join(dir, 'outside.txt'), '0123456789');
    await rm(swapped.sourcePath as string);
    await symlink(path.join(dir, 'outside.txt'), swapped.sourcePath as string);
    await expect(commitLayer(store, [swapped], null)).rejects.toThrow(/ELOOP/);

    const grown = await fileEntry('grown-small.txt', Buffer.from('12345'));
    await writeFile(grown.sourcePath as string, 'more', { flag: 'a' });
    await expect(commitLayer(store, [grown], null)).rejects.toThrow(
      'grown-small.txt: content is longer than its size 5',
    );
  });

  it('never reads a bigger file through a symlink put in its place either (blocking and streamed reads)', async () => {
    await writeFile(path.join(dir, 'outside.bin'), randomBytes(6 << 20));
    // 2 MiB is read with blocking calls beside the layer's fdatasyncs, 6 MiB streamed through the thread pool.
    for (const size of [2 << 20, 6 << 20]) {
      const swapped = await fileEntry(`swapped-${size}.bin`, randomBytes(size));
      await rm(swapped.sourcePath as string);
      await symlink(path.join(dir, 'outside.bin'), swapped.sourcePath as string);
      await expect(commitLayer(store, [swapped], null)).rejects.toThrow(/ELOOP/);
    }
  });
});
