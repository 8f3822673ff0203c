import { execFileSync } from 'node:child_process';
import { type Dirent, promises as fsp, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextWorker, FIELDS, float64s, PARAMS } from '../../cache/context/context-worker.js';
import { defaultFileReader, StatCache, snapshotContext, type WalkFs } from '../../cache/index.js';
import { tempDir, writeTree } from './helpers.js';

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
  dirs = [];
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 300 files in 3 directories (enough for a bulk hash job), plus links, a fifo and an ignore file. */
async function bigTree(): Promise<string> {
  const root = await tempDir();
  dirs.push(root);
  const tree: Record<string, string | { symlink: string }> = {
    '.dockerignore': 'skip\n!skip/keep\n',
    'skip/drop': 'x',
    'skip/keep': 'kept',
    'a/link': { symlink: '../b/f1' },
  };
  for (let i = 0; i < 300; i++) tree[`${['a', 'b', 'c'][i % 3]}/f${i}`] = `content ${i}\n`.repeat(i % 7);
  await writeTree(root, tree);
  execFileSync('mkfifo', [path.join(root, 'c/fifo')]);
  return root;
}

describe('parallel walk and bulk hashing', () => {
  it('a walk with a helper thread lists exactly what the one-thread walk lists', async () => {
    const root = await bigTree();
    const one = await snapshotContext(root);
    const two = await snapshotContext(root, { parallelStatMin: 0 });
    expect(two.entries).toEqual(one.entries);
    expect(two.entries.length).toBe(308);
    expect(two.get('a/link')?.linkTarget).toBe('../b/f1');
    expect(two.get('skip/keep')?.size).toBe(4);
    expect(two.get('skip/drop')).toBeUndefined();
    expect(two.children('skip').map((e) => e.path)).toEqual(['skip/keep']);
    expect(await two.contentDigest('')).toBe(await one.contentDigest(''));
  });

  it('lstat segments handed to the worker during the listing: excluded directories taken back or kept', async () => {
    const root = await tempDir();
    dirs.push(root);
    // 3,600 files: two 2,048-path segments, with excluded directories (listed tentatively,
    // then taken back or kept for one re-included file) across segment boundaries.
    const tree: Record<string, string | { symlink: string }> = { '.dockerignore': 'x*\n!x3/f7\n!x9/f59\n' };
    for (let d = 0; d < 10; d++) {
      for (let i = 0; i < 300; i++) tree[`a${d}/f${i}`] = `${d}/${i}\n`.repeat(i % 5);
      for (let i = 0; i < 60; i++) tree[`x${d}/f${i}`] = `x${d}/${i}`;
    }
    tree['a5/link'] = { symlink: '../x3/f7' };
    await writeTree(root, tree);
    const one = await snapshotContext(root, { parallelStatMin: 1e9 });
    const two = await snapshotContext(root, { parallelStatMin: 0 });
    const paths = two.entries.map((e) => e.path);
    expect(paths.length).toBe(1 + 10 * 301 + 1 + 4);
    expect(paths.slice(-4)).toEqual(['x3', 'x3/f7', 'x9', 'x9/f59']);
    expect(two.entries).toEqual(one.entries);
    expect(two.get('a5/link')?.linkTarget).toBe('../x3/f7');
    expect(two.get('x3/f7')?.size).toBe(4);
    expect(await two.contentDigest('')).toBe(await one.contentDigest(''));
    two.close();
  });

  it('bulk hashing gives the digests of one-by-one hashing and fills the stat cache', async () => {
    const root = await bigTree();
    await sleep(600); // older than the racy window, so digests are cached
    const oneByOne = await snapshotContext(root, { readFile: defaultFileReader });
    const cache = StatCache.inMemory();
    const bulk = await snapshotContext(root, { statCache: cache, hashAll: true, parallelStatMin: 0 });
    expect(await bulk.digestAll()).toBe(302);
    expect(cache.size).toBe(302);
    for (const p of ['a/f0', 'b/f1', 'c/f299', 'skip/keep', '.dockerignore']) {
      expect(await bulk.entryDigest(p)).toBe(await oneByOne.entryDigest(p));
    }
    expect(await bulk.contentDigest('')).toBe(await oneByOne.contentDigest(''));
    expect(await bulk.contentDigest('b')).toBe(await oneByOne.contentDigest('b'));
    // Warm: every digest from the cache.
    const warm = await snapshotContext(root, { statCache: cache });
    const misses = cache.misses;
    expect(await warm.contentDigest('')).toBe(await oneByOne.contentDigest(''));
    expect(cache.misses).toBe(misses);
    bulk.close();
  });

  it('bulk hashing does not cache files changed within the racy window', async () => {
    const root = await bigTree();
    // Modified "now" however slowly the machine runs: a timestamp a minute ahead.
    const soon = new Date(Date.now() + 60_000);
    for (const e of (await snapshotContext(root)).entries) {
      if (e.type === 'file') await fsp.utimes(path.join(root, e.path), soon, soon);
    }
    const cache = StatCache.inMemory();
    const snap = await snapshotContext(root, { statCache: cache });
    expect(await snap.digestAll()).toBe(302);
    expect(cache.size).toBe(0);
  });

  it('a file gone before it is hashed fails with the real error, only when its digest is needed', async () => {
    const root = await bigTree();
    const snap = await snapshotContext(root);
    await fsp.rm(path.join(root, 'b/f4'));
    await expect(snap.contentDigest('a')).resolves.toMatch(/^sha256:/);
    await expect(snap.digestAll()).rejects.toThrow(`ENOENT: no such file or directory, open '${root}/b/f4'`);
    await expect(snap.entryDigest('b/f4')).rejects.toThrow('ENOENT');
    snap.close();
  });

  it('an entry whose type changes between listing and lstat makes the walk start over, then fail', async () => {
    const root = await tempDir();
    dirs.push(root);
    await writeTree(root, { file: 'x', 'dir/inside': 'y' });
    const real = await fsp.realpath(root);
    const lying = (claim: (d: Dirent) => boolean): { fs: WalkFs; listings: () => number } => {
      let listings = 0;
      const fs: WalkFs = {
        readdir: (abs) => {
          listings++;
          return readdirSync(abs, { withFileTypes: true }).map((d) =>
            Object.assign(Object.create(Object.getPrototypeOf(d) as object) as Dirent, d, {
              isDirectory: () => claim(d),
            }),
          );
        },
      };
      return { fs, listings: () => listings };
    };
    // A directory listed as a file: its lstat disagrees on every attempt.
    const asFile = lying(() => false);
    await expect(snapshotContext(root, { walkFs: asFile.fs })).rejects.toThrow(
      `${real}/dir: changed type while the build context was being read`,
    );
    expect(asFile.listings()).toBe(3);
    // A file listed as a directory: listing it fails (ENOTDIR), on every attempt.
    const asDir = lying(() => true);
    await expect(snapshotContext(root, { walkFs: asDir.fs })).rejects.toThrow(
      `${real}/dir/inside: changed type while the build context was being read`,
    );
    expect(asDir.listings()).toBe(9);
  });

  it('many jobs in flight on one worker: all answered, no listener-leak warning', async () => {
    const root = await bigTree();
    const prefix = `${await fsp.realpath(root)}/`;
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    const worker = ContextWorker.start(true)!;
    try {
      const jobs = Array.from({ length: 15 }, (_, k) => ({
        kind: 'stat' as const,
        prefix,
        paths: [`a/f${k * 3}`, `b/f${k * 3 + 1}`],
        chunk: 1,
        numbers: float64s(2 * FIELDS, true),
      }));
      // Left to the worker entirely, so every job waits for its answer.
      await Promise.all(jobs.map((job) => ContextWorker.run(job, worker, false)));
      for (const job of jobs) expect(job.numbers[0] & 0o170000).toBe(0o100000);
      await sleep(10);
      expect(warnings.map((w) => w.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      worker.close();
    }
  });

  it('the worker thread computes the same stats and digests as the calling thread', async () => {
    const root = await bigTree();
    const prefix = `${await fsp.realpath(root)}/`;
    const paths = ['a/f0', 'a/f3', 'b/f1', 'c/f2', 'c/f299', 'a/missing'];
    const worker = ContextWorker.start(true)!;
    try {
      const stats = [float64s(paths.length * FIELDS, true), float64s(paths.length * FIELDS, false)];
      await ContextWorker.run({ kind: 'stat', prefix, paths, chunk: 2, numbers: stats[0] }, worker, false);
      await ContextWorker.run({ kind: 'stat', prefix, paths, chunk: 2, numbers: stats[1] }, null);
      expect(Array.from(stats[0])).toEqual(Array.from(stats[1]));
      expect(stats[0][5 * FIELDS]).toBe(-1); // the missing path

      const hash = (shared: boolean) => {
        const numbers = float64s(paths.length * PARAMS, shared);
        paths.forEach((_, i) => {
          numbers.set([stats[1][i * FIELDS], 0, 0, Math.max(0, stats[1][i * FIELDS + 3])], i * PARAMS);
        });
        const digests = shared
          ? new Uint8Array(new SharedArrayBuffer(paths.length * 32))
          : new Uint8Array(paths.length * 32);
        return {
          kind: 'hash' as const,
          prefix,
          paths,
          chunk: 2,
          numbers,
          digests,
          reads: float64s(paths.length, shared),
        };
      };
      const [inWorker, here] = [hash(true), hash(false)];
      await ContextWorker.run(inWorker, worker, false);
      await ContextWorker.run(here, null);
      expect(Buffer.from(inWorker.digests).equals(Buffer.from(here.digests))).toBe(true);
      expect(Array.from(inWorker.reads)).toEqual(Array.from(here.reads));
      expect(inWorker.reads[5]).toBe(-1);
      const snap = await snapshotContext(root, { readFile: defaultFileReader });
      expect(`sha256:${Buffer.from(here.digests.subarray(32, 64)).toString('hex')}`).toBe(
        await snap.entryDigest('a/f3'),
      );
    } finally {
      worker.close();
    }
  });
});
