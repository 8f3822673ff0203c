import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { type Digest, isSha256Digest } from '../digest.js';
import type { ProgressCallback } from './blob-download.js';
import { RegistryError } from './errors.js';
import { drain, type HttpResponse, type RequestBody } from './http.js';
import { backoffDelay, isRetryableNetworkError, isRetryableStatus, type RetryOptions, sleep } from './retry.js';
import { type Transport, unexpectedResponse } from './transport.js';

/** Where the bytes of a blob to push come from. */
export type BlobSource = { readonly file: string } | { readonly bytes: Buffer };

export interface UploadOptions {
  /** Another repository of the same registry that may already hold the blob (cross-repository mount). */
  readonly mountFrom?: string;
  /** Upload in PATCH chunks of this many bytes; without it the blob goes in one monolithic PUT. */
  readonly chunkSize?: number;
  readonly onProgress?: ProgressCallback;
  /** Cancels the upload (the registry discards an unfinished upload session). */
  readonly signal?: AbortSignal;
}

const maxChunkFailures = 5;

export type UploadResult = 'exists' | 'mounted' | 'uploaded';

interface Context {
  readonly transport: Transport;
  readonly host: string;
  readonly repository: string;
  readonly digest: Digest;
  readonly size: number;
  readonly source: BlobSource;
  readonly scopes: readonly string[];
  readonly subject: string;
  readonly what: string;
  readonly onProgress: ProgressCallback | undefined;
  readonly abort: { readonly signal?: AbortSignal };
}

function sourceBody(ctx: Context, start: number, end: number): RequestBody {
  const { source } = ctx;
  if (end <= start) return Buffer.alloc(0);
  if ('bytes' in source) return source.bytes.subarray(start, end);
  return {
    length: end - start,
    open: (): Readable => {
      const stream = createReadStream(source.file, { start, end: end - 1, highWaterMark: 1 << 20 });
      let sent = start;
      stream.on('data', (chunk: string | Buffer) => {
        sent += chunk.length;
        ctx.onProgress?.({ digest: ctx.digest, phase: 'upload', transferred: sent, total: ctx.size });
      });
      return stream;
    },
  };
}

function locationOf(res: HttpResponse, ctx: Context): string {
  const location = res.headers.location;
  if (location === undefined)
    throw new RegistryError('EREG_BAD_RESPONSE', `${ctx.what}: upload response without Location`);
  return new URL(location, res.url).toString();
}

/** `Range: 0-N` of an upload session → bytes the registry holds (N + 1). */
function uploadedBytes(res: HttpResponse): number {
  const match = /^(?:bytes=)?0-(\d+)$/.exec(String(res.headers.range ?? '').trim());
  return match === null ? 0 : Number(match[1]) + 1;
}

/**
 * Pushes one blob: HEAD first (nothing to do when present), then a cross-repository mount when a source
 * repository is known, else an upload session: one monolithic PUT, or PATCH chunks that resume from the
 * registry's own `Range` after a failure. A broken session is restarted, within the retry budget.
 */
export async function uploadBlob(
  transport: Transport,
  host: string,
  repository: string,
  blob: { readonly digest: Digest; readonly size: number },
  source: BlobSource,
  options: UploadOptions,
  retry: RetryOptions,
): Promise<UploadResult> {
  if (!isSha256Digest(blob.digest)) throw new RegistryError('EREG_INVALID', `unsupported blob digest ${blob.digest}`);
  const scopes = [`repository:${repository}:pull,push`];
  if (options.mountFrom !== undefined && options.mountFrom !== repository)
    scopes.push(`repository:${options.mountFrom}:pull`);
  const ctx: Context = {
    transport,
    host,
    repository,
    digest: blob.digest,
    size: blob.size,
    source,
    scopes,
    subject: `${host}/${repository}`,
    what: `push of blob ${blob.digest} to ${host}/${repository}`,
    onProgress: options.onProgress,
    abort: options.signal !== undefined ? { signal: options.signal } : {},
  };
  const head = await transport.request(host, {
    method: 'HEAD',
    target: `/v2/${repository}/blobs/${blob.digest}`,
    scopes,
    subject: ctx.subject,
    ...ctx.abort,
  });
  await drain(head.body);
  if (head.status === 200) {
    options.onProgress?.({ digest: blob.digest, phase: 'exists', transferred: blob.size, total: blob.size });
    return 'exists';
  }
  if (head.status !== 404) throw await unexpectedResponse(head, ctx.what);

  for (let attempt = 0; ; attempt++) {
    try {
      const result = await uploadSession(ctx, options, attempt === 0);
      options.onProgress?.({
        digest: blob.digest,
        phase: result === 'mounted' ? 'mounted' : 'done',
        transferred: blob.size,
        total: blob.size,
      });
      return result;
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      const retryable =
        error instanceof RegistryError
          ? error.status !== undefined && isRetryableStatus(error.status)
          : isRetryableNetworkError(error);
      if (!retryable || attempt + 1 >= retry.attempts) {
        if (error instanceof RegistryError) throw error;
        throw new RegistryError('EREG_NETWORK', `${ctx.what}: ${(error as Error).message}`, { cause: error });
      }
      await sleep(backoffDelay(attempt, retry), undefined, { signal: options.signal });
    }
  }
}

