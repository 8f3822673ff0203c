// A cold `hashAll` hashes each regular file right after its lstat, on both threads (stat-batch.ts),
// and the stat cache is saved in lookup order so that a re-walk needs no inode index.

import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileHeaderText } from '../../cache/context/checksum.js';
import { ContextWorker, FIELDS, float64s } from '../../cache/context/context-worker.js';
import { writeFileHeader } from '../../cache/context/hash-file.js';
import { lookupOrder } from '../../cache/context/stat-cache-order.js';
import { READ_BUFFER } from '../../cache/context/worker-source.js';
import { defaultFileReader, fileDigest, headerFor, StatCache, snapshotContext } from '../../cache/index.js';
import { tempDir, writeTree } from './helpers.js';

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
  dirs = [];
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (b: Uint8Array, k: number): string =>
  `sha256:${Buffer.from(b.subarray(k * 32, k * 32 + 32)).toString('hex')}`;

/** 2,600 files in 13 directories (more than one 2,048-path stat segment), a link and an excluded directory. */
async function tree(): Promise<string> {
  const root = await tempDir();
  dirs.push(root);
  const files: Record<string, string | { symlink: string }> = { '.dockerignore': 'x\n', 'x/gone': 'x' };
  for (let i = 0; i < 2600; i++) files[`d${i % 13}/f${i}`] = `${i}\n`.repeat(i % 11);
  files['d3/link'] = { symlink: '../d4/f4' };
  await writeTree(root, files);
  return root;
}

describe('hashing as the walk goes', () => {
  it('writes the header text of checksum.ts for any number', () => {
    const buf = Buffer.alloc(200);
    const values = [0, 1, 9, 10, 99, 100, 4095, 65534, 2 ** 31, 2 ** 32 - 1, 2 ** 40 + 7, 2 ** 53 - 1];
    for (const v of values) {
      for (const [mode, uid, gid, size] of [
        [0o100644, 0, 0, v],
        [v, v, v, v],
        [0o107777, 1000, v, 0],
      ]) {
        const n = writeFileHeader(buf, mode, uid, gid, size);
        expect(buf.toString('latin1', 0, n)).toBe(fileHeaderText(mode, uid, gid, size));
      }
    }
  });

  it('gives the digests of one-by-one hashing, with and without a helper thread, and fills the stat cache', async () => {
    const root = await tree();
    await sleep(600); // older than the racy window, so digests are cached
    const oneByOne = await snapshotContext(root, { readFile: defaultFileReader });
    const expected = await oneByOne.contentDigest('');
    for (const parallelStatMin of [0, 1e9]) {
      const cache = StatCache.inMemory();
      const snap = await snapshotContext(root, { statCache: cache, hashAll: true, parallelStatMin });
      // Hashed by the walk: every file is in the cache before a digest is asked for.
      expect(cache.size).toBe(2601);
      expect(await snap.digestAll()).toBe(2601);
      expect(await snap.contentDigest('')).toBe(expected);
      for (const p of ['d0/f0', 'd12/f2599', 'd3/link', '.dockerignore', 'd4']) {
        expect(await snap.entryDigest(p)).toBe(await oneByOne.entryDigest(p));
      }
      expect(snap.get('x/gone')).toBeUndefined();
      // A re-walk takes every digest from the cache.
      const warm = await snapshotContext(root, { statCache: cache, hashAll: true });
      const misses = cache.misses;
      expect(await warm.contentDigest('')).toBe(expected);
      expect(cache.misses).toBe(misses);
      snap.close();
      warm.close();
    }
  });

  it('does not cache files changed within the racy window, and keeps owners when asked', async () => {
    const root = await tree();
    await sleep(600);
    const soon = new Date(Date.now() + 60_000);
    await fsp.utimes(path.join(root, 'd0/f0'), soon, soon);
    await fsp.utimes(path.join(root, 'd1/f1'), soon, soon);
    const cache = StatCache.inMemory();
    const snap = await snapshotContext(root, { statCache: cache, hashAll: true, resetOwner: false });
    expect(await snap.digestAll()).toBe(2601);
    const entry = snap.get('d0/f0')!;
    expect(cache.get(entry, 0o644, entry.uid, entry.gid)).toBeUndefined();
    const older = snap.get('d2/f2')!;
    expect(cache.get(older, 0o644, older.uid, older.gid)).toBe(await snap.entryDigest('d2/f2'));
    const content = await fsp.readFile(path.join(root, 'd0/f0'));
    expect(await snap.entryDigest('d0/f0')).toBe(fileDigest(headerFor(entry, { resetOwner: false }), content));
    snap.close();
  });

  it('a stat job hashes the regular files it lstats around the read buffer size, on both threads', async () => {
    const root = await tempDir();
    dirs.push(root);
    const fit = READ_BUFFER - fileHeaderText(0o644, 0, 0, READ_BUFFER).length;
    const sizes = [0, 1, fit - 1, fit, fit + 1, READ_BUFFER + 7, 2 * READ_BUFFER + 3];
    const contents = sizes.map((size, k) => Buffer.alloc(size, String(k)));
    const paths = [...sizes.map((_, k) => `f${k}`), 'dir', 'link'];
    await writeTree(root, {
      ...Object.fromEntries(sizes.map((_, k) => [`f${k}`, ''])),
      'dir/': '',
      link: { symlink: 'f1' },
    });
    for (const [k, c] of contents.entries()) await fsp.writeFile(path.join(root, `f${k}`), c);
    const worker = ContextWorker.start(true)!;
    try {
      for (const shared of [true, false]) {
        const n = paths.length;
        const bytes = (len: number) => new Uint8Array(shared ? new SharedArrayBuffer(len) : new ArrayBuffer(len));
        const numbers = float64s(n * FIELDS, shared);
        const digests = bytes(n * 32);
        const hashed = bytes(n);
        // Listed as regular files: every file, and the link (a symlink swapped in: lstat'ed, not followed).
        const opened = Uint8Array.from(paths, (p) => (p === 'dir' ? 0 : 1));
        const job = { kind: 'stat' as const, prefix: `${root}/`, paths, chunk: 1, numbers, digests, hashed, opened };
        if (shared) await ContextWorker.run({ ...job, resetOwner: true }, worker, false);
        else await ContextWorker.run({ ...job, resetOwner: true }, null);
        expect(Array.from(hashed)).toEqual([...sizes.map(() => 1), 0, 0]);
        expect([numbers[(n - 2) * FIELDS] & 0o170000, numbers[(n - 1) * FIELDS] & 0o170000]).toEqual([
          0o040000, 0o120000,
        ]);
        for (const [k, size] of sizes.entries()) {
          const expected = createHash('sha256')
            .update(fileHeaderText(0o644, 0, 0, size))
            .update(contents[k]);
          expect(hex(digests, k)).toBe(`sha256:${expected.digest('hex')}`);
          expect(numbers[k * FIELDS + 3]).toBe(size);
        }
      }
    } finally {
      worker.close();
    }
  });
});

