// Hashing the files of a stage's read-only view, for the content keys of a COPY --from=<stage> (copy-content.ts)
// and of a RUN that mounts a stage (mount-content.ts). A file of up to 1 MiB is read with blocking calls into one
// reused buffer, as the context's files are hashed (cache/context/hash-file.ts, whose reading this is): through
// overlayfs here that is ~20 µs a file, where an open and a read stream through fs/promises, one file after another,
// took ~250 µs (a COPY --from of 50,000 small files waited 13 s for its key). A bigger file streams from the same
// descriptor through the thread pool. The view never changes while it is read, and a file is never opened through a
// symlink.
import { createHash } from 'node:crypto';
import { closeSync, constants, createReadStream, fstatSync, openSync } from 'node:fs';
import { hashOpenFile, mainHashFileIo } from '../../cache/index.js';

/** Header and content up to this size are read with blocking calls. */
const blockingReadBytes = 1 << 20;

/** One buffer for every blocking read: each file is read whole by one synchronous call sequence, never interleaved. */
let shared: Buffer | undefined;

const noHeader = new Uint8Array(0);

/**
 * The sha256 (hex) of `header` followed by the bytes of the regular file `file`, and how many of those bytes were
 * read with blocking calls (for `eventLoopTurns`).
 */
export async function fileContentDigest(
  file: string,
  header: Uint8Array = noHeader,
): Promise<{ readonly hex: string; readonly blockingBytes: number }> {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const size = fstatSync(fd).size;
    if (header.length + size <= blockingReadBytes) {
      shared ??= Buffer.allocUnsafe(blockingReadBytes);
      shared.set(header, 0);
      const { hex, read } = hashOpenFile(mainHashFileIo, fd, header.length, size, shared);
      return { hex, blockingBytes: read };
    }
    const hash = createHash('sha256').update(header);
    for await (const chunk of createReadStream('', { fd, autoClose: false })) hash.update(chunk as Buffer);
    return { hex: hash.digest('hex'), blockingBytes: 0 };
  } finally {
    closeSync(fd);
  }
}

/**
 * Called after each file with the bytes `fileContentDigest` read blocking: gives the event loop a turn after every
 * 256 files or 16 MiB, so that hashing a big tree does not stall other stages, the progress display or a signal for
 * long.
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
