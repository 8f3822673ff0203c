// Builds whose layer blobs are made durable in the background (COPY and WORKDIR steps: direct-step.ts; RUN steps:
// layer-commit.ts; the image's config and manifest): while a blob's sync is pending, nothing names it (its digest's
// file, a cache record, an index entry); a sync that fails fails the build as an error of the step that wrote the
// blob, leaving no blob and no record of it; and the CLI does not end before every blob is stored whole under its
// digest.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BuildError } from '../../executor/index.js';
import { type Digest, Store, type SyncBlobFile } from '../../image/index.js';
import {
  buildIn,
  bundledCli,
  bundledCliUnavailable,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';
import { namedDigests } from './store-names.js';

afterAll(removeFreshDirs);

const dockerfile = [
  'FROM busybox',
  'WORKDIR /app',
  'COPY conf/ /app/conf/',
  'RUN echo built > /app/BUILT',
  'COPY src/ /app/src/',
  'CMD ["sh"]',
].join('\n');

async function context(): Promise<string> {
  const ctx = await freshDir('c');
  await writeContext(ctx, [
    { path: 'Dockerfile', content: `${dockerfile}\n` },
    { path: 'conf/app.conf', content: 'answer=42\n' },
    { path: 'src/main.sh', content: 'echo hello\n' },
  ]);
  return ctx;
}

const sha256 = (bytes: Uint8Array): Digest => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Every blob file holds the bytes its name says; no temp file is left. */
async function expectWholeBlobs(store: Store): Promise<string[]> {
  const names = await readdir(store.paths.blobs);
  expect(names.filter((name) => !/^[0-9a-f]{64}$/.test(name))).toEqual([]);
  for (const name of names) expect(sha256(await readFile(path.join(store.paths.blobs, name)))).toBe(`sha256:${name}`);
  return names;
}

describe.skipIf(isolationUnavailable() !== undefined)('layer blobs committed in the background', () => {
  it('are named by nothing while their sync is pending', async () => {
    const root = (await storeWithBusybox()).root;
    const seen: string[] = [];
    const violations: string[] = [];
    let store: Store | undefined;
    // At each sync: what is being synced (the temp file's digest) has no file of its name and is named by nothing.
    const syncBlobFile: SyncBlobFile = async (handle, tempFile) => {
      const digest = sha256(await readFile(tempFile));
      seen.push(digest);
      const s = store as Store;
      // The build goes on meanwhile: other steps, records and the image commit get their turns first.
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
      if (existsSync(s.blobPath(digest))) violations.push(`${digest} named before its sync`);
      if ((await namedDigests(s)).has(digest)) violations.push(`${digest} recorded before its sync`);
      await handle.sync();
    };
    store = await Store.open(root, { syncBlobFile });
    const run = await buildIn(store, await context(), { tags: ['durable:1'] });
    expect(run.error).toBeNull();
    expect(violations).toEqual([]);
    const image = await store.resolve('durable:1');
    // The layers of WORKDIR, both COPYs and the RUN, the config and the manifest went through the background commit.
    const layers = image.manifest.layers.map((l) => l.digest);
    const expected = [...layers.slice(1), image.manifest.config.digest, image.manifestDigest];
    for (const digest of expected) expect(seen).toContain(digest);
    await expectWholeBlobs(store);
    for (const digest of await namedDigests(store)) expect(await store.hasBlob(digest as Digest)).toBe(true);
  });

  it('a failed sync fails the build as an error of its step, and nothing names the blob', async () => {
    const root = (await storeWithBusybox()).root;
    const blobsBefore = (await readdir(path.join(root, 'blobs/sha256'))).sort();
    const store = await Store.open(root, {
      syncBlobFile: async () => {
        throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO', errno: -5, syscall: 'fsync' });
      },
    });
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nCOPY a.txt /a.txt\n' },
      { path: 'a.txt', content: 'a\n' },
    ]);
    const run = await buildIn(store, ctx, { tags: ['broken:1'] });
    expect(run.error).toBeInstanceOf(BuildError);
    expect(run.error?.message).toBe(`EIO: i/o error, fsync (writing a blob in ${store.paths.blobs})`);
    expect((run.error as BuildError).details.line).toBe(2);
    expect((run.error as BuildError).details.instruction).toBe('[2/2] COPY a.txt /a.txt');
    expect((await readdir(store.paths.blobs)).sort()).toEqual(blobsBefore);
    expect(await readdir(path.join(store.paths.cache, 'build')).catch(() => [])).toEqual([]);
    await expect(store.resolve('broken:1')).rejects.toThrow();
  });

  it("a failed sync of a RUN's layer fails the build as the RUN's error", async () => {
    const root = (await storeWithBusybox()).root;
    const store = await Store.open(root, {
      syncBlobFile: async (handle, tempFile) => {
        if ((await readFile(tempFile)).includes('app/BUILT'))
          throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO', errno: -5, syscall: 'fsync' });
        await handle.sync();
      },
    });
    const run = await buildIn(store, await context(), { tags: ['broken:3'] });
    expect(run.error).toBeInstanceOf(BuildError);
    expect(run.error?.message).toBe(`EIO: i/o error, fsync (writing a blob in ${store.paths.blobs})`);
    expect((run.error as BuildError).details.line).toBe(4);
    expect((run.error as BuildError).details.instruction).toBe('[4/5] RUN echo built > /app/BUILT');
    await expect(store.resolve('broken:3')).rejects.toThrow();
    await expectWholeBlobs(store);
    for (const digest of await namedDigests(store)) expect(await store.hasBlob(digest as Digest)).toBe(true);
  });

  it("a failed sync of the image's config fails the build, and neither a tag nor an image record names it", async () => {
    const root = (await storeWithBusybox()).root;
    const indexBefore = await readFile(path.join(root, 'index.json'), 'utf8');
    const store = await Store.open(root, {
      syncBlobFile: async (handle, tempFile) => {
        if ((await readFile(tempFile, 'utf8')).startsWith('{"architecture"'))
          throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO', errno: -5, syscall: 'fsync' });
        await handle.sync();
      },
    });
    const run = await buildIn(store, await context(), { tags: ['broken:2'] });
    expect(run.error?.message).toBe(`EIO: i/o error, fsync (writing a blob in ${store.paths.blobs})`);
    expect(await readFile(store.paths.indexJson, 'utf8')).toBe(indexBefore);
    const records = await readdir(path.join(store.paths.cache, 'build'));
    expect(records.filter((name) => name.startsWith('i-'))).toEqual([]);
    // The steps' records are there: their layers are stored.
    expect(records.filter((name) => name.startsWith('s-'))).toHaveLength(4);
    await expectWholeBlobs(store);
    for (const digest of await namedDigests(store)) expect(await store.hasBlob(digest as Digest)).toBe(true);
  });
});

describe.skipIf(bundledCliUnavailable() !== undefined)('the CLI', () => {
  it('ends only once every blob of the build is stored whole under its digest', async () => {
    const store = await storeWithBusybox();
    const ran = spawnSync(process.execPath, [bundledCli, 'build', '-q', '-t', 'durable:cli', await context()], {
      env: { ...process.env, TSBUILD_ROOT: store.root },
      encoding: 'utf8',
    });
    expect(ran.stderr).toBe('');
    expect(ran.status).toBe(0);
    const names = await expectWholeBlobs(store);
    const image = await store.resolve('durable:cli');
    expect(ran.stdout.trim()).toBe(image.manifest.config.digest);
    const imageBlobs = [
      image.manifestDigest,
      image.manifest.config.digest,
      ...image.manifest.layers.map((l) => l.digest),
    ];
    for (const digest of imageBlobs) expect(await store.hasBlob(digest)).toBe(true);
    // Every record names blobs that are there (the RUN's layer may be kept as its snapshot: layer-recipe.ts).
    for (const digest of await namedDigests(store)) expect(await store.hasBlob(digest as Digest)).toBe(true);
    expect(names.length).toBeGreaterThanOrEqual(imageBlobs.length - 1);
  });
});
