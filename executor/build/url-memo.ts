// What a build remembers of each URL an ADD downloaded: the response's validators (ETag, Last-Modified) and the
// digest of the body they stand for, under `cache/url-content/<sha256 of the URL>.json`. The next build sends
// them as If-None-Match / If-Modified-Since: a 304 then means "the same bytes", so the step's key is completed
// from the remembered digest without a body transfer (as BuildKit keeps ETag and checksum with the downloaded
// snapshot). The URL itself is not written (it may hold credentials); a memo only saves a download, so one that
// is torn or malformed is ignored and is written anew.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { replaceFileUnsynced, type Store } from '../../image/index.js';

export const URL_MEMO_KIND = 'url-content';

export interface UrlMemo {
  /** The ETag as the server sent it (weak or strong), or null. */
  readonly etag: string | null;
  /** The Last-Modified header as the server sent it, or null. */
  readonly lastModified: string | null;
  /** `sha256:<hex>` of the body. */
  readonly digest: string;
}

function memoPath(store: Store, url: string): string {
  const hex = createHash('sha256').update(url).digest('hex');
  return path.join(store.paths.cache, URL_MEMO_KIND, `${hex}.json`);
}

/** The remembered validators of `url`, or null (none, or not usable: no validator, malformed). */
export async function readUrlMemo(store: Store, url: string): Promise<UrlMemo | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(memoPath(store, url), 'utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { etag, lastModified, digest } = parsed as Record<string, unknown>;
  const header = (v: unknown) => v === null || (typeof v === 'string' && v !== '' && !/[\r\n]/.test(v));
  if (!header(etag) || !header(lastModified) || (etag === null && lastModified === null)) return null;
  if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) return null;
  return { etag: etag as string | null, lastModified: lastModified as string | null, digest };
}

/** Remembers `memo` for `url`; a response without validators cannot be asked about again, so it is not kept. */
export async function rememberUrl(store: Store, url: string, memo: UrlMemo): Promise<void> {
  if (memo.etag === null && memo.lastModified === null) return;
  const file = memoPath(store, url);
  await mkdir(path.dirname(file), { recursive: true });
  // Advisory, as the content memos: a torn one fails the checks above and costs one download.
  await replaceFileUnsynced(file, JSON.stringify(memo));
}
