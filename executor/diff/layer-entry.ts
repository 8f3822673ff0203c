// One entry of a layer, as the differ hands it to the tar writer (image/). Whiteouts are already
// named the OCI way (`.wh.<name>`, `.wh..wh..opq`), so the writer copies entries without knowing them.

export type LayerEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface LayerEntry {
  /** Relative, '/'-separated, without a leading '/' or './' and without a trailing '/'. */
  readonly path: string;
  readonly type: LayerEntryType;
  /** Permission bits including setuid, setgid and sticky (0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Content size for `file`, 0 otherwise. */
  readonly size: number;
  readonly mtime: Date;
  /** Target of a symlink (verbatim) or of a hardlink (the `path` of an earlier entry). */
  readonly linkname?: string;
  /** Without overlayfs' own `trusted.overlay.*` / `user.overlay.*` attributes. */
  readonly xattrs?: Readonly<Record<string, Buffer>>;
  readonly devmajor?: number;
  readonly devminor?: number;
  /**
   * Absolute path of the content on disk (files with size > 0). Open it with O_NOFOLLOW: it was
   * a regular file when the differ looked.
   */
  readonly sourcePath?: string;
  /** Set on the synthetic entries that record a deletion or an opaque directory. */
  readonly whiteout?: 'file' | 'opaque';
}

export const whiteoutPrefix = '.wh.';
export const opaqueWhiteoutName = '.wh..wh..opq';
