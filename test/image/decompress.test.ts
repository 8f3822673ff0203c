// The one decompressor choice for layers (image/layer/decompress.ts `decompressed`), used by the layer readers.
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompressed } from '../../image/layer/decompress.js';

const plain = Buffer.from('a tar, as far as this test cares\n'.repeat(100));

describe('decompressed', () => {
  it('decompresses gzip and zstd, and gives an uncompressed source back as it is', async () => {
    expect(await text(decompressed(Readable.from([gzipSync(plain)]), 'gzip'))).toBe(plain.toString());
    expect(await text(decompressed(Readable.from([zstdCompressSync(plain)]), 'zstd'))).toBe(plain.toString());
    const source = Readable.from([plain]);
    expect(decompressed(source, 'none')).toBe(source);
  });

  it('fails with the error of its source', async () => {
    const source = new Readable({ read() {} });
    const result = decompressed(source, 'gzip');
    source.destroy(new Error('disk gone'));
    await expect(text(result)).rejects.toThrow('disk gone');
  });
});
