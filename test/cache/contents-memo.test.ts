// The contents memo (contents-memo.ts): a re-snapshot of an unchanged context answers a directory's contents digest
// from it without a stat-cache lookup, and every change below the directory misses it and gives the digest a
// snapshot without any cache computes.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EntryTable } from '../../cache/context/entry-table.js';
import { contentsFingerprint } from '../../cache/context/snapshot-fingerprint.js';
import { FIELDS } from '../../cache/context/stat-batch.js';
import { type SnapshotOptions, StatCache, snapshotContext } from '../../cache/index.js';
import { tempDirsPerTest, writeTree } from './helpers.js';

const newDir = tempDirsPerTest();

afterEach(() => {
  vi.useRealTimers();
});

/** Every entry is remembered here (the default is for large directories only). */
const small: SnapshotOptions = { memoMinEntries: 1 };

interface Answer {
  readonly root: string;
  readonly sub: string;
  /** Stat-cache lookups the answer took (0: the memo answered both directories). */
  readonly lookups: number;
}

/** The contents digests of the root and of `a` with the stat cache (and memo) at `file`, which is then saved. */
async function withCache(ctx: string, file: string, opts: SnapshotOptions = {}): Promise<Answer> {
  const cache = await StatCache.open(file);
  const snap = await snapshotContext(ctx, { ...small, ...opts, statCache: cache });
  const answer = { root: await snap.contentDigest(''), sub: await snap.contentDigest('a') };
  await cache.save();
  snap.close();
  return { ...answer, lookups: cache.hits + cache.misses };
}

/** The same digests with no cache and no memo at all. */
async function fromScratch(ctx: string, opts: SnapshotOptions = {}): Promise<Omit<Answer, 'lookups'>> {
  const snap = await snapshotContext(ctx, { ...opts, statCache: StatCache.inMemory(), memoMinEntries: 1e9 });
  const answer = { root: await snap.contentDigest(''), sub: await snap.contentDigest('a') };
  snap.close();
  return answer;
}

/** From now on, snapshots see every change as older than the racy window (file-hasher.ts): 10 s later. */
function walkLater(): void {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 10_000 });
}

async function context(): Promise<string> {
  const ctx = await newDir();
  await writeTree(ctx, {
    'a/one.txt': 'one',
    'a/two.txt': 'two',
    'a/deep/three.txt': 'three',
    'a/link': { symlink: 'one.txt' },
    'b/four.txt': 'four',
    'top.txt': 'top',
  });
  return ctx;
}

