// The differ on hand-made upper and lower dirs (overlayfs' on-disk format made with mknod/setfattr).
import { execFile } from 'node:child_process';
import { chmod, link, lstat, mkdir, readdir, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffUpperDir, type LayerEntry, parseGetfattrDump, pruneMountStubs } from '../../executor/index.js';
import { describeEntries, isolationUnavailable, removeScratch, scratchDir } from './helpers.js';

const run = promisify(execFile);
const skipReason = isolationUnavailable();

describe('parseGetfattrDump', () => {
  it('decodes escaped names and hex values, relative to the root', () => {
    const dump = Buffer.from(
      '# file: /u/nl\\012x\nuser.b=0x\n\n# file: /u/we ird\\134n\nuser.a=0x31\n\n# file: /u/\xc3\xa9\nuser.t=0x68656c6c6f\n\n',
      'latin1',
    );
    expect(parseGetfattrDump(dump, '/u')).toEqual(
      new Map([
        ['nl\nx', { 'user.b': Buffer.alloc(0) }],
        ['we ird\\n', { 'user.a': Buffer.from('1') }],
        ['é', { 'user.t': Buffer.from('hello') }],
      ]),
    );
  });
});

describe.skipIf(skipReason !== undefined)('diffUpperDir', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratchDir();
  });
  afterAll(async () => {
    await removeScratch(dir);
  });

  let counter = 0;
  async function layers(): Promise<{ lower: string; upper: string }> {
    counter++;
    const lower = path.join(dir, `l${counter}`);
    const upper = path.join(dir, `u${counter}`);
    await mkdir(lower, { recursive: true });
    await mkdir(upper, { recursive: true });
    return { lower, upper };
  }
  const whiteout = (file: string) => run('mknod', [file, 'c', '0', '0']);
  const setOpaque = (d: string) => run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', d]);

  it('writes deletions as .wh. files, only for paths a lower layer has', async () => {
    const { lower, upper } = await layers();
    await mkdir(path.join(lower, 'etc'));
    await writeFile(path.join(lower, 'etc/shadow'), 'x');
    await mkdir(path.join(upper, 'etc'));
    await whiteout(path.join(upper, 'etc/shadow'));
    await whiteout(path.join(upper, 'etc/never-existed'));
    const entries = await diffUpperDir(upper, { lowerRoot: lower });
    expect(describeEntries(entries)).toEqual(['dir etc 755 0:0', 'file etc/.wh.shadow 600 0:0']);
    expect(entries[1]).toMatchObject({ size: 0, whiteout: 'file' });
    // Without a lower view nothing can be compared, so every whiteout is kept.
    expect(describeEntries(await diffUpperDir(upper))).toEqual([
      'dir etc 755 0:0',
      'file etc/.wh.never-existed 600 0:0',
      'file etc/.wh.shadow 600 0:0',
    ]);
  });

  it('puts the opaque marker right after its dir and keeps everything below it', async () => {
    const { lower, upper } = await layers();
    await mkdir(path.join(lower, 'd'));
    await writeFile(path.join(lower, 'd/same'), 'same');
    await mkdir(path.join(upper, 'd'));
    await chmod(path.join(upper, 'd'), 0o750);
    await writeFile(path.join(upper, 'd/!first'), '1');
    await writeFile(path.join(upper, 'd/same'), 'same');
    await setOpaque(path.join(upper, 'd'));
    await mkdir(path.join(upper, 'fresh'));
    await setOpaque(path.join(upper, 'fresh')); // new dir: nothing to hide, no marker
    const entries = await diffUpperDir(upper, { lowerRoot: lower });
    expect(describeEntries(entries)).toEqual([
      'dir d 750 0:0',
      'file d/.wh..wh..opq 750 0:0',
      'file d/!first 644 0:0',
      'file d/same 644 0:0',
      'dir fresh 755 0:0',
    ]);
    expect(entries.every((entry) => entry.xattrs === undefined)).toBe(true);
  });

  it('skips unchanged copy-ups but keeps the parents of changes', async () => {
    const { lower, upper } = await layers();
    for (const root of [lower, upper]) {
      await mkdir(path.join(root, 'a/b'), { recursive: true });
      await writeFile(path.join(root, 'a/b/same'), 'same');
      await utimes(path.join(root, 'a/b/same'), 1_700_000_000, 1_700_000_000);
      await mkdir(path.join(root, 'quiet'));
    }
    await writeFile(path.join(upper, 'a/b/new'), 'n');
    await writeFile(path.join(lower, 'a/b/edited'), 'old');
    await writeFile(path.join(upper, 'a/b/edited'), 'new');
    await utimes(path.join(lower, 'a/b/edited'), 1_700_000_000, 1_700_000_000);
    await utimes(path.join(upper, 'a/b/edited'), 1_700_000_000, 1_700_000_000); // same size and second
    await chmod(path.join(upper, 'quiet'), 0o700);
    expect(describeEntries(await diffUpperDir(upper, { lowerRoot: lower }))).toEqual([
      'dir a 755 0:0',
      'dir a/b 755 0:0',
      'file a/b/edited 644 0:0',
      'file a/b/new 644 0:0',
      'dir quiet 700 0:0',
    ]);
  });

  it('walks depth-first in byte order and keeps hard links, symlinks, fifos, devices and xattrs', async () => {
    const { upper } = await layers();
    await mkdir(path.join(upper, 'a'));
    await writeFile(path.join(upper, 'a/x'), 'x');
    await writeFile(path.join(upper, 'a.txt'), 'content');
    await link(path.join(upper, 'a.txt'), path.join(upper, 'B-link'));
    await link(path.join(upper, 'a.txt'), path.join(upper, 'z-link'));
    await symlink('../etc/passwd', path.join(upper, 'sym'));
    await run('mkfifo', [path.join(upper, 'fifo')]);
    await run('mknod', [path.join(upper, 'null'), 'c', '1', '3']);
    await run('mknod', [path.join(upper, 'blk'), 'b', '259', '70000']);
    await run('setfattr', ['-n', 'user.note', '-v', 'hi', path.join(upper, 'a/x')]);
    await run('setfattr', ['-n', 'trusted.overlay.origin', '-v', 'zz', path.join(upper, 'a/x')]);
    const entries = await diffUpperDir(upper);
    expect(describeEntries(entries)).toEqual([
      'file B-link 644 0:0',
      'dir a 755 0:0',
      'file a/x 644 0:0',
      'hardlink a.txt 644 0:0 -> B-link',
      'block blk 644 0:0',
      'fifo fifo 644 0:0',
      'char null 644 0:0',
      'symlink sym 777 0:0 -> ../etc/passwd',
      'hardlink z-link 644 0:0 -> B-link',
    ]);
    const byPath = new Map(entries.map((entry): [string, LayerEntry] => [entry.path, entry]));
    expect(byPath.get('a/x')?.xattrs).toEqual({ 'user.note': Buffer.from('hi') });
    // The first path of an inode in walk order carries the content; later ones link to it.
    expect(byPath.get('B-link')).toMatchObject({ size: 7, sourcePath: path.join(upper, 'B-link') });
    expect(byPath.get('a.txt')).toMatchObject({ size: 0 });
    expect(byPath.get('a.txt')?.sourcePath).toBeUndefined();
    expect(byPath.get('null')).toMatchObject({ devmajor: 1, devminor: 3 });
    expect(byPath.get('blk')).toMatchObject({ devmajor: 259, devminor: 70000 });
  });

  it('drops empty mount points the runtime created, and their new parents', async () => {
    const { lower, upper } = await layers();
    await mkdir(path.join(lower, 'etc'));
    await writeFile(path.join(lower, 'etc/passwd'), 'root');
    await mkdir(path.join(upper, 'etc'));
    await writeFile(path.join(upper, 'etc/hosts'), '');
    await writeFile(path.join(upper, 'etc/resolv.conf'), 'nameserver 1.1.1.1\n'); // written, so kept
    await mkdir(path.join(upper, 'proc'));
    await mkdir(path.join(upper, 'mnt/deep/cache'), { recursive: true });
    await mkdir(path.join(upper, 'run/t'), { recursive: true });
    await writeFile(path.join(upper, 'run/kept'), '');
    const mountStubs = ['/etc/hosts', '/etc/resolv.conf', '/proc', '/mnt/deep/cache', '/run/t'];
    expect(describeEntries(await diffUpperDir(upper, { lowerRoot: lower, mountStubs }))).toEqual([
      'dir etc 755 0:0',
      'file etc/resolv.conf 644 0:0',
      'dir run 755 0:0',
      'file run/kept 644 0:0',
    ]);
  });

  it('returns nothing for an empty upper dir', async () => {
    const { lower, upper } = await layers();
    expect(await diffUpperDir(upper, { lowerRoot: lower })).toEqual([]);
  });
});

