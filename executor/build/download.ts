// ADD <url>: the HTTP requests and the file they fill. A body is streamed to a file (never held in memory),
// hashed as it goes and verified against --checksum; the file is named after the last path segment of the URL
// (`__unnamed__` when there is none), mode 0600, and dated by the response's Last-Modified, as BuildKit's HTTP
// source does. Which request to send and which body to keep is url-content.ts's business.
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { downloadName, redactCredentials } from '../../planner/index.js';
import type { CopyGroup } from './copy-items.js';

export class DownloadError extends Error {
  readonly code = 'E_DOWNLOAD';
}

/** `url` for messages: credentials replaced by `xxxxx`. */
export function shownUrl(url: string): string {
  return redactCredentials(url);
}

/**
 * GET `url` with `headers`; a failure to reach the server is a DownloadError naming the URL and the cause.
 * Credentials in the URL are sent as Basic authorization, as Go's HTTP client (BuildKit's) sends them.
 */
export async function request(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new DownloadError(`failed to load ${shownUrl(url)}: invalid URL`);
  }
  const auth: Record<string, string> = {};
  if (target.username !== '' || target.password !== '') {
    const user = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    auth.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  try {
    return await fetch(target, { headers: { ...headers, ...auth }, ...(signal === undefined ? {} : { signal }) });
  } catch (error) {
    if (signal?.aborted) throw error;
    // undici says only "fetch failed"; what failed (ECONNREFUSED, ENOTFOUND, a TLS error) is its cause.
    const cause = (error as Error).cause;
    const detail = cause instanceof Error ? `${(error as Error).message}: ${cause.message}` : (error as Error).message;
    throw new DownloadError(`failed to load ${shownUrl(url)}: ${detail}`);
  }
}

/** Fails (after dropping the body) unless `response` is a success. */
export async function checkStatus(response: Response, url: string): Promise<void> {
  if (response.ok) return;
  await response.body?.cancel().catch(() => {});
  throw new DownloadError(`invalid response status ${response.status} for ${shownUrl(url)}`);
}

/** A --checksum (`sha256|sha384|sha512:<hex>`) split into its algorithm and value; bad ones are refused. */
export function parseChecksum(checksum: string): { readonly algorithm: string; readonly hex: string } {
  const match = /^([a-z0-9]+):([a-f0-9]+)$/.exec(checksum);
  if (match === null) throw new DownloadError(`invalid checksum digest format: ${checksum}`);
  if (match[1] !== 'sha256' && match[1] !== 'sha384' && match[1] !== 'sha512') {
    throw new DownloadError(`unsupported digest algorithm: ${match[1]}`);
  }
  return { algorithm: match[1], hex: match[2] };
}

/** A Last-Modified header in seconds since the epoch, or null. */
export function lastModifiedSeconds(header: string | null): number | null {
  const seconds = header === null ? Number.NaN : Math.floor(Date.parse(header) / 1000);
  return Number.isFinite(seconds) ? seconds : null;
}

/** The weak-insensitive form of an ETag, for comparisons (as BuildKit's etagValue). */
export function etagValue(etag: string | null): string | null {
  return etag === null || etag === '' ? null : etag.replace(/^W\//, '');
}

/**
 * Streams the body of `response` into the new file `file` (mode 0600), verified against `checksum` when given;
 * returns the body's sha256 digest. A mismatch fails, and leaves the file to its directory's owner to remove.
 */
export async function saveBody(
  response: Response,
  file: string,
  url: string,
  checksum: string | null,
): Promise<{ readonly digest: string }> {
  const hasher = bodyHasher(checksum);
  const out = await open(file, 'wx', 0o600);
  try {
    if (response.body !== null) {
      for await (const chunk of response.body) {
        hasher.update(chunk);
        await out.write(chunk);
      }
    }
  } catch (error) {
    throw new DownloadError(`failed to read ${shownUrl(url)}: ${(error as Error).message}`);
  } finally {
    await out.close();
  }
  return { digest: hasher.verified() };
}

/**
 * A body's sha256, and the --checksum's own algorithm as well when it names another; `verified` fails a body that
 * does not match `checksum` and returns the `sha256:<hex>` digest.
 */
function bodyHasher(checksum: string | null): { update(chunk: Uint8Array): void; verified(): string } {
  const expected = checksum === null ? null : parseChecksum(checksum);
  const sha256 = createHash('sha256');
  const other: Hash | null =
    expected === null || expected.algorithm === 'sha256' ? null : createHash(expected.algorithm);
  return {
    update(chunk) {
      sha256.update(chunk);
      other?.update(chunk);
    },
    verified() {
      const hex = sha256.digest('hex');
      if (expected !== null) {
        const actual = `${expected.algorithm}:${other === null ? hex : other.digest('hex')}`;
        if (actual !== checksum) throw new DownloadError(`digest mismatch ${actual}: ${checksum}`);
      }
      return `sha256:${hex}`;
    },
  };
}

/** The group a downloaded file is copied as: one file, dated by Last-Modified, else 1970-01-01 (BuildKit's save). */
export function downloadGroup(url: string, file: string, lastModified: number | null): CopyGroup {
  const mtime = lastModified ?? 0;
  return {
    single: true,
    download: true,
    items: [{ to: downloadName(url), type: 'file', mode: 0o600, uid: 0, gid: 0, mtime, sourcePath: file }],
  };
}

/** The body of `url`, verified against `checksum`, and its Last-Modified in seconds (SOURCE_DATE_EPOCH=<stage>). */
export async function fetchVerified(
  url: string,
  checksum: string | null,
): Promise<{ body: Buffer; lastModified: number | null }> {
  const response = await request(url, {});
  await checkStatus(response, url);
  const body = Buffer.from(await response.arrayBuffer());
  if (checksum !== null) {
    const hasher = bodyHasher(checksum);
    hasher.update(body);
    hasher.verified();
  }
  return { body, lastModified: lastModifiedSeconds(response.headers.get('last-modified')) };
}
