// Blobs made durable in the background (Store.putBlobDeferred, image/store/blob-commits.ts): the digest names a file
// only once its bytes are synced; a failed sync leaves neither the digest's file nor a temp file, and fails whatever
// names the blob; readers, index entries and cache records wait for the commit; `blobsIdle` waits for all of it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lookupStep, recordStep } from '../../executor/build/cache-index.js';
import type { LayerRef } from '../../executor/build/layer-ref.js';
import { type Digest, encodeManifest, OciMediaType, readIndexFile, Store } from '../../image/index.js';
import { BlobCommits } from '../../image/store/blob-commits.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-blob-commits-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A blob sync held until `release` (or failed by `fail`); `started` resolves when the store asks for it. */
function heldSync() {
  let started!: () => void;
  const syncStarted = new Promise<void>((resolve) => {
    started = resolve;
  });
  let release!: () => void;
  let fail!: (error: Error) => void;
  const outcome = new Promise<void>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  const syncBlobFile = async (handle: { sync(): Promise<void> }) => {
    started();
    await outcome;
    await handle.sync();
  };
  return { syncBlobFile, syncStarted, release, fail };
}

const eio = () => Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO', errno: -5, syscall: 'fsync' });

/** A few turns of the event loop: what a reader that did not wait would need to finish (it would fail then). */
async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

const sha256 = (data: Uint8Array): Digest => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function settledFlag(promise: Promise<unknown>): { readonly settled: boolean } {
  const flag = { settled: false };
  promise.then(
    () => {
      flag.settled = true;
    },
    () => {
      flag.settled = true;
    },
  );
  return flag;
}

describe('a blob committed in the background', () => {
  it('gets its digest as its name only after its sync, and its readers wait for it', async () => {
    const held = heldSync();
    const store = await Store.open(dir, { syncBlobFile: held.syncBlobFile });
    const bytes = Buffer.from('layer bytes\n');
    const blob = await store.putBlobDeferred(bytes);
    expect(blob.digest).toBe(sha256(bytes));
    expect(blob.size).toBe(bytes.length);
    await held.syncStarted;
    const file = store.blobPath(blob.digest);
    expect(existsSync(file)).toBe(false);
    // The bytes are in a temp file meanwhile (swept by prune if this process died now).
    const temps = (await readdir(store.paths.blobs)).filter((name) => name.includes('.tmp-'));
    expect(temps).toHaveLength(1);
    expect(await readFile(path.join(store.paths.blobs, temps[0] as string))).toEqual(bytes);
    const reading = store.readBlob(blob.digest);
    const read = settledFlag(reading);
    const form = store.blobForm(blob.digest);
    const durable = settledFlag(blob.durable);
    await turns();
    expect(read.settled).toBe(false);
    expect(durable.settled).toBe(false);
    expect(existsSync(file)).toBe(false);
    held.release();
    await blob.durable;
    expect(await reading).toEqual(bytes);
    expect(await form).toBe('file');
    expect(await readdir(store.paths.blobs)).toEqual([blob.digest.slice('sha256:'.length)]);
  });

  it('leaves no file under its digest nor a temp file when its sync fails, and fails whatever names it', async () => {
    const held = heldSync();
    const store = await Store.open(dir, { syncBlobFile: held.syncBlobFile });
    const blob = await store.putBlobDeferred(Buffer.from('doomed\n'));
    await held.syncStarted;
    held.fail(eio());
    const message = `EIO: i/o error, fsync (writing a blob in ${store.paths.blobs})`;
    await expect(blob.durable).rejects.toThrow(message);
    expect(await readdir(store.paths.blobs)).toEqual([]);
    await expect(store.blobsDurable([blob.digest])).rejects.toThrow(message);
    const layer: LayerRef = {
      digest: blob.digest,
      size: blob.size,
      mediaType: OciMediaType.layer,
      diffId: blob.digest,
    };
    const key = `sha256:${'a'.repeat(64)}`;
    await expect(recordStep(store, key, { layer, created: '2024-01-01T00:00:00Z' })).rejects.toThrow(message);
    expect(await lookupStep(store, key)).toBeNull();
    expect(await readdir(path.join(store.paths.cache, 'build')).catch(() => [])).toEqual([]);
    await expect(store.blobForm(blob.digest)).resolves.toBeNull();
    await store.blobsIdle();
  });

  it('is written anew by a later put of the same bytes, which then names it', async () => {
    let failures = 1;
    const store = await Store.open(dir, {
      syncBlobFile: async (handle) => {
        if (failures-- > 0) throw eio();
        await handle.sync();
      },
    });
    const bytes = Buffer.from('second time lucky\n');
    const first = await store.putBlobDeferred(bytes);
    await expect(first.durable).rejects.toThrow('EIO');
    const second = await store.putBlob(bytes);
    expect(second.digest).toBe(first.digest);
    await expect(store.blobsDurable([first.digest])).resolves.toBeUndefined();
    expect(await store.readBlob(first.digest)).toEqual(bytes);
  });
});

