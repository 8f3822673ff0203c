// The mount-point layer at the bottom of every RUN step's stack: exact contents, and one creation for callers that
// ask at the same time (the build asks when a RUN misses the cache, the first RUN's mount asks again).
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureMountPointLayer } from '../../executor/index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-mount-points-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function listing(root: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const info = await lstat(path.join(root, rel));
    const kind = info.isDirectory() ? 'dir' : info.isFile() ? 'file' : 'other';
    lines.push(`${rel || '.'} ${kind} ${(info.mode & 0o7777).toString(8)} ${info.size} ${info.mtimeMs}`);
    if (!info.isDirectory()) return;
    for (const name of (await readdir(path.join(root, rel))).sort()) await walk(rel ? `${rel}/${name}` : name);
  };
  await walk('');
  return lines;
}

describe('ensureMountPointLayer', () => {
  it('makes the mount points with fixed modes and times, the layer directory included', async () => {
    const layer = path.join(dir, 'mp');
    expect(await ensureMountPointLayer(layer)).toBe(layer);
    const dirSize = (await lstat(layer)).size;
    expect(await listing(layer)).toEqual([
      `. dir 755 ${dirSize} 0`,
      `dev dir 755 ${(await lstat(path.join(layer, 'dev'))).size} 0`,
      `etc dir 755 ${(await lstat(path.join(layer, 'etc'))).size} 0`,
      'etc/hostname file 644 0 0',
      'etc/hosts file 644 0 0',
      'etc/resolv.conf file 644 0 0',
      `proc dir 755 ${(await lstat(path.join(layer, 'proc'))).size} 0`,
      `sys dir 755 ${(await lstat(path.join(layer, 'sys'))).size} 0`,
    ]);
  });

  it('creates the layer once for callers asking at the same time, leaving no temp directory', async () => {
    const layer = path.join(dir, 'mp');
    const results = await Promise.all(Array.from({ length: 5 }, () => ensureMountPointLayer(layer)));
    expect(results).toEqual(Array(5).fill(layer));
    expect(await readdir(dir)).toEqual(['mp']);
    const before = (await lstat(layer)).ino;
    // Asked again later: the complete layer is taken as it is.
    expect(await ensureMountPointLayer(layer)).toBe(layer);
    expect((await lstat(layer)).ino).toBe(before);
  });

  it('makes the layer again when it was removed after an earlier call', async () => {
    const layer = path.join(dir, 'mp');
    await ensureMountPointLayer(layer);
    await rm(layer, { recursive: true });
    await ensureMountPointLayer(layer);
    expect((await readdir(layer)).sort()).toEqual(['dev', 'etc', 'proc', 'sys']);
  });
});