describe.skipIf(skipReason !== undefined)('pruneMountStubs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratchDir();
  });
  afterAll(async () => {
    await removeScratch(dir);
  });

  it('removes empty stubs and their new parents, nothing else, and never leaves the upper dir', async () => {
    const lower = path.join(dir, 'lower');
    const upper = path.join(dir, 'upper');
    const outside = path.join(dir, 'outside');
    await mkdir(path.join(lower, 'etc'), { recursive: true });
    await mkdir(path.join(lower, 'root'), { recursive: true });
    await writeFile(path.join(lower, 'etc/hostname'), 'image\n');
    await mkdir(path.join(upper, 'etc'), { recursive: true });
    await writeFile(path.join(upper, 'etc/hosts'), '');
    await writeFile(path.join(upper, 'etc/resolv.conf'), 'written\n');
    await writeFile(path.join(upper, 'etc/hostname'), ''); // the image has it: not ours to remove
    await mkdir(path.join(upper, 'root/.cache'), { recursive: true });
    await mkdir(path.join(upper, 'mnt/deep/cache'), { recursive: true });
    await mkdir(path.join(upper, 'run/t'), { recursive: true });
    await writeFile(path.join(upper, 'run/kept'), 'x');
    await mkdir(path.join(outside, 'deep'), { recursive: true });
    await symlink(outside, path.join(upper, 'evil')); // a step may leave `evil -> /somewhere`
    const removed = await pruneMountStubs(upper, {
      lowerRoot: lower,
      mountStubs: [
        '/etc/hosts',
        '/etc/resolv.conf',
        '/etc/hostname',
        '/root/.cache',
        '/mnt/deep/cache',
        '/run/t',
        '/evil/deep',
      ],
    });
    expect(removed).toEqual(['/mnt/deep/cache', '/mnt/deep', '/mnt', '/etc/hosts', '/root/.cache', '/run/t']);
    expect((await readdir(upper)).sort()).toEqual(['etc', 'evil', 'root', 'run']);
    expect((await readdir(path.join(upper, 'etc'))).sort()).toEqual(['hostname', 'resolv.conf']);
    expect(await readdir(path.join(upper, 'run'))).toEqual(['kept']);
    expect(await readdir(outside)).toEqual(['deep']);
  });

  it('keeps the times of the directory a stub goes from, so the layer is the same as with the stub diffed', async () => {
    const lower = path.join(dir, 'times-lower');
    const upper = path.join(dir, 'times-upper');
    await mkdir(path.join(lower, 'root'), { recursive: true });
    await mkdir(path.join(upper, 'root/.cache/pip'), { recursive: true });
    await writeFile(path.join(upper, 'root/kept'), 'x');
    // 0.999 s past a second: the layer's whole second must not round up.
    const when = new Date(1_700_000_000_999);
    for (const d of ['root/.cache', 'root']) await utimes(path.join(upper, d), when, when);
    const before = await diffUpperDir(upper, { lowerRoot: lower, mountStubs: ['/root/.cache/pip'] });
    expect(await pruneMountStubs(upper, { lowerRoot: lower, mountStubs: ['/root/.cache/pip'] })).toEqual([
      '/root/.cache/pip',
      '/root/.cache',
    ]);
    expect((await lstat(path.join(upper, 'root'))).mtimeMs).toBe(1_700_000_000_999);
    const after = await diffUpperDir(upper, { lowerRoot: lower, mountStubs: ['/root/.cache/pip'] });
    expect(after).toEqual(before);
    expect(after.map((e) => [e.path, e.mtime.getTime()])).toEqual([
      ['root', 1_700_000_000_999],
      ['root/kept', expect.any(Number)],
    ]);
  });
});