describe('names of a blob in flight', () => {
  it('a cache record is written once the layer it names is durable', async () => {
    const held = heldSync();
    const store = await Store.open(dir, { syncBlobFile: held.syncBlobFile });
    const blob = await store.putBlobDeferred(Buffer.from('a layer\n'));
    const layer: LayerRef = {
      digest: blob.digest,
      size: blob.size,
      mediaType: OciMediaType.layer,
      diffId: blob.digest,
    };
    const key = `sha256:${'b'.repeat(64)}`;
    const recorded = recordStep(store, key, { layer, created: '2024-01-01T00:00:00Z' });
    const written = settledFlag(recorded);
    await held.syncStarted;
    await turns();
    expect(written.settled).toBe(false);
    expect(await readdir(path.join(store.paths.cache, 'build')).catch(() => [])).toEqual([]);
    held.release();
    await recorded;
    expect(existsSync(store.blobPath(blob.digest))).toBe(true);
    expect((await lookupStep(store, key))?.layer).toEqual(layer);
  });

  it('a tag is written once its manifest is durable, and not at all when it could not be stored', async () => {
    const held = heldSync();
    const store = await Store.open(dir, { syncBlobFile: held.syncBlobFile });
    const manifest = encodeManifest({
      schemaVersion: 2,
      mediaType: OciMediaType.manifest,
      config: { mediaType: OciMediaType.config, digest: `sha256:${'c'.repeat(64)}`, size: 2 },
      layers: [],
    });
    const blob = await store.putBlobDeferred(manifest.bytes, manifest.digest);
    const descriptor = { mediaType: OciMediaType.manifest, digest: blob.digest, size: blob.size };
    const tagged = store.tagManifest('app:1', descriptor);
    const dangling = store.keepDangling(descriptor);
    const done = settledFlag(Promise.all([tagged, dangling]));
    await held.syncStarted;
    await turns();
    expect(done.settled).toBe(false);
    expect((await readIndexFile(store.paths.indexJson)).manifests).toEqual([]);
    held.fail(eio());
    await expect(tagged).rejects.toThrow('EIO: i/o error, fsync');
    await expect(dangling).rejects.toThrow('EIO: i/o error, fsync');
    expect((await readIndexFile(store.paths.indexJson)).manifests).toEqual([]);
    // The new index.json, written while the manifest was being committed, is gone with it.
    expect((await readdir(dir)).filter((name) => name.includes('.tmp-'))).toEqual([]);
    // Stored again, it is tagged.
    const again = await Store.open(dir);
    await again.putBlob(manifest.bytes, manifest.digest);
    await again.tagManifest('app:1', descriptor);
    expect((await readIndexFile(again.paths.indexJson)).manifests.map((m) => m.digest)).toEqual([blob.digest]);
  });

  it('blobsIdle waits for the commits and for the writes waiting on them', async () => {
    const held = heldSync();
    const store = await Store.open(dir, { syncBlobFile: held.syncBlobFile });
    const blob = await store.putBlobDeferred(Buffer.from('idle\n'));
    let wrote = false;
    const write = store.whenDurable([blob.digest], async () => {
      wrote = true;
    });
    const idle = settledFlag(store.blobsIdle());
    await held.syncStarted;
    await turns();
    expect(idle.settled).toBe(false);
    held.release();
    await store.blobsIdle();
    expect(wrote).toBe(true);
    await write;
    expect(existsSync(store.blobPath(blob.digest))).toBe(true);
  });
});

