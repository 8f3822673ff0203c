// ADD's local archives (executor/build/archive.ts): a tar plain or compressed with gzip, bzip2, xz or zstd is
// recognised and unpacked; what only looks like one (the magic bytes of a compressor, no tar inside) is not; and
// a missing decompressor (bzip2, xz) is an error naming the program, not a packed file copied as it is.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { decompressed, detectArchive, unpackArchive } from '../../executor/build/archive.js';
import { removeScratch, scratchDir } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeScratch(dir);
});

async function fresh(): Promise<string> {
  const dir = await scratchDir();
  dirs.push(dir);
  return dir;
}

/** A tar holding `hello/world.txt`. */
async function tarBytes(): Promise<Buffer> {
  const src = await fresh();
  await mkdir(path.join(src, 'hello'));
  await writeFile(path.join(src, 'hello', 'world.txt'), 'hi from the archive\n');
  return execFileSync('tar', ['-C', src, '-cf', '-', 'hello']);
}

const compressors: Record<string, (tar: Buffer) => Buffer> = {
  tar: (tar) => tar,
  gzip: (tar) => gzipSync(tar),
  zstd: (tar) => zstdCompressSync(tar),
  bzip2: (tar) => execFileSync('bzip2', ['-c'], { input: tar }),
  xz: (tar) => execFileSync('xz', ['-c'], { input: tar }),
};

describe('ADD archive kinds', () => {
  for (const [kind, compress] of Object.entries(compressors)) {
    it(`recognises and unpacks a ${kind === 'tar' ? 'plain tar' : `${kind}-compressed tar`}`, async () => {
      const dir = await fresh();
      const file = path.join(dir, 'a.archive');
      await writeFile(file, compress(await tarBytes()));
      expect(await detectArchive(file)).toBe(kind);
      const dest = path.join(dir, 'dest');
      await mkdir(dest);
      await unpackArchive(file, kind as Parameters<typeof unpackArchive>[1], dest, null);
      expect(await readFile(path.join(dest, 'hello', 'world.txt'), 'utf8')).toBe('hi from the archive\n');
    });
  }

  it('does not take compressed data without a tar inside for an archive', async () => {
    const dir = await fresh();
    const file = path.join(dir, 'notes.zst');
    await writeFile(file, zstdCompressSync(Buffer.from('just some text, no tar\n')));
    expect(await detectArchive(file)).toBeNull();
  });

  it('says which program is missing when xz or bzip2 is not installed', async () => {
    const dir = await fresh();
    const file = path.join(dir, 'a.tar.xz');
    await writeFile(file, compressors.xz(await tarBytes()));
    const saved = process.env.PATH;
    process.env.PATH = path.join(dir, 'no-programs-here');
    try {
      await expect(detectArchive(file)).rejects.toThrow(
        'cannot unpack a.tar.xz: the xz program is not installed (Debian: apt-get install xz-utils)',
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('decompressed', () => {
  it('keeps every byte for a reader that comes after the tool has exited', async () => {
    const tar = await tarBytes();
    for (const kind of ['bzip2', 'xz'] as const) {
      const file = path.join(await fresh(), `a.tar.${kind}`);
      await writeFile(file, compressors[kind]!(tar));
      const stream = decompressed(file, kind);
      // Long enough for the tool to finish: Node drops the output of an exited child that nobody reads.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(tar), kind).toBe(true);
    }
  });

  it("fails with the tool's message for a corrupt stream", async () => {
    const file = path.join(await fresh(), 'bad.tar.xz');
    await writeFile(file, Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(64, 7)]));
    const read = async () => {
      for await (const _ of decompressed(file, 'xz'));
    };
    await expect(read()).rejects.toThrow(/^xz -dc failed: xz: .*bad\.tar\.xz/);
  });
});
