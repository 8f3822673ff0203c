// The persistent stat cache: (dev, ino, size, mtime, ctime, header) → entry digest, so that an
// unchanged file is never read again. One file in the store; saved atomically (temp + fsync +
// rename); a corrupt, truncated or foreign file is ignored (the cache starts empty).

import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ContextEntry } from './entry.js';

const FORMAT = 'tsbuild-stat-cache-v1';

interface StatCacheFile {
  readonly format: string;
  readonly entries: Record<string, string>;
}

/**
 * Cache key: identity and change stamps of the file plus the header fields that enter the digest.
 * Times are whole microseconds (integers format much faster than fractional doubles); files
 * changed within 0.5 s of being hashed are never cached, so coarser stamps cannot hide a change.
 */
export function statKey(e: ContextEntry, headerTag: string): string {
  return `${e.dev}:${e.ino}:${e.size}:${Math.round(e.mtimeMs * 1000)}:${Math.round(e.ctimeMs * 1000)}:${headerTag}`;
}

export class StatCache {
  private readonly entries: Map<string, string>;
  private dirty = false;
  /** Lookups answered from the cache since opening (for tests and progress output). */
  hits = 0;
  misses = 0;

  private constructor(
    readonly file: string | null,
    entries: Map<string, string>,
  ) {
    this.entries = entries;
  }

  /** An empty cache that is never persisted. */
  static inMemory(): StatCache {
    return new StatCache(null, new Map());
  }

  /** Loads `file` if it exists and is valid; otherwise starts empty. */
  static async open(file: string): Promise<StatCache> {
    let entries = new Map<string, string>();
    try {
      const parsed = JSON.parse(await fsp.readFile(file, 'utf8')) as Partial<StatCacheFile>;
      if (parsed && parsed.format === FORMAT && parsed.entries && typeof parsed.entries === 'object') {
        entries = new Map(Object.entries(parsed.entries).filter(([, v]) => typeof v === 'string'));
      }
    } catch {
      // Missing, unreadable, truncated or corrupt: start empty.
    }
    return new StatCache(file, entries);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): string | undefined {
    const v = this.entries.get(key);
    if (v === undefined) this.misses++;
    else this.hits++;
    return v;
  }

  set(key: string, digest: string): void {
    if (this.entries.get(key) === digest) return;
    this.entries.set(key, digest);
    this.dirty = true;
  }

  /** Keeps only `keys` (drops entries of files that no longer exist); call before `save`. */
  retainOnly(keys: ReadonlySet<string>): void {
    for (const k of this.entries.keys()) {
      if (!keys.has(k)) {
        this.entries.delete(k);
        this.dirty = true;
      }
    }
  }

  /** Writes the cache atomically: temp file, fsync, rename, fsync of the directory. */
  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    const dir = path.dirname(this.file);
    await fsp.mkdir(dir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const body: StatCacheFile = { format: FORMAT, entries: Object.fromEntries(this.entries) };
    const fh = await fsp.open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(JSON.stringify(body));
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fsp.rename(tmp, this.file);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    const dh = await fsp.open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
    this.dirty = false;
  }
}
