// Loading the stat cache: opening reads only the file's header, a snapshot reads the records in the
// background while it walks, a lookup before then reads them at once, and the memory of one load is
// reused by the next only once the cache that used it is gone.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StatCache, snapshotContext } from '../../cache/index.js';
import { digestOf, stamp, tempDirsPerTest, writeTree } from './helpers.js';

const newDir = tempDirsPerTest();

/** A saved cache of `n` records (inodes 1..n, digest i for inode i). */
async function savedCache(file: string, n: number, offset = 0): Promise<void> {
  const cache = await StatCache.open(file);
  for (let i = 1; i <= n; i++) cache.set({ ...stamp, ino: i }, 0o644, 0, 0, digestOf(offset + i));
  await cache.save();
}

describe('stat cache loading', () => {
  it('claims the records of its header until they are loaded, then has exactly the valid ones', async () => {
    const dir = await newDir();
    const file = path.join(dir, 'stat-cache');
    await savedCache(file, 3);
    const cache = await StatCache.open(file);
    expect(cache.size).toBe(3);
    await cache.loaded();
    expect(cache.size).toBe(3);
    expect(cache.get({ ...stamp, ino: 2 }, 0o644, 0, 0)).toBe(digestOf(2));

    // Same size, one digest byte changed: claimed until loaded, then empty.
    const bytes = await fsp.readFile(file);
    bytes[bytes.length - 40] ^= 1;
    await fsp.writeFile(file, bytes);
    const corrupt = await StatCache.open(file);
    expect(corrupt.size).toBe(3);
    corrupt.loadInBackground();
    await corrupt.loaded();
    expect(corrupt.size).toBe(0);
    expect(corrupt.get({ ...stamp, ino: 2 }, 0o644, 0, 0)).toBeUndefined();
  });

  it('a lookup before the background read ends loads the records at once, with the same answers', async () => {
    const dir = await newDir();
    const file = path.join(dir, 'stat-cache');
    await savedCache(file, 50);
    const cache = await StatCache.open(file);
    cache.loadInBackground();
    expect(cache.get({ ...stamp, ino: 7 }, 0o644, 0, 0)).toBe(digestOf(7));
    await cache.loaded();
    expect(cache.size).toBe(50);
    expect(cache.get({ ...stamp, ino: 50 }, 0o644, 0, 0)).toBe(digestOf(50));
    expect([cache.hits, cache.misses]).toEqual([2, 0]);
  });

  it('a cache still in use keeps its records when another file is loaded, and a save of it is exact', async () => {
    const dir = await newDir();
    const [a, b] = [path.join(dir, 'a'), path.join(dir, 'b')];
    await savedCache(a, 40);
    await savedCache(b, 30, 1000);
    const first = await StatCache.open(a);
    await first.loaded();
    for (let round = 0; round < 3; round++) {
      const other = await StatCache.open(b);
      other.loadInBackground();
      await other.loaded();
      expect(other.get({ ...stamp, ino: 30 }, 0o644, 0, 0)).toBe(digestOf(1030));
    }
    for (let i = 1; i <= 40; i++) expect(first.get({ ...stamp, ino: i }, 0o644, 0, 0)).toBe(digestOf(i));
    first.set({ ...stamp, ino: 41 }, 0o644, 0, 0, digestOf(41));
    await first.save();
    const again = await StatCache.open(a);
    await again.loaded();
    expect(again.size).toBe(41);
    expect(again.get({ ...stamp, ino: 1 }, 0o644, 0, 0)).toBe(digestOf(1));
  });

  it('a snapshot reads the records while it walks and answers every file from them', async () => {
    const ctx = await newDir();
    const store = await newDir();
    const tree: Record<string, string> = {};
    for (let i = 0; i < 40; i++) tree[`d${i % 4}/f${i}.txt`] = `content ${i}\n`;
    await writeTree(ctx, tree);
    // Changed over 0.5 s before they are hashed, or they are "racily clean" and not cached (file-hasher.ts).
    await new Promise((r) => setTimeout(r, 600));
    const file = path.join(store, 'stat-cache');
    const cold = await StatCache.open(file);
    const first = await snapshotContext(ctx, { statCache: cold, hashAll: true });
    expect(await first.digestAll()).toBe(40);
    const root = await first.contentDigest('');
    await cold.save();
    first.close();

    const warm = await StatCache.open(file);
    expect(warm.size).toBe(40);
    const second = await snapshotContext(ctx, { statCache: warm });
    expect(await second.digestAll()).toBe(40);
    expect(await second.contentDigest('')).toBe(root);
    expect([warm.hits, warm.misses]).toEqual([40, 0]);
    second.close();
  });
});
