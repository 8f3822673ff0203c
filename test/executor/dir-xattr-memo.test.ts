// The names of the extended attributes of lower directories are read once per snapshot and remembered
// (executor/build/dir-xattr-memo.ts): a second ask reads the memo, not the directory; another directory under the
// same snapshot name (extracted again) is read again; dirs outside the store's snapshots are never remembered.
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dirXattrNames, pruneDirXattrMemos } from '../../executor/build/dir-xattr-memo.js';
import { Store } from '../../image/index.js';
import { isolationUnavailable, removeScratch, scratchDir } from './helpers.js';

describe.skipIf(isolationUnavailable() !== undefined)('directory xattr memo', () => {
  let dir: string;
  let store: Store;
  let layer: string;
  beforeEach(async () => {
    dir = await scratchDir();
    store = await Store.open(path.join(dir, 's'));
    layer = path.join(store.paths.snapshots, '0123456789abcdef');
    await mkdir(path.join(layer, 'app/src'), { recursive: true });
    execFileSync('setfattr', ['-n', 'user.note', '-v', 'one', path.join(layer, 'app')]);
  });
  afterEach(async () => {
    await removeScratch(dir);
  });

  const ask = () =>
    dirXattrNames(store, [
      { layer, rel: 'app' },
      { layer, rel: 'app/src' },
    ]);

  it('reads once, then answers from the memo while the snapshot is the same directory', async () => {
    const expected = new Map([
      [path.join(layer, 'app'), ['user.note']],
      [path.join(layer, 'app/src'), []],
    ]);
    expect(await ask()).toEqual(expected);
    // Changed behind the memo's back (a published snapshot never is): the memo still answers.
    execFileSync('setfattr', ['-n', 'user.other', '-v', 'two', path.join(layer, 'app/src')]);
    expect(await ask()).toEqual(expected);
    // The same name, another directory: read again.
    await rm(layer, { recursive: true });
    await mkdir(path.join(layer, 'app/src'), { recursive: true });
    execFileSync('setfattr', ['-n', 'user.other', '-v', 'two', path.join(layer, 'app/src')]);
    expect(await ask()).toEqual(
      new Map([
        [path.join(layer, 'app'), []],
        [path.join(layer, 'app/src'), ['user.other']],
      ]),
    );
  });

  it('never remembers a directory outside the store', async () => {
    const other = path.join(dir, 'elsewhere');
    await mkdir(other);
    expect(await dirXattrNames(store, [{ layer: other, rel: '' }])).toEqual(new Map([[other, []]]));
    execFileSync('setfattr', ['-n', 'user.late', '-v', 'x', other]);
    expect(await dirXattrNames(store, [{ layer: other, rel: '' }])).toEqual(new Map([[other, ['user.late']]]));
  });
  it('prune removes the memos of snapshots that are gone and keeps the others', async () => {
    await ask();
    const memos = path.join(store.paths.cache, 'dir-xattrs');
    expect(await readdir(memos)).toEqual(['0123456789abcdef.json']);
    expect(await pruneDirXattrMemos(store)).toBe(0);
    expect(await readdir(memos)).toEqual(['0123456789abcdef.json']);
    await rm(layer, { recursive: true, force: true });
    expect(await pruneDirXattrMemos(store)).toBe(1);
    expect(await readdir(memos)).toEqual([]);
  });
});
