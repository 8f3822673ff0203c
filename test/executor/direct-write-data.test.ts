// A direct copy's snapshot is published by a rename, so the files it gave content must be synced first: writeDirect
// names exactly those (not directories, symlinks, empty files), and runDirectStep publishes a snapshot holding them.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDirectStep } from '../../executor/build/direct-step.js';
import { type DirectEntry, writeDirect } from '../../executor/build/direct-write.js';
import { snapshotDir } from '../../executor/build/snapshots.js';
import { Store } from '../../image/index.js';

const meta = { mode: 0o644, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, mtime: 1_700_000_000 };

describe('direct copy data files', () => {
  let dir: string;
  let entries: DirectEntry[];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsb-direct-data-'));
    const big = path.join(dir, 'big.bin');
    await writeFile(big, Buffer.alloc(3 * 1024 * 1024, 7));
    entries = [
      { path: 'app', type: 'dir', ...meta, mode: 0o755 },
      { path: 'app/big.bin', type: 'file', ...meta, sourcePath: big },
      { path: 'app/empty', type: 'file', ...meta, content: new Uint8Array(0) },
      { path: 'app/link', type: 'symlink', ...meta, linkTarget: 'small' },
      { path: 'app/small', type: 'file', ...meta, content: Buffer.from('hello\n') },
    ];
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writeDirect names every file it gave content, and nothing else', async () => {
    const root = path.join(dir, 'root');
    await rm(root, { recursive: true, force: true });
    await mkdir(root);
    const named: string[] = [];
    for await (const entry of writeDirect(root, entries, null, (file) => named.push(file))) {
      if (entry.content !== undefined && typeof entry.content === 'function')
        for await (const _ of entry.content()) {
        }
    }
    expect(named.sort()).toEqual([path.join(root, 'app/big.bin'), path.join(root, 'app/small')]);
  });

  it('runDirectStep publishes the written files as the layer snapshot', async () => {
    const store = await Store.open(path.join(dir, 'store'));
    const layer = await runDirectStep(store, (root, onDataFile) => writeDirect(root, entries, null, onDataFile));
    const snapshot = snapshotDir(store, layer);
    expect(await readFile(path.join(snapshot, 'app/small'), 'utf8')).toBe('hello\n');
    expect((await readFile(path.join(snapshot, 'app/big.bin'))).length).toBe(3 * 1024 * 1024);
    // Its work dir is gone: the snapshots dir holds the published snapshot only.
    expect(await readdir(store.paths.snapshots)).toEqual([path.basename(snapshot)]);
  });

  it('runDirectStep removes its work dir when the write fails', async () => {
    const store = await Store.open(path.join(dir, 'store-failing'));
    await expect(
      runDirectStep(store, async function* (root) {
        await writeFile(path.join(root, 'partial'), 'x');
        yield* [];
        throw new Error('source vanished');
      }),
    ).rejects.toThrow('source vanished');
    expect(await readdir(store.paths.snapshots)).toEqual([]);
  });
});
