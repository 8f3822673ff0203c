// What makes a volatile overlay's upper dir safe to publish: its file data synced (durable-upper.ts), the
// differ naming every file that holds data, and steps through runFsStep that publish their snapshots.
import { mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFsStep } from '../../executor/build/fs-step.js';
import { emptyFs, snapshotId } from '../../executor/build/layer-ref.js';
import { diffUpperDir, listMountsUnder } from '../../executor/index.js';
import { perFileSyncLimit, syncUpperData } from '../../executor/snapshot/durable-upper.js';
import { Store } from '../../image/index.js';
import { isolationUnavailable, removeScratch, scratchDir } from './helpers.js';

const skipReason = isolationUnavailable();

describe('syncUpperData', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratchDir();
  });
  afterAll(async () => {
    await removeScratch(dir);
  });

  it('does nothing for an upper dir without file data', async () => {
    await expect(syncUpperData(path.join(dir, 'does-not-exist'), [])).resolves.toBeUndefined();
  });

  it('syncs a few files one by one, and refuses a symlink put in the place of one', async () => {
    const files = await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const file = path.join(dir, name);
        await writeFile(file, `${name}\n`);
        return file;
      }),
    );
    await expect(syncUpperData(dir, files)).resolves.toBeUndefined();
    await symlink('/etc/passwd', path.join(dir, 'link'));
    await expect(syncUpperData(dir, [...files, path.join(dir, 'link')])).rejects.toThrow(/ELOOP/);
    await expect(syncUpperData(dir, [path.join(dir, 'gone')])).rejects.toThrow(/ENOENT/);
  });

  it('syncs the whole filesystem once when there are more files than is worth syncing one by one', async () => {
    // The paths are not opened on this path: one `sync --file-system` of the upper dir covers them all.
    const many = Array.from({ length: perFileSyncLimit + 1 }, (_, i) => path.join(dir, `missing-${i}`));
    await expect(syncUpperData(dir, many)).resolves.toBeUndefined();
    await expect(syncUpperData(path.join(dir, 'no-such-dir'), many)).rejects.toThrow(/sync failed/);
  });
});

describe.skipIf(skipReason !== undefined)('the differ names every file with data', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratchDir();
  });
  afterAll(async () => {
    await removeScratch(dir);
  });

  it('also files left out of the layer (an unchanged copy-up), never empty files, dirs or links', async () => {
    const lower = path.join(dir, 'l');
    const upper = path.join(dir, 'u');
    for (const root of [lower, upper]) {
      await mkdir(path.join(root, 'etc'), { recursive: true });
      await writeFile(path.join(root, 'etc/same'), 'unchanged\n');
      await utimes(path.join(root, 'etc/same'), 1_000_000, 1_000_000);
    }
    await writeFile(path.join(upper, 'etc/new'), 'new\n');
    await writeFile(path.join(upper, 'empty'), '');
    await symlink('etc/new', path.join(upper, 'link'));
    const dataFiles: string[] = [];
    const entries = await diffUpperDir(upper, { lowerRoot: lower, onDataFile: (file) => dataFiles.push(file) });
    expect(entries.map((e) => e.path)).toEqual(['empty', 'etc', 'etc/new', 'link']);
    expect(dataFiles.sort()).toEqual([path.join(upper, 'etc/new'), path.join(upper, 'etc/same')]);
    expect(await readFile(path.join(upper, 'etc/same'), 'utf8')).toBe('unchanged\n');
  });
});

describe.skipIf(skipReason !== undefined)('runFsStep over a volatile overlay', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = await scratchDir();
    store = await Store.open(path.join(dir, 'store'));
  });
  afterAll(async () => {
    await removeScratch(dir);
  });

  /** The step's own work dirs (`t…`) under snapshots/, and the mounts under the store. */
  async function leftovers(): Promise<{ dirs: string[]; mounts: number }> {
    const dirs = (await readdir(store.paths.snapshots)).filter((name) => name.startsWith('t'));
    return { dirs, mounts: (await listMountsUnder(store.root)).length };
  }

  it('publishes the upper dir as the snapshot, mounting no lower view while the work runs', async () => {
    let mountsDuringWork: string[] = [];
    const layer = await runFsStep(store, emptyFs, { epoch: null, mountPoints: true }, async (ws) => {
      mountsDuringWork = (await listMountsUnder(store.root)).map((m) => path.basename(m.target));
      await mkdir(path.join(ws.root, 'app'));
      await writeFile(path.join(ws.root, 'app/data'), 'payload\n');
    });
    expect(mountsDuringWork).toEqual(['m']);
    const snapshot = path.join(store.paths.snapshots, snapshotId(layer));
    expect(await readFile(path.join(snapshot, 'app/data'), 'utf8')).toBe('payload\n');
    expect(await leftovers()).toEqual({ dirs: [], mounts: 0 });
  });

  it('stores the empty layer of a step that changed nothing once, and only touches it afterwards', async () => {
    const nothing = async () => {};
    const first = await runFsStep(store, emptyFs, { epoch: null, mountPoints: true }, nothing);
    const blob = store.blobPath(first.digest);
    const before = await stat(blob);
    await utimes(blob, 1_000_000, 1_000_000);
    const second = await runFsStep(store, emptyFs, { epoch: null, mountPoints: true }, nothing);
    expect(second).toEqual(first);
    expect(first.size).toBe(1024); // a tar of no entries: its end-of-archive blocks
    const after = await stat(blob);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBeGreaterThan(1_000_000_000);
    expect(await readdir(path.join(store.paths.snapshots, snapshotId(first)))).toEqual([]);
    expect(await leftovers()).toEqual({ dirs: [], mounts: 0 });
  });

  it('offers its work a write-behind of its upper dir (executor/snapshot/write-behind.ts)', async () => {
    let offered: (() => () => void) | undefined;
    await runFsStep(store, emptyFs, { epoch: null }, async (ws) => {
      offered = ws.writeBehind;
      await mkdir(path.join(ws.root, 'x'));
      // Started and stopped at once, as by a RUN step whose container ends before the write-behind's delay.
      ws.writeBehind?.()();
    });
    expect(offered).toBeTypeOf('function');
    expect(await leftovers()).toEqual({ dirs: [], mounts: 0 });
  });

  it('unmounts and cleans up when the work fails, publishing nothing', async () => {
    const snapshotsBefore = await readdir(store.paths.snapshots);
    await expect(
      runFsStep(store, emptyFs, { epoch: null, mountPoints: true }, async (ws) => {
        await writeFile(path.join(ws.root, 'half'), 'x');
        throw new Error('step failed');
      }),
    ).rejects.toThrow('step failed');
    expect(await readdir(store.paths.snapshots)).toEqual(snapshotsBefore);
    expect(await leftovers()).toEqual({ dirs: [], mounts: 0 });
  });
});
