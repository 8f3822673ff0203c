// BuildKit's directory contents digest (CACHE.md 4.3, `directoryDigest` in checksum.ts) written
// from digest bytes: the text `\0<header digest>` then `\0<name><digest>` per child is assembled
// in one reused buffer with hex written from a table, so a directory of thousands of files
// costs no digest strings, no child objects and no string concatenation.

import { createHash } from 'node:crypto';

/** ASCII hex digits of every byte value, two per byte. */
const HEX_PAIRS = (() => {
  const digits = Buffer.from('0123456789abcdef', 'latin1');
  const out = new Uint8Array(512);
  for (let b = 0; b < 256; b++) {
    out[b * 2] = digits[b >> 4];
    out[b * 2 + 1] = digits[b & 15];
  }
  return out;
})();

const PREFIX = Buffer.from('sha256:', 'latin1');
/** `\0` + `sha256:` + 64 hex digits. */
const DIGEST_TEXT = 1 + PREFIX.length + 64;

export class DirDigestWriter {
  private buf = Buffer.allocUnsafe(1 << 16);
  private len = 0;

  /** Starts a directory with its own header digest (32 bytes at `bytes[at..]`). */
  begin(bytes: Uint8Array, at: number): void {
    this.len = 0;
    this.digest(bytes, at);
  }

  /** Adds a child: its name is the part of `path` after the last `/`; its digest is at `bytes[at..]`. */
  child(path: string, bytes: Uint8Array, at: number): void {
    const start = path.lastIndexOf('/') + 1;
    this.reserve((path.length - start) * 3 + DIGEST_TEXT + 1);
    const buf = this.buf;
    let o = this.len;
    buf[o++] = 0;
    for (let i = start; i < path.length; i++) {
      const c = path.charCodeAt(i);
      if (c >= 0x80) {
        // Not ASCII: UTF-8 through the encoder (rare).
        o = this.len + 1 + buf.write(path.slice(start), this.len + 1, 'utf8');
        break;
      }
      buf[o++] = c;
    }
    this.len = o;
    // The child's digest follows its name without a separator.
    this.digest(bytes, at, false);
  }

  /** Hashes what was written and puts the 32 digest bytes at `out[at..]`. */
  finish(out: Uint8Array, at: number): void {
    const d = createHash('sha256').update(this.buf.subarray(0, this.len)).digest();
    out.set(d, at);
  }

  /** Writes (`\0` unless `separator` is false) + `sha256:` + the hex of `bytes[at..at+32]`. */
  private digest(bytes: Uint8Array, at: number, separator = true): void {
    this.reserve(DIGEST_TEXT);
    const buf = this.buf;
    let o = this.len;
    if (separator) buf[o++] = 0;
    // Byte by byte: a native copy per child cost more than the seven bytes.
    for (let k = 0; k < PREFIX.length; k++) buf[o++] = PREFIX[k];
    for (let k = at; k < at + 32; k++) {
      const b = bytes[k] * 2;
      buf[o++] = HEX_PAIRS[b];
      buf[o++] = HEX_PAIRS[b + 1];
    }
    this.len = o;
  }

  private reserve(more: number): void {
    if (this.len + more <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + more));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }
}
