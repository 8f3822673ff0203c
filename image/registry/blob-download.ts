import { createHash, type Hash, randomBytes } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Digest, digestHex, isSha256Digest } from '../digest.js';
import { RegistryError } from './errors.js';
import { drain, type HttpResponse } from './http.js';
import { backoffDelay, isRetryableNetworkError, type RetryOptions, sleep } from './retry.js';
import { type Transport, unexpectedResponse } from './transport.js';

/** Progress of one blob transfer; `total` is undefined when the size is not known in advance. */
export interface BlobProgress {
  readonly digest: Digest;
  readonly phase: 'download' | 'upload' | 'exists' | 'mounted' | 'done';
  readonly transferred: number;
  readonly total: number | undefined;
}

export type ProgressCallback = (progress: BlobProgress) => void;

/** Receives the path of a fully downloaded, verified blob; it may rename the file away or read it. */
export type BlobSink<T> = (verifiedFile: string) => Promise<T>;

export interface DownloadOptions {
  /** Directory for the partial file; put it on the store's filesystem so the sink can rename() it in. */
  readonly tmpDir: string;
  readonly onProgress?: ProgressCallback;
  /** Cancels the download; the partial file is removed. */
  readonly signal?: AbortSignal;
}

const writeBatchBytes = 1 << 20;

interface PartialFile {
  readonly file: FileHandle;
  hash: Hash;
  received: number;
}

/** Writes `batch` (`bytes` long) at `position`; a short write (rare on regular files) is completed. */
async function writeBatch(file: FileHandle, batch: Buffer[], bytes: number, position: number): Promise<void> {
  const { bytesWritten } = await file.writev(batch, position);
  if (bytesWritten < bytes) {
    const rest = Buffer.concat(batch, bytes).subarray(bytesWritten);
    let done = 0;
    while (done < rest.length) {
      done += (await file.write(rest, done, rest.length - done, position + bytesWritten + done)).bytesWritten;
    }
  }
}

/** `bytes START-END/TOTAL` → START, when it is the form we asked for. */
function contentRangeStart(header: string | undefined): number | undefined {
  const match = header === undefined ? null : /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header.trim());
  return match === null ? undefined : Number(match[1]);
}

/**
 * Downloads a blob to a temporary file, hashing as it streams; a dropped connection resumes with a Range
 * request. Only bytes matching `digest` (and `size`, when given) reach the sink: anything else is deleted.
 */
export async function downloadBlob<T>(
  transport: Transport,
  host: string,
  repository: string,
  blob: { readonly digest: Digest; readonly size?: number },
  sink: BlobSink<T>,
  options: DownloadOptions,
  retry: RetryOptions,
): Promise<T> {
  const { digest, size } = blob;
  const what = `blob ${digest} of ${host}/${repository}`;
  if (!isSha256Digest(digest)) throw new RegistryError('EREG_INVALID', `unsupported blob digest ${digest}`);
  const tmp = path.join(
    options.tmpDir,
    `.download-${digestHex(digest).slice(0, 16)}-${randomBytes(6).toString('hex')}`,
  );
  const partial: PartialFile = { file: await open(tmp, 'wx', 0o644), hash: createHash('sha256'), received: 0 };
  let closed = false;
  try {
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= retry.attempts;
      try {
        const done = await downloadOnce(transport, host, repository, blob, partial, what, options);
        if (done) break;
        if (last)
          throw new RegistryError(
            'EREG_TRUNCATED',
            `${what}: truncated: received ${partial.received} of ${size} bytes`,
          );
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason ?? error;
        if (error instanceof RegistryError || last || !isRetryableNetworkError(error)) {
          if (error instanceof RegistryError) throw error;
          if (size !== undefined && partial.received < size) {
            throw new RegistryError(
              'EREG_TRUNCATED',
              `${what}: truncated: received ${partial.received} of ${size} bytes`,
              {
                cause: error,
              },
            );
          }
          throw new RegistryError('EREG_NETWORK', `${what}: ${(error as Error).message}`, { cause: error });
        }
      }
      await sleep(backoffDelay(attempt, retry), undefined, { signal: options.signal });
    }
    const actual = `sha256:${partial.hash.digest('hex')}` as Digest;
    if (actual !== digest) {
      throw new RegistryError('EREG_DIGEST_MISMATCH', `${what}: digest mismatch: got ${actual}`);
    }
    await partial.file.sync();
    await partial.file.close();
    closed = true;
    options.onProgress?.({ digest, phase: 'done', transferred: partial.received, total: size ?? partial.received });
    return await sink(tmp);
  } finally {
    if (!closed) await partial.file.close().catch(() => {});
    await rm(tmp, { force: true });
  }
}

