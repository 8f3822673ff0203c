// ADD <url>: the file is downloaded into the step's scratch directory, verified against --checksum,
// named after the last path segment of the URL (`__unnamed__` when there is none), mode 0600, and
// dated by the response's Last-Modified, as BuildKit's HTTP source does.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CopyGroup } from './copy-items.js';

export class DownloadError extends Error {
  readonly code = 'E_DOWNLOAD';
}

export function downloadName(url: string): string {
  const { pathname } = new URL(url);
  const base = pathname.endsWith('/') ? '' : path.posix.basename(pathname);
  return base === '' ? '__unnamed__' : decodeURIComponent(base);
}

/** The body of `url`, verified against `checksum` (`sha256|sha384|sha512:<hex>`), and its Last-Modified in seconds. */
export async function fetchVerified(
  url: string,
  checksum: string | null,
): Promise<{ body: Buffer; lastModified: number | null }> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new DownloadError(`failed to load ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new DownloadError(`invalid response status ${response.status} for ${url}`);
  const body = Buffer.from(await response.arrayBuffer());
  if (checksum !== null) {
    const match = /^([a-z0-9]+):([a-f0-9]+)$/.exec(checksum);
    if (match === null) throw new DownloadError(`invalid checksum digest format: ${checksum}`);
    if (match[1] !== 'sha256' && match[1] !== 'sha384' && match[1] !== 'sha512') {
      throw new DownloadError(`unsupported digest algorithm: ${match[1]}`);
    }
    const actual = `${match[1]}:${createHash(match[1]).update(body).digest('hex')}`;
    if (actual !== checksum) throw new DownloadError(`digest mismatch ${actual}: ${checksum}`);
  }
  const modified = response.headers.get('last-modified');
  const seconds = modified === null ? Number.NaN : Math.floor(Date.parse(modified) / 1000);
  return { body, lastModified: Number.isFinite(seconds) ? seconds : null };
}

export async function download(url: string, checksum: string | null, scratch: string, now: number): Promise<CopyGroup> {
  const { body, lastModified } = await fetchVerified(url, checksum);
  const file = path.join(scratch, `dl-${createHash('sha256').update(url).digest('hex').slice(0, 12)}`);
  await writeFile(file, body, { mode: 0o600 });
  const mtime = lastModified ?? now;
  return {
    single: true,
    download: true,
    items: [{ to: downloadName(url), type: 'file', mode: 0o600, uid: 0, gid: 0, mtime, sourcePath: file }],
  };
}
