// What a context snapshot records for each entry, and how it is derived from an lstat.

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';
/** For `other` entries: which special file it is. */
export type SpecialKind = 'socket' | 'fifo' | 'char' | 'block';

export interface ContextEntry {
  /** Relative posix path, no leading `/` (the root itself is not an entry). */
  readonly path: string;
  readonly type: EntryType;
  readonly special?: SpecialKind;
  /** Full `st_mode` (type bits included). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /**
   * Timestamps in milliseconds with their sub-millisecond fraction (a double: ~0.25 µs
   * resolution). Not BigInt nanoseconds: `lstat(..., { bigint: true })` made the 50,000-file walk
   * about 1.8x slower, mostly in garbage collection, for precision the stat cache does not need.
   */
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly dev: number;
  readonly ino: number;
  readonly nlink: number;
  readonly rdev: number;
  /** Symlink target text, exactly as stored. */
  readonly linkTarget?: string;
}

/**
 * The entry for `path` from its lstat fields at `fields[o..]` (stat-batch.ts order: mode, uid,
 * gid, size, mtimeMs, ctimeMs, dev, ino, nlink, rdev).
 */
export function entryFromFields(
  path: string,
  fields: Float64Array,
  o: number,
  linkTarget: string | undefined,
): ContextEntry {
  const mode = fields[o];
  const fmt = mode & 0o170000;
  let type: EntryType = 'other';
  let special: SpecialKind | undefined;
  if (fmt === 0o100000) type = 'file';
  else if (fmt === 0o040000) type = 'dir';
  else if (fmt === 0o120000) type = 'symlink';
  else if (fmt === 0o140000) special = 'socket';
  else if (fmt === 0o010000) special = 'fifo';
  else if (fmt === 0o020000) special = 'char';
  else if (fmt === 0o060000) special = 'block';
  const entry: {
    -readonly [K in keyof ContextEntry]: ContextEntry[K];
  } = {
    path,
    type,
    mode,
    uid: fields[o + 1],
    gid: fields[o + 2],
    size: type === 'file' ? fields[o + 3] : 0,
    mtimeMs: fields[o + 4],
    ctimeMs: fields[o + 5],
    dev: fields[o + 6],
    ino: fields[o + 7],
    nlink: fields[o + 8],
    rdev: fields[o + 9],
  };
  if (special) entry.special = special;
  if (linkTarget !== undefined) entry.linkTarget = linkTarget;
  return entry;
}

/** Orders names by their UTF-8 bytes (Go's sort order), not by UTF-16 code units. */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (astral code points) sort above U+E000–U+FFFF in code-point order.
      const fx = x >= 0xd800 && x <= 0xdfff ? x + 0x2000 : x >= 0xe000 ? x - 0x800 : x;
      const fy = y >= 0xd800 && y <= 0xdfff ? y + 0x2000 : y >= 0xe000 ? y - 0x800 : y;
      return fx - fy;
    }
  }
  return a.length - b.length;
}
