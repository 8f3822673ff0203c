import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zstdDecompressSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildLayer,
  deviceNumbers,
  directoryEntries,
  extractLayer,
  layerTarBytes,
  readTar,
  type TarEntry,
  tarStream,
} from '../../image/index.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tsbuild-fsentry-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function describeTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => {
      const p = path.join(dir, name);
      const st = lstatSync(p);
      const what = st.isSymbolicLink()
        ? `-> ${readlinkSync(p)}`
        : st.isFile()
          ? `file ${readFileSync(p, 'utf8')} nlink=${st.nlink}`
          : st.isDirectory()
            ? 'dir'
            : st.isCharacterDevice()
              ? `char ${st.rdev}`
              : st.isFIFO()
                ? 'fifo'
                : '?';
      return `${name} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${Math.floor(st.mtimeMs / 1000)} ${what}`;
    });
}

describe('directoryEntries (a directory on disk as layer entries)', () => {
  it('walks in canonical order and round-trips through extractLayer', async () => {
    const src = path.join(scratch, 'src');
    mkdirSync(path.join(src, 'a/b'), { recursive: true });
    mkdirSync(path.join(src, 'a-z'));
    writeFileSync(path.join(src, 'a/b/file'), 'content');
    chmodSync(path.join(src, 'a/b/file'), 0o4751);
    linkSync(path.join(src, 'a/b/file'), path.join(src, 'a-z/hard'));
    symlinkSync('../a/b/file', path.join(src, 'a-z/sym'));
    execFileSync('mkfifo', [path.join(src, 'fifo')]);
    execFileSync('mknod', [path.join(src, 'null'), 'c', '1', '3']);
    writeFileSync(path.join(src, 'x'), 'xattr');
    execFileSync('setfattr', ['-n', 'user.note', '-v', 'hi', path.join(src, 'x')]);
    for (const p of ['a/b/file', 'a/b', 'a', 'a-z', 'fifo', 'null', 'x'])
      utimesSync(path.join(src, p), 1_600_000_000, 1_600_000_000);
    utimesSync(path.join(src, 'a-z'), 1_600_000_000, 1_600_000_000);

    const entries = await collect(directoryEntries(src, { xattrs: true }));
    expect(entries.map((e) => `${e.type} ${e.path}${e.linkname ? ` ${e.linkname}` : ''}`)).toEqual([
      'directory a',
      'directory a/b',
      'file a/b/file',
      'directory a-z',
      'hardlink a-z/hard a/b/file',
      'symlink a-z/sym ../a/b/file',
      'fifo fifo',
      'char null',
      'file x',
    ]);
    expect(entries.at(-1)!.xattrs).toEqual({ 'user.note': Buffer.from('hi') });

    // Streaming the walk gives the same bytes as the sorted in-memory path.
    const streamed = Buffer.concat(await collect<Buffer>(tarStream(directoryEntries(src, { xattrs: true }))));
    expect(streamed.equals(await layerTarBytes(entries as TarEntry[]))).toBe(true);

    const dest = path.join(scratch, 'dest');
    mkdirSync(dest);
    await extractLayer(streamed, dest);
    expect(describeTree(dest)).toEqual(describeTree(src));
    expect(
      execFileSync('getfattr', ['--only-values', '-n', 'user.note', path.join(dest, 'x')], { encoding: 'utf8' }),
    ).toBe('hi');
    const names = (await collect(readTar([streamed]))).map((e) => e.header.path);
    expect(names).toEqual(['a', 'a/b', 'a/b/file', 'a-z', 'a-z/hard', 'a-z/sym', 'fifo', 'null', 'x']);
  });

  it('reads an overlay upper dir: 0/0 char devices and opaque dirs become OCI whiteouts, in canonical order', async () => {
    const upper = path.join(scratch, 'upper');
    mkdirSync(path.join(upper, 'etc/conf.d'), { recursive: true });
    writeFileSync(path.join(upper, 'etc/conf.d/new'), 'n');
    writeFileSync(path.join(upper, 'etc/passwd'), 'p');
    execFileSync('mknod', [path.join(upper, 'etc/zz-deleted'), 'c', '0', '0']);
    execFileSync('mknod', [path.join(upper, 'top-deleted'), 'c', '0', '0']);
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(upper, 'etc/conf.d')]);
    const entries = await collect(directoryEntries(upper, { overlay: true }));
    expect(entries.map((e) => `${e.type} ${e.path}`)).toEqual([
      'file .wh.top-deleted',
      'directory etc',
      'file etc/.wh.zz-deleted',
      'directory etc/conf.d',
      'file etc/conf.d/.wh..wh..opq',
      'file etc/conf.d/new',
      'file etc/passwd',
    ]);
    // overlay's own xattrs never reach the layer.
    expect(entries.some((e) => e.xattrs !== undefined)).toBe(false);
    const streamed = Buffer.concat(await collect<Buffer>(tarStream(directoryEntries(upper, { overlay: true }))));
    expect(streamed.equals(await layerTarBytes(entries))).toBe(true);
  });

  it('decodes device numbers like glibc', () => {
    expect(deviceNumbers(0x103)).toEqual({ devmajor: 1, devminor: 3 });
    expect(deviceNumbers(0x801)).toEqual({ devmajor: 8, devminor: 1 });
    // minor 0x12345678: bits 20–31 of the minor live in the high word of dev_t.
    expect(deviceNumbers(0x123 * 2 ** 32 + ((0x45678 & 0xfff00) << 12) + 0x78)).toEqual({
      devmajor: 0,
      devminor: 0x12345678,
    });
    // major 259, minor 70000: minor spills into the high bits.
    expect(deviceNumbers(((70000 & 0xfff00) << 12) | (259 << 8) | (70000 & 0xff))).toEqual({
      devmajor: 259,
      devminor: 70000,
    });
  });

  it('can compress with zstd', async () => {
    const layer = await buildLayer(
      [{ path: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, content: Buffer.from('z') }],
      {
        compression: 'zstd',
      },
    );
    expect(zstdDecompressSync(layer.blob).equals(layer.tar)).toBe(true);
    expect([...layer.blob.subarray(0, 4)]).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
  });
});
