// Reading the stat cache file into memory that is warm if this process read one before. The file
// of a large context is megabytes, and fresh memory is slow on the project's VMs: each new 4 KiB
// page costs ~25 µs to map and as much again on its first read, ~45 ms for a 50,000-file cache.
// So the buffer of the last cache read is kept, and the next read reuses it once the cache that
// owned it is gone (garbage-collected: its columns were views on that buffer); and a snapshot
// reads the file in the thread pool while it walks (`readStatCacheBytesLater`).

import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import { claimedCount, HEADER_BYTES } from './stat-cache-file.js';

/** The kept buffer; the cache whose columns may still be views on it; whether a read has it now. */
let kept: { readonly buffer: Buffer; owner: WeakRef<object> | null; loaned: boolean } | null = null;

/**
 * The bytes of `file`. The buffer is on loan until `adopt` (or `giveBack`, if its bytes are not
 * used): either must follow. Throws what open and read throw.
 */
export function readStatCacheBytes(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = bufferFor(size);
    let done = 0;
    try {
      while (done < size) {
        const got = readSync(fd, buffer, done, size - done, null);
        if (got === 0) break;
        done += got;
      }
    } catch (err) {
      giveBack(buffer);
      throw err;
    }
    // A file that shrank meanwhile is shorter than its header says: it fails to decode.
    return buffer.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/**
 * `readStatCacheBytes` with the read in libuv's thread pool: the copy of megabytes into memory
 * (page faults included) happens on another thread while this one goes on (with the walk).
 * Rejects with what open and read throw.
 */
export function readStatCacheBytesLater(file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const fd = openSync(file, 'r');
    let size: number;
    let buffer: Buffer;
    try {
      size = fstatSync(fd).size;
      buffer = bufferFor(size);
    } catch (err) {
      closeSync(fd);
      reject(err);
      return;
    }
    const finish = (err: Error | null, done: number): void => {
      closeSync(fd);
      if (err === null) resolve(buffer.subarray(0, done));
      else {
        giveBack(buffer);
        reject(err);
      }
    };
    const next = (done: number): void => {
      if (done >= size) finish(null, done);
      else
        read(fd, buffer, done, size - done, null, (err, got) =>
          err || got === 0 ? finish(err, done) : next(done + got),
        );
    };
    next(0);
  });
}

/**
 * The records a stat cache file claims (its header's count, if its size agrees; 0 otherwise),
 * without reading the records: 0 for a missing or foreign file.
 */
export function claimedRecords(file: string): number {
  let fd = -1;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(HEADER_BYTES);
    if (readSync(fd, head, 0, HEADER_BYTES, 0) !== HEADER_BYTES) return 0;
    return claimedCount(head, size);
  } catch {
    return 0;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** `bytes` (from `readStatCacheBytes`) now hold the columns of `owner`. */
export function adopt(bytes: Buffer, owner: object): void {
  if (kept === null || kept.buffer.buffer !== bytes.buffer) return;
  kept.owner = new WeakRef(owner);
  kept.loaned = false;
}

/** `bytes` (from `readStatCacheBytes`) are not used after all. */
export function giveBack(bytes: Buffer): void {
  if (kept === null || kept.buffer.buffer !== bytes.buffer) return;
  kept.owner = null;
  kept.loaned = false;
}

/** The kept buffer if it is free and large enough, else a new one (kept from now on). */
function bufferFor(size: number): Buffer {
  if (kept !== null && !kept.loaned && kept.buffer.length >= size && kept.owner?.deref() === undefined) {
    kept.loaned = true;
    return kept.buffer;
  }
  // Its own ArrayBuffer at offset 0: the columns are 8-byte aligned views on it (stat-cache-file.ts).
  const buffer = Buffer.allocUnsafeSlow(size);
  kept = { buffer, owner: null, loaned: true };
  return buffer;
}
