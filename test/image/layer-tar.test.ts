import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildLayer,
  layerTarBytes,
  opaqueWhiteoutEntry,
  readTar,
  sha256Digest,
  sourceDateEpochFromEnv,
  type TarEntry,
  type TarHeader,
  tarChunks,
  whiteoutEntry,
} from '../../image/index.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tsbuild-tar-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const base = { uid: 0, gid: 0, mtime: 1_700_000_000 };
const file = (p: string, text: string, extra: Partial<TarEntry> = {}): TarEntry => ({
  ...base,
  path: p,
  type: 'file',
  mode: 0o644,
  content: Buffer.from(text),
  ...extra,
});
const dir = (p: string, extra: Partial<TarEntry> = {}): TarEntry => ({
  ...base,
  path: p,
  type: 'directory',
  mode: 0o755,
  ...extra,
});

async function readAll(tar: Buffer): Promise<{ header: TarHeader; data: string }[]> {
  const out: { header: TarHeader; data: string }[] = [];
  for await (const entry of readTar([tar])) {
    const chunks: Buffer[] = [];
    for await (const c of entry.body()) chunks.push(c);
    out.push({ header: entry.header, data: Buffer.concat(chunks).toString() });
  }
  return out;
}

/** GNU tar's verbose listing: an independent reader of what we write. */
function gnuList(tar: Buffer): string[] {
  const tarFile = path.join(scratch, 'list.tar');
  writeFileSync(tarFile, tar);
  const out = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', tarFile], {
    encoding: 'utf8',
    env: { TZ: 'UTC', PATH: process.env['PATH'] },
  });
  return out
    .trim()
    .split('\n')
    .map((line) => line.replace(/ +/g, ' '));
}

