// Reading and hashing one context file (its header, then exactly the size lstat saw), for every thread that
// does it: the calling thread (context-job.ts, hash-pool.ts) calls `hashFile`, and the worker threads, whose
// code is a string evaluated in the worker, embed its text (`hashFileSource`). One implementation, so both sides
// hash alike. It must therefore stay self-contained: everything the four functions below use comes in through
// their parameters, or is one of them.
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
  /**
   * O_RDONLY | O_NOFOLLOW | O_NONBLOCK: the walk saw a regular file; a symlink swapped in since is refused, never
   * followed, and a fifo swapped in does not block the open (its read fails instead of waiting for a writer).
   */
  readonly readNoFollow: number;
}

export interface HashedFile {
  /** The sha256 of header + content, in hex. */
  readonly hex: string;
  /** Bytes of content read (fewer than `size` when the file shrank since its lstat). */
  readonly read: number;
}

/**
 * Hashes `header` (latin1 text or bytes) and then `size` bytes of the file at `path`, reading into `buf` (see
 * `hashFileAt`). Throws what open or read throws.
 */
export function hashFile(
  io: HashFileIo,
  path: string,
  header: string | Uint8Array,
  size: number,
  buf: Buffer,
): HashedFile {
  let headerLength = header.length;
  if (typeof header === 'string') headerLength = buf.write(header, 0, 'latin1');
  else buf.set(header, 0);
  return hashFileAt(io, path, headerLength, size, buf);
}

/**
 * Hashes the header already in `buf[0..headerLength)`, then `size` bytes of the file at `path`, reading into `buf`.
 * A file that fits in `buf` after its header is hashed with one `hash` call: no Hash object per file, which showed
 * up as time and garbage for small files. Throws what open or read throws.
 */
export function hashFileAt(io: HashFileIo, path: string, headerLength: number, size: number, buf: Buffer): HashedFile {
  const fd = io.openSync(path, io.readNoFollow);
  try {
    return hashOpenFile(io, fd, headerLength, size, buf);
  } finally {
    io.closeSync(fd);
  }
}

/** `hashFileAt` for a file already open (not closed here). */
export function hashOpenFile(io: HashFileIo, fd: number, headerLength: number, size: number, buf: Buffer): HashedFile {
  let read = 0;
  if (headerLength + size <= buf.length) {
    while (read < size) {
      const got = io.readSync(fd, buf, headerLength + read, size - read, null);
      if (got === 0) break;
      read += got;
    }
    return { hex: io.hash('sha256', buf.subarray(0, headerLength + read)), read };
  }
  const h = io.createHash('sha256');
  h.update(buf.subarray(0, headerLength));
  while (read < size) {
    const got = io.readSync(fd, buf, 0, Math.min(buf.length, size - read), null);
    if (got === 0) break;
    h.update(buf.subarray(0, got));
    read += got;
  }
  return { hex: h.digest('hex'), read };
}

/**
 * Writes a regular file's header (checksum.ts `fileHeaderText`, no extended attributes) to `buf` from 0 and returns
 * its length: no string per file. Numbers are non-negative integers below 2^53.
 */
export function writeFileHeader(buf: Uint8Array, mode: number, uid: number, gid: number, size: number): number {
  let o = 0;
  for (let p = 0; p < 4; p++) {
    const text = p === 0 ? 'namemode' : p === 1 ? 'uid' : p === 2 ? 'gid' : 'size';
    for (let k = 0; k < text.length; k++) buf[o++] = text.charCodeAt(k);
    let n = p === 0 ? mode & 0o7777 : p === 1 ? uid : p === 2 ? gid : size;
    const start = o;
    do {
      // Exact below 2^53: n / 10 is within 1/16 of its true value, whose fraction is a multiple of 1/10.
      const q = Math.floor(n / 10);
      buf[o++] = 48 + (n - q * 10);
      n = q;
    } while (n > 0);
    for (let a = start, b = o - 1; a < b; a++, b--) {
      const t = buf[a];
      buf[a] = buf[b];
      buf[b] = t;
    }
  }
  const tail = 'typeflag0linknameunamegnamedevmajor0devminor0';
  for (let k = 0; k < tail.length; k++) buf[o++] = tail.charCodeAt(k);
  return o;
}

/**
 * `hashFile`, `hashFileAt`, `hashOpenFile` and `writeFileHeader` as source text for a worker, with its own `io`.
 * Each function's text is a declaration under the name its own code has: in the minified bundle (dist/bin) that is
 * a short name like `We`, and `hashFile`'s body calls `hashFileAt` by that name, not by ours. Declared in a scope
 * of their own, those names cannot clash with the worker's; they come out under ours.
 */
export const hashFileSource = `const { hashFile, hashFileAt, hashOpenFile, writeFileHeader } = (() => {
${hashFile.toString()}
${hashFileAt.toString()}
${hashOpenFile.toString()}
${writeFileHeader.toString()}
return { hashFile: ${hashFile.name}, hashFileAt: ${hashFileAt.name}, hashOpenFile: ${hashOpenFile.name}, writeFileHeader: ${writeFileHeader.name} };
})();
const hashFileIo = (() => {
  const { openSync, readSync, closeSync, constants } = require('node:fs');
  // Required on first use: loading node:crypto is ~15 ms of a worker's boot, and a walk's helper thread that
  // only lstats (a warm snapshot) never hashes.
  let crypto;
  const createHash = (algorithm) => (crypto ??= require('node:crypto')).createHash(algorithm);
  const hash = (algorithm, data) => (crypto ??= require('node:crypto')).hash(algorithm, data);
  const readNoFollow = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  return { openSync, readSync, closeSync, createHash, hash, readNoFollow };
})();`;

/** The calling thread's `HashFileIo`: node:fs and node:crypto as they are. */
export const mainHashFileIo: HashFileIo = {
  openSync: (path, flags) => openSync(path, flags),
  readSync: (fd, buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
  closeSync: (fd) => closeSync(fd),
  createHash: (algorithm) => createHash(algorithm),
  hash: (algorithm, data) => hash(algorithm, data),
  readNoFollow: constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
};
