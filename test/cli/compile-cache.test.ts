// The CLI's code cache directory stays bounded: entries no tsbuild read for a week go, checked at most once a day.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCachePruneDue, DAY_MS, PRUNED_MARKER } from '../../cli/compile-cache.js';
import { COMPILE_CACHE_MAX_IDLE_MS, pruneCompileCache } from '../../cli/compile-cache-prune.js';

const bin = path.resolve(import.meta.dirname, '../../dist/bin/tsbuild.js');
const now = Date.UTC(2026, 11, 3, 12);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-compile-cache-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A file whose last read (atime) and write (mtime) were `readAgo` and `writtenAgo` ms before `now`. */
async function entry(file: string, readAgo: number, writtenAgo: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, 'code');
  await utimes(file, (now - readAgo) / 1000, (now - writtenAgo) / 1000);
}

async function tree(root: string): Promise<string[]> {
  const names = await readdir(root, { recursive: true });
  return names.map((name) => name.replaceAll(path.sep, '/')).sort();
}

describe('compileCachePruneDue', () => {
  it('is due without a marker, not within a day of the last pruning, due again after a day', async () => {
    expect(compileCachePruneDue(dir, now)).toBe(true);
    const marker = path.join(dir, PRUNED_MARKER);
    await writeFile(marker, '');
    await utimes(marker, (now - DAY_MS + 60_000) / 1000, (now - DAY_MS + 60_000) / 1000);
    expect(compileCachePruneDue(dir, now)).toBe(false);
    await utimes(marker, (now - DAY_MS - 60_000) / 1000, (now - DAY_MS - 60_000) / 1000);
    expect(compileCachePruneDue(dir, now)).toBe(true);
  });
});

describe('pruneCompileCache', () => {
  it('removes the entries neither read nor written for a week, and the old directories it empties', async () => {
    const week = COMPILE_CACHE_MAX_IDLE_MS;
    const day = DAY_MS;
    await entry(path.join(dir, 'v22.23.3-x64-aaaa-0/unused'), week + day, week + 2 * day);
    await entry(path.join(dir, 'v22.23.3-x64-aaaa-0/read-yesterday'), day, 30 * day);
    await entry(path.join(dir, 'v22.23.3-x64-aaaa-0/written-today'), 30 * day, 0);
    await entry(path.join(dir, 'v20.1.0-x64-bbbb-0/unused'), 40 * day, 40 * day);
    await utimes(path.join(dir, 'v20.1.0-x64-bbbb-0'), (now - 40 * day) / 1000, (now - 40 * day) / 1000);
    // Made by a Node that switched the cache on just now and writes its entries at exit: it stays.
    await mkdir(path.join(dir, 'v24.0.0-x64-cccc-0'));
    await entry(path.join(dir, 'top-level-unused'), 40 * day, 40 * day);
    // A link is never followed nor removed: what it points to is not the cache's.
    const outside = path.join(dir, '..', `${path.basename(dir)}-outside`);
    await entry(outside, 40 * day, 40 * day);
    await symlink(outside, path.join(dir, 'v22.23.3-x64-aaaa-0/link'));
    try {
      await pruneCompileCache(dir, now);
      expect(await tree(dir)).toEqual([
        PRUNED_MARKER,
        'v22.23.3-x64-aaaa-0',
        'v22.23.3-x64-aaaa-0/link',
        'v22.23.3-x64-aaaa-0/read-yesterday',
        'v22.23.3-x64-aaaa-0/written-today',
        'v24.0.0-x64-cccc-0',
      ]);
      expect(existsSync(outside)).toBe(true);
      expect((await stat(path.join(dir, PRUNED_MARKER))).mtimeMs).toBe(now);
      expect(compileCachePruneDue(dir, now)).toBe(false);
    } finally {
      await rm(outside, { force: true });
    }
  });
});

describe.skipIf(!existsSync(bin))('the bundled CLI (run `npm run build` first)', () => {
  it('prunes its cache after the command when due, and only then', async () => {
    const uid = process.getuid?.() ?? 0;
    const cache = path.join(dir, `tsbuild-compile-cache-${uid}`);
    const stale = path.join(cache, 'v0.0.0-x64-0000-0/stale');
    const old = Date.now() - COMPILE_CACHE_MAX_IDLE_MS - DAY_MS;
    await mkdir(cache, { mode: 0o700 });
    await mkdir(path.dirname(stale));
    await writeFile(stale, 'code');
    await utimes(stale, old / 1000, old / 1000);
    await utimes(path.dirname(stale), old / 1000, old / 1000);
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: dir };
    const dockerfile = path.join(dir, 'Dockerfile');
    await writeFile(dockerfile, 'FROM scratch\n');
    delete env.NODE_COMPILE_CACHE;
    delete env.NODE_DISABLE_COMPILE_CACHE;

    const first = spawnSync(process.execPath, [bin, 'parse', dockerfile], { env, encoding: 'utf8' });
    expect(first.status, first.stderr).toBe(0);
    expect(existsSync(path.dirname(stale))).toBe(false);
    const pruned = statSync(path.join(cache, PRUNED_MARKER)).mtimeMs;
    // The code cache this run wrote at its exit, after the pruning, is in place.
    const entries = (await tree(cache)).filter((name) => !name.startsWith('.'));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^cli-[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+-parse\.v8$/);

    // Within the day nothing is pruned, however old an entry looks.
    await mkdir(path.dirname(stale));
    await writeFile(stale, 'code');
    await utimes(stale, old / 1000, old / 1000);
    const second = spawnSync(process.execPath, [bin, 'parse', dockerfile], { env, encoding: 'utf8' });
    expect(second.status, second.stderr).toBe(0);
    expect(existsSync(stale)).toBe(true);
    expect(statSync(path.join(cache, PRUNED_MARKER)).mtimeMs).toBe(pruned);
  });
});
