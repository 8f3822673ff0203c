// Keys the planner left pending: the content digest of a mounted path (BuildKit's recipe, no
// timestamps), and how a completed key chains into the steps built on it.
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedKey, filesystemAfter, type KeyLookups } from '../../executor/build/content-key.js';
import { ContentNotRemembered } from '../../executor/build/content-memo.js';
import { copyContentDigest } from '../../executor/build/copy-content.js';
import { digestAt } from '../../executor/build/mount-content.js';
import { UrlContents } from '../../executor/build/url-content.js';
import { Store } from '../../image/index.js';
import type { PlanStep } from '../../planner/index.js';
import { type FileServer, startFileServer } from './http-file-server.js';

describe('digestAt', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'tsbuild-content-'));
    await mkdir(path.join(root, 'out/sub'), { recursive: true });
    await writeFile(path.join(root, 'out/hello'), 'hello\n');
    await chmod(path.join(root, 'out/hello'), 0o644);
    await symlink('out', path.join(root, 'link'));
    await symlink('../../..', path.join(root, 'up'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it.skipIf(process.getuid?.() !== 0)('gives BuildKit digest of a file (CACHE.md 4.2 vector)', async () => {
    expect(await digestAt(root, 'out/hello')).toBe(
      'sha256:09eefdc91e8894bc767daae7daa5a4e8cbf396610f10ae20604d9086c76d4a93',
    );
  });

  it('ignores timestamps, sees content and modes, and follows symlinks inside the root', async () => {
    const before = await digestAt(root, 'out');
    await utimes(path.join(root, 'out/hello'), 1, 1);
    await utimes(path.join(root, 'out'), 1, 1);
    expect(await digestAt(root, 'out')).toBe(before);
    expect(await digestAt(root, 'link')).toBe(before);
    await chmod(path.join(root, 'out/sub'), 0o700);
    const moded = await digestAt(root, 'out');
    expect(moded).not.toBe(before);
    await writeFile(path.join(root, 'out/hello'), 'hello!\n');
    expect(await digestAt(root, 'out')).not.toBe(moded);
  });

  it('is `missing` for a path that does not exist; `..` never leaves the root', async () => {
    expect(await digestAt(root, 'nope')).toBe('missing');
    expect(await digestAt(root, 'up/out')).toBe(await digestAt(root, 'out'));
  });
});

type CopyOperation = Extract<PlanStep['operation'], { type: 'copy' }>;

const step = (fields: Partial<PlanStep> & Pick<PlanStep, 'operation'>): PlanStep => ({
  kind: 'copy',
  line: 1,
  range: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } },
  instruction: 'COPY',
  onbuild: false,
  args: [],
  env: [],
  buildArgs: [],
  inputs: [],
  cacheKey: 'sha256:planned',
  parentKey: 'sha256:parent',
  layer: true,
  ...fields,
});

const copyFrom = (index: number, link: boolean, sources = ['/x']): CopyOperation => ({
  type: 'copy',
  add: false,
  sources,
  dest: '/x',
  from: { type: 'stage', index },
  chown: null,
  chmod: null,
  link,
  parents: false,
  excludes: [],
  checksum: null,
  keepGitDir: false,
  unpack: null,
  inline: [],
  epoch: null,
});

