// The stat cache on disk: its columns as raw little-endian arrays behind a magic and a count,
// then a sha256 of everything before it. Loading is a copy, not a parse; anything truncated,
// corrupt or foreign fails the checksum or the size check and decodes to null.

import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writev } from 'node:fs';
import { endianness } from 'node:os';
import path from 'node:path';

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

/**
 * The file's bytes as parts to write in order (views on the columns, no copy: a copy of a large
 * cache was megabytes of fresh memory to fault in); `Buffer.concat` of them is the file.
 */
export function encodeStatCache(cols: StatColumns): Uint8Array[] {
  const n = cols.count;
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(n, 8);
  const bytesOf = (a: Float64Array | Uint32Array, len: number): Buffer => Buffer.from(a.buffer, a.byteOffset, len);
  const parts = [header, bytesOf(cols.stamps, n * 40), bytesOf(cols.tags, n * 12), cols.digests.subarray(0, n * 32)];
  const sum = createHash('sha256');
  for (const p of parts) sum.update(p);
  parts.push(sum.digest());
  return parts;
}

/** Bytes of the header (magic and record count). */
export const HEADER_BYTES = HEADER;

/**
 * The records a file of `fileSize` bytes whose first `HEADER_BYTES` are `head` holds if it is
 * intact (its checksum is checked only by `decodeStatCache`); 0 if it cannot be a stat cache.
 */
export function claimedCount(head: Buffer, fileSize: number): number {
  if (!LITTLE_ENDIAN || head.length < HEADER || !head.subarray(0, 8).equals(MAGIC)) return 0;
  const n = head.readUInt32LE(8);
  return fileSize === HEADER + n * RECORD + CHECKSUM ? n : 0;
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

/**
 * Writes `parts` (`encodeStatCache`) as `file`: a temp file renamed over the old one. No fsync:
 * the file carries a checksum, so a crash leaves either a valid cache (old or new) or one that is
 * ignored, and a record, old or new, is never wrong for the stat it names. Only the write itself
 * goes to libuv's thread pool, and it is queued before this returns: each further round trip would
 * wait for the event loop, which a caller computing digests meanwhile does not give back soon.
 */
export async function writeStatCacheFile(file: string, parts: readonly Uint8Array[]): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try {
      const size = parts.reduce((sum, p) => sum + p.byteLength, 0);
      const written = await new Promise<number>((resolve, reject) =>
        writev(fd, parts as Uint8Array[], (err, n) => (err ? reject(err) : resolve(n))),
      );
      if (written !== size) throw new Error(`${tmp}: short write (${written} of ${size} bytes)`);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
