// The content of the URLs a build ADDs, as BuildKit's HTTP source resolves it. An ADD <url> without --checksum
// is keyed by the body's digest and its Last-Modified (content-key.ts completes the planned key with them), so
// every build asks the server: with the validators remembered from the last download (url-memo.ts) as
// If-None-Match / If-Modified-Since, a 304 gives the remembered digest and no body is transferred; a 200 is
// streamed to a file while it is hashed, and kept for the step if its key misses. A server that ignores the
// conditions but answers with the remembered ETag is believed too (BuildKit's HEAD check), its body dropped.
// Same bytes under a new ETag complete to the same key: the step stays cached. With --checksum the key is final
// and nothing is asked while the step is cached; when it runs, the body goes to the step's scratch directory.
// Each URL is resolved once per build. Bodies fetched for keys live in a private work directory under
// snapshots/ (same filesystem as the steps; swept if the process dies), removed when the build ends.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../../image/index.js';
import { canonicalise, sha256 } from '../../planner/index.js';
import { ContentNotRemembered } from './content-memo.js';
import {
  checkStatus,
  DownloadError,
  etagValue,
  lastModifiedSeconds,
  parseChecksum,
  request,
  saveBody,
  shownUrl,
} from './download.js';
import { tempSnapshotDir } from './snapshots.js';
import { readUrlMemo, rememberUrl, type UrlMemo } from './url-memo.js';

export interface UrlContent {
  /** `sha256:<hex>` of the body. */
  readonly digest: string;
  /** Last-Modified in seconds (the file's mtime, so part of the key), or null. */
  readonly lastModified: number | null;
  /** The body, when this build downloaded it while resolving; null after a 304. */
  readonly file: string | null;
}

const VERSION = 'tsbuild.url-content.v1';

/** What a download adds to its step's completed key (a digest, as every completion input is). */
export function urlContentInput(content: UrlContent): string {
  return sha256(canonicalise({ v: VERSION, digest: content.digest, lastModified: content.lastModified }));
}

export class UrlContents {
  private readonly resolved = new Map<string, Promise<UrlContent>>();
  private workDir: Promise<string> | null = null;
  private files = 0;

  constructor(
    private readonly store: Store,
    private readonly signal?: AbortSignal,
  ) {}

  /** The content of `url` now (resolved once per build). */
  content(url: string): Promise<UrlContent> {
    let pending = this.resolved.get(url);
    if (pending === undefined) {
      pending = this.resolve(url);
      this.resolved.set(url, pending);
    }
    return pending;
  }

  /**
   * For `tsbuild plan`: the remembered content of `url` when the server confirms it is unchanged (a conditional
   * request whose body is never read); else ContentNotRemembered (never downloaded, changed, unreachable).
   */
  async remembered(url: string): Promise<UrlContent> {
    const memo = await readUrlMemo(this.store, url);
    if (memo === null) throw new ContentNotRemembered(`${shownUrl(url)} was not downloaded before`);
    const response = await request(url, conditions(memo), this.signal).catch(() => null);
    const same = response !== null && confirms(response, memo);
    await response?.body?.cancel().catch(() => {});
    if (!same) throw new ContentNotRemembered(`${shownUrl(url)} changed or cannot be reached`);
    return fromMemo(memo);
  }

  /**
   * The file an ADD step copies for `url`: with `checksum`, downloaded now into `scratch` and verified; else the
   * body resolved for the key, or (after a 304) downloaded now into `scratch`, which must be the same bytes.
   */
  async fileFor(
    url: string,
    checksum: string | null,
    scratch: string,
  ): Promise<{ readonly file: string; readonly lastModified: number | null }> {
    if (checksum !== null) {
      parseChecksum(checksum);
      const fetched = await this.download(url, {}, scratch, checksum);
      return { file: fetched.file, lastModified: fetched.lastModified };
    }
    const content = await this.content(url);
    if (content.file !== null) return { file: content.file, lastModified: content.lastModified };
    const fetched = await this.download(url, {}, scratch, null);
    if (fetched.digest !== content.digest) {
      throw new DownloadError(
        `digest mismatch for ${shownUrl(url)}: ${fetched.digest} (expected: ${content.digest}): the file changed during the build`,
      );
    }
    return { file: fetched.file, lastModified: content.lastModified };
  }

  /** Removes the bodies fetched for keys. */
  async close(): Promise<void> {
    const dir = await this.workDir?.catch(() => null);
    if (dir !== null && dir !== undefined) await rm(dir, { recursive: true, force: true });
  }

  private async resolve(url: string): Promise<UrlContent> {
    const memo = await readUrlMemo(this.store, url);
    if (memo !== null) {
      const response = await request(url, conditions(memo), this.signal);
      if (confirms(response, memo)) {
        await response.body?.cancel().catch(() => {});
        return fromMemo(memo);
      }
      // Changed (a 200 with the new body), or a 304 for something else than what is remembered: asked again below.
      if (response.status !== 304) return this.keep(url, response);
      await response.body?.cancel().catch(() => {});
    }
    return this.keep(url, await request(url, {}, this.signal));
  }

  /** Saves a 200 response's body under the work dir and remembers its validators. */
  private async keep(url: string, response: Response): Promise<UrlContent> {
    const fetched = await this.save(url, response, await this.dir(), null);
    await rememberUrl(this.store, url, fetched.memo);
    return { digest: fetched.digest, lastModified: fetched.lastModified, file: fetched.file };
  }

  private async download(url: string, headers: Record<string, string>, dir: string, checksum: string | null) {
    return this.save(url, await request(url, headers, this.signal), dir, checksum);
  }

  private async save(url: string, response: Response, dir: string, checksum: string | null) {
    await checkStatus(response, url);
    const file = path.join(dir, `download-${++this.files}`);
    const { digest } = await saveBody(response, file, url, checksum);
    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    const memo: UrlMemo = { etag: etag === '' ? null : etag, lastModified: lastModified || null, digest };
    return { file, digest, lastModified: lastModifiedSeconds(lastModified), memo };
  }

  private dir(): Promise<string> {
    this.workDir ??= tempSnapshotDir(this.store, 'h');
    return this.workDir;
  }
}

/** The conditional request headers for what is remembered of a URL. */
function conditions(memo: UrlMemo): Record<string, string> {
  return {
    ...(memo.etag === null ? {} : { 'if-none-match': memo.etag }),
    ...(memo.lastModified === null ? {} : { 'if-modified-since': memo.lastModified }),
  };
}

/**
 * Whether `response` says the remembered body is current: a 304 (for the remembered ETag, when it names one), or
 * a 200 that carries the remembered ETag (a server that ignores If-None-Match).
 */
function confirms(response: Response, memo: UrlMemo): boolean {
  const etag = etagValue(response.headers.get('etag'));
  if (response.status === 304) return etag === null || etag === etagValue(memo.etag);
  return response.ok && memo.etag !== null && etag === etagValue(memo.etag);
}

function fromMemo(memo: UrlMemo): UrlContent {
  return { digest: memo.digest, lastModified: lastModifiedSeconds(memo.lastModified), file: null };
}