describe('completedKey', () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(await mkdtemp(path.join(tmpdir(), 'tsbuild-content-store-')));
  });
  afterAll(() => rm(store.root, { recursive: true, force: true }));
  // The source stage is empty (scratch): `/` selects nothing, `/x` is missing; the two read different content.
  const lookups = (): KeyLookups => ({
    env: { store, stageFs: async () => ({ layers: [] }), urls: new UrlContents(store) },
  });

  it('keeps the planned key of a step that is not pending', async () => {
    const plain = step({ operation: copyFrom(0, false) });
    expect(await completedKey(lookups(), plain, 'sha256:other')).toBe('sha256:planned');
    expect(filesystemAfter(plain, null, 'sha256:planned')).toBeNull();
  });

  it('chains a pending step on the completed key of its parent and the content it copies', async () => {
    const pending = step({ operation: copyFrom(0, false), keyPending: true });
    const a = await completedKey(lookups(), pending, null);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    const other = step({ operation: copyFrom(0, false, ['/']), keyPending: true });
    expect(await completedKey(lookups(), other, null)).not.toBe(a);
    expect(await completedKey(lookups(), pending, 'sha256:p2')).not.toBe(a);
    expect(await completedKey(lookups(), pending, null)).toBe(a);
    expect(filesystemAfter(pending, null, a)).toBe(a);
  });

  it('a linked layer ignores its parent, and merges onto a pending filesystem', async () => {
    const linked = step({ operation: copyFrom(0, true), keyPending: true });
    const key = await completedKey(lookups(), linked, 'sha256:p1');
    expect(await completedKey(lookups(), linked, 'sha256:p2')).toBe(key);
    expect(filesystemAfter(linked, 'sha256:p1', key)).not.toBe(filesystemAfter(linked, 'sha256:p2', key));
    const plainLink = step({ operation: copyFrom(0, true) });
    expect(filesystemAfter(plainLink, null, 'sha256:planned')).toBeNull();
    expect(filesystemAfter(plainLink, 'sha256:p1', 'sha256:planned')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('completedKey of ADD <url>', () => {
  let store: Store;
  let server: FileServer;
  beforeAll(async () => {
    store = await Store.open(await mkdtemp(path.join(tmpdir(), 'tsbuild-url-key-')));
    server = await startFileServer();
  });
  afterAll(async () => {
    await server.close();
    await rm(store.root, { recursive: true, force: true });
  });
  const addUrl = (checksum: string | null): CopyOperation => ({
    ...copyFrom(0, false),
    add: true,
    from: { type: 'context' },
    sources: [`${server.base}/f`, 'local.txt'],
    checksum,
  });
  const keyNow = async (operation: PlanStep['operation'], pending: boolean) => {
    const urls = new UrlContents(store);
    try {
      const lookups: KeyLookups = { env: { store, stageFs: async () => ({ layers: [] }), urls } };
      return await completedKey(lookups, step({ operation, ...(pending ? { keyPending: true } : {}) }), null);
    } finally {
      await urls.close();
    }
  };

  it('completes the key with the content of each URL, and asks nothing for a key with --checksum', async () => {
    server.files.set('/f', { body: 'a', etag: '"a"', lastModified: null });
    const a = await keyNow(addUrl(null), true);
    expect(await keyNow(addUrl(null), true)).toBe(a);
    server.files.set('/f', { body: 'b', etag: '"b"', lastModified: null });
    const b = await keyNow(addUrl(null), true);
    expect(b).not.toBe(a);
    server.files.set('/f', { body: 'a', etag: '"a2"', lastModified: null });
    expect(await keyNow(addUrl(null), true)).toBe(a);
    expect(server.requests.map((r) => r.status)).toEqual([200, 304, 200, 200]);
    server.requests.length = 0;
    expect(await keyNow(addUrl(`sha256:${'0'.repeat(64)}`), false)).toBe('sha256:planned');
    expect(server.requests).toEqual([]);
  });
});

describe('copyContentDigest', () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(await mkdtemp(path.join(tmpdir(), 'tsbuild-copy-content-')));
  });
  afterAll(() => rm(store.root, { recursive: true, force: true }));
  const selection = (sources: string[]) => ({ sources, excludes: [], parents: false });

  it('is `missing` for a source the stage lacks, and remembers what it found', async () => {
    expect(await copyContentDigest(store, { layers: [] }, selection(['/x']))).toBe('missing');
    const root = await copyContentDigest(store, { layers: [] }, selection(['/']));
    expect(root).toMatch(/^sha256:[0-9a-f]{64}$/);
    const memos = await readdir(path.join(store.paths.cache, 'copy-content'));
    expect(memos).toHaveLength(2);
    expect(await copyContentDigest(store, { layers: [] }, selection(['/']))).toBe(root);
  });

  it('with rememberedOnly, takes a remembered digest and computes none', async () => {
    expect(await copyContentDigest(store, { layers: [] }, selection(['/']), true)).toMatch(/^sha256:/);
    await expect(copyContentDigest(store, { layers: [] }, selection(['/y']), true)).rejects.toBeInstanceOf(
      ContentNotRemembered,
    );
    expect(await readdir(path.join(store.paths.cache, 'copy-content'))).toHaveLength(2);
  });
});
