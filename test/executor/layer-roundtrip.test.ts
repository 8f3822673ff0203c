// End to end: the differ's entries, written as a tar by image/ and extracted onto a copy of the base,
// must give exactly the tree the container left behind (the overlay of its upper dir on the base).
import { execFile } from 'node:child_process';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountLowerView, toTarEntry } from '../../executor/index.js';
import { extractLayer, layerTarBytes } from '../../image/index.js';
import { busyboxRootfs, isolationUnavailable, removeScratch, runStep, scratchDir } from './helpers.js';

const run = promisify(execFile);
const skipReason = isolationUnavailable();

/** Every entry of a tree: type, mode, owner, and content or link target; hard links named by group. */
async function describeTree(root: string): Promise<Map<string, string>> {
  const tree = new Map<string, string>();
  const inodes = new Map<number, string>();
  const names = (await readdir(root, { recursive: true })).sort();
  for (const rel of names) {
    const full = path.join(root, rel);
    const st = await lstat(full);
    let detail = '';
    if (st.isSymbolicLink()) detail = `-> ${await readlink(full)}`;
    else if (st.isFile()) {
      detail = `${(await readFile(full)).toString('base64')} @${Math.floor(st.mtimeMs / 1000)}`;
      if (st.nlink > 1) detail += ` link:${inodes.get(st.ino) ?? rel}`;
      if (!inodes.has(st.ino)) inodes.set(st.ino, rel);
    }
    tree.set(rel, `${(st.mode >>> 0).toString(8)} ${st.uid}:${st.gid} ${detail}`);
  }
  return tree;
}

describe.skipIf(skipReason !== undefined)('diff → tar → extract round trip', () => {
  let rootfs: string;
  let dir: string;
  beforeAll(async () => {
    rootfs = await busyboxRootfs();
    dir = await scratchDir();
  });
  afterAll(async () => {
    await removeScratch(dir);
  });

  it('reproduces the container filesystem exactly', async () => {
    const script = [
      'set -e',
      'echo new > /new-file',
      'mkdir -p /app/sub && echo a > /app/sub/a && ln /app/sub/a /app/hard && ln -s sub/a /app/sym',
      'mkfifo /app/fifo && chmod 640 /app/fifo',
      'rm /etc/shadow /bin/vi',
      'rm -r /var/spool && mkdir -p /var/spool/fresh && echo f > /var/spool/fresh/f',
      'chmod 700 /home && chown 1:1 /etc/passwd && echo extra >> /etc/group',
      'mkdir /tmp/gone && rmdir /tmp/gone',
    ].join('\n');
    const result = await runStep(dir, [rootfs], { args: ['/bin/sh', '-c', script] });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);

    // What the step left: its upper dir over the image, without the runtime's mount-point layer.
    const view = await mountLowerView([result.upperDir, rootfs], path.join(dir, 'expected'));
    let expected: Map<string, string>;
    try {
      expected = await describeTree(view.root);
    } finally {
      await view.release();
    }

    const actualRoot = path.join(dir, 'actual');
    await run('cp', ['-a', rootfs, actualRoot]);
    const tar = await layerTarBytes(result.entries.map(toTarEntry));
    await extractLayer(tar, actualRoot);
    const actual = await describeTree(actualRoot);

    expect([...actual.keys()].filter((p) => !expected.has(p))).toEqual([]);
    expect([...expected.keys()].filter((p) => !actual.has(p))).toEqual([]);
    for (const [rel, description] of expected) expect(actual.get(rel), rel).toBe(description);
    expect(expected.get('app/hard')).toMatch(/ link:app\/hard$/);
    expect(expected.get('app/sub/a')).toMatch(/ link:app\/hard$/);
    expect(expected.has('var/spool/mail')).toBe(false);
    expect(expected.has('etc/shadow')).toBe(false);
    expect(expected.has('bin/vi')).toBe(false);
    expect(expected.get('etc/passwd')).toMatch(/^100644 1:1 /);
    expect(expected.get('home')).toBe('40700 65534:65534 ');
    expect(expected.get('app/fifo')).toBe('10640 0:0 ');
    expect(expected.get('app/sym')).toBe('120777 0:0 -> sub/a');
    expect(expected.get('var/spool/fresh/f')).toMatch(/^100644 0:0 Zgo= @\d+$/);
  });
});
