// The build's shared read-only views (read-views.ts): one mount per filesystem for every read of it, released
// when the build closes them; layers still being committed and reads after the close get a view of their own.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FsState, snapshotId } from '../../executor/build/layer-ref.js';
import { PendingSnapshot } from '../../executor/build/pending-snapshot.js';
import { ReadViews } from '../../executor/build/read-views.js';
import { listMountsUnder } from '../../executor/index.js';
import { type Digest, Store, sha256Digest } from '../../image/index.js';
import { isolationUnavailable } from './helpers.js';

const skipReason = isolationUnavailable();

describe.skipIf(skipReason !== undefined)('ReadViews', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-read-views-'));
    store = await Store.open(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A layer whose snapshot directory holds `files` (no blob: the snapshot is all a view reads). */
  async function layer(name: string, files: Record<string, string>) {
    const diffId = sha256Digest(name) as Digest;
    const ref = { digest: diffId, size: 0, mediaType: 'application/vnd.oci.image.layer.v1.tar', diffId };
    const snapshot = path.join(store.paths.snapshots, snapshotId(ref));
    await mkdir(snapshot, { recursive: true });
    for (const [file, content] of Object.entries(files)) await writeFile(path.join(snapshot, file), content);
    return ref;
  }
  const views = () => listMountsUnder(store.paths.snapshots);

  it('mounts a filesystem once for all its reads and releases it on close', async () => {
    const fs: FsState = { layers: [await layer('a', { a: 'A' }), await layer('b', { b: 'B' })] };
    const shared = new ReadViews(store);
    const roots = await Promise.all([
      shared.read(fs, async (root) => {
        expect(await readFile(path.join(root, 'a'), 'utf8')).toBe('A');
        return root;
      }),
      shared.read(fs, async (root) => root),
    ]);
    expect(roots[1]).toBe(roots[0]);
    expect(await shared.read(fs, async (root) => readFile(path.join(root, 'b'), 'utf8'))).toBe('B');
    expect((await views()).map((m) => m.target)).toEqual([roots[0]]);
    // Another filesystem is another view.
    const other: FsState = { layers: [...fs.layers, await layer('c', { c: 'C' })] };
    expect(await shared.read(other, async (root) => root)).not.toBe(roots[0]);
    expect(await views()).toHaveLength(2);
    await shared.close();
    expect(await views()).toEqual([]);
    // Only the snapshots are left: the views' directories went with them.
    expect((await readdir(store.paths.snapshots)).sort()).toEqual(other.layers.map((l) => snapshotId(l)).sort());
  });

  it('waits for the reads in flight before it releases their view', async () => {
    const fs: FsState = { layers: [await layer('a', { a: 'A' }), await layer('b', { b: 'B' })] };
    const shared = new ReadViews(store);
    let finish!: () => void;
    const reading = shared.read(fs, async (root) => {
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      return readFile(path.join(root, 'a'), 'utf8');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = shared.close();
    finish();
    expect(await reading).toBe('A');
    await closing;
    expect(await views()).toEqual([]);
  });

  it('releases the views once every reading stage is done reading, and every close waits for that', async () => {
    const fs: FsState = { layers: [await layer('a', { a: 'A' }), await layer('b', { b: 'B' })] };
    const shared = new ReadViews(store, 2);
    await shared.read(fs, async () => {});
    shared.doneReading();
    expect(await views()).toHaveLength(1);
    shared.doneReading();
    // Released in the background; a close now waits for that release, not only for its own start.
    await shared.close();
    expect(await views()).toEqual([]);
    expect(await readdir(store.paths.snapshots)).toHaveLength(2);
    // A read after the release gets a view of its own.
    expect(await shared.read(fs, async (root) => readFile(path.join(root, 'a'), 'utf8'))).toBe('A');
    expect(await views()).toEqual([]);
  });

  it('gives layers still being committed, and reads after the close, a view of their own', async () => {
    const fs: FsState = { layers: [await layer('a', { a: 'A' }), await layer('b', { b: 'B' })] };
    const shared = new ReadViews(store);
    const pending = new PendingSnapshot(path.join(dir, 'upper'), () => new Promise(() => {}));
    const mountsWhileReading = (state: FsState) => shared.read(state, async () => (await views()).length);
    // A view of its own is mounted for the read and gone after it.
    expect(await mountsWhileReading({ ...fs, pending: [pending] })).toBe(1);
    expect(await views()).toEqual([]);
    await shared.close();
    expect(await mountsWhileReading(fs)).toBe(1);
    expect(await views()).toEqual([]);
  });
});