describe('a manifest committed in the background', () => {
  it('counts as durable only once the config and layers it references are, even when written beside them', async () => {
    const configBytes = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const held = heldSync();
    // Only the config's sync is held.
    const store = await Store.open(dir, {
      syncBlobFile: async (handle, tempFile) => {
        if ((await readFile(tempFile)).equals(configBytes)) await held.syncBlobFile(handle);
        else await handle.sync();
      },
    });
    const configDigest = sha256(configBytes);
    const manifest = encodeManifest({
      schemaVersion: 2,
      mediaType: OciMediaType.manifest,
      config: { mediaType: OciMediaType.config, digest: configDigest, size: configBytes.length },
      layers: [],
    });
    // The config's bytes come only once the manifest is written: it is tracked from the start, as its digest is given.
    let manifestWritten!: () => void;
    const gate = new Promise<void>((resolve) => {
      manifestWritten = resolve;
    });
    const configPut = store.putBlobDeferred(
      (async function* () {
        await gate;
        yield configBytes;
      })(),
      configDigest,
    );
    const stored = await store.putBlobDeferred(manifest.bytes, manifest.digest, [configDigest]);
    manifestWritten();
    const config = await configPut;
    const descriptor = { mediaType: OciMediaType.manifest, digest: stored.digest, size: stored.size };
    const tagged = store.tagManifest('app:1', descriptor);
    const done = settledFlag(tagged);
    await held.syncStarted;
    // The manifest's own commit goes on: its file appears, then its directory's fsync (three more round trips
    // through libuv's pool, whose queue is in order: done before twenty file operations issued one after another).
    while (!existsSync(store.blobPath(stored.digest))) await turns(1);
    const manifestDurable = settledFlag(store.blobsDurable([stored.digest]));
    const ownDurable = settledFlag(stored.durable);
    for (let i = 0; i < 20; i++) await readdir(store.paths.blobs);
    expect(existsSync(store.blobPath(configDigest))).toBe(false);
    expect(manifestDurable.settled).toBe(false);
    expect(ownDurable.settled).toBe(false);
    expect(done.settled).toBe(false);
    expect((await readIndexFile(store.paths.indexJson)).manifests).toEqual([]);
    held.release();
    await tagged;
    await config.durable;
    expect((await readIndexFile(store.paths.indexJson)).manifests.map((m) => m.digest)).toEqual([stored.digest]);
    expect(existsSync(store.blobPath(configDigest))).toBe(true);
  });

  it('a write that fails before its commit leaves its digest as it was', async () => {
    const store = await Store.open(dir);
    const bytes = Buffer.from('checked\n');
    await expect(store.putBlobDeferred(Buffer.from('other\n'), sha256(bytes))).rejects.toThrow('digest mismatch');
    await expect(store.blobsDurable([sha256(bytes)])).resolves.toBeUndefined();
    await store.putBlob(bytes, sha256(bytes));
    await expect(store.putBlobDeferred(Buffer.from('other\n'), sha256(bytes))).rejects.toThrow('digest mismatch');
    await expect(store.blobsDurable([sha256(bytes)])).resolves.toBeUndefined();
    expect(await readdir(store.paths.blobs)).toEqual([sha256(bytes).slice('sha256:'.length)]);
  });
});

describe('a commit tracked by digest (a layer recipe written in the background)', () => {
  it('is waited for by what names it, by readers and by blobsIdle; its failure fails what names it', async () => {
    const commits = new BlobCommits();
    const digest = sha256(Buffer.from('layer\n'));
    let finish!: () => void;
    const written = new Promise<void>((resolve) => {
      finish = resolve;
    });
    commits.trackCommit(digest, written);
    const events: string[] = [];
    const named = commits.durable([digest]).then(() => events.push('named'));
    const read = commits.settled(digest).then(() => events.push('read'));
    const idle = commits.idle().then(() => events.push('idle'));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([]);
    finish();
    await Promise.all([named, read, idle]);
    expect(events.sort()).toEqual(['idle', 'named', 'read']);

    const other = sha256(Buffer.from('other layer\n'));
    commits.trackCommit(other, Promise.reject(new Error('ENOSPC')));
    await expect(commits.durable([other])).rejects.toThrow('ENOSPC');
    await expect(commits.settled(other)).resolves.toBeUndefined();
  });
});
