import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Detects gzip / zstd from the magic bytes of a blob. */
export function detectCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/**
 * Turns a possibly compressed tar (bytes or stream) into the uncompressed byte stream, sniffing the format from
 * its first bytes.
 */
export async function decompressedStream(input: Uint8Array | AsyncIterable<Uint8Array>): Promise<Readable> {
  if (input instanceof Uint8Array) {
    const source = Readable.from([Buffer.from(input)]);
    return decompressed(source, detectCompression(input));
  }
  const iterator = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < 4 && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else {
      head.push(Buffer.from(next.value));
      length += next.value.length;
    }
  }
  const first = Buffer.concat(head);
  async function* rest(): AsyncGenerator<Buffer> {
    yield first;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    }
  }
  return decompressed(Readable.from(rest()), detectCompression(first));
}

/**
 * `source` decompressed as `compression` says (itself for `none`); an error of `source` destroys the result. The
 * one place that picks a decompressor for a layer.
 */
export function decompressed(source: Readable, compression: Compression): Readable {
  if (compression === 'none') return source;
  // 256 KiB out per step instead of 16 KiB: every step is a round trip through libuv's pool.
  const options = { chunkSize: 256 * 1024 };
  const decoder = compression === 'gzip' ? zlib.createGunzip(options) : zlib.createZstdDecompress(options);
  source.on('error', (error) => decoder.destroy(error));
  return source.pipe(decoder);
}