const sample: TarEntry[] = [
  file('usr/bin/tool', '#!/bin/sh\necho hi\n', { mode: 0o4755 }),
  dir('usr'),
  dir('usr/bin'),
  { ...base, path: 'usr/bin/link', type: 'symlink', mode: 0o777, linkname: 'tool' },
  { ...base, path: 'usr/bin/a-hard', type: 'hardlink', mode: 0o4755, linkname: 'usr/bin/tool' },
  { ...base, path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
  dir('dev'),
  { ...base, path: 'run/fifo', type: 'fifo', mode: 0o600 },
  dir('run'),
  file('etc/app.conf', 'x=1\n', { uid: 1000, gid: 1000, uname: 'app', gname: 'app' }),
  dir('./etc/'),
];

describe('layer tar writer', () => {
  it('writes sorted entries, hard links after their file, that GNU tar lists exactly', async () => {
    const tar = await layerTarBytes(sample);
    expect(tar.length % 512).toBe(0);
    expect(gnuList(tar)).toEqual([
      'drwxr-xr-x 0/0 0 2023-11-14 22:13:20 dev/',
      'crw-rw-rw- 0/0 1,3 2023-11-14 22:13:20 dev/null',
      'drwxr-xr-x 0/0 0 2023-11-14 22:13:20 etc/',
      '-rw-r--r-- 1000/1000 4 2023-11-14 22:13:20 etc/app.conf',
      'drwxr-xr-x 0/0 0 2023-11-14 22:13:20 run/',
      'prw------- 0/0 0 2023-11-14 22:13:20 run/fifo',
      'drwxr-xr-x 0/0 0 2023-11-14 22:13:20 usr/',
      'drwxr-xr-x 0/0 0 2023-11-14 22:13:20 usr/bin/',
      // usr/bin/a-hard sorts first, so it carries the content and tool becomes the link.
      '-rwsr-xr-x 0/0 18 2023-11-14 22:13:20 usr/bin/a-hard',
      'lrwxrwxrwx 0/0 0 2023-11-14 22:13:20 usr/bin/link -> tool',
      'hrwsr-xr-x 0/0 0 2023-11-14 22:13:20 usr/bin/tool link to usr/bin/a-hard',
    ]);
  });

  it('gives the same bytes for the same entries in any order', async () => {
    const a = await layerTarBytes(sample);
    const b = await layerTarBytes([...sample].reverse());
    expect(sha256Digest(b)).toBe(sha256Digest(a));
  });

  it('round-trips through its own reader', async () => {
    const entries = await readAll(await layerTarBytes(sample));
    expect(entries.map((e) => `${e.header.type} ${e.header.path} ${e.header.linkname ?? ''}`.trim())).toEqual([
      'directory dev',
      'char dev/null',
      'directory etc',
      'file etc/app.conf',
      'directory run',
      'fifo run/fifo',
      'directory usr',
      'directory usr/bin',
      'file usr/bin/a-hard',
      'symlink usr/bin/link tool',
      'hardlink usr/bin/tool usr/bin/a-hard',
    ]);
    expect(entries[3]).toEqual({
      header: {
        path: 'etc/app.conf',
        type: 'file',
        mode: 0o644,
        uid: 1000,
        gid: 1000,
        uname: 'app',
        gname: 'app',
        mtime: 1_700_000_000,
        size: 4,
      },
      data: 'x=1\n',
    });
    expect(entries[1]!.header).toMatchObject({ devmajor: 1, devminor: 3 });
  });

  it('uses ustar prefix, PAX path and PAX xattrs, read back by GNU tar, python and itself', async () => {
    const split = `long/${'d'.repeat(120)}/${'f'.repeat(90)}`;
    const pax = `long/${'e'.repeat(200)}`;
    const link = `l/${'t'.repeat(150)}`;
    const tar = await layerTarBytes([
      file(split, 'a'),
      file(pax, 'bb', { xattrs: { 'user.test': Buffer.from('vé'), 'security.capability': Buffer.from([1, 0, 0xff]) } }),
      file('ünï', 'ccc'),
      { ...base, path: 'sym', type: 'symlink', mode: 0o777, linkname: link },
      file('big-ids', '', { uid: 3_000_000, gid: 4_000_000 }),
    ]);
    expect(gnuList(tar).map((l) => l.split(' ').slice(1, 3).join(' ') + ' ' + l.split(' ').slice(5).join(' '))).toEqual(
      [
        '3000000/4000000 0 big-ids',
        `0/0 1 ${split}`,
        `0/0 2 ${pax}`,
        `0/0 0 sym -> ${link}`,
        '0/0 3 \\303\\274n\\303\\257',
      ],
    );
    const py = execFileSync(
      'python3',
      [
        '-c',
        'import sys,tarfile\nfor m in tarfile.open(sys.argv[1]): print(m.name, m.uid, sorted(m.pax_headers))',
        path.join(scratch, 'list.tar'),
      ],
      { encoding: 'utf8' },
    );
    expect(py.trim().split('\n')).toEqual([
      "big-ids 3000000 ['gid', 'uid']",
      `${split} 0 []`,
      `${pax} 0 ['SCHILY.xattr.security.capability', 'SCHILY.xattr.user.test', 'path']`,
      `sym 0 ['linkpath']`,
      "ünï 0 ['path']",
    ]);
    const read = await readAll(tar);
    expect(read.map((e) => e.header.path)).toEqual(['big-ids', split, pax, 'sym', 'ünï']);
    expect(read[2]!.header.xattrs).toEqual({
      'security.capability': Buffer.from([1, 0, 0xff]),
      'user.test': Buffer.from('vé'),
    });
    expect(read[3]!.header.linkname).toBe(link);
    expect(read[0]!.header).toMatchObject({ uid: 3_000_000, gid: 4_000_000 });
  });

  it('writes OCI whiteouts', async () => {
    const tar = await layerTarBytes([
      whiteoutEntry('etc/old.conf'),
      opaqueWhiteoutEntry('var/cache'),
      whiteoutEntry('top'),
    ]);
    expect((await readAll(tar)).map((e) => `${e.header.path} ${e.header.size} ${e.header.mode.toString(8)}`)).toEqual([
      '.wh.top 0 644',
      'etc/.wh.old.conf 0 644',
      'var/cache/.wh..wh..opq 0 644',
    ]);
  });

  it('clamps mtimes to SOURCE_DATE_EPOCH', async () => {
    const tar = await layerTarBytes([file('new', 'x'), file('old', 'y', { mtime: 100 })], { sourceDateEpoch: 1000 });
    expect((await readAll(tar)).map((e) => e.header.mtime)).toEqual([1000, 100]);
    expect(sourceDateEpochFromEnv({ SOURCE_DATE_EPOCH: '1234' })).toBe(1234);
    expect(sourceDateEpochFromEnv({ SOURCE_DATE_EPOCH: 'x' })).toBeUndefined();
    expect(sourceDateEpochFromEnv({})).toBeUndefined();
  });

  it('streams content from a function and rejects content that does not match its size', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0x61);
    let opened = 0;
    const streamed: TarEntry = {
      ...base,
      path: 'big',
      type: 'file',
      mode: 0o644,
      size: big.length,
      content: async function* () {
        opened++;
        for (let i = 0; i < big.length; i += 65536) yield big.subarray(i, i + 65536);
      },
    };
    let total = 0;
    for await (const chunk of tarChunks([streamed])) total += chunk.length;
    expect(opened).toBe(1);
    expect(total).toBe(512 + big.length + (512 - (big.length % 512)) + 1024);

    const wrong = { ...streamed, size: 10 };
    await expect(async () => {
      for await (const _ of tarChunks([wrong])) {
        // drain
      }
    }).rejects.toThrow('big: content is longer than its size 10');
    const short = { ...file('short', 'abc'), size: 5 };
    await expect(async () => {
      for await (const _ of tarChunks([short])) {
        // drain
      }
    }).rejects.toThrow('short: content has 3 bytes, expected 5');
  });

  it('joins headers and small contents into ~64 KiB chunks, and passes a streamed content on chunk by chunk', async () => {
    const small = Array.from({ length: 300 }, (_, i) => file(`f${String(i).padStart(3, '0')}`, `content ${i}\n`));
    const pooled = Buffer.alloc(65536, 0x62);
    const streamed: TarEntry = {
      ...base,
      path: 'zz-streamed',
      type: 'file',
      mode: 0o644,
      size: 3 * pooled.length,
      content: async function* () {
        // One buffer reused for every chunk, as the layer commit's pool does: each must be consumed as it comes.
        for (let i = 0; i < 3; i++) yield pooled.fill(0x30 + i);
      },
    };
    const entries = [...small, streamed, file('zz-tail', 'tail\n')];
    const chunks: Buffer[] = [];
    for await (const chunk of tarChunks(entries)) chunks.push(Buffer.from(chunk));
    const streamedChunks = chunks.filter(
      (chunk) => chunk.length === pooled.length && chunk[0] !== 0 && chunk.every((b) => b === chunk[0]),
    );
    expect(streamedChunks.map((chunk) => chunk[0])).toEqual([0x30, 0x31, 0x32]);
    // 300 small files are 300 KiB of headers and padded contents: a handful of chunks, not 900.
    expect(chunks.length).toBeLessThan(12);
    const expected = await layerTarBytes(
      entries.map((entry) =>
        entry === streamed
          ? { ...entry, content: Buffer.concat([0x30, 0x31, 0x32].map((b) => Buffer.alloc(65536, b))) }
          : entry,
      ),
    );
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
  });

  it('refuses to write paths that climb out or are absolute', async () => {
    await expect(layerTarBytes([file('a/../../x', '1')])).rejects.toThrow('invalid entry path "a/../../x"');
    await expect(async () => {
      for await (const _ of tarChunks([file('/etc/passwd', 'x')])) {
        // drain
      }
    }).rejects.toThrow('invalid entry path "/etc/passwd"');
  });

  it('rejects duplicate paths and hard links to files outside the layer', async () => {
    await expect(layerTarBytes([file('a', '1'), file('./a', '2')])).rejects.toThrow('duplicate entry a');
    await expect(
      layerTarBytes([{ ...base, path: 'l', type: 'hardlink', mode: 0o644, linkname: 'missing' }]),
    ).rejects.toThrow('hard link l points to missing, which is not a file of this layer');
  });
});

