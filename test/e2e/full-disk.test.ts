// A full disk, for real: the store lives on a small ext4 filesystem of its own (a loop device), and builds fill it
// inside a RUN step, while writing a layer's blob and while copying from the context. Each must fail with an error that
// says what ran out and where, free what the failed step wrote, leave no mount behind, and keep every image the
// store held; the next build that fits must work.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, statfs } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMountsUnder } from '../../executor/index.js';
import { importRootfs } from '../../image/archive/import-rootfs.js';
import { Store } from '../../image/index.js';
import { busyboxRootfs } from '../executor/helpers.js';
import { buildIn, busyboxPath, freshDir, isolationUnavailable, removeFreshDirs, writeContext } from './helpers.js';

function whyNoLoopFilesystem(): string | undefined {
  const isolation = isolationUnavailable();
  if (isolation !== undefined) return isolation;
  if (!existsSync('/dev/loop-control')) return 'no loop devices here (/dev/loop-control)';
  if (!existsSync('/sbin/mkfs.ext4') && !existsSync('/usr/sbin/mkfs.ext4')) return 'mkfs.ext4 is not installed';
  return undefined;
}

const MiB = 1024 * 1024;

describe.skipIf(whyNoLoopFilesystem() !== undefined)('a full disk under the store', () => {
  let mountpoint = '';
  let store: Store;
  let baseBlobs: string[] = [];

  beforeAll(async () => {
    const dir = await freshDir('fd');
    const image = path.join(dir, 'fs.img');
    mountpoint = path.join(dir, 'mnt');
    await mkdir(mountpoint);
    execFileSync('truncate', ['-s', '64M', image]);
    execFileSync('mkfs.ext4', ['-q', image]);
    execFileSync('mount', ['-o', 'loop', image, mountpoint]);
    store = await Store.open(path.join(mountpoint, 'store'));
    const tar = execFileSync('tar', ['-C', await busyboxRootfs(), '--numeric-owner', '-cf', '-', '.'], {
      maxBuffer: 64 * MiB,
    });
    await importRootfs(store, tar, 'busybox:latest', {
      created: '2024-01-01T00:00:00Z',
      config: { Env: [`PATH=${busyboxPath}`], Cmd: ['sh'] },
    });
    // The first build unpacks the base image's layer: done here, so that each test sees only its own writes.
    const warm = await buildDockerfile('FROM busybox\nRUN true\n');
    if (warm.error !== null) throw warm.error;
    baseBlobs = await blobNames();
  });

  afterAll(async () => {
    // A plain umount: it fails while anything of this process (a helper parked in a store directory) still holds
    // the filesystem, which a long-lived program embedding the builder would hit too.
    if (mountpoint !== '' && existsSync(mountpoint)) execFileSync('umount', [mountpoint]);
    await removeFreshDirs();
  });

  async function freeBytes(): Promise<number> {
    const s = await statfs(mountpoint);
    return s.bavail * s.bsize;
  }

  async function blobNames(): Promise<string[]> {
    return (await readdir(store.paths.blobs)).sort();
  }

  async function buildDockerfile(dockerfile: string, extra: Parameters<typeof writeContext>[1] = []) {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }, ...extra]);
    return buildIn(store, ctx, { tags: ['out:latest'] });
  }

  /** What a failed build must leave: no mount, no temp blob, the space it took given back, the base image whole. */
  async function expectStoreAsBefore(freeBefore: number): Promise<void> {
    expect(await listMountsUnder(store.root)).toEqual([]);
    expect(await blobNames()).toEqual(baseBlobs);
    // Within 1 MiB: directories and the cache's small records may have grown a block or two.
    expect(await freeBytes()).toBeGreaterThan(freeBefore - MiB);
    for (const name of baseBlobs) {
      const bytes = await readFile(path.join(store.paths.blobs, name));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(name);
    }
    expect((await store.resolve('busybox:latest')).manifestDigest).toMatch(/^sha256:/);
  }

  it('a RUN that writes more than the disk holds fails with its own output and exit code, and frees its upper dir', async () => {
    const before = await freeBytes();
    const run = await buildDockerfile(`FROM busybox\nRUN head -c ${2 * before} /dev/zero > /big\n`);
    expect(run.error?.message).toBe(
      `process "/bin/sh -c head -c ${2 * before} /dev/zero > /big" did not complete successfully: exit code: 1`,
    );
    expect(run.log).toMatch(/head: standard output: (No space left on device|I\/O error)/);
    await expectStoreAsBefore(before);
  });

  it('a COPY of a context file too big for the store fails with ENOSPC naming where it wrote', async () => {
    const before = await freeBytes();
    const size = Math.floor((before * 0.7) / MiB) * MiB;
    const run = await buildDockerfile('FROM busybox\nCOPY big.bin /big.bin\n', [
      { path: 'big.bin', content: Buffer.alloc(size, 7) },
    ]);
    expect(run.error?.message).toMatch(/^ENOSPC: no space left on device, write \(writing .* in \/.*\)$/);
    expect(run.error?.message).toContain(store.root);
    await expectStoreAsBefore(before);
  });

  it('after the disk filled up, a build that fits works and is cached the second time', async () => {
    const dockerfile = 'FROM busybox\nRUN echo fits > /small\n';
    const first = await buildDockerfile(dockerfile);
    expect(first.error).toBeNull();
    const second = await buildDockerfile(dockerfile);
    expect(second.error).toBeNull();
    expect(second.log).toMatch(/#4 CACHED/);
    expect(second.result?.imageId).toBe(first.result?.imageId);
  });

  // Last: its layer stays in the store.
  it('a RUN layer is stored once, as its snapshot; writing its blob for an export fails with ENOSPC and the blob dir', async () => {
    const before = await freeBytes();
    // The upper dir takes 60% of what is free: the layer fits because it is not written a second time as a blob.
    const size = Math.floor((before * 0.6) / MiB) * MiB;
    const run = await buildDockerfile(`FROM busybox\nRUN head -c ${size} /dev/urandom > /big\n`);
    expect(run.error).toBeNull();
    const layer = run.result!.fs.layers.at(-1)!;
    expect(await store.isLazyLayer(layer.digest)).toBe(true);
    const blobsAfterBuild = await blobNames();
    const freeAfterBuild = await freeBytes();
    // What needs the blob as a file (a push) fails cleanly: no temp file left, the space given back.
    await expect(store.ensureBlob(layer.digest)).rejects.toThrow(
      `ENOSPC: no space left on device, write (writing a blob in ${store.paths.blobs})`,
    );
    expect(await blobNames()).toEqual(blobsAfterBuild);
    expect(await freeBytes()).toBeGreaterThan(freeAfterBuild - MiB);
    expect(await store.isLazyLayer(layer.digest)).toBe(true);
    expect(await listMountsUnder(store.root)).toEqual([]);
  });
});
