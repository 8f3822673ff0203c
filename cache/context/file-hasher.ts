// Hashing regular files for their BuildKit entry digest: streamed, bounded in parallel, and
// answered from the stat cache when the file's stat is unchanged.

import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { type HeaderFields, headerBytes } from './checksum.js';
import type { ContextEntry } from './entry.js';
import { Limiter } from './limit.js';
import { type StatCache, statKey } from './stat-cache.js';

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
const RACY_WINDOW_NS = 500_000_000n;

export class FileHasher {
  private readonly limiter: Limiter;
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Keys this hasher used, so the stat cache can drop entries of vanished files. */
  readonly usedKeys = new Set<string>();

  constructor(
    private readonly statCache: StatCache | undefined,
    private readonly reader: FileReader = defaultFileReader,
    concurrency = 4,
  ) {
    this.limiter = new Limiter(concurrency);
  }

  /** The entry digest (`sha256:` + hex) of regular file `entry` at `absPath`. */
  digest(absPath: string, entry: ContextEntry, header: HeaderFields): Promise<string> {
    const key = statKey(entry, `${header.mode}:${header.uid}:${header.gid}`);
    this.usedKeys.add(key);
    const cached = this.statCache?.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.limiter.run(() => this.hash(absPath, entry, header, key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async hash(absPath: string, entry: ContextEntry, header: HeaderFields, key: string): Promise<string> {
    const startedNs = BigInt(Date.now()) * 1_000_000n;
    const h = createHash('sha256');
    h.update(headerBytes(header));
    let read = 0;
    for await (const chunk of this.reader(absPath, entry.size)) {
      h.update(chunk);
      read += chunk.byteLength;
    }
    if (read !== entry.size)
      throw new Error(`${absPath}: file changed while hashing (size ${entry.size}, read ${read})`);
    const digest = 'sha256:' + h.digest('hex');
    const racyAfter = startedNs - RACY_WINDOW_NS;
    const racy = entry.mtimeNs >= racyAfter || entry.ctimeNs >= racyAfter;
    if (this.statCache && !racy) this.statCache.set(key, digest);
    return digest;
  }
}