/**
 * One GET (ranged when resuming). Answers true when the body ended with every byte; false when the body ended
 * short of `size` (worth resuming). Stream errors propagate so the caller can decide to retry.
 */
async function downloadOnce(
  transport: Transport,
  host: string,
  repository: string,
  blob: { readonly digest: Digest; readonly size?: number },
  partial: PartialFile,
  what: string,
  { onProgress, signal }: DownloadOptions,
): Promise<boolean> {
  const headers: Record<string, string> = {};
  if (partial.received > 0) headers['range'] = `bytes=${partial.received}-`;
  const res = await transport.request(host, {
    method: 'GET',
    target: `/v2/${repository}/blobs/${blob.digest}`,
    headers,
    scopes: [`repository:${repository}:pull`],
    subject: `${host}/${repository}`,
    ...(signal !== undefined ? { signal } : {}),
  });
  if (res.status === 206 && contentRangeStart(res.headers['content-range']) === partial.received) {
    // resuming where we stopped
  } else if (res.status === 200) {
    if (partial.received > 0) {
      // The server ignored the Range header: start over.
      await partial.file.truncate(0);
      partial.hash = createHash('sha256');
      partial.received = 0;
    }
  } else if (res.status === 206) {
    await drain(res.body);
    throw new RegistryError('EREG_BAD_RESPONSE', `${what}: server resumed at the wrong offset`);
  } else {
    throw await unexpectedResponse(res, what);
  }
  if (blob.size !== undefined && res.headers['content-length'] !== undefined) {
    if (partial.received + Number(res.headers['content-length']) > blob.size) {
      res.body.destroy();
      throw new RegistryError('EREG_TOO_LARGE', `${what}: more data than the ${blob.size} bytes announced`);
    }
  }
  if (res.consumeBatches !== undefined) {
    await takeBatches(res.consumeBatches, blob, partial, onProgress);
    return blob.size === undefined || partial.received === blob.size;
  }
  // Chunks are small (16–64 KiB); they are written in batches of ~1 MiB with one writev each (no joining copy),
  // and one batch's write runs while the next batch arrives, so the network and the disk work at once. The
  // hash is updated in order before each write starts; `received` counts a batch once it is handed to the disk,
  // and every write has settled before this function returns or throws (a resume starts after them).
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let writing: Promise<void> | undefined;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const batch = pending;
    const bytes = pendingBytes;
    pending = [];
    pendingBytes = 0;
    for (const chunk of batch) partial.hash.update(chunk);
    if (writing !== undefined) await writing;
    const at = partial.received;
    partial.received += bytes;
    writing = writeBatch(partial.file, batch, bytes, at);
    // Awaited at the next flush or at the end; until then a failure must not count as unhandled.
    writing.catch(() => {});
    onProgress?.({ digest: blob.digest, phase: 'download', transferred: partial.received, total: blob.size });
  };
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (blob.size !== undefined && partial.received + pendingBytes + chunk.length > blob.size) {
        res.body.destroy();
        pending = [];
        pendingBytes = 0;
        throw new RegistryError('EREG_TOO_LARGE', `${what}: more data than the ${blob.size} bytes announced`);
      }
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= writeBatchBytes) await flush();
    }
  } finally {
    // bytes that arrived before a dropped connection are kept: the resumed request starts after them
    await flush();
    if (writing !== undefined) await writing;
  }
  return blob.size === undefined || partial.received === blob.size;
}

/**
 * Takes a body in the reused 1 MiB batches of raw-get.ts: each is hashed and written in place, in order, at its
 * own offset (a write may run while the next batch fills). consumeBatches settles only once every write has,
 * so on a dropped connection `received` counts exactly the bytes hashed and written, and a resume follows them.
 */
async function takeBatches(
  consumeBatches: NonNullable<HttpResponse['consumeBatches']>,
  blob: { readonly digest: Digest; readonly size?: number },
  partial: PartialFile,
  onProgress: DownloadOptions['onProgress'],
): Promise<void> {
  await consumeBatches((batch) => {
    partial.hash.update(batch);
    const at = partial.received;
    partial.received += batch.length;
    onProgress?.({ digest: blob.digest, phase: 'download', transferred: partial.received, total: blob.size });
    return writeBatch(partial.file, [batch], batch.length, at);
  });
}
