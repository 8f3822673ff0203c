// The size Docker shows for a layer (overlay2: moby's directory.Size over the layer's diff dir), from the layer's
// tar alone: the lstat size of every non-directory entry, each inode once. So a regular file counts its content,
// a symlink the bytes of its target, a hard link nothing more than the inode it names; directories, devices,
// fifos and whiteouts (which become 0/0 devices or xattrs) count nothing. Tar headers and padding never count.
import path from 'node:path';
import { type TarHeader, whiteoutPrefix } from './tar-entry.js';
import { readTar } from './tar-reader.js';

/** A path as the extracted tree knows it: `./a/b/`, `/a/b` and `a/b` are one file. */
function treePath(name: string): string {
  return path.posix.normalize(`/${name}`);
}

/** Docker's content size of the layer tar `source` (uncompressed); throws TarReadError on a malformed tar. */
export async function tarContentSize(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<number> {
  return headersContentSize(
    (async function* () {
      for await (const { header } of readTar(source)) yield header;
    })(),
  );
}

/** The same from the tar's headers in order (a layer recipe has them without the tar). */
export async function headersContentSize(
  headers: AsyncIterable<Pick<TarHeader, 'path' | 'type' | 'size' | 'linkname'>>,
): Promise<number> {
  // Path → inode and inode → size: a later entry for the same path replaces the earlier one (as extraction
  // does), while a hard link made before that keeps the old inode alive, as on disk.
  const inodeAt = new Map<string, number>();
  const inodeSizes: number[] = [];
  for await (const header of headers) {
    const at = treePath(header.path);
    if (header.type === 'hardlink') {
      const target = inodeAt.get(treePath(header.linkname ?? ''));
      if (target === undefined) inodeAt.delete(at);
      else inodeAt.set(at, target);
      continue;
    }
    const size = path.posix.basename(at).startsWith(whiteoutPrefix) ? 0 : lstatSize(header);
    if (size === 0) {
      inodeAt.delete(at);
      continue;
    }
    inodeAt.set(at, inodeSizes.length);
    inodeSizes.push(size);
  }
  let total = 0;
  for (const inode of new Set(inodeAt.values())) total += inodeSizes[inode]!;
  return total;
}

/** What lstat reports once the entry is extracted: a file's length, a symlink's target length, else nothing. */
function lstatSize(header: Pick<TarHeader, 'type' | 'size' | 'linkname'>): number {
  if (header.type === 'file') return header.size;
  if (header.type === 'symlink') return Buffer.byteLength(header.linkname ?? '', 'utf8');
  return 0;
}