describe('layer digests and gzip', () => {
  it('computes diff_id over the tar and digest over a deterministic gzip', async () => {
    const a = await buildLayer(sample);
    const b = await buildLayer([...sample].reverse());
    expect(a.diffId).toBe(sha256Digest(a.tar));
    expect(a.uncompressedSize).toBe(a.tar.length);
    expect(a.digest).toBe(sha256Digest(a.blob));
    expect(a.size).toBe(a.blob.length);
    expect(gunzipSync(a.blob).equals(a.tar)).toBe(true);
    expect(b.digest).toBe(a.digest);
    // gzip header: magic, deflate, no flags (no file name), mtime 0.
    expect([...a.blob.subarray(0, 8)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
  });
});

describe('tar reader on archives written by GNU tar', () => {
  it.each(['gnu', 'pax', 'ustar'])('reads --format=%s with long names and links', async (format) => {
    const src = path.join(scratch, `src-${format}`);
    const longDir = 'x'.repeat(70);
    const longName = `${'y'.repeat(80)}.txt`;
    mkdirSync(path.join(src, longDir), { recursive: true });
    writeFileSync(path.join(src, longDir, longName), 'hello');
    symlinkSync('../target', path.join(src, 'link'));
    const out = path.join(scratch, `gnu-${format}.tar`);
    execFileSync('tar', [`--format=${format}`, '--sort=name', '-C', src, '-cf', out, '.']);
    const entries = await readAll(readFileSync(out));
    expect(entries.map((e) => `${e.header.type} ${e.header.path} ${e.data}`)).toEqual([
      'directory . ',
      'symlink ./link ',
      `directory ./${longDir} `,
      `file ./${longDir}/${longName} hello`,
    ]);
  });
});

describe('tar reader on hostile or broken input', () => {
  const oneFile = () => layerTarBytes([file('f', 'data')]);

  it('rejects a bad checksum', async () => {
    const tar = await oneFile();
    tar[0] = 0x67; // rename f → g without fixing the checksum
    await expect(readAll(tar)).rejects.toThrow('invalid tar header checksum');
  });

  it('rejects truncated content', async () => {
    const tar = (await oneFile()).subarray(0, 514);
    await expect(readAll(tar)).rejects.toThrow('unexpected end of tar data');
  });

  it('rejects input that is not a tar', async () => {
    await expect(readAll(Buffer.alloc(1024, 0x41))).rejects.toThrow('not a tar archive');
  });

  it('refuses a PAX record too large to be real', async () => {
    const tar = await layerTarBytes([file(`${'p'.repeat(200)}`, 'x')]);
    // Rewrite the PAX header's size field to 2 GiB and fix its checksum.
    tar.write('17777777777\0', 124, 12, 'ascii');
    tar.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += tar[i]!;
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
    await expect(readAll(tar)).rejects.toThrow('tar metadata record of 2147483647 bytes is too large');
  });

  it('skips unread bodies and ends at the zero blocks', async () => {
    const tar = await layerTarBytes([file('a', 'x'.repeat(1000)), file('b', 'y')]);
    const names: string[] = [];
    for await (const entry of readTar([Buffer.concat([tar, Buffer.from('trailing garbage')])]))
      names.push(entry.header.path);
    expect(names).toEqual(['a', 'b']);
  });
});
