// The names of the extended attributes of lower directories are read once per snapshot and remembered
// (executor/build/dir-xattr-memo.ts): a second ask reads the memo, not the directory; another directory under the
// same snapshot name (extracted again) is read again; dirs outside the store's snapshots are never remembered, except a
// pending RUN's upper dir, for the snapshot it is published as.
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dirXattrMemosWritten, dirXattrNames, pruneDirXattrMemos } from '../../executor/build/dir-xattr-memo.js';
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
  it('remembers what it read in a pending upper dir for the snapshot it is published as, if that is the same dir', async () => {
    const upper = path.join(store.paths.snapshots, 'ts-1-abcd', 'u');
    await mkdir(path.join(upper, 'app'), { recursive: true });
    execFileSync('setfattr', ['-n', 'user.pending', '-v', 'x', path.join(upper, 'app')]);
    const target = path.join(store.paths.snapshots, 'fedcba9876543210');
    let publish!: () => void;
    const published = new Promise<string>((resolve) => {
      publish = () => resolve(target);
    });
    const names = await dirXattrNames(store, [{ layer: upper, rel: 'app' }], (d) =>
      d === upper ? published : undefined,
    );
    expect(names).toEqual(new Map([[path.join(upper, 'app'), ['user.pending']]]));
    await rename(upper, target);
    publish();
    const memos = path.join(store.paths.cache, 'dir-xattrs');
    // Written in the background once published: asked again after that, the snapshot's memo answers.
    while (!(await readdir(memos).catch(() => [] as string[])).includes('fedcba9876543210.json')) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    execFileSync('setfattr', ['-x', 'user.pending', path.join(target, 'app')]);
    expect(await dirXattrNames(store, [{ layer: target, rel: 'app' }])).toEqual(
      new Map([[path.join(target, 'app'), ['user.pending']]]),
    );

    // Dropped because the snapshot existed already: that other directory gets no memo from this one.
    const dropped = path.join(store.paths.snapshots, 'ts-1-ef01', 'u');
    await mkdir(path.join(dropped, 'app'), { recursive: true });
    execFileSync('setfattr', ['-n', 'user.mine', '-v', 'x', path.join(dropped, 'app')]);
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const existing = Promise.resolve(layer).finally(() => settle());
    await dirXattrNames(store, [{ layer: dropped, rel: 'app' }], () => existing);
    await settled;
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(await readdir(memos)).toEqual(['fedcba9876543210.json']);
  });

  it('prune removes the memos of snapshots that are gone and keeps the others', async () => {
    await ask();
    await dirXattrMemosWritten(); // written beside the caller
    const memos = path.join(store.paths.cache, 'dir-xattrs');
    expect(await readdir(memos)).toEqual(['0123456789abcdef.json']);
    expect(await pruneDirXattrMemos(store)).toBe(0);
    expect(await readdir(memos)).toEqual(['0123456789abcdef.json']);
    await rm(layer, { recursive: true, force: true });
    expect(await pruneDirXattrMemos(store)).toBe(1);
    expect(await readdir(memos)).toEqual([]);
  });
});
