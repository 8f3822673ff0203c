// What a context snapshot records for each entry, and how it is derived from an lstat.

import type { BigIntStats } from 'node:fs';

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
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly dev: bigint;
  readonly ino: bigint;
  readonly nlink: number;
  readonly rdev: bigint;
  /** Symlink target text, exactly as stored. */
  readonly linkTarget?: string;
}

export function entryFromStats(path: string, st: BigIntStats, linkTarget: string | undefined): ContextEntry {
  let type: EntryType = 'other';
  let special: SpecialKind | undefined;
  if (st.isFile()) type = 'file';
  else if (st.isDirectory()) type = 'dir';
  else if (st.isSymbolicLink()) type = 'symlink';
  else if (st.isSocket()) special = 'socket';
  else if (st.isFIFO()) special = 'fifo';
  else if (st.isCharacterDevice()) special = 'char';
  else if (st.isBlockDevice()) special = 'block';
  return {
    path,
    type,
    ...(special ? { special } : {}),
    mode: Number(st.mode),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: type === 'file' ? Number(st.size) : 0,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
    dev: st.dev,
    ino: st.ino,
    nlink: Number(st.nlink),
    rdev: st.rdev,
    ...(linkTarget !== undefined ? { linkTarget } : {}),
  };
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
