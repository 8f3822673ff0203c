// Taking a downloaded file into the blob directory without copying it: pulls and registry cache imports
// download into a temporary directory on the store's filesystem, verify and fsync each file, then rename it in.
import { createReadStream } from 'node:fs';
import { rename, rm, utimes } from 'node:fs/promises';
import type { Digest } from '../digest.js';
import type { BlobExpectation, BlobInfo } from './blob-writer.js';
import { fileExists } from './fs-util.js';

export interface BlobTarget {
  blobPath(digest: Digest): string;
  putBlob(data: AsyncIterable<Uint8Array>, expected: BlobExpectation): Promise<BlobInfo>;
}

/**
 * Moves `verifiedFile` (already checked against `expected.digest` and fsynced by the caller) to the blob's
 * place. A blob already there is kept (content addressing makes them identical) and its mtime refreshed for
 * prune's grace period; across filesystems the store's own verifying writer copies it. Answers whether a
 * file was renamed in: the caller then fsyncs the blob directory once for all of them (`syncBlobs`).
 * The downloaded file is gone afterwards in every case.
 */
export async function adoptVerifiedBlob(
  store: BlobTarget,
  verifiedFile: string,
  expected: BlobExpectation & { digest: Digest },
): Promise<boolean> {
  const target = store.blobPath(expected.digest);
  try {
    if (await fileExists(target)) {
      const now = new Date();
      await utimes(target, now, now).catch(() => {});
      return false;
    }
    try {
      await rename(verifiedFile, target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await store.putBlob(createReadStream(verifiedFile), expected);
      return false;
    }
  } finally {
    await rm(verifiedFile, { force: true });
  }
}
