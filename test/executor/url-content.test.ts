// The content of ADD URLs (url-content.ts) and what a build remembers of them (url-memo.ts), against a file served
// on loopback: the validators of a download are remembered and sent as conditions, a 304 gives the remembered
// digest without a body, a changed body gives a new digest, the same bytes under a new ETag the same key input,
// a server without validators is downloaded each time, and errors name the URL.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContentNotRemembered, forgetContentDigests } from '../../executor/build/content-memo.js';
import { DownloadError } from '../../executor/build/download.js';
import { UrlContents, urlContentInput } from '../../executor/build/url-content.js';
import { readUrlMemo, rememberUrl } from '../../executor/build/url-memo.js';
import { Store } from '../../image/index.js';
import { type FileServer, startFileServer } from './http-file-server.js';

const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const httpDate = (seconds: number) => new Date(seconds * 1000).toUTCString();

describe('url-memo', () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(await mkdtemp(path.join(tmpdir(), 'tsbuild-url-memo-')));
  });
  afterAll(() => rm(store.root, { recursive: true, force: true }));

  it('remembers the validators and digest of a URL, without writing the URL', async () => {
    const url = 'https://user:secret@example.com/a.txt';
    const memo = { etag: 'W/"1"', lastModified: httpDate(1_700_000_000), digest: sha('a') };
    await rememberUrl(store, url, memo);
    expect(await readUrlMemo(store, url)).toEqual(memo);
    expect(await readUrlMemo(store, 'https://example.com/a.txt')).toBeNull();
    const dir = path.join(store.paths.cache, 'url-content');
    const [file] = await readdir(dir);
    expect(file).toBe(`${createHash('sha256').update(url).digest('hex')}.json`);
    expect(await readFile(path.join(dir, file), 'utf8')).not.toContain('secret');
  });

  it('keeps nothing for a response without validators, and ignores a torn or malformed memo', async () => {
    const url = 'https://example.com/none';
    await rememberUrl(store, url, { etag: null, lastModified: null, digest: sha('x') });
    expect(await readUrlMemo(store, url)).toBeNull();
    const file = path.join(store.paths.cache, 'url-content', `${createHash('sha256').update(url).digest('hex')}.json`);
    for (const text of [
      '{"etag":"\\"1\\"","lastModified":null,"digest":"sha256:ab',
      '{"etag":"\\"1\\"","lastModified":null,"digest":"md5:00"}',
      '{"etag":"\\"1\\"\\r\\nX: y","lastModified":null,"digest":"sha256:' + '0'.repeat(64) + '"}',
      '[]',
    ]) {
      await writeFile(file, text);
      expect(await readUrlMemo(store, url)).toBeNull();
    }
  });

  it('is forgotten with the build cache', async () => {
    await rememberUrl(store, 'https://example.com/b', { etag: '"b"', lastModified: null, digest: sha('b') });
    await forgetContentDigests(store);
    expect(await readUrlMemo(store, 'https://example.com/b')).toBeNull();
  });
});

