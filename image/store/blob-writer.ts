import { createHash } from 'node:crypto';
import { access, open, rename, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { type Digest, digestHex, isSha256Digest } from '../digest.js';
import { fsyncDir, tempPathFor } from './atomic-file.js';
import { BlobBatcher } from './blob-batcher.js';

/** Raised when content does not match the digest (or size) it was announced with. */
export class BlobMismatchError extends Error {
  readonly code = 'EBLOBMISMATCH';
}

export interface BlobInfo {
  digest: Digest;
  size: number;
}

export interface BlobExpectation {
  digest?: Digest;
  size?: number;
}

async function* chunksOf(data: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
  if (data instanceof Uint8Array) yield data;
  else yield* data;
}

/**
 * A write's system error (ENOSPC, EIO …) says which file only through its path, and a file handle's has none:
 * the store's blob dir is added to the message, so a full disk names where the space ran out.
 */
function namingTheStore(error: unknown, blobDir: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (e instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string' && e.path === undefined) {
    e.message = `${e.message} (writing a blob in ${blobDir})`;
  }
  return error;
}

/**
 * Writes a blob into `blobDir` (`blobs/sha256`) crash-safely: the bytes go to a temp file while being hashed,
 * are fsynced, checked against the expected digest and size, and only then renamed to `<hex>`. A blob that is
 * already there is kept (content addressing makes the copies identical) and its mtime refreshed, so a
 * concurrent prune's grace period covers it.
 */
export async function writeBlob(
  blobDir: string,
  data: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  expected: BlobExpectation = {},
): Promise<BlobInfo> {
  if (expected.digest !== undefined && !isSha256Digest(expected.digest)) {
    throw new BlobMismatchError(`unsupported digest ${expected.digest}: the store holds sha256 blobs`);
  }
  const temp = tempPathFor(path.join(blobDir, 'blob'));
  const hash = createHash('sha256');
  let size = 0;
  const handle = await open(temp, 'wx', 0o644);
  const batch = new BlobBatcher(handle);
  let ok = false;
  try {
    for await (const chunk of chunksOf(data)) {
      hash.update(chunk);
      size += chunk.length;
      await batch.add(chunk);
    }
    await batch.finish();
    await handle.sync();
    ok = true;
  } catch (error) {
    throw namingTheStore(error, blobDir);
  } finally {
    await batch.close();
    await handle.close();
    if (!ok) await unlink(temp).catch(() => {});
  }
  const digest: Digest = `sha256:${hash.digest('hex')}`;
  if (expected.digest !== undefined && expected.digest !== digest) {
    await unlink(temp).catch(() => {});
    throw new BlobMismatchError(`digest mismatch: expected ${expected.digest}, got ${digest}`);
  }
  if (expected.size !== undefined && expected.size !== size) {
    await unlink(temp).catch(() => {});
    throw new BlobMismatchError(`size mismatch for ${digest}: expected ${expected.size}, got ${size}`);
  }
  const target = path.join(blobDir, digestHex(digest));
  const present = await access(target).then(
    () => true,
    () => false,
  );
  if (present) {
    await unlink(temp).catch(() => {});
    const now = new Date();
    await utimes(target, now, now).catch(() => {});
  } else {
    await rename(temp, target);
    await fsyncDir(blobDir);
  }
  return { digest, size };
}
