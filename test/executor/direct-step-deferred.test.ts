// A small layer written directly (WORKDIR, a COPY of a few small files) is stored beside the next steps: the step
// returns once its files are written, a PendingSnapshot whose directory the next steps read where it is; its tar,
// kept in memory, is stored and the directory published when the commit runs. A bigger layer is stored at once.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runDirectStep, runDirectStepDeferred } from '../../executor/build/direct-step.js';
import { type DirectEntry, writeDirect } from '../../executor/build/direct-write.js';
import type { LayerRef } from '../../executor/build/layer-ref.js';
import { PendingSnapshot } from '../../executor/build/pending-snapshot.js';
import { snapshotDir } from '../../executor/build/snapshots.js';
import { Store } from '../../image/index.js';

const meta = { mode: 0o644, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, mtime: 1_700_000_000 };
const small: DirectEntry[] = [
  { path: 'app', type: 'dir', ...meta, mode: 0o755 },
  { path: 'app/config', type: 'file', ...meta, content: Buffer.from('level=info\n') },
];

describe('a direct step stored beside the next steps', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsb-direct-deferred-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const writeOf = (entries: readonly DirectEntry[]) => (root: string, onDataFile: (file: string) => void) =>
    writeDirect(root, entries, null, onDataFile);

  it('returns a small layer once written, its directory readable, and stores and publishes it when committed', async () => {
    const expected = await runDirectStep(await Store.open(path.join(dir, 'reference')), writeOf(small));
    const store = await Store.open(path.join(dir, 'store'));
    const recorded: LayerRef[] = [];
    // Its commit would start by itself after a while (50 ms): here only when asked (settle).
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const pending = await runDirectStepDeferred(store, writeOf(small), async (layer) => {
      recorded.push(layer);
    }).finally(() => vi.useRealTimers());
    expect(pending).toBeInstanceOf(PendingSnapshot);
    const snapshot = pending as PendingSnapshot;
    // Written, not stored yet: the next step reads the directory where it is.
    const held = await snapshot.hold();
    expect(await readFile(path.join(held, 'app/config'), 'utf8')).toBe('level=info\n');
    expect(await store.hasBlob(expected.digest)).toBe(false);
    expect(recorded).toEqual([]);
    snapshot.release();

    const layer = await snapshot.settle();
    expect(layer).toEqual(expected);
    expect(recorded).toEqual([expected]);
    expect(await store.hasBlob(expected.digest)).toBe(true);
    expect(await readFile(path.join(snapshotDir(store, layer), 'app/config'), 'utf8')).toBe('level=info\n');
    // Its work dir is gone: the snapshots dir holds the published snapshot only.
    expect(await readdir(store.paths.snapshots)).toEqual([path.basename(snapshotDir(store, layer))]);
  });

  it('stores a layer bigger than it keeps in memory at once, as runDirectStep does', async () => {
    const big = path.join(dir, 'big.bin');
    await writeFile(big, Buffer.alloc(3 * 1024 * 1024, 7));
    const entries: DirectEntry[] = [...small, { path: 'app/big.bin', type: 'file', ...meta, sourcePath: big }];
    const store = await Store.open(path.join(dir, 'store-big'));
    const recorded: LayerRef[] = [];
    const layer = await runDirectStepDeferred(store, writeOf(entries), async (l) => {
      recorded.push(l);
    });
    expect(layer).not.toBeInstanceOf(PendingSnapshot);
    const stored = layer as LayerRef;
    expect(await store.hasBlob(stored.digest)).toBe(true);
    expect((await readFile(path.join(snapshotDir(store, stored), 'app/big.bin'))).length).toBe(3 * 1024 * 1024);
    // The caller records a layer it gets stored (layer-step.ts).
    expect(recorded).toEqual([]);
    expect(await readdir(store.paths.snapshots)).toEqual([path.basename(snapshotDir(store, stored))]);
  });

  it('removes its work dir when the write fails', async () => {
    const store = await Store.open(path.join(dir, 'store-failing'));
    await expect(
      runDirectStepDeferred(
        store,
        async function* (root) {
          await writeFile(path.join(root, 'partial'), 'x');
          yield* [];
          throw new Error('source vanished');
        },
        async () => {},
      ),
    ).rejects.toThrow('source vanished');
    expect(await readdir(store.paths.snapshots)).toEqual([]);
  });
});
