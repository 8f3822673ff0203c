// A RUN's upper dir is diffed in the background, with its commit (fs-step.ts, runFsStepDeferred): the next step
// mounts it and runs before the diff. What the layer leaves out stays in the upper dir while a later step has it
// mounted (BuildKit stacks a snapshot as it is: an unchanged copy-up, a socket), except the runtime's mount stubs,
// which go at once (BuildKit's MountStubsCleaner); the published snapshot and the layer hold exactly the layer.
import { chmod, link, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFsStep, runFsStepDeferred } from '../../executor/build/fs-step.js';
import type { LayerRef } from '../../executor/build/layer-ref.js';
import { PendingSnapshot } from '../../executor/build/pending-snapshot.js';
import { snapshotDir } from '../../executor/build/snapshots.js';
import { listMountsUnder } from '../../executor/index.js';
import { readTar, Store, uncompressedLayer } from '../../image/index.js';
import { traceInto } from '../trace-capture.js';
import { isolationUnavailable } from './helpers.js';

const skipReason = isolationUnavailable();
const fakeLayer = { digest: 'sha256:a', diffId: 'sha256:a', size: 1, mediaType: 'x' } as LayerRef;

/** Leaves a unix socket at `file` (a hard link of one that was bound and closed: closing removes the bound name). */
async function socketAt(file: string): Promise<void> {
  const bound = `${file}.bound`;
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(bound, resolve));
  await link(bound, file);
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe.skipIf(skipReason !== undefined)('a RUN layer diffed beside the next step', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-deferred-diff-'));
    store = await Store.open(path.join(dir, 'store'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The layer below: an upper dir of its own, holding `keep` (0644), whose commit publishes nothing. */
  async function layerBelow(): Promise<PendingSnapshot> {
    const upper = path.join(dir, 'below');
    await mkdir(upper);
    await writeFile(path.join(upper, 'keep'), 'kept\n', { mode: 0o644 });
    return new PendingSnapshot(upper, async () => fakeLayer, 60_000);
  }

  it('the next step mounts and runs first; it sees what the layer leaves out but the mount stubs', async () => {
    const events: string[] = [];
    const undo = traceInto(events);
    try {
      const below = await layerBelow();
      const first = await runFsStepDeferred(
        store,
        { layers: [], pending: [below] },
        { epoch: null, mountStubs: () => ['/mnt/stub'] },
        async (ws) => {
          await writeFile(path.join(ws.root, 'a'), 'a\n');
          await chmod(path.join(ws.root, 'keep'), 0o644); // copied up, unchanged
          await mkdir(path.join(ws.root, 'mnt/stub'), { recursive: true }); // as the runtime makes a mount point
          await socketAt(path.join(ws.root, 'sock'));
        },
        async () => {
          events.push('recorded');
        },
        60_000, // only the next step starts the diff
      );
      events.push('first returned');
      let seen: string[] = [];
      await runFsStep(store, { layers: [], pending: [below, first] }, { epoch: null }, async (ws) => {
        events.push('next runs');
        seen = (await readdir(ws.root)).sort();
        expect((await lstat(path.join(ws.root, 'sock'))).isSocket()).toBe(true);
        expect(await readFile(path.join(ws.root, 'keep'), 'utf8')).toBe('kept\n');
        ws.runtimeStarted?.();
      });
      const layer = await first.settled;
      // The next step mounted the upper dir and ran before the first step's diff.
      expect(events.slice(0, 6)).toEqual([
        ...['trace mount', 'trace work', 'trace unmount', 'first returned'], // the first step
        ...['trace mount', 'next runs'], // the next one
      ]);
      expect(events.indexOf('trace diff')).toBeGreaterThan(events.indexOf('next runs'));
      expect(events.filter((e) => e === 'trace diff')).toHaveLength(2);
      // Recorded once published (the next step's own commit may end before or after: it runs beside).
      expect(events).toContain('trace held');
      expect(events.indexOf('recorded')).toBeGreaterThan(events.indexOf('trace held'));
      expect(seen).toEqual(['a', 'keep', 'sock']);
      // Published: the snapshot holds exactly the layer.
      expect(await readdir(snapshotDir(store, layer))).toEqual(['a']);
      const names: string[] = [];
      for await (const entry of readTar(uncompressedLayer(store, layer))) {
        names.push(entry.header.path);
        for await (const _ of entry.body());
      }
      expect(names).toEqual(['a']);
      expect(await leftovers()).toEqual([]);
    } finally {
      undo();
    }
  });

  async function leftovers(): Promise<unknown[]> {
    const dirs = (await readdir(store.paths.snapshots)).filter((name) => /^t[a-z]-\d+-/.test(name));
    return [...dirs, ...(await listMountsUnder(store.root))];
  }
});
