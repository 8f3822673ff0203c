// A layer's size as Docker shows it (overlay2's directory.Size over the extracted layer): regular files' bytes and
// symlink targets, each inode once; tar headers, padding, directories, devices, whiteouts and hard links count
// nothing. Measured once per layer blob, remembered in the store, and a malformed layer is a clear error.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  contentSizeRecordPath,
  type Descriptor,
  layerContentSize,
  OciMediaType,
  opaqueWhiteoutEntry,
  Store,
  type TarEntry,
  tarChunks,
  tarContentSize,
  whiteoutEntry,
} from '../../image/index.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tsbuild-content-size-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshStore = () => Store.open(path.join(scratch, `store-${n++}`));

const base = { uid: 0, gid: 0, mtime: 1_700_000_000 };
const file = (p: string, size: number): TarEntry => ({
  ...base,
  path: p,
  type: 'file',
  mode: 0o644,
  content: Buffer.alloc(size, 0x61),
});
const dir = (p: string): TarEntry => ({ ...base, path: p, type: 'directory', mode: 0o755 });
const symlink = (p: string, target: string): TarEntry => ({
  ...base,
  path: p,
  type: 'symlink',
  mode: 0o777,
  linkname: target,
});
const hardlink = (p: string, target: string): TarEntry => ({
  ...base,
  path: p,
  type: 'hardlink',
  mode: 0o644,
  linkname: target,
});

