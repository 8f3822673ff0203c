// The columnar internals of a snapshot: directory digests written from digest bytes, stat-cache
// lookups straight from lstat numbers, lazily built entry objects, and a selection's file digests.

import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirDigestWriter } from '../../cache/context/dir-digest.js';
import { FIELDS } from '../../cache/context/stat-batch.js';
import { directoryDigest, EMPTY_DIGEST, StatCache, selectSources, snapshotContext } from '../../cache/index.js';
import { tempDir, writeTree } from './helpers.js';

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
  dirs = [];
});

const bytesOf = (n: number): Buffer => createHash('sha256').update(String(n)).digest();
const text = (b: Uint8Array): string => `sha256:${Buffer.from(b).toString('hex')}`;

describe('directory digests from bytes', () => {
  it('equal directoryDigest for ASCII, non-ASCII and long names, and grow past the first buffer', () => {
    const names = ['a', 'b.txt', 'é', '日本語', '😀x', 'n'.repeat(70_000), 'z'];
    const digests = Buffer.concat(names.map((_, i) => bytesOf(i)));
    const header = bytesOf(99);
    const writer = new DirDigestWriter();
    for (let round = 0; round < 2; round++) {
      writer.begin(header, 0);
      for (const [i, name] of names.entries()) writer.child(`some/dir/${name}`, digests, i * 32);
      const out = Buffer.alloc(40);
      writer.finish(out, 8);
      const children = names.map((name, i) => ({ name, digest: text(digests.subarray(i * 32, i * 32 + 32)) }));
      expect(text(out.subarray(8))).toBe(directoryDigest(text(header), children, true));
    }
    // A top-level child (no slash) and an empty directory.
    writer.begin(header, 0);
    writer.child('top', digests, 0);
    const one = Buffer.alloc(32);
    writer.finish(one, 0);
    expect(text(one)).toBe(directoryDigest(text(header), [{ name: 'top', digest: text(digests.subarray(0, 32)) }]));
    writer.begin(header, 0);
    writer.finish(one, 0);
    expect(text(one)).toBe(directoryDigest(text(header), []));
  });
});

describe('stat cache lookups from lstat numbers', () => {
  it('copyDigest and setFromFields agree with get and set, and count hits and misses', () => {
    const cache = StatCache.inMemory();
    const st = { dev: 2049, ino: 2 ** 40 + 7, size: 5, mtimeMs: 1_700_000_000_123.456, ctimeMs: 1_700_000_000_124.5 };
    // stat-batch.ts order: mode, uid, gid, size, mtimeMs, ctimeMs, dev, ino, nlink, rdev.
    const fields = new Float64Array(2 * FIELDS);
    fields.set([0o100644, 1000, 1000, st.size, st.mtimeMs, st.ctimeMs, st.dev, st.ino, 1, 0], FIELDS);
    const out = Buffer.alloc(64);
    expect(cache.copyDigest(fields, FIELDS, 0o644, 0, 0, out, 32)).toBe(false);
    cache.setFromFields(fields, FIELDS, 0o644, 0, 0, bytesOf(1), 0);
    expect(cache.get(st, 0o644, 0, 0)).toBe(text(bytesOf(1)));
    expect(cache.copyDigest(fields, FIELDS, 0o644, 0, 0, out, 32)).toBe(true);
    expect(out.subarray(32).equals(bytesOf(1))).toBe(true);
    expect(cache.copyDigest(fields, FIELDS, 0o755, 0, 0, out, 32)).toBe(false);
    cache.set({ ...st, size: 6 }, 0o644, 0, 0, text(bytesOf(2))); // the same file, changed
    expect(cache.copyDigest(fields, FIELDS, 0o644, 0, 0, out, 32)).toBe(false);
    expect(cache.size).toBe(1);
    cache.reserve(10_000);
    expect(cache.get({ ...st, size: 6 }, 0o644, 0, 0)).toBe(text(bytesOf(2)));
    expect([cache.hits, cache.misses]).toEqual([3, 3]);
  });

  it('copyDigests answers many files as copyDigest answers each, and counts them alike', () => {
    const cache = StatCache.inMemory();
    // Five files; records for 0, 1, 3 (3 with another mode), 4 with owners 1000 (only answered without a reset).
    const fields = new Float64Array(5 * FIELDS);
    for (let e = 0; e < 5; e++) {
      fields.set(
        [0o100644, 1000, 1000, 10 + e, 1_700_000_000_000 + e, 1_700_000_000_500 + e, 2049, 100 + e, 1, 0],
        e * FIELDS,
      );
    }
    cache.setFromFields(fields, 0, 0o644, 0, 0, bytesOf(0), 0);
    cache.setFromFields(fields, FIELDS, 0o644, 0, 0, bytesOf(1), 0);
    cache.setFromFields(fields, 3 * FIELDS, 0o600, 0, 0, bytesOf(3), 0);
    cache.setFromFields(fields, 4 * FIELDS, 0o644, 1000, 1000, bytesOf(4), 0);
    const [hits, misses] = [cache.hits, cache.misses];
    for (const resetOwner of [true, false]) {
      const out = Buffer.alloc(5 * 32);
      const known = new Uint8Array(5);
      // Entry 2 is not asked about: it stays unknown.
      cache.copyDigests(fields, Int32Array.from([0, 1, 3, 4]), 4, resetOwner, out, known, 2);
      expect([...known]).toEqual(resetOwner ? [1, 1, 0, 2, 2] : [2, 2, 0, 2, 1]);
      for (const e of [0, 1, 3, 4]) {
        const one = Buffer.alloc(32);
        const owner = resetOwner ? 0 : 1000;
        const hit = cache.copyDigest(fields, e * FIELDS, 0o644, owner, owner, one, 0);
        expect(hit).toBe(known[e] === 1);
        if (hit) expect(out.subarray(e * 32, e * 32 + 32).equals(one)).toBe(true);
      }
    }
    expect([cache.hits - hits, cache.misses - misses]).toEqual([6, 10]);
  });
});

