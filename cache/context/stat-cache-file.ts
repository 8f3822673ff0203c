// The stat cache on disk: its columns as raw little-endian arrays behind a magic and a count,
// then a sha256 of everything before it. Loading is a copy, not a parse; anything truncated,
// corrupt or foreign fails the checksum or the size check and decodes to null.

import { createHash } from 'node:crypto';
import { endianness } from 'node:os';

/** The records, column by column; capacity may exceed `count`. */
export interface StatColumns {
  count: number;
  /** Per record: dev, ino, size, mtime µs, ctime µs. */
  readonly stamps: Float64Array;
  /** Per record: header mode (permission bits), uid, gid. */
  readonly tags: Uint32Array;
  /** Per record: the 32 digest bytes. */
  readonly digests: Buffer;
}

const MAGIC = Buffer.from('TSBSTAT2', 'latin1');
const HEADER = 16;
const CHECKSUM = 32;
const RECORD = 5 * 8 + 3 * 4 + 32;
// Typed arrays use the host's byte order; a file from a big-endian host would not be read back.
const LITTLE_ENDIAN = endianness() === 'LE';

export function encodeStatCache(cols: StatColumns): Buffer {
  const n = cols.count;
  const out = Buffer.allocUnsafe(HEADER + n * RECORD + CHECKSUM);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(n, 8);
  out.writeUInt32LE(0, 12);
  let off = HEADER;
  const bytesOf = (a: Float64Array | Uint32Array, len: number): Buffer => Buffer.from(a.buffer, a.byteOffset, len);
  off += bytesOf(cols.stamps, n * 40).copy(out, off);
  off += bytesOf(cols.tags, n * 12).copy(out, off);
  off += cols.digests.copy(out, off, 0, n * 32);
  createHash('sha256').update(out.subarray(0, off)).digest().copy(out, off);
  return out;
}

export function decodeStatCache(file: Buffer): StatColumns | null {
  if (!LITTLE_ENDIAN || file.length < HEADER + CHECKSUM || !file.subarray(0, 8).equals(MAGIC)) return null;
  const n = file.readUInt32LE(8);
  if (file.length !== HEADER + n * RECORD + CHECKSUM) return null;
  const body = file.length - CHECKSUM;
  const sum = createHash('sha256').update(file.subarray(0, body)).digest();
  if (!sum.equals(file.subarray(body))) return null;
  const stampBytes = file.subarray(HEADER, HEADER + n * 40);
  const tagBytes = file.subarray(HEADER + n * 40, HEADER + n * 52);
  // Views on the file's own memory when it is 8-byte aligned (a large read always is), else copies.
  const aligned = file.byteOffset % 8 === 0;
  const stamps = aligned
    ? new Float64Array(file.buffer, stampBytes.byteOffset, n * 5)
    : new Float64Array(new Uint8Array(stampBytes).buffer);
  const tags = aligned
    ? new Uint32Array(file.buffer, tagBytes.byteOffset, n * 3)
    : new Uint32Array(new Uint8Array(tagBytes).buffer);
  return { count: n, stamps, tags, digests: file.subarray(HEADER + n * 52, HEADER + n * 84) };
}