/** Entries in the order given (not the canonical layer order), so tests can repeat or reorder paths. */
async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarChunks(entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Changes the typeflag of the header at `offset` and fixes its checksum (the writer has no type '7'). */
function retype(tar: Buffer, offset: number, flag: string): Buffer {
  const out = Buffer.from(tar);
  out.write(flag, offset + 156, 'latin1');
  out.fill(0x20, offset + 148, offset + 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += out[offset + i]!;
  out.write(`${sum.toString(8).padStart(6, '0')}\0 `, offset + 148, 'latin1');
  return out;
}

const sample: TarEntry[] = [
  dir('etc'),
  file('etc/hosts', 1000), // 1000
  file('etc/empty', 0),
  symlink('etc/link', 'hosts'), // 5
  symlink('etc/été', 'éé'), // 4: bytes, not characters
  hardlink('etc/hosts.bak', 'etc/hosts'),
  hardlink('./etc/hosts.2', './etc/hosts'),
  { ...base, path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
  { ...base, path: 'run/pipe', type: 'fifo', mode: 0o644 },
  whiteoutEntry('usr/gone'),
  opaqueWhiteoutEntry('var'),
  file(`deep/${'x'.repeat(150)}/file`, 70_000), // 70000, a PAX long name
  hardlink('deep/link', `deep/${'x'.repeat(150)}/file`),
];
const sampleSize = 1000 + 5 + 4 + 70_000;

describe('tarContentSize', () => {
  it("counts files and symlink targets once, as Docker's overlay2 does", async () => {
    const tar = await tarOf(sample);
    expect(tar.length).toBe(80_896); // what the old SIZE showed
    expect(await tarContentSize([tar])).toBe(sampleSize);
  });

  it('counts a 2-byte file as 2 bytes, not its 2 kB of tar', async () => {
    expect(await tarContentSize([await tarOf([dir('app'), file('app/x', 2)])])).toBe(2);
    expect(await tarContentSize([await tarOf([])])).toBe(0);
  });

  it('counts contiguous files (type 7) like regular ones', async () => {
    expect(await tarContentSize([retype(await tarOf([file('a', 300)]), 0, '7')])).toBe(300);
  });

  it('counts what extraction leaves: a replaced path once, a hard-linked old inode still', async () => {
    const tar = await tarOf([file('a', 10), hardlink('h', 'a'), file('a', 4), file('b', 6), file('b', 1)]);
    expect(await tarContentSize([tar])).toBe(10 + 4 + 1);
    const replacedByDir = await tarOf([file('c', 50), dir('c'), hardlink('d', 'missing')]);
    expect(await tarContentSize([replacedByDir])).toBe(0);
  });

  it('ignores data in whiteouts, which extraction turns into devices or xattrs', async () => {
    const tar = await tarOf([{ ...whiteoutEntry('x'), content: Buffer.from('junk') }]);
    expect(await tarContentSize([tar])).toBe(0);
  });

  it('rejects malformed tars with a clear error', async () => {
    await expect(tarContentSize([Buffer.alloc(1024, 0x41)])).rejects.toThrow('not a tar archive');
    const tar = await tarOf([file('a', 5000)]);
    await expect(tarContentSize([tar.subarray(0, 2048)])).rejects.toThrow('unexpected end of tar data');
    const badSum = Buffer.from(tar);
    badSum[0] = 0x62;
    await expect(tarContentSize([badSum])).rejects.toThrow('invalid tar header checksum');
    await expect(tarContentSize([retype(tar, 0, 'S')])).rejects.toThrow('unsupported tar entry type "S"');
  });
});

async function put(store: Store, bytes: Buffer, mediaType: string): Promise<Descriptor> {
  const { digest, size } = await store.putBlob(bytes);
  return { mediaType, digest, size };
}

describe('layerContentSize', () => {
  it('measures uncompressed, gzip and zstd layers alike', async () => {
    const store = await freshStore();
    const tar = await tarOf(sample);
    expect(await layerContentSize(store, await put(store, tar, OciMediaType.layer))).toBe(sampleSize);
    expect(await layerContentSize(store, await put(store, gzipSync(tar), OciMediaType.layerGzip))).toBe(sampleSize);
    expect(await layerContentSize(store, await put(store, zstdCompressSync(tar), OciMediaType.layerZstd))).toBe(
      sampleSize,
    );
    // A wrong media type does not matter: the compression is read from the blob's first bytes.
    expect(
      await layerContentSize(store, await put(store, gzipSync(await tarOf([file('g', 9)])), OciMediaType.layer)),
    ).toBe(9);
  });

  it('reads each layer once, then its record', async () => {
    const store = await freshStore();
    const layer = await put(store, gzipSync(await tarOf(sample)), OciMediaType.layerGzip);
    const sizes = await Promise.all([1, 2, 3].map(() => layerContentSize(store, layer)));
    expect(sizes).toEqual([sampleSize, sampleSize, sampleSize]);
    const record = contentSizeRecordPath(store, layer.digest);
    expect(JSON.parse(await readFile(record, 'utf8'))).toEqual({ size: sampleSize });
    await unlink(store.blobPath(layer.digest));
    expect(await layerContentSize(store, layer)).toBe(sampleSize);
  });

  it('measures again when the record is torn or corrupt', async () => {
    const store = await freshStore();
    const layer = await put(store, await tarOf(sample), OciMediaType.layer);
    const record = contentSizeRecordPath(store, layer.digest);
    expect(await layerContentSize(store, layer)).toBe(sampleSize);
    for (const junk of ['{"size":', '{"size":-1}\n', '{"size":1.5}\n', '{"size":"3"}\n', 'null\n', '']) {
      await writeFile(record, junk);
      expect(await layerContentSize(store, layer)).toBe(sampleSize);
      expect(JSON.parse(await readFile(record, 'utf8'))).toEqual({ size: sampleSize });
    }
  });

  it('loses its record when prune removes the layer', async () => {
    const store = await freshStore();
    const layer = await put(store, await tarOf(sample), OciMediaType.layer);
    expect(await layerContentSize(store, layer)).toBe(sampleSize);
    await store.prune({ gracePeriodMs: 0 });
    expect(await store.hasBlob(layer.digest)).toBe(false);
    expect(existsSync(contentSizeRecordPath(store, layer.digest))).toBe(false);
  });

  it('names the layer when it is not a readable tar, and records nothing', async () => {
    const store = await freshStore();
    const notTar = await put(store, Buffer.alloc(4096, 0x41), OciMediaType.layer);
    await expect(layerContentSize(store, notTar)).rejects.toThrow(
      `cannot read layer ${notTar.digest}: not a tar archive`,
    );
    expect(existsSync(contentSizeRecordPath(store, notTar.digest))).toBe(false);
    const gz = gzipSync(await tarOf(sample));
    const truncated = await put(store, gz.subarray(0, gz.length >> 1), OciMediaType.layerGzip);
    await expect(layerContentSize(store, truncated)).rejects.toThrow(`cannot read layer ${truncated.digest}: `);
    const corrupt = Buffer.from(gz);
    corrupt.fill(0xff, 20, 60);
    const bad = await put(store, corrupt, OciMediaType.layerGzip);
    await expect(layerContentSize(store, bad)).rejects.toThrow(`cannot read layer ${bad.digest}: `);
    const missing = { ...notTar, digest: `sha256:${'0'.repeat(64)}` as const };
    await expect(layerContentSize(store, missing)).rejects.toThrow('ENOENT');
  });
});
