// Committing a layer with big files: they are read into reused buffers, which is only right because the store's
// blob writer is done with a chunk (hashed and copied) before it asks for the next one. The stored blob must be
// byte for byte the tar the plain entry conversion gives, and its digest the diff_id.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
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
    // Random content: a chunk overwritten before it was consumed would show as a digest and byte difference.
    const sizes = [mib + 1, 2 * mib, 2 * mib + 511, 5 * mib + 12345, 3 * mib - 1, 700, mib];
    const entries = await Promise.all(sizes.map((size, i) => fileEntry(`f${i}.bin`, randomBytes(size))));
    const expected = await layerTarBytes(entries.map(toTarEntry));
    const layer = await commitLayer(store, entries, null);
    const blob = await readFile(store.blobPath(layer.digest));
    expect(blob.equals(expected)).toBe(true);
    expect(layer.diffId).toBe(`sha256:${createHash('sha256').update(expected).digest('hex')}`);
    expect(layer.digest).toBe(layer.diffId);
    expect(layer.size).toBe(expected.length);
  });

  it('refuses a big file that grew since the diff (content longer than its size)', async () => {
    const entry = await fileEntry('grown.bin', randomBytes(3 << 20));
    await writeFile(entry.sourcePath as string, randomBytes(1024), { flag: 'a' });
    await expect(commitLayer(store, [entry], null)).rejects.toThrow(
      `grown.bin: content is longer than its size ${3 << 20}`,
    );
  });
});