async function uploadSession(ctx: Context, options: UploadOptions, tryMount: boolean): Promise<UploadResult> {
  const { transport, host } = ctx;
  let target = `/v2/${ctx.repository}/blobs/uploads/`;
  if (tryMount && options.mountFrom !== undefined && options.mountFrom !== ctx.repository) {
    target += `?${new URLSearchParams({ mount: ctx.digest, from: options.mountFrom })}`;
  }
  const start = await transport.request(host, {
    method: 'POST',
    target,
    scopes: ctx.scopes,
    subject: ctx.subject,
    ...ctx.abort,
  });
  if (start.status === 201) {
    await drain(start.body);
    return 'mounted';
  }
  if (start.status !== 202) throw await unexpectedResponse(start, ctx.what);
  await drain(start.body);
  let location = locationOf(start, ctx);
  let offset = 0;
  let failures = 0;
  if (options.chunkSize !== undefined && options.chunkSize > 0 && ctx.size > 0) {
    while (offset < ctx.size) {
      const end = Math.min(offset + options.chunkSize, ctx.size);
      const res = await transport
        .request(host, {
          method: 'PATCH',
          target: location,
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${end - 1}` },
          body: sourceBody(ctx, offset, end),
          scopes: ctx.scopes,
          subject: ctx.subject,
          ...ctx.abort,
          retry: false,
        })
        .catch(async (error: unknown) => {
          if (!isRetryableNetworkError(error) && !(error instanceof RegistryError && error.code === 'EREG_NETWORK'))
            throw error;
          return undefined;
        });
      if (res !== undefined && res.status === 202) {
        await drain(res.body);
        location = locationOf(res, ctx);
        offset = res.headers.range === undefined ? end : uploadedBytes(res);
        continue;
      }
      if (res !== undefined && res.status !== 416 && !isRetryableStatus(res.status)) {
        throw await unexpectedResponse(res, ctx.what);
      }
      if (res !== undefined) await drain(res.body);
      if (++failures > maxChunkFailures)
        throw new RegistryError('EREG_NETWORK', `${ctx.what}: chunk upload kept failing`);
      // The chunk failed part-way: ask the registry how much of the session it holds and go on from there.
      const status = await transport.request(host, {
        method: 'GET',
        target: location,
        scopes: ctx.scopes,
        subject: ctx.subject,
        ...ctx.abort,
      });
      await drain(status.body);
      if (status.status !== 204) throw await unexpectedResponse(status, ctx.what);
      location = locationOf(status, ctx);
      const held = uploadedBytes(status);
      if (held <= offset && res !== undefined && isRetryableStatus(res.status) === false) {
        throw new RegistryError('EREG_BAD_RESPONSE', `${ctx.what}: registry refused chunk at offset ${offset}`);
      }
      offset = held;
    }
  }
  const url = new URL(location);
  url.searchParams.set('digest', ctx.digest);
  const put = await transport.request(host, {
    method: 'PUT',
    target: url.toString(),
    headers: { 'content-type': 'application/octet-stream' },
    body: sourceBody(ctx, offset, ctx.size),
    scopes: ctx.scopes,
    subject: ctx.subject,
    ...ctx.abort,
    retry: false,
  });
  if (put.status !== 201) throw await unexpectedResponse(put, ctx.what);
  await drain(put.body);
  const announced = put.headers['docker-content-digest'];
  if (typeof announced === 'string' && announced !== ctx.digest) {
    throw new RegistryError('EREG_DIGEST_MISMATCH', `${ctx.what}: registry stored ${announced}`);
  }
  return 'uploaded';
}