describe('contents memo', () => {
  it('answers an unchanged context without a stat-cache lookup, with the digests a computation gives', async () => {
    const ctx = await context();
    const file = path.join(await newDir(), 'stat-cache');
    walkLater();
    const first = await withCache(ctx, file);
    expect(first.lookups).toBeGreaterThan(0);
    expect({ root: first.root, sub: first.sub }).toEqual(await fromScratch(ctx));
    const again = await withCache(ctx, file);
    expect(again).toEqual({ ...first, lookups: 0 });
  });

  it('misses on every change below a directory and then holds the new digest', async () => {
    const ctx = await context();
    const file = path.join(await newDir(), 'stat-cache');
    const at = (rel: string): string => path.join(ctx, rel);
    const oneStat = await fsp.stat(at('a/one.txt'));
    const edits: [string, boolean, () => Promise<void>][] = [
      // [what, does the content digest change, the edit]
      ['mtime touched only', false, () => fsp.utimes(at('a/one.txt'), new Date(), new Date(1_600_000_000_000))],
      [
        'content changed, same size, mtime put back',
        true,
        async () => {
          await fsp.writeFile(at('a/one.txt'), 'ONE');
          await fsp.utimes(at('a/one.txt'), oneStat.atime, new Date(1_600_000_000_000));
        },
      ],
      ['file added', true, () => fsp.writeFile(at('a/deep/new.txt'), 'new')],
      ['file removed', true, () => fsp.rm(at('a/deep/new.txt'))],
      ['file renamed, same content and times', true, () => fsp.rename(at('a/two.txt'), at('a/twO.txt'))],
      ['mode changed', true, () => fsp.chmod(at('a/deep/three.txt'), 0o600)],
      [
        'symlink pointed elsewhere (same length)',
        true,
        async () => {
          await fsp.rm(at('a/link'));
          await fsp.symlink('two.txt', at('a/link'));
        },
      ],
      ['empty directory added', true, () => fsp.mkdir(at('a/empty'))],
      ['file excluded by a new .dockerignore', true, () => fsp.writeFile(at('.dockerignore'), 'a/deep\n')],
    ];
    walkLater();
    let previous = await withCache(ctx, file);
    for (const [what, changes, edit] of edits) {
      vi.useRealTimers();
      await edit();
      walkLater();
      const now = await withCache(ctx, file);
      const expected = await fromScratch(ctx);
      expect({ what, root: now.root, sub: now.sub }).toEqual({ what, ...expected });
      expect({ what, changed: now.root !== previous.root }).toEqual({ what, changed: changes });
      // Every edit is below `a`.
      expect({ what, changed: now.sub !== previous.sub }).toEqual({ what, changed: changes });
      // Unchanged since: the memo answers.
      expect({ what, ...(await withCache(ctx, file)) }).toEqual({ what, ...now, lookups: 0 });
      previous = now;
    }
  });

  it('keeps the digests of each owner policy apart', async () => {
    const ctx = await context();
    await fsp.chown(path.join(ctx, 'a/one.txt'), 1000, 1000);
    const file = path.join(await newDir(), 'stat-cache');
    walkLater();
    for (const resetOwner of [true, false, true, false]) {
      const answer = await withCache(ctx, file, { resetOwner });
      expect({ root: answer.root, sub: answer.sub }).toEqual(await fromScratch(ctx, { resetOwner }));
    }
    const reset = await fromScratch(ctx, { resetOwner: true });
    expect(reset.root).not.toBe((await fromScratch(ctx, { resetOwner: false })).root);
  });

  it('remembers nothing of a directory changed within the racy window before the walk', async () => {
    const ctx = await context();
    const file = path.join(await newDir(), 'stat-cache');
    // Real time: the files were written just now.
    const first = await withCache(ctx, file);
    const again = await withCache(ctx, file);
    expect(again.lookups).toBeGreaterThan(0);
    expect(again.root).toBe(first.root);
    await expect(fsp.access(`${file}.contents`)).rejects.toThrow();
  });

  it('reads a corrupt memo file as empty', async () => {
    const ctx = await context();
    const file = path.join(await newDir(), 'stat-cache');
    walkLater();
    const first = await withCache(ctx, file);
    const memo = await fsp.readFile(`${file}.contents`);
    memo[20] ^= 1;
    await fsp.writeFile(`${file}.contents`, memo);
    const again = await withCache(ctx, file);
    expect(again.lookups).toBeGreaterThan(0);
    expect({ root: again.root, sub: again.sub }).toEqual({ root: first.root, sub: first.sub });
    // Written again whole: answered from it next time.
    expect((await withCache(ctx, file)).lookups).toBe(0);
  });
});

describe('contents fingerprint', () => {
  // Rows as a walk stores them (stat-batch.ts order), for a directory, a file and a symlink below it.
  const fields = new Float64Array(3 * FIELDS);
  fields.set([0o40755, 0, 0, 4096, 1_600_000_000_000, 1_600_000_000_000, 2049, 10, 2, 0], 0);
  fields.set([0o100644, 0, 0, 3, 1_600_000_000_000.5, 1_600_000_000_001, 2049, 11, 1, 0], FIELDS);
  fields.set([0o120777, 0, 0, 1, 1_600_000_000_000, 1_600_000_000_000, 2049, 12, 1, 0], 2 * FIELDS);
  const table = (paths: string[], link = 'x', rows = fields): EntryTable =>
    new EntryTable(paths, rows, new Map([[2, link]]));
  const paths = ['a', 'a/f', 'a/l'];
  const print = (t: EntryTable, dir = -1, reset = true): string | undefined =>
    contentsFingerprint(t, dir, 3, reset, 1_700_000_000_000)?.toString('hex');

  it('changes with any path, link target, lstat number, the directory asked for or the owner policy', () => {
    const base = print(table(paths));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(print(table(paths))).toBe(base);
    const others = [
      print(table(['a', 'a/g', 'a/l'])), // a name, with every lstat number the same (a filesystem that kept the directory's times)
      print(table(paths, 'y')),
      print(table(paths), 0),
      print(table(paths), -1, false),
    ];
    for (let n = 0; n < fields.length; n++) {
      const rows = Float64Array.from(fields);
      rows[n] += 1;
      others.push(print(table(paths, 'x', rows)));
    }
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it('is null when an entry changed (mtime or ctime) at or after the racy bound', () => {
    for (const at of [4, 5]) {
      const rows = Float64Array.from(fields);
      rows[FIELDS + at] = 1_700_000_000_000;
      expect(print(table(paths, 'x', rows))).toBeUndefined();
    }
  });
});
