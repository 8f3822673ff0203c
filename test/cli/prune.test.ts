// `tsbuild prune`: unreferenced blobs, temp files of dead processes and orphan snapshots go; live data stays.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/prune/run.js';
import { run as rmi } from '../../cli/commands/rmi/run.js';
import { buildImage, capture, distBuilt, importImage, runCli, type TempStore, tempStore } from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const deadPid = 2 ** 22 + 12345; // above pid_max: never a live process

describe('tsbuild prune', () => {
  it('removes what no tag reaches and keeps what one does', async () => {
    const kept = await buildImage(t.store, 'keep:1', 'keep');
    const gone = await buildImage(t.store, 'gone:1', 'gone');
    expect(await rmi({ root: t.root, images: ['gone:1'] }, capture().io)).toBe(0);
    const keptImage = await t.store.resolve('keep:1');
    const liveSnapshot = keptImage.config.rootfs.diff_ids[0]!.slice(7, 23);
    await mkdir(path.join(t.store.paths.snapshots, liveSnapshot));
    await mkdir(path.join(t.store.paths.snapshots, '0123456789abcdef'));
    await mkdir(path.join(t.store.paths.snapshots, `tx-${deadPid}-abcd`));
    await writeFile(path.join(t.store.paths.blobs, `${'e'.repeat(64)}.tmp-${deadPid}-abcdef`), 'partial');
    await mkdir(path.join(t.root, 'tmp', `pull-${deadPid}-x1`), { recursive: true });

    const c = capture();
    expect(await run({ root: t.root, keepRecentSeconds: 0 }, c.io)).toBe(0);
    const lines = c.out().trimEnd().split('\n');
    expect(lines).toContain(`deleted: ${gone.manifestDigest}`);
    expect(lines).toContain(`deleted: ${gone.configDigest}`);
    expect(lines.filter((l) => l.startsWith('deleted: sha256:'))).toHaveLength(4);
    expect(lines).toContain(`deleted temp file: blobs/sha256/${'e'.repeat(64)}.tmp-${deadPid}-abcdef`);
    expect(lines).toContain(`deleted temp file: tmp/pull-${deadPid}-x1`);
    expect(lines).toContain('deleted snapshot: 0123456789abcdef');
    expect(lines).toContain(`deleted snapshot: tx-${deadPid}-abcd`);
    expect(lines.at(-1)).toMatch(/^Total reclaimed space: \d+(\.\d+)?k?B$/);
    expect(await readdir(t.store.paths.snapshots)).toEqual([liveSnapshot]);
    expect((await t.store.resolve('keep:1')).configDigest).toBe(kept.configDigest);
    expect(await t.store.hasBlob(gone.manifestDigest)).toBe(false);
  });

  it('keeps recent unreferenced blobs by default', async () => {
    await importImage(t.store, 'x:1');
    expect(await rmi({ root: t.root, images: ['x:1'] }, capture().io)).toBe(0);
    const c = capture();
    expect(await run({ root: t.root }, c.io)).toBe(0);
    expect(c.out()).toBe('Total reclaimed space: 0B\n');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    await importImage(t.store, 'x:1');
    expect(await rmi({ root: t.root, images: ['x:1'] }, capture().io)).toBe(0);
    const result = await runCli(['prune', '--keep-recent', '0', '-q'], { TSBUILD_ROOT: t.root });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Total reclaimed space: \d+B\n$/);
    expect((await readdir(t.store.paths.blobs)).length).toBe(0);
  });
});