describe('stat cache lookups of many files', () => {
  it('copyDigests copies runs of consecutive entries and records whole, and breaks them where either jumps', () => {
    const cache = StatCache.inMemory();
    const n = 40;
    const fields = new Float64Array(n * FIELDS);
    for (let e = 0; e < n; e++) {
      fields.set([0o100644, 0, 0, e, 1_600_000_000_000 + e, 1_600_000_000_000 + e, 2049, 1000 + e, 1, 0], e * FIELDS);
    }
    // Records in entry order, except entries 20 and 21 swapped; entry 30 has none.
    const order = [...Array(n).keys()].filter((e) => e !== 30);
    order.splice(20, 2, 21, 20);
    for (const e of order) cache.setFromFields(fields, e * FIELDS, 0o644, 0, 0, bytesOf(e), 0);
    // Entries 10 and 11 are not files (directories of a walk): not asked about.
    const asked = Int32Array.from([...Array(n).keys()].filter((e) => e !== 10 && e !== 11));
    const out = Buffer.alloc(n * 32);
    const known = new Uint8Array(n);
    expect(cache.copyDigests(fields, asked, asked.length, true, out, known, 2)).toBe(asked.length - 1);
    for (let e = 0; e < n; e++) {
      const expected = e === 10 || e === 11 ? 0 : e === 30 ? 2 : 1;
      expect({ e, known: known[e] }).toEqual({ e, known: expected });
      const digest = out.subarray(e * 32, e * 32 + 32);
      expect({ e, digest: text(digest) }).toEqual({ e, digest: text(expected === 1 ? bytesOf(e) : Buffer.alloc(32)) });
    }
  });
});

describe('snapshot columns', () => {
  it('entry objects are the same object each time; a selection lists its file digests in order', async () => {
    const root = await tempDir();
    dirs.push(root);
    await writeTree(root, {
      'a/x': 'x',
      'a/sub/y': 'yy',
      'a/link': { symlink: 'x' },
      'b/z': 'zzz',
      'top.txt': 'top',
    });
    const snap = await snapshotContext(root);
    expect(snap.get('a/x')).toBe(snap.get('a/x'));
    expect(snap.children('a')[0]).toBe(snap.get('a/link'));
    expect(snap.entries.map((e) => e.path)).toEqual(['a', 'a/link', 'a/sub', 'a/sub/y', 'a/x', 'b', 'b/z', 'top.txt']);
    expect(snap.entries[4]).toBe(snap.get('a/x'));

    for (const source of ['.', 'a', 'a/*', 'top.txt']) {
      const { matches } = await selectSources(snap, [source]);
      const files = await snap.fileDigests(matches[0].entries);
      const expected = [];
      for (const s of matches[0].entries) {
        if (s.entry && s.entry.type !== 'dir') expected.push({ path: s.from, digest: await snap.entryDigest(s.from) });
      }
      expect(files).toEqual(expected);
      expect(files.length).toBeGreaterThan(0);
    }
    // Entries out of walk order (or not of this snapshot's objects) are looked up by path.
    const shuffled = ['top.txt', 'a/x', 'b/z'].map((p) => ({ from: p, entry: { ...snap.get(p)! }, to: p }));
    expect((await snap.fileDigests(shuffled)).map((f) => f.path)).toEqual(['top.txt', 'a/x', 'b/z']);
    expect((await snap.fileDigests(shuffled))[1].digest).toBe(await snap.entryDigest('a/x'));
    await expect(snap.fileDigests([{ from: 'gone', entry: snap.get('a/x'), to: '' }])).rejects.toThrow(
      '"/gone": not found',
    );
    expect(path.isAbsolute(snap.root)).toBe(true);
  });

  it('the contents digest of every directory is that of its own entries, however deep and wherever it ends', async () => {
    const root = await tempDir();
    dirs.push(root);
    // Directories that end the tree, end their parent, and are followed by siblings at several depths.
    await writeTree(root, {
      'a/b/c/f1': '1',
      'a/b/f2': '2',
      'a/d/f3': '3',
      'a/z': 'z',
      'e/f/g/f4': '4',
      'top.txt': 'top',
      'y/f5': '5',
    });
    const snap = await snapshotContext(root);
    // Expected from directoryDigest over each directory's children, computed bottom-up from entry digests.
    const contents = async (dir: string): Promise<string> => {
      const children = [];
      for (const child of snap.children(dir)) {
        const name = child.path.slice(child.path.lastIndexOf('/') + 1);
        children.push({
          name,
          digest: child.type === 'dir' ? await contents(child.path) : await snap.entryDigest(child.path),
        });
      }
      return directoryDigest(dir === '' ? EMPTY_DIGEST : await snap.entryDigest(dir), children, true);
    };
    const dirsInTree = ['', 'a', 'a/b', 'a/b/c', 'a/d', 'e', 'e/f', 'e/f/g', 'y'];
    // Each asked first in a fresh snapshot too, so no directory's digest comes from an earlier answer.
    for (const dir of dirsInTree) {
      const fresh = await snapshotContext(root);
      expect(await fresh.contentDigest(dir)).toBe(await contents(dir));
      expect(await snap.contentDigest(dir)).toBe(await contents(dir));
    }
  });
});
