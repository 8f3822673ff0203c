/** Kinds of entries a layer tar holds. */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** File content: bytes, or a function opening a stream (called once, when the entry is written). */
export type TarContent = Uint8Array | (() => AsyncIterable<Uint8Array> | Iterable<Uint8Array>);

/** Metadata of one tar entry, as written and as read back. */
export interface TarHeader {
  /** Relative `/`-separated path without leading `./` or trailing `/` (the writer adds `/` for directories). */
  path: string;
  type: TarEntryType;
  /** Permission bits including setuid/setgid/sticky (`0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  uname?: string;
  gname?: string;
  /** Modification time in whole seconds since the epoch. */
  mtime: number;
  /** Content size in bytes (regular files only; 0 otherwise). */
  size: number;
  /** Symlink target, or the layer path a hard link points to. */
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Extended attributes, written as PAX `SCHILY.xattr.<name>` records. */
  xattrs?: Record<string, Uint8Array>;
}

/** An entry to write: header fields (size may be omitted for non-files) plus content for regular files. */
export interface TarEntry extends Omit<TarHeader, 'size'> {
  size?: number;
  content?: TarContent;
}

export const whiteoutPrefix = '.wh.';
export const opaqueWhiteoutName = '.wh..wh..opq';

/**
 * overlayfs's own attributes (`trusted.overlay.*`, and `user.overlay.*` under `userxattr`): they say how a layer
 * directory takes part in a mount (opaque, redirect, metacopy, origin …). A layer's tar carries deletions as
 * whiteout entries, never as these, so they are neither written into a layer nor taken from one.
 */
export const isOverlayXattr = (name: string): boolean =>
  name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.');

function whiteoutBase(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function splitPath(path: string): [dir: string, base: string] {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? ['', path] : [path.slice(0, slash), path.slice(slash + 1)];
}

type WhiteoutMeta = Partial<Pick<TarHeader, 'uid' | 'gid' | 'mtime'>>;

/** The OCI whiteout entry deleting `path` from lower layers: an empty file `.wh.<name>` beside it. */
export function whiteoutEntry(path: string, meta: WhiteoutMeta = {}): TarEntry {
  const [dir, base] = splitPath(path);
  return {
    path: whiteoutBase(dir, whiteoutPrefix + base),
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: 0,
    ...meta,
  };
}

/** The OCI opaque whiteout marking `dir` as replacing, not merging with, lower layers' `dir`. */
export function opaqueWhiteoutEntry(dir: string, meta: WhiteoutMeta = {}): TarEntry {
  return { path: whiteoutBase(dir, opaqueWhiteoutName), type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, ...meta };
}