describe('stat cache order', () => {
  it('is the order records were asked for, then the records not asked for', () => {
    expect(lookupOrder(new Int32Array([1, 11, 21, 0, 0]), 5)).toBeNull();
    expect(Array.from(lookupOrder(new Int32Array([21, 0, 1, 11]), 4)!)).toEqual([2, 3, 0, 1]);
    expect(Array.from(lookupOrder(new Int32Array([0, 5]), 2)!)).toEqual([1, 0]);
  });

  it('is saved in lookup order, rewritten only when it is not, and written in the background', async () => {
    const store = await tempDir('tsbuild-store-');
    dirs.push(store);
    const file = path.join(store, 'stat-cache');
    const stamp = { dev: 2049, size: 5, mtimeMs: 1_700_000_000_123.456, ctimeMs: 1_700_000_000_124.5 };
    const fields = new Float64Array(3 * FIELDS);
    for (let i = 0; i < 3; i++) {
      fields.set([0o100644, 0, 0, stamp.size, stamp.mtimeMs, stamp.ctimeMs, stamp.dev, 100 + i, 1, 0], i * FIELDS);
    }
    const digest = (i: number) => createHash('sha256').update(String(i)).digest();
    const cache = await StatCache.open(file);
    for (const i of [2, 0, 1])
      cache.set({ ...stamp, ino: 100 + i }, 0o644, 0, 0, `sha256:${digest(i).toString('hex')}`);
    await cache.save();
    const inodesOnDisk = async () =>
      Array.from(new Float64Array(new Uint8Array((await fsp.readFile(file)).subarray(16, 16 + 120)).buffer)).filter(
        (_, k) => k % 5 === 1,
      );
    expect(await inodesOnDisk()).toEqual([102, 100, 101]);
    // Looked up in walk order: saved in that order although nothing changed.
    const again = await StatCache.open(file);
    const out = Buffer.alloc(96);
    for (let i = 0; i < 3; i++) expect(again.copyDigest(fields, i * FIELDS, 0o644, 0, 0, out, i * 32)).toBe(true);
    expect(out.equals(Buffer.concat([0, 1, 2].map(digest)))).toBe(true);
    await again.save();
    expect(await inodesOnDisk()).toEqual([100, 101, 102]);
    // In order now: no rewrite.
    const third = await StatCache.open(file);
    for (let i = 0; i < 3; i++) expect(third.copyDigest(fields, i * FIELDS, 0o644, 0, 0, out, i * 32)).toBe(true);
    const saved = await fsp.readFile(file);
    await fsp.writeFile(file, 'sentinel');
    await third.save();
    expect(await fsp.readFile(file, 'utf8')).toBe('sentinel');
    // A background write, then a change while it runs: save writes again.
    third.set({ ...stamp, ino: 7 }, 0o644, 0, 0, `sha256:${digest(7).toString('hex')}`);
    third.saveInBackground();
    third.set({ ...stamp, ino: 8 }, 0o644, 0, 0, `sha256:${digest(8).toString('hex')}`);
    await third.save();
    const last = await StatCache.open(file);
    expect(last.size).toBe(5);
    expect(last.get({ ...stamp, ino: 8 }, 0o644, 0, 0)).toBe(`sha256:${digest(8).toString('hex')}`);
    expect(saved.length).toBe(16 + 3 * 84 + 32);
  });
});
