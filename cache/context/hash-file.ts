// Reading and hashing one context file (its header, then exactly the size lstat saw), for every thread that
// does it: the calling thread (context-worker.ts, hash-pool.ts) calls `hashFile`, and the worker threads, whose
// code is a string evaluated in the worker, embed its text (`hashFileSource`). One implementation, so both sides
// hash alike. It must therefore stay self-contained: everything it uses comes in through its parameters.
import { createHash, hash } from 'node:crypto';
import { closeSync, constants, openSync, readSync } from 'node:fs';

/** The synchronous calls `hashFile` needs (node:fs and node:crypto, or their `require`d forms in a worker). */
export interface HashFileIo {
  readonly openSync: (path: string, flags: number) => number;
  readonly readSync: (fd: number, buffer: Buffer, offset: number, length: number, position: null) => number;
  readonly closeSync: (fd: number) => void;
  readonly createHash: (algorithm: 'sha256') => {
    update(data: Uint8Array | string, encoding?: 'latin1'): unknown;
    digest(encoding: 'hex'): string;
  };
  readonly hash: (algorithm: 'sha256', data: Uint8Array) => string;
  /** O_RDONLY | O_NOFOLLOW: the walk saw a regular file; a symlink swapped in since is refused, never followed. */
  readonly readNoFollow: number;
}

export interface HashedFile {
  /** The sha256 of header + content, in hex. */
  readonly hex: string;
  /** Bytes of content read (fewer than `size` when the file shrank since its lstat). */
  readonly read: number;
}

/**
 * Hashes `header` (latin1 text or bytes) and then `size` bytes of the file at `path`, reading into `buf`. A file
 * that fits in `buf` after its header is hashed with one `hash` call: no Hash object per file, which showed up as
 * time and garbage for small files. Throws what open or read throws.
 */
export function hashFile(
  io: HashFileIo,
  path: string,
  header: string | Uint8Array,
  size: number,
  buf: Buffer,
): HashedFile {
  const fd = io.openSync(path, io.readNoFollow);
  let read = 0;
  try {
    if (header.length + size <= buf.length) {
      let start = header.length;
      if (typeof header === 'string') buf.write(header, 0, 'latin1');
      else buf.set(header, 0);
      while (read < size) {
        const got = io.readSync(fd, buf, start + read, size - read, null);
        if (got === 0) break;
        read += got;
      }
      start += read;
      return { hex: io.hash('sha256', buf.subarray(0, start)), read };
    }
    const h = io.createHash('sha256');
    if (typeof header === 'string') h.update(header, 'latin1');
    else h.update(header);
    while (read < size) {
      const got = io.readSync(fd, buf, 0, Math.min(buf.length, size - read), null);
      if (got === 0) break;
      h.update(buf.subarray(0, got));
      read += got;
    }
    return { hex: h.digest('hex'), read };
  } finally {
    io.closeSync(fd);
  }
}

/** `hashFile` as source text for a worker (`const hashFile = <this>;`), with the worker's own `io`. */
export const hashFileSource = `const hashFile = ${hashFile.toString()};
const hashFileIo = (() => {
  const { openSync, readSync, closeSync, constants } = require('node:fs');
  const { createHash, hash } = require('node:crypto');
  return { openSync, readSync, closeSync, createHash, hash, readNoFollow: constants.O_RDONLY | constants.O_NOFOLLOW };
})();`;

/** The calling thread's `HashFileIo`: node:fs and node:crypto as they are. */
export const mainHashFileIo: HashFileIo = {
  openSync: (path, flags) => openSync(path, flags),
  readSync: (fd, buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
  closeSync: (fd) => closeSync(fd),
  createHash: (algorithm) => createHash(algorithm),
  hash: (algorithm, data) => hash(algorithm, data),
  readNoFollow: constants.O_RDONLY | constants.O_NOFOLLOW,
};
