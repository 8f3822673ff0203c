import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type FileHandle, open, rename, unlink, utimes } from 'node:fs/promises';
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
 * Makes a blob's written bytes durable (`FileHandle.sync`), given its handle (write-only) and its temp file's path; a
 * seam for tests (a slow or failing disk).
 */
export type SyncBlobFile = (handle: FileHandle, tempFile: string) => Promise<void>;

const syncHandle: SyncBlobFile = (handle) => handle.sync();

/** A blob written and hashed whose commit goes on in the background. */
export interface DeferredBlob extends BlobInfo {
  /**
   * Resolves once the blob is durable under its digest (temp file fsynced, renamed, directory fsynced); rejects
   * when that failed, and no file has the digest's name then. Nothing may name the blob before.
   */
  readonly durable: Promise<void>;
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
  const { digest, size, durable } = await writeBlobDeferred(blobDir, data, expected);
  await durable;
  return { digest, size };
}

/**
 * `writeBlob` answering as soon as the bytes are written, hashed and checked: the fsync, the rename to the digest
 * and the directory's fsync go on in the background (`durable`), in that order, so that a name never points at
 * bytes a crash could lose or tear. Several blobs in flight at once share the journal's commits.
 */
export async function writeBlobDeferred(
  blobDir: string,
  data: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  expected: BlobExpectation = {},
  syncFile: SyncBlobFile = syncHandle,
): Promise<DeferredBlob> {
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
    ok = true;
  } catch (error) {
    throw namingTheStore(error, blobDir);
  } finally {
    await batch.close();
    if (!ok) {
      await handle.close();
      await unlink(temp).catch(() => {});
    }
  }
  const digest: Digest = `sha256:${hash.digest('hex')}`;
  let mismatch: string | undefined;
  if (expected.digest !== undefined && expected.digest !== digest)
    mismatch = `digest mismatch: expected ${expected.digest}, got ${digest}`;
  else if (expected.size !== undefined && expected.size !== size)
    mismatch = `size mismatch for ${digest}: expected ${expected.size}, got ${size}`;
  if (mismatch !== undefined) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw new BlobMismatchError(mismatch);
  }
  const target = path.join(blobDir, digestHex(digest));
  return { digest, size, durable: commitTemp(handle, temp, target, syncFile) };
}

/** fsync → rename → directory fsync of a written temp blob; the temp file is gone when it fails. */
async function commitTemp(handle: FileHandle, temp: string, target: string, syncFile: SyncBlobFile): Promise<void> {
  const blobDir = path.dirname(target);
  try {
    // Stored already: that copy's bytes are durable (it was renamed only after its fsync), this one is not needed.
    // Its name may still be on its way to the disk (another commit's directory fsync pending): synced below.
    // A stat of a name in the dentry cache: synchronously, not one more round trip through libuv's pool.
    if (existsSync(target)) {
      await handle.close();
      await unlink(temp).catch(() => {});
      const now = new Date();
      await utimes(target, now, now).catch(() => {});
    } else {
      try {
        await syncFile(handle, temp);
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    }
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw namingTheStore(error, blobDir);
  }
  await fsyncDir(blobDir).catch((error: unknown) => {
    throw namingTheStore(error, blobDir);
  });
}
