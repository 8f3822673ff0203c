import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FileReader, StatCache, snapshotContext } from '../../cache/index.js';
import { tempDir, writeTree } from './helpers.js';

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
  dirs = [];
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A reader that records every file it reads. */
function countingReader(): { reader: FileReader; reads: string[] } {
  const reads: string[] = [];
  const reader: FileReader = async function* (abs) {
    reads.push(path.basename(abs));
    yield await fsp.readFile(abs);
  };
  return { reader, reads };
}

async function setup(): Promise<{ ctx: string; store: string }> {
  const ctx = await tempDir();
  const store = await tempDir('tsbuild-store-');
  dirs.push(ctx, store);
  await writeTree(ctx, { a: 'alpha', 'sub/b': 'bravo', 'sub/c': 'charlie' });
  // Files changed less than 0.5 s before hashing are not cached (timestamps are coarse).
  await sleep(600);
  return { ctx, store };
}

describe('stat cache', () => {
  it('never reads an unchanged file twice, across processes (persisted)', async () => {
    const { ctx, store } = await setup();
    const file = path.join(store, 'stat-cache.json');
    const first = countingReader();
    const cache1 = await StatCache.open(file);
    const snap1 = await snapshotContext(ctx, { statCache: cache1, readFile: first.reader });
    expect(await snap1.digestAll()).toBe(3);
    expect(first.reads.sort()).toEqual(['a', 'b', 'c']);
    await cache1.save();
    expect(await fsp.readdir(store)).toEqual(['stat-cache.json']); // the temp file was renamed

    const second = countingReader();
    const cache2 = await StatCache.open(file);
    expect(cache2.size).toBe(3);
    const snap2 = await snapshotContext(ctx, { statCache: cache2, readFile: second.reader });
    await snap2.digestAll();
    expect(second.reads).toEqual([]);
    expect(await snap2.contentDigest('')).toBe(await snap1.contentDigest(''));

    // Same size, new content: the stat changes (mtime/ctime), so exactly that file is re-read.
    await fsp.writeFile(path.join(ctx, 'sub/b'), 'BRAVO');
    const third = countingReader();
    const snap3 = await snapshotContext(ctx, { statCache: cache2, readFile: third.reader });
    await snap3.digestAll();
    expect(third.reads).toEqual(['b']);
    expect(await snap3.entryDigest('sub/b')).not.toBe(await snap1.entryDigest('sub/b'));
    expect(await snap3.entryDigest('sub/c')).toBe(await snap1.entryDigest('sub/c'));
  });

  it('does not cache a file modified just before it was hashed', async () => {
    const ctx = await tempDir();
    dirs.push(ctx);
    await writeTree(ctx, { fresh: 'x' });
    const cache = StatCache.inMemory();
    const r = countingReader();
    await (await snapshotContext(ctx, { statCache: cache, readFile: r.reader })).digestAll();
    await (await snapshotContext(ctx, { statCache: cache, readFile: r.reader })).digestAll();
    expect(r.reads).toEqual(['fresh', 'fresh']);
    expect(cache.size).toBe(0);
  });

  it('starts empty on a corrupt or truncated file and can overwrite it', async () => {
    const { ctx, store } = await setup();
    const file = path.join(store, 'stat-cache.json');
    const good = await StatCache.open(file);
    await (await snapshotContext(ctx, { statCache: good })).digestAll();
    await good.save();
    const text = await fsp.readFile(file, 'utf8');
    for (const broken of [text.slice(0, text.length / 2), 'garbage', '', '{"format":"other","entries":{}}']) {
      await fsp.writeFile(file, broken);
      const cache = await StatCache.open(file);
      expect(cache.size).toBe(0);
    }
    const cache = await StatCache.open(file);
    await (await snapshotContext(ctx, { statCache: cache })).digestAll();
    await cache.save();
    expect((await StatCache.open(file)).size).toBe(3);
  });

  it('a missing cache file is simply empty', async () => {
    const cache = await StatCache.open('/nonexistent/dir/stat-cache.json');
    expect(cache.size).toBe(0);
  });
});
