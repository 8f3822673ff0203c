// Hashing the files of a stage's read-only view, for the content keys of a COPY --from=<stage> (copy-content.ts)
// and of a RUN that mounts a stage (mount-content.ts). A file of up to 1 MiB is read with blocking calls into one
// reused buffer: through overlayfs here that is ~20 µs a file, where an open and a read stream through fs/promises,
// one file after another, took ~250 µs (a COPY --from of 50,000 small files waited 13 s for its key). A bigger file
// streams through the thread pool. The view never changes while it is read, and a file is never opened through a
// symlink.
import type { Hash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** Files up to this size are read with blocking calls. */
const blockingReadBytes = 1 << 20;

/** One buffer for every blocking read: each file is read whole by one synchronous call sequence, never interleaved. */
let shared: Buffer | undefined;

/** Adds the bytes of the regular file `file` to `hash`; returns how many were read with blocking calls. */
export async function hashFileContent(hash: Hash, file: string): Promise<number> {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  let blocking = 0;
  let streamed = false;
  try {
    if (fstatSync(fd).size > blockingReadBytes) streamed = true;
    else {
      shared ??= Buffer.allocUnsafe(blockingReadBytes);
      for (let got = readSync(fd, shared, 0, shared.length, null); got > 0; ) {
        hash.update(shared.subarray(0, got));
        blocking += got;
        got = readSync(fd, shared, 0, shared.length, null);
      }
    }
  } finally {
    closeSync(fd);
  }
  if (!streamed) return blocking;
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return 0;
}

/**
 * Called after each file with the bytes `hashFileContent` read blocking: gives the event loop a turn after every 256
 * files or 16 MiB, so that hashing a big tree does not stall other stages, the progress display or a signal for long.
 */
export function eventLoopTurns(): (blockingBytes: number) => Promise<void> {
  let files = 0;
  let bytes = 0;
  return async (blockingBytes) => {
    files++;
    bytes += blockingBytes;
    if (files < 256 && bytes < 16 << 20) return;
    files = 0;
    bytes = 0;
    await new Promise((resolve) => setImmediate(resolve));
  };
}
