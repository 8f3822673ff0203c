import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StatCache } from '../../cache/index.js';
import { digestOf, stamp, tempDirsPerTest } from './helpers.js';

const newDir = tempDirsPerTest();
const D1 = digestOf(1);

describe('stat cache records', () => {
  it('answers only the exact stat and header it was given: each key field changes the answer', () => {
    const cache = StatCache.inMemory();
    cache.set(stamp, 0o644, 0, 0, D1);
    expect(cache.get(stamp, 0o644, 0, 0)).toBe(D1);
    const variants = [
      { ...stamp, dev: 2050 },
      { ...stamp, ino: 1235 },
      { ...stamp, size: 6 },
      { ...stamp, mtimeMs: stamp.mtimeMs + 0.001 }, // one microsecond later
      { ...stamp, ctimeMs: stamp.ctimeMs + 0.001 },
    ];
    for (const v of variants) expect(cache.get(v, 0o644, 0, 0)).toBeUndefined();
    expect(cache.get(stamp, 0o755, 0, 0)).toBeUndefined();
    expect(cache.get(stamp, 0o644, 1000, 0)).toBeUndefined();
    expect(cache.get(stamp, 0o644, 0, 1000)).toBeUndefined();
    expect([cache.hits, cache.misses]).toEqual([1, 8]);
  });

  it('replaces the record of an older stat of the same file; keeps files apart by device and header', () => {
    const cache = StatCache.inMemory();
    cache.set(stamp, 0o644, 0, 0, D1);
    const changed = { ...stamp, size: 9, mtimeMs: stamp.mtimeMs + 5, ctimeMs: stamp.ctimeMs + 5 };
    cache.set(changed, 0o644, 0, 0, digestOf(2));
    expect(cache.size).toBe(1);
    expect(cache.get(stamp, 0o644, 0, 0)).toBeUndefined();
    expect(cache.get(changed, 0o644, 0, 0)).toBe(digestOf(2));
    cache.set({ ...stamp, dev: 7 }, 0o644, 0, 0, digestOf(3)); // same inode number, other device
    cache.set(changed, 0o644, 1000, 1000, digestOf(4)); // same file, owners kept
    expect(cache.size).toBe(3);
    expect(cache.get(changed, 0o644, 0, 0)).toBe(digestOf(2));
    expect(cache.get({ ...stamp, dev: 7 }, 0o644, 0, 0)).toBe(digestOf(3));
    expect(cache.get(changed, 0o644, 1000, 1000)).toBe(digestOf(4));
    expect(() => cache.set(stamp, 0o644, 0, 0, 'sha256:xyz')).toThrow('not a sha256 digest: sha256:xyz');
  });

  it('handles many records and inode numbers beyond 32 bits', () => {
    const cache = StatCache.inMemory();
    const big = 2 ** 40;
    for (let i = 0; i < 5000; i++) {
      cache.set({ ...stamp, ino: i }, 0o644, 0, 0, digestOf(i));
      cache.set({ ...stamp, ino: big + i * 2 ** 32 }, 0o644, 0, 0, digestOf(100_000 + i));
    }
    expect(cache.size).toBe(10_000);
    for (let i = 0; i < 5000; i += 499) {
      expect(cache.get({ ...stamp, ino: i }, 0o644, 0, 0)).toBe(digestOf(i));
      expect(cache.get({ ...stamp, ino: big + i * 2 ** 32 }, 0o644, 0, 0)).toBe(digestOf(100_000 + i));
    }
  });

  it('persists in its binary form, rewrites only after a change, and drops unused records on request', async () => {
    const store = await newDir('tsbuild-store-');
    const file = path.join(store, 'stat-cache');
    const cache = await StatCache.open(file);
    for (let i = 0; i < 3; i++) cache.set({ ...stamp, ino: i }, 0o644, 0, 0, digestOf(i));
    await cache.save();
    const bytes = await fsp.readFile(file);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('TSBSTAT2');
    expect(bytes.length).toBe(16 + 3 * 84 + 32);

    const again = await StatCache.open(file);
    expect(again.size).toBe(3);
    expect(again.get({ ...stamp, ino: 1 }, 0o644, 0, 0)).toBe(digestOf(1));
    // Nothing changed: no rewrite.
    await fsp.writeFile(file, 'sentinel');
    await again.save();
    expect(await fsp.readFile(file, 'utf8')).toBe('sentinel');
    // Only the record looked up is kept.
    again.retainUsed();
    await again.save();
    const pruned = await StatCache.open(file);
    expect(pruned.size).toBe(1);
    expect(pruned.get({ ...stamp, ino: 1 }, 0o644, 0, 0)).toBe(digestOf(1));
    pruned.set({ ...stamp, ino: 9 }, 0o644, 0, 0, digestOf(9)); // grows the loaded columns
    expect(pruned.get({ ...stamp, ino: 9 }, 0o644, 0, 0)).toBe(digestOf(9));
    expect(pruned.size).toBe(2);
  });

  it('ignores a file with any byte changed, truncated, extended or foreign', async () => {
    const store = await newDir('tsbuild-store-');
    const file = path.join(store, 'stat-cache');
    const cache = await StatCache.open(file);
    cache.set(stamp, 0o644, 0, 0, D1);
    await cache.save();
    const good = await fsp.readFile(file);
    const flipped = (at: number) => {
      const b = Buffer.from(good);
      b[at] ^= 1;
      return b;
    };
    const broken = [
      flipped(3), // magic
      flipped(8), // count
      flipped(20), // a stamp
      flipped(good.length - 40), // a digest byte
      flipped(good.length - 1), // the checksum
      good.subarray(0, good.length - 1),
      Buffer.concat([good, Buffer.alloc(84)]),
      Buffer.from('{"format":"tsbuild-stat-cache-v1","entries":{}}'),
    ];
    for (const b of broken) {
      await fsp.writeFile(file, b);
      // Opening reads the header only; the checksum is checked when the records are loaded.
      const cache = await StatCache.open(file);
      await cache.loaded();
      expect(cache.size).toBe(0);
      await fsp.writeFile(file, b);
      expect((await StatCache.open(file)).get(stamp, 0o644, 0, 0)).toBeUndefined();
    }
    await fsp.writeFile(file, good);
    expect((await StatCache.open(file)).get(stamp, 0o644, 0, 0)).toBe(D1);
  });
});