describe('UrlContents', () => {
  let server: FileServer;
  let store: Store;
  let scratch: string;
  let url: string;
  const open: UrlContents[] = [];
  /** A build's view of the URLs: resolved once, closed after the test. */
  const build = () => {
    const urls = new UrlContents(store);
    open.push(urls);
    return urls;
  };
  const statuses = () => server.requests.splice(0).map((r) => `${r.status} ${r.bodyBytes}`);

  beforeAll(async () => {
    server = await startFileServer();
  });
  afterAll(() => server.close());
  // Each test's store and scratch dir go with it: /tmp kept two dirs per test of every run.
  afterEach(async () => {
    for (const urls of open.splice(0)) await urls.close();
    await rm(store.root, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });
  beforeEach(async () => {
    for (const urls of open.splice(0)) await urls.close();
    store = await Store.open(await mkdtemp(path.join(tmpdir(), 'tsbuild-url-content-')));
    scratch = await mkdtemp(path.join(tmpdir(), 'tsbuild-url-scratch-'));
    server.requests.length = 0;
    server.files.clear();
    server.files.set('/f.txt', { body: 'one\n', etag: '"1"', lastModified: 1_700_000_000 });
    url = `${server.base}/f.txt`;
  });

  it('downloads once, then completes from a 304 without a body; a changed file gives a new digest', async () => {
    const first = await build().content(url);
    expect(first).toMatchObject({ digest: sha('one\n'), lastModified: 1_700_000_000 });
    expect(await readFile(first.file as string, 'utf8')).toBe('one\n');
    expect((await stat(first.file as string)).mode & 0o777).toBe(0o600);
    expect(statuses()).toEqual(['200 4']);

    const again = build();
    expect(await again.content(url)).toEqual({ digest: sha('one\n'), lastModified: 1_700_000_000, file: null });
    expect(await again.content(url)).toEqual({ digest: sha('one\n'), lastModified: 1_700_000_000, file: null });
    // One request per build, conditional, answered 304.
    expect(server.requests.map((r) => [r.ifNoneMatch, r.ifModifiedSince])).toEqual([['"1"', httpDate(1_700_000_000)]]);
    expect(statuses()).toEqual(['304 0']);

    server.files.set('/f.txt', { body: 'two!\n', etag: '"2"', lastModified: 1_700_000_100 });
    const changed = await build().content(url);
    expect(changed).toMatchObject({ digest: sha('two!\n'), lastModified: 1_700_000_100 });
    expect(statuses()).toEqual(['200 5']);
    expect(await readUrlMemo(store, url)).toEqual({
      etag: '"2"',
      lastModified: httpDate(1_700_000_100),
      digest: sha('two!\n'),
    });
    expect(urlContentInput(changed)).not.toBe(urlContentInput(first));
  });

  it('the same bytes under a new ETag give the same key input', async () => {
    const first = await build().content(url);
    server.files.set('/f.txt', { body: 'one\n', etag: '"1b"', lastModified: 1_700_000_000 });
    const second = await build().content(url);
    expect(statuses()).toEqual(['200 4', '200 4']);
    expect(urlContentInput(second)).toBe(urlContentInput(first));
    // A new Last-Modified is a new mtime of the file: another key, as in BuildKit.
    server.files.set('/f.txt', { body: 'one\n', etag: '"1c"', lastModified: 1_700_000_001 });
    expect(urlContentInput(await build().content(url))).not.toBe(urlContentInput(first));
  });

  it('asks with If-Modified-Since when only Last-Modified was sent', async () => {
    server.files.set('/f.txt', { body: 'one\n', etag: null, lastModified: 1_700_000_000 });
    await build().content(url);
    expect(await build().content(url)).toMatchObject({ digest: sha('one\n'), file: null });
    expect(server.requests.map((r) => [r.ifNoneMatch, r.ifModifiedSince, r.status])).toEqual([
      [null, null, 200],
      [null, httpDate(1_700_000_000), 304],
    ]);
  });

  it('downloads each time from a server without validators: the digest decides', async () => {
    server.files.set('/f.txt', { body: 'one\n', etag: null, lastModified: null });
    const first = await build().content(url);
    const second = await build().content(url);
    expect(server.requests.map((r) => [r.ifNoneMatch, r.ifModifiedSince, r.status])).toEqual([
      [null, null, 200],
      [null, null, 200],
    ]);
    expect(urlContentInput(second)).toBe(urlContentInput(first));
    expect(second.lastModified).toBeNull();
  });

  it('believes a server that ignores If-None-Match when it sends the remembered ETag', async () => {
    await build().content(url);
    server.files.set('/f.txt', { body: 'one\n', etag: 'W/"1"', lastModified: 1_700_000_000, ignoreConditions: true });
    expect(await build().content(url)).toEqual({ digest: sha('one\n'), lastModified: 1_700_000_000, file: null });
  });

  it('for plan: confirms the remembered content with a conditional request, else ContentNotRemembered', async () => {
    await expect(build().remembered(url)).rejects.toThrow(ContentNotRemembered);
    expect(server.requests).toEqual([]); // nothing remembered: nothing to ask
    await build().content(url);
    statuses();
    expect(await build().remembered(url)).toEqual({ digest: sha('one\n'), lastModified: 1_700_000_000, file: null });
    expect(statuses()).toEqual(['304 0']);
    server.files.set('/f.txt', { body: 'two\n', etag: '"2"', lastModified: 1_700_000_000 });
    await expect(build().remembered(url)).rejects.toThrow(ContentNotRemembered);
    // Still remembered as it was: plan downloads nothing and changes nothing.
    expect((await readUrlMemo(store, url))?.digest).toBe(sha('one\n'));
  });

  it("gives a step the body fetched for its key, else downloads it into the step's scratch dir", async () => {
    const urls = build();
    const first = await urls.fileFor(url, null, scratch);
    expect(path.dirname(first.file)).not.toBe(scratch);
    expect(await readFile(first.file, 'utf8')).toBe('one\n');
    expect(statuses()).toEqual(['200 4']);

    // The next build's key came from a 304; its step misses (say an earlier step changed) and needs the bytes.
    const next = build();
    await next.content(url);
    const fetched = await next.fileFor(url, null, scratch);
    expect(path.dirname(fetched.file)).toBe(scratch);
    expect(await readFile(fetched.file, 'utf8')).toBe('one\n');
    expect(fetched.lastModified).toBe(1_700_000_000);
    expect(statuses()).toEqual(['304 0', '200 4']);

    // The file changed between the two requests: the bytes are not the ones the key was made of.
    const racing = build();
    await racing.content(url);
    server.files.set('/f.txt', { body: 'two\n', etag: '"2"', lastModified: 1_700_000_000 });
    await expect(racing.fileFor(url, null, await mkdtemp(path.join(scratch, 'r-')))).rejects.toThrow(
      `digest mismatch for ${url}: ${sha('two\n')} (expected: ${sha('one\n')}): the file changed during the build`,
    );
  });

  it('with --checksum: downloads into the scratch dir when the step runs, verified', async () => {
    const urls = build();
    const good = sha('one\n');
    const got = await urls.fileFor(url, good, scratch);
    expect(path.dirname(got.file)).toBe(scratch);
    expect(got.lastModified).toBe(1_700_000_000);
    const bad = `sha256:${'0'.repeat(64)}`;
    await expect(urls.fileFor(url, bad, scratch)).rejects.toThrow(`digest mismatch ${good}: ${bad}`);
    const sha512 = `sha512:${createHash('sha512').update('one\n').digest('hex')}`;
    expect(await readFile((await urls.fileFor(url, sha512, scratch)).file, 'utf8')).toBe('one\n');
    statuses();
    await expect(urls.fileFor(url, 'md5:00', scratch)).rejects.toThrow('unsupported digest algorithm: md5');
    expect(server.requests).toEqual([]); // refused before asking
  });

  it('errors name the URL: a 404, an unreachable host (credentials redacted)', async () => {
    await expect(build().content(`${server.base}/missing`)).rejects.toThrow(
      new DownloadError(`invalid response status 404 for ${server.base}/missing`),
    );
    // A loopback port nothing listens on any more.
    const closed = await startFileServer();
    await closed.close();
    const port = new URL(closed.base).port;
    await expect(build().content(`http://u:pw@127.0.0.1:${port}/f`)).rejects.toThrow(
      `failed to load http://xxxxx@127.0.0.1:${port}/f: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('sends credentials in the URL as Basic authorization, never in the request line', async () => {
    const withUser = `${server.base.replace('http://', 'http://me:p%40ss@')}/f.txt`;
    expect((await build().content(withUser)).digest).toBe(sha('one\n'));
    expect(server.requests.map((r) => [r.path, r.authorization])).toEqual([
      ['/f.txt', `Basic ${Buffer.from('me:p@ss').toString('base64')}`],
    ]);
  });

  it('removes the bodies it fetched when the build closes it', async () => {
    const urls = new UrlContents(store);
    const { file } = await urls.content(url);
    await urls.close();
    await expect(stat(file as string)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(store.paths.snapshots)).filter((n) => n.startsWith('th-'))).toEqual([]);
  });
});
