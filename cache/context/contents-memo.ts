// Directory contents digests remembered by what they were computed from (BuildKit keeps the recursive
// checksum of each directory in its cache context for the same reason): a fingerprint of everything below a
// directory that its digest depends on (snapshot-fingerprint.ts) → the digest. A re-plan of an unchanged context
// then needs neither a stat-cache lookup per file nor a directory digest per directory: only the fingerprint,
// one hash over the walk's own columns. Kept beside the stat cache, in a small file of its own: checksummed,
// written by renaming a temp file, anything corrupt or foreign read as empty.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeStatCacheFile } from './stat-cache-file.js';

const MAGIC = Buffer.from('TSBMEMO1', 'latin1');
const HEADER = 16;
const RECORD = 64;
const CHECKSUM = 32;
/** Directories remembered: a few COPY sources per Dockerfile, several Dockerfiles or ignore files per context. */
export const MEMO_RECORDS = 64;

export class ContentsMemo {
  /** Fingerprint (hex) → digest bytes, least recently used first. */
  private records: Map<string, Buffer> | null = null;
  private changed = false;

  /** `file` null: kept in memory only. */
  constructor(readonly file: string | null) {}

  /** The digest remembered for `fingerprint` (32 bytes), as `sha256:` + hex; undefined if none. */
  get(fingerprint: Buffer): string | undefined {
    const records = this.load();
    const key = fingerprint.toString('hex');
    const digest = records.get(key);
    if (digest === undefined) return undefined;
    // Most recently used last: the first ones are dropped when it is full.
    records.delete(key);
    records.set(key, digest);
    return `sha256:${digest.toString('hex')}`;
  }

  /** Remembers `digest` (`sha256:` + 64 hex digits) for `fingerprint`. */
  set(fingerprint: Buffer, digest: string): void {
    const records = this.load();
    const key = fingerprint.toString('hex');
    const bytes = Buffer.from(digest.slice(7), 'hex');
    if (records.get(key)?.equals(bytes)) return;
    records.delete(key);
    records.set(key, bytes);
    while (records.size > MEMO_RECORDS) records.delete(records.keys().next().value as string);
    this.changed = true;
  }

  /** Writes the file if a record was added (a lookup's new order alone is not worth a write). */
  async save(): Promise<void> {
    if (!this.changed || this.file === null || this.records === null) return;
    this.changed = false;
    const body = Buffer.alloc(HEADER + this.records.size * RECORD);
    MAGIC.copy(body, 0);
    body.writeUInt32LE(this.records.size, 8);
    let o = HEADER;
    for (const [key, digest] of this.records) {
      o += body.write(key, o, 'hex');
      o += digest.copy(body, o);
    }
    try {
      await writeStatCacheFile(this.file, [body, createHash('sha256').update(body).digest()]);
    } catch (err) {
      this.changed = true;
      throw err;
    }
  }

  private load(): Map<string, Buffer> {
    if (this.records !== null) return this.records;
    this.records = new Map();
    if (this.file === null) return this.records;
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.file);
    } catch {
      return this.records; // none yet, or unreadable: empty
    }
    for (const [key, digest] of decode(bytes)) this.records.set(key, digest);
    return this.records;
  }
}

/** The records of a memo file in order; none if it is truncated, corrupt or not one. */
function decode(bytes: Buffer): [string, Buffer][] {
  if (bytes.length < HEADER + CHECKSUM || !bytes.subarray(0, 8).equals(MAGIC)) return [];
  const n = bytes.readUInt32LE(8);
  const body = bytes.length - CHECKSUM;
  if (n > MEMO_RECORDS || body !== HEADER + n * RECORD) return [];
  if (!createHash('sha256').update(bytes.subarray(0, body)).digest().equals(bytes.subarray(body))) return [];
  const out: [string, Buffer][] = [];
  for (let o = HEADER; o < body; o += RECORD) {
    out.push([bytes.toString('hex', o, o + 32), Buffer.from(bytes.subarray(o + 32, o + RECORD))]);
  }
  return out;
}
