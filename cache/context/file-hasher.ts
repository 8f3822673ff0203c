// Hashing regular files for their BuildKit entry digest: in worker threads (or through an
// injected reader), and answered from the stat cache when the file's stat is unchanged. Each
// file is looked up and hashed at most once per snapshot.

import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { cacheWalkDigests, type DigestColumns, type HeaderOwner, hashInBulk } from './bulk-hash.js';
import { type HeaderFields, headerBytes, headerText } from './checksum.js';
import type { ContextWorker } from './context-worker.js';
import type { ContextEntry } from './entry.js';
import type { EntryTable } from './entry-table.js';
import { type HashJobResult, HashPool } from './hash-pool.js';
import { Limiter } from './limit.js';
import type { StatCache } from './stat-cache.js';

/** Reads a file's bytes; injectable so tests can count reads. */
export type FileReader = (absPath: string, size: number) => AsyncIterable<Uint8Array>;

const SMALL_FILE = 1 << 20;

/** Small files in one read, large ones streamed in 1 MiB chunks. */
export const defaultFileReader: FileReader = async function* (absPath, size) {
  if (size <= SMALL_FILE) {
    yield await fsp.readFile(absPath);
    return;
  }
  yield* createReadStream(absPath, { highWaterMark: SMALL_FILE }) as AsyncIterable<Buffer>;
};

// A file changed within this window of being read may change again without a new mtime tick
// (coarse kernel timestamps), so its digest is not cached ("racily clean" in git's words).
export const RACY_WINDOW_MS = 500;

/** Called once with an error or the digest. */
export type DigestCallback = (err: Error | null, digest?: string) => void;

export class FileHasher {
  private readonly limiter: Limiter;
  /** Worker threads, used unless a custom reader is injected. */
  private readonly pool: HashPool | undefined;
  constructor(
    private readonly statCache: StatCache | undefined,
    private readonly reader: FileReader | undefined,
    concurrency: number | undefined,
  ) {
    this.limiter = new Limiter(concurrency ?? 4);
    this.pool = reader ? undefined : new HashPool(concurrency);
  }

  /** Stops worker threads (they also stop by themselves when idle). */
  close(): void {
    this.pool?.close();
  }

  /** Hashes many regular files at once into `out` (see bulk-hash.ts); failed ones stay unknown. */
  hashMany(
    prefix: string,
    table: EntryTable,
    files: readonly number[],
    owner: HeaderOwner,
    worker: ContextWorker | null,
    out: DigestColumns,
  ): Promise<void> {
    return hashInBulk(prefix, table, files, owner, worker, this.statCache, RACY_WINDOW_MS, out);
  }

  /**
   * Records in the stat cache the digests a walk that hashed as it went computed (marked 1 in
   * `hashed`), except files changed shortly before the walk started at `startedMs`.
   */
  rememberWalkDigests(
    table: EntryTable,
    hashed: Uint8Array,
    digests: Uint8Array,
    owner: HeaderOwner,
    startedMs: number,
  ): void {
    if (this.statCache)
      cacheWalkDigests(this.statCache, table.fields, hashed, digests, owner, startedMs - RACY_WINDOW_MS);
  }

  /** Starts writing the stat cache, if it changed, without waiting (see `StatCache.saveInBackground`). */
  saveSoon(): void {
    this.statCache?.saveInBackground();
  }

  /** False when reads go through an injected reader, which must see every read. */
  get canHashMany(): boolean {
    return this.reader === undefined;
  }

  /**
   * Copies the digest of the file at `fields[o..]` from the stat cache to `out[at..]`, if this
   * exact stat was hashed before with this header; false otherwise.
   */
  lookup(
    fields: Float64Array,
    o: number,
    mode: number,
    uid: number,
    gid: number,
    out: Uint8Array,
    at: number,
  ): boolean {
    return this.statCache?.copyDigest(fields, o, mode, uid, gid, out, at) ?? false;
  }

  /**
   * `lookup` for many files at once (see `StatCache.copyDigests`), returning how many were answered; without a
   * stat cache, none is.
   */
  lookupMany(
    fields: Float64Array,
    entries: Int32Array,
    count: number,
    resetOwner: boolean,
    out: Uint8Array,
    known: Uint8Array,
    missed: number,
  ): number {
    if (this.statCache) return this.statCache.copyDigests(fields, entries, count, resetOwner, out, known, missed);
    for (let k = 0; k < count; k++) known[entries[k]] = missed;
    return 0;
  }

  /**
   * Reads and hashes the file (header first), records the digest in the stat cache, and calls
   * `done` once. Callback-based: a cold snapshot hashes tens of thousands of files, and a promise
   * per file showed up as garbage-collection time.
   */
  compute(absPath: string, entry: ContextEntry, header: HeaderFields, done: DigestCallback): void {
    const startedMs = Date.now();
    const finish = (err: Error | null, r?: HashJobResult): void => {
      if (err || !r) {
        done(err ?? new Error(`${absPath}: hash failed`));
        return;
      }
      if (r.read !== entry.size) {
        done(new Error(`${absPath}: file changed while hashing (size ${entry.size}, read ${r.read})`));
        return;
      }
      const racyAfter = startedMs - RACY_WINDOW_MS;
      const racy = entry.mtimeMs >= racyAfter || entry.ctimeMs >= racyAfter;
      if (this.statCache && !racy) this.statCache.set(entry, header.mode, header.uid, header.gid, r.digest);
      done(null, r.digest);
    };
    if (this.pool) {
      // Without binary xattrs the header is plain text: post it as a string.
      const bytes = header.xattrs ? headerBytes(header) : headerText(header);
      this.pool.hash(absPath, bytes, entry.size, finish);
    } else {
      this.viaReader(absPath, entry, header).then(
        (r) => finish(null, r),
        (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
      );
    }
  }

  private async viaReader(absPath: string, entry: ContextEntry, header: HeaderFields): Promise<HashJobResult> {
    const reader = this.reader ?? defaultFileReader;
    const h = createHash('sha256');
    h.update(headerBytes(header));
    let read = 0;
    await this.limiter.run(async () => {
      for await (const chunk of reader(absPath, entry.size)) {
        h.update(chunk);
        read += chunk.byteLength;
      }
    });
    return { digest: 'sha256:' + h.digest('hex'), read };
  }
}
