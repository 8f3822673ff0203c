// Makes the upper dir of a `volatile` overlay durable before it is published as a snapshot. A normal overlay
// unmount syncs the WHOLE upper filesystem (every dirty page of every process on it: on a busy disk that was
// 20–700 ms per RUN step); a volatile one syncs nothing, so tsbuild syncs exactly what the snapshot needs:
// - the content of its regular files (delayed allocation writes file data long after the metadata), each
//   fdatasync'd; with many files, one syncfs of the filesystem is cheaper than thousands of journal commits;
// - nothing for metadata (directories, whiteout devices, xattrs, modes, links, empty files): a journaling
//   filesystem (ext4, xfs, btrfs) makes metadata durable in the order it was changed, so the rename that
//   publishes the snapshot cannot survive a crash without the changes made before it.
// A step that changed nothing (an empty upper dir) therefore costs no sync at all.
import { closeSync, constants, fdatasync as fdatasyncCallback, openSync } from 'node:fs';
import { promisify } from 'node:util';
import { launchChecked } from '../runtime/launcher.js';

/** Up to this many files are fdatasync'd one by one (concurrently); beyond, one syncfs is cheaper (measured here). */
export const perFileSyncLimit = 64;

/**
 * Syncs the content of `dataFiles` (absolute paths of the upper dir's non-empty regular files, as the differ
 * lists them) so that `upperDir` can be published. Throws when the data cannot be written (EIO, ENOSPC).
 */
export async function syncUpperData(upperDir: string, dataFiles: readonly string[]): Promise<void> {
  if (dataFiles.length === 0) return;
  if (dataFiles.length > perFileSyncLimit) {
    await syncFileSystemOf(upperDir);
    return;
  }
  // Opened with blocking calls, then every fdatasync queued at once (the journal batches concurrent ones into one
  // commit): none waits for the main thread to start it. The layer is hashed meanwhile, with blocking reads
  // (layer-commit.ts), and the opens through the thread pool waited for that: in `small` the second RUN's twenty
  // fdatasyncs began only once its 20 MB were hashed, ~26 ms into its commit.
  const fds: number[] = [];
  try {
    // O_NOFOLLOW: the differ saw a regular file here; nothing may have swapped in a symlink to elsewhere since.
    for (const file of dataFiles) fds.push(openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW));
    // All settled before the descriptors are closed: a number closed under a queued fdatasync could be reused.
    const failed = (await Promise.allSettled(fds.map((fd) => fdatasync(fd)))).find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

const fdatasync = promisify(fdatasyncCallback);

/** syncfs(2) of the filesystem holding `dir` (Node has no binding: coreutils' `sync --file-system`). */
export async function syncFileSystemOf(dir: string): Promise<void> {
  await launchChecked('sync', ['--file-system', dir]);
}
