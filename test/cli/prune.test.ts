// `tsbuild prune`: unreferenced blobs, temp files of dead processes and orphan snapshots go; live data (and what
// a build in another process is using: mounted snapshots, temp files of live processes) stays.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contextStatCacheFile } from '../../cache/index.js';
import { snapshotsInMountTable } from '../../cli/commands/prune/in-use.js';
import { run } from '../../cli/commands/prune/run.js';
import { run as rmi } from '../../cli/commands/rmi/run.js';
import { lookupStep, recordStep } from '../../executor/build/cache-index.js';
import { mountOverlay } from '../../executor/index.js';
import type { Digest } from '../../image/index.js';
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

  it('keeps an orphan snapshot while an overlay mount (a build elsewhere) uses it, and cache temp files of live writers', async () => {
    const used = path.join(t.store.paths.snapshots, 'aaaaaaaaaaaaaaaa');
    await mkdir(used);
    await writeFile(path.join(used, 'f'), 'lower');
    const target = path.join(t.dir, 'mnt');
    const other = path.join(t.dir, 'lower');
    await mkdir(other);
    // A read-only overlay needs two lower dirs; the options name them relative to their common parent.
    const mount = await mountOverlay({ lowerDirs: [used, other], target });
    const deadTemp = path.join(t.store.paths.cache, 'build', `s-${'1'.repeat(64)}.json.tmp-${deadPid}-00aa`);
    const liveTemp = path.join(t.store.paths.cache, 'context', `x.json.tmp-${process.pid}-00bb`);
    await mkdir(path.dirname(deadTemp), { recursive: true });
    await mkdir(path.dirname(liveTemp), { recursive: true });
    await writeFile(deadTemp, 'half a record');
    await writeFile(liveTemp, 'being written');
    try {
      const c = capture();
      expect(await run({ root: t.root, keepRecentSeconds: 0 }, c.io)).toBe(0);
      expect(c.out()).toBe(
        `deleted temp file: cache/build/s-${'1'.repeat(64)}.json.tmp-${deadPid}-00aa\nTotal reclaimed space: 13B\n`,
      );
      expect(await readFile(path.join(target, 'f'), 'utf8')).toBe('lower');
      expect(await readFile(liveTemp, 'utf8')).toBe('being written');
    } finally {
      await mount.unmount();
    }
    const after = capture();
    expect(await run({ root: t.root, keepRecentSeconds: 0 }, after.io)).toBe(0);
    // The snapshot's bytes (its directory and file) count in what was reclaimed.
    expect(after.out()).toMatch(/^deleted snapshot: aaaaaaaaaaaaaaaa\nTotal reclaimed space: \d+(\.\d+)?k?B\n$/);
    expect(after.out()).not.toContain('space: 0B');
  });

  it('reads the snapshot names overlay mounts use from the mount table', () => {
    const table = [
      '36 25 0:32 / /proc rw,nosuid - proc proc rw',
      '901 30 0:77 / /store/x/m rw,relatime - overlay overlay rw,lowerdir=0123456789abcdef:snapshots/fedcba9876543210,upperdir=tr-12-ab/upper,workdir=tr-12-ab/work,index=off',
      '902 30 0:78 / /other rw - ext4 /dev/sda1 rw,lowerdir=notoverlay',
      '',
    ].join('\n');
    expect([...snapshotsInMountTable(table)].sort()).toEqual(['0123456789abcdef', 'fedcba9876543210', 'upper', 'work']);
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    await importImage(t.store, 'x:1');
    expect(await rmi({ root: t.root, images: ['x:1'] }, capture().io)).toBe(0);
    const result = await runCli(['prune', '--keep-recent', '0', '-q'], { TSBUILD_ROOT: t.root });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Total reclaimed space: \d+(\.\d+)?k?B\n$/);
    expect((await readdir(t.store.paths.blobs)).length).toBe(0);
  });

  describe('--build-cache', () => {
    /** A layer blob that only a build-cache record keeps (its image was removed). */
    async function cachedLayer(): Promise<{ digest: Digest; key: string }> {
      const built = await buildImage(t.store, 'cached:1', 'cached');
      const manifest = JSON.parse((await t.store.readBlob(built.manifestDigest)).toString('utf8'));
      const layer = manifest.layers[1];
      const config = await t.store.resolve('cached:1');
      const key = `sha256:${'7'.repeat(64)}`;
      await recordStep(t.store, key, {
        layer: {
          digest: layer.digest,
          size: layer.size,
          mediaType: layer.mediaType,
          diffId: config.config.rootfs.diff_ids[1]!,
        },
        created: '2024-01-01T00:00:00Z',
      });
      expect(await rmi({ root: t.root, images: ['cached:1'] }, capture().io)).toBe(0);
      return { digest: layer.digest, key };
    }

    it('removes the records, then what only they kept, the RUN --mount=type=cache directories and the context digests', async () => {
      const { digest, key } = await cachedLayer();
      const mountDir = path.join(t.store.paths.cache, 'mounts', '0123456789abcdef');
      await mkdir(path.join(mountDir, 'sub'), { recursive: true });
      await writeFile(path.join(mountDir, 'sub', 'cached.bin'), Buffer.alloc(5000, 1));
      // Remembered content digests of stages (COPY --from, stage mounts) would otherwise only grow.
      for (const kind of ['copy-content', 'mount-content', 'checks']) {
        await mkdir(path.join(t.store.paths.cache, kind), { recursive: true });
        await writeFile(path.join(t.store.paths.cache, kind, `${'a'.repeat(64)}.txt`), 'missing');
      }
      // The digests of a context's files and the plan of its last build, as a build leaves them.
      const statCache = contextStatCacheFile(t.store.paths.cache, t.root);
      await mkdir(path.dirname(statCache), { recursive: true });
      await writeFile(statCache, 'stat cache');
      await mkdir(path.join(t.store.paths.cache, 'plans'));
      await writeFile(path.join(t.store.paths.cache, 'plans', `${'b'.repeat(64)}.json`), '{}\n');
      // A plain prune keeps what a cache record names, and the context's digests.
      expect(await run({ root: t.root, keepRecentSeconds: 0, quiet: true }, capture().io)).toBe(0);
      expect(await t.store.hasBlob(digest)).toBe(true);
      expect(await readFile(statCache, 'utf8')).toBe('stat cache');
      expect(await readdir(path.join(t.store.paths.cache, 'plans'))).toEqual([`${'b'.repeat(64)}.json`]);
      const c = capture();
      expect(await run({ root: t.root, keepRecentSeconds: 0, buildCache: true, all: true }, c.io)).toBe(0);
      const lines = c.out().trimEnd().split('\n');
      expect(lines[0]).toBe('Deleted build cache objects:');
      expect(lines.slice(1, 3).sort()).toEqual(['0123456789abcdef', '7'.repeat(64)]);
      expect(lines[3]).toBe('deleted build cache: 1 record, 1 cache mount');
      expect(lines).toContain(`deleted: ${digest}`);
      expect(await readdir(path.join(t.store.paths.cache, 'mounts'))).toEqual([]);
      expect(await readdir(t.store.paths.cache)).not.toContain('copy-content');
      expect(await readdir(t.store.paths.cache)).not.toContain('mount-content');
      expect(await readdir(t.store.paths.cache)).not.toContain('checks');
      // As docker builder prune -a drops BuildKit's local-source records: the next build hashes its context anew.
      expect(await readdir(t.store.paths.cache)).not.toContain('context');
      expect(await readdir(t.store.paths.cache)).not.toContain('plans');
      // The cache mount's 5,000 bytes count in what was reclaimed.
      expect(Number(/Total reclaimed space: ([\d.]+)kB/.exec(c.out())?.[1])).toBeGreaterThan(5);
      expect(await t.store.hasBlob(digest)).toBe(false);
      expect(await lookupStep(t.store, key)).toBeNull();
    });

    it('removes the mark of a dead build, and keeps what a live one has used since it started', async () => {
      const { digest, key } = await cachedLayer();
      await mkdir(t.store.paths.locks, { recursive: true });
      await writeFile(path.join(t.store.paths.locks, `build-${deadPid}`), `${deadPid}\n`);
      const live = path.join(t.store.paths.locks, `build-${process.ppid}`);
      await writeFile(live, `${process.ppid}\n`);
      // The live build uses the record: it stays, and so does its layer.
      expect(await lookupStep(t.store, key, 'use')).not.toBeNull();
      const c = capture();
      expect(await run({ root: t.root, keepRecentSeconds: 0, buildCache: true }, c.io)).toBe(0);
      expect(c.out()).toContain('deleted build cache: 0 records, 0 cache mounts\n');
      expect(await t.store.hasBlob(digest)).toBe(true);
      expect(await readdir(t.store.paths.locks)).not.toContain(`build-${deadPid}`);
      await rm(live);
      expect(await run({ root: t.root, keepRecentSeconds: 0, buildCache: true }, capture().io)).toBe(0);
      expect(await t.store.hasBlob(digest)).toBe(false);
    });
  });
});
