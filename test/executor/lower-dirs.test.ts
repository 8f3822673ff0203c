// The lower dirs of a step's filesystem: the held dirs of RUN layers still being committed (FsState.held) are stacked
// above the settled layers, top-most first, each directory once.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lowerDirsOf } from '../../executor/build/lower-dirs.js';
import { Store } from '../../image/index.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-lower-dirs-'));
  store = await Store.open(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lowerDirsOf', () => {
  it('stacks held pending dirs top-most first, each once', async () => {
    expect(await lowerDirsOf(store, { layers: [], held: ['/s/a/u', '/s/b/u', '/s/a/u'] }, false)).toEqual([
      '/s/a/u',
      '/s/b/u',
    ]);
  });

  it('puts the mount-point layer at the bottom and an empty dir under nothing', async () => {
    const stacked = await lowerDirsOf(store, { layers: [], held: ['/s/a/u'] }, true);
    expect(stacked).toEqual(['/s/a/u', path.join(store.paths.snapshots, 'mp')]);
    expect(await lowerDirsOf(store, { layers: [] }, false)).toEqual([path.join(store.paths.snapshots, 'empty')]);
  });
});
