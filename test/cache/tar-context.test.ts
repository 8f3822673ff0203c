import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotContextFromTar, UnsafeTarError, unpackContextTar } from '../../cache/index.js';
import { tempDir } from './helpers.js';

interface RawEntry {
  name: string;
  type?: '0' | '1' | '2' | '5' | '6';
  linkname?: string;
  content?: string;
  mode?: number;
}

/** A minimal ustar writer that, unlike a careful one, writes any name it is given. */
function rawTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    const body = Buffer.from(e.content ?? '');
    h.write(e.name, 0, 100, 'utf8');
    h.write(((e.mode ?? 0o644) & 0o7777).toString(8).padStart(7, '0'), 100);
    h.write('0000000', 108);
    h.write('0000000', 116);
    h.write(body.length.toString(8).padStart(11, '0'), 124);
    h.write('14000000000', 136);
    h.write('        ', 148);
    h.write(e.type ?? '0', 156);
    h.write(e.linkname ?? '', 157, 100, 'utf8');
    h.write('ustar\u000000', 257, 'latin1');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

async function* chunks(buf: Buffer): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += 700) yield buf.subarray(i, i + 700);
}

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
  dirs = [];
});
async function fresh(): Promise<{ base: string; dest: string }> {
  const base = await tempDir('tsbuild-tar-');
  dirs.push(base);
  return { base, dest: path.join(base, 'ctx') };
}

describe('context from a tar stream', () => {
  it('unpacks files, dirs, symlinks and hard links, gzip or not, then snapshots', async () => {
    const tar = rawTar([
      { name: './Dockerfile', content: 'FROM scratch\n' },
      { name: 'dir/', type: '5', mode: 0o755 },
      { name: 'dir/a.txt', content: 'hello\n' },
      { name: 'dir/link', type: '2', linkname: '/etc/passwd' },
      { name: 'dir/hard', type: '1', linkname: 'dir/a.txt' },
      { name: '.dockerignore', content: 'ignored\n' },
      { name: 'ignored', content: 'x' },
    ]);
    for (const input of [tar, gzipSync(tar)]) {
      const { dest } = await fresh();
      const snap = await snapshotContextFromTar(chunks(input), dest, { dockerfilePath: 'Dockerfile' });
      expect(snap.entries.map((e) => `${e.type} ${e.path}`)).toEqual([
        'file .dockerignore',
        'file Dockerfile',
        'dir dir',
        'file dir/a.txt',
        'file dir/hard',
        'symlink dir/link',
      ]);
      expect(snap.get('dir')!.mode & 0o7777).toBe(0o755);
      expect(snap.get('dir/hard')!.ino).toBe(snap.get('dir/a.txt')!.ino);
      expect(snap.get('dir/link')!.linkTarget).toBe('/etc/passwd');
      expect(await snap.entryDigest('dir/a.txt')).toBe(
        'sha256:09eefdc91e8894bc767daae7daa5a4e8cbf396610f10ae20604d9086c76d4a93',
      );
    }
  });

  it('rejects entries that climb out with ..', async () => {
    const { base, dest } = await fresh();
    const run = unpackContextTar(chunks(rawTar([{ name: '../evil', content: 'x' }])), dest);
    await expect(run).rejects.toThrow(UnsafeTarError);
    await expect(run).rejects.toThrow('build context tar entry "../evil": path escapes the context');
    await expect(fsp.access(path.join(base, 'evil'))).rejects.toThrow();
  });

  it('refuses a destination that is not empty', async () => {
    const { dest } = await fresh();
    await fsp.mkdir(dest);
    await fsp.writeFile(path.join(dest, 'x'), '');
    await expect(unpackContextTar(chunks(rawTar([])), dest)).rejects.toThrow(
      `${dest}: the context directory must be empty`,
    );
  });

  it('keeps absolute names inside the destination', async () => {
    const { dest } = await fresh();
    await unpackContextTar(chunks(rawTar([{ name: '/abs/x', content: 'x' }])), dest);
    expect(await fsp.readFile(path.join(dest, 'abs/x'), 'utf8')).toBe('x');
  });

  it('never writes through a symlink', async () => {
    const { base, dest } = await fresh();
    await fsp.mkdir(path.join(base, 'outside'));
    const tar = rawTar([
      { name: 'link', type: '2', linkname: '../outside' },
      { name: 'link/pwned', content: 'x' },
    ]);
    await expect(unpackContextTar(chunks(tar), dest)).rejects.toThrow(
      'build context tar entry "link/pwned": parent "link" is not a directory',
    );
    expect(await fsp.readdir(path.join(base, 'outside'))).toEqual([]);
  });

  it('a directory replaced by a symlink is no longer trusted as a parent', async () => {
    const { base, dest } = await fresh();
    await fsp.mkdir(path.join(base, 'outside'));
    const tar = rawTar([
      { name: 'd/', type: '5' },
      { name: 'd/x', content: '1' },
      { name: 'd', type: '2', linkname: '../outside' },
      { name: 'd/y', content: '2' },
    ]);
    await expect(unpackContextTar(chunks(tar), dest)).rejects.toThrow('parent "d" is not a directory');
    expect(await fsp.readdir(path.join(base, 'outside'))).toEqual([]);
  });

  it('rejects hard links to outside or to non-files', async () => {
    const { dest } = await fresh();
    await expect(
      unpackContextTar(chunks(rawTar([{ name: 'h', type: '1', linkname: '../../etc/passwd' }])), dest),
    ).rejects.toThrow('path escapes the context');
    const second = await fresh();
    const tar = rawTar([
      { name: 'l', type: '2', linkname: '/etc/passwd' },
      { name: 'h', type: '1', linkname: 'l' },
    ]);
    await expect(unpackContextTar(chunks(tar), second.dest)).rejects.toThrow(
      'hard link target is not a regular file in the archive',
    );
  });

  it('skips fifos (they cannot be created without native code) and reports them', async () => {
    const { dest } = await fresh();
    const r = await unpackContextTar(
      chunks(
        rawTar([
          { name: 'p', type: '6' },
          { name: 'f', content: '' },
        ]),
      ),
      dest,
    );
    expect(r.skipped).toEqual(['p']);
  });

  it.todo('creates fifos and device nodes from a context tar (needs mknod: native code or a helper)');
  it.todo('applies tar uid/gid and xattrs to unpacked files (digests reset owners to 0 anyway)');
});
