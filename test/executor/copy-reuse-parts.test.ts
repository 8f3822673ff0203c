// The parts of a direct copy's reuse of its previous result (executor/build/copy-reuse.ts): the record of what
// the previous copy wrote, the forward reader of the previous layer, and the helper thread making the links.
import { link, lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CopiedFile,
  copyRecordKey,
  pruneCopyRecords,
  readCopyRecord,
  writeCopyRecord,
} from '../../executor/build/copy-reuse-record.js';
import { openLayerCursor } from '../../executor/build/layer-cursor.js';
import { startLinkJob } from '../../executor/build/link-worker.js';
import { sameSnapshot, snapshotIdentity } from '../../executor/build/snapshot-identity.js';
import { Store, type TarEntry, tarChunks } from '../../image/index.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-copy-reuse-'));
  store = await Store.open(path.join(dir, 'store'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const layer = {
  digest: `sha256:${'a'.repeat(64)}`,
  size: 10240,
  mediaType: 'application/vnd.oci.image.layer.v1.tar',
  diffId: `sha256:${'a'.repeat(64)}`,
} as const;
const file = (digit: string, extra: Partial<CopiedFile> = {}): CopiedFile => ({
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtime: 1700000000.123456,
  size: 3,
  digest: `sha256:${digit.repeat(64)}`,
  ...extra,
});

describe('copy records', () => {
  it('read back exactly what was written; a path with a line break is left out', async () => {
    const key = copyRecordKey('/ctx', '/app', ['.']);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(copyRecordKey('/ctx', '/app2', ['.'])).not.toBe(key);
    const files = new Map([
      ['app/a.txt', file('1')],
      ['app/with\ttab', file('2', { mode: 0o4755, uid: 1000, gid: 1001, mtime: 0.1 + 0.2 })],
      ['app/with\nbreak', file('3')],
    ]);
    const snapshot = { ino: '42', birth: '1700000000123456789' };
    await writeCopyRecord(store, key, { layer, snapshot, files });
    const read = await readCopyRecord(store, key);
    expect(read?.layer).toEqual(layer);
    expect(read?.snapshot).toEqual(snapshot);
    expect([...(read?.files ?? [])]).toEqual([
      ['app/a.txt', file('1')],
      ['app/with\ttab', file('2', { mode: 0o4755, uid: 1000, gid: 1001, mtime: 0.1 + 0.2 })],
    ]);
  });

  it('are missing when absent, torn or of another version', async () => {
    const key = copyRecordKey('/ctx', '/app', ['.']);
    expect(await readCopyRecord(store, key)).toBeNull();
    await writeCopyRecord(store, key, {
      layer,
      snapshot: { ino: '1', birth: '2' },
      files: new Map([['a', file('1')]]),
    });
    const target = path.join(store.paths.cache, 'direct-copy', `${key}.txt`);
    const text = await readFile(target, 'utf8');
    await writeFile(target, text.slice(0, -5));
    expect(await readCopyRecord(store, key)).toBeNull();
    await writeFile(target, text.replace('"version":1', '"version":2'));
    expect(await readCopyRecord(store, key)).toBeNull();
    await writeFile(target, text.replace('\t3\t', '\tx\t'));
    expect(await readCopyRecord(store, key)).toBeNull();
  });
});

async function writeTar(entries: TarEntry[]): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarChunks(entries)) chunks.push(chunk);
  const target = path.join(dir, 'layer.tar');
  await writeFile(target, Buffer.concat(chunks));
  return target;
}

const meta = { mode: 0o644, uid: 0, gid: 0, mtime: 1700000000 };
const longName = `app/${'x'.repeat(120)}/file.js`;
const paxName = `app/${'y'.repeat(110)}`;
const sample: TarEntry[] = [
  { path: 'app', type: 'directory', ...meta, mode: 0o755 },
  { path: 'app/a', type: 'file', ...meta, content: Buffer.from('first') },
  { path: 'app/b', type: 'file', ...meta, content: Buffer.alloc(70000, 'b') },
  { path: 'app/c', type: 'symlink', ...meta, linkname: 'a' },
  { path: 'app/d', type: 'file', ...meta, content: Buffer.from('fourth') },
  { path: longName, type: 'file', ...meta, content: Buffer.from('long') },
  { path: paxName, type: 'file', ...meta, content: Buffer.from('pax') },
  { path: 'app/é.txt', type: 'file', ...meta, content: Buffer.from('accent') },
];

async function drain(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts).toString();
}

describe('pruning copy records', () => {
  it('keeps a record whose snapshot is the directory it wrote, removes the others', async () => {
    const snapshotDir = path.join(store.paths.snapshots, 'a'.repeat(16));
    await mkdir(snapshotDir);
    const identity = await snapshotIdentity(snapshotDir);
    if (identity === null) return; // no birth times here: copy-reuse never records anything either
    const live = copyRecordKey('/ctx', '/live', ['.']);
    const stale = copyRecordKey('/ctx', '/stale', ['.']);
    const gone = copyRecordKey('/ctx', '/gone', ['.']);
    const files = new Map([['a', file('1')]]);
    await writeCopyRecord(store, live, { layer, snapshot: identity, files });
    await writeCopyRecord(store, stale, { layer, snapshot: { ino: '1', birth: '2' }, files });
    const other = { ...layer, diffId: `sha256:${'b'.repeat(64)}` } as const;
    await writeCopyRecord(store, gone, { layer: other, snapshot: identity, files });
    expect(await pruneCopyRecords(store)).toBe(2);
    expect(await readCopyRecord(store, live)).not.toBeNull();
    expect(await readCopyRecord(store, stale)).toBeNull();
    expect(await readCopyRecord(store, gone)).toBeNull();
  });
});

describe('layer cursor', () => {
  it('gives the content of the files asked for in order, skipping the others', async () => {
    const cursor = await openLayerCursor(await writeTar(sample));
    try {
      expect(await drain(cursor.content('app/a', 5))).toBe('first');
      expect(await drain(cursor.content('app/d', 6))).toBe('fourth');
      expect(await drain(cursor.content(longName, 4))).toBe('long');
      expect(await drain(cursor.content(paxName, 3))).toBe('pax');
      expect(await drain(cursor.content('app/é.txt', 6))).toBe('accent');
    } finally {
      await cursor.close();
    }
  });

  it.each([
    ['a missing file', 'app/bb', 1, 'app/bb is not in the previous layer'],
    ['another size', 'app/b', 69999, 'app/b differs in the previous layer'],
    ['another type', 'app/c', 0, 'app/c differs in the previous layer'],
    ['a file past the end', 'zzz', 1, 'zzz is not in the previous layer'],
  ])('refuses %s', async (_, name, size, message) => {
    const cursor = await openLayerCursor(await writeTar(sample));
    try {
      await expect(drain(cursor.content(name, size))).rejects.toThrow(message);
    } finally {
      await cursor.close();
    }
  });

  it('refuses a file asked for out of order', async () => {
    const cursor = await openLayerCursor(await writeTar(sample));
    try {
      expect(await drain(cursor.content('app/d', 6))).toBe('fourth');
      await expect(drain(cursor.content('app/a', 5))).rejects.toThrow('app/a is not in the previous layer');
    } finally {
      await cursor.close();
    }
  });
});

describe('link job', () => {
  it('makes the directories, then the links to the very same inodes', async () => {
    const old = path.join(dir, 'old');
    await mkdir(path.join(old, 'x'), { recursive: true });
    const root = path.join(dir, 'new');
    await mkdir(root);
    await mkdir(path.join(old, 'x/y'));
    await writeFile(path.join(old, 'x/y/g'), 'content');
    const job = startLinkJob(root, { dirs: ['x', 'x/y'], links: new Map([[old, ['x/y/g']]]) });
    await job.dirsMade;
    await job.done;
    await job.stop();
    expect(((await lstat(path.join(root, 'x/y'))).mode & 0o7777).toString(8)).toBe('700');
    expect((await lstat(path.join(root, 'x/y/g'))).ino).toBe((await lstat(path.join(old, 'x/y/g'))).ino);
  });

  it('fails when a link cannot be made, and never before the directories exist', async () => {
    const root = path.join(dir, 'new');
    await mkdir(root);
    const job = startLinkJob(root, { dirs: ['x'], links: new Map([[path.join(dir, 'absent'), ['x/g']]]) });
    await job.dirsMade;
    await expect(job.done).rejects.toThrow(/ENOENT/);
    await job.stop();
  });

  it('fails both promises when a directory cannot be made', async () => {
    const root = path.join(dir, 'new');
    await mkdir(path.join(root, 'x'), { recursive: true });
    const job = startLinkJob(root, { dirs: ['x'], links: new Map() });
    await expect(job.dirsMade).rejects.toThrow(/EEXIST/);
    await expect(job.done).rejects.toThrow(/EEXIST/);
    await job.stop();
  });
});

describe('snapshot identity', () => {
  it('tells a directory from another one made under the same name', async () => {
    const target = path.join(dir, 'snap');
    await mkdir(target);
    const first = await snapshotIdentity(target);
    expect(first).not.toBeNull();
    expect(sameSnapshot(first!, (await snapshotIdentity(target))!)).toBe(true);
    await rm(target, { recursive: true });
    await mkdir(path.join(dir, 'other'));
    await mkdir(target);
    const second = await snapshotIdentity(target);
    expect(sameSnapshot(first!, second!)).toBe(false);
    await writeFile(path.join(dir, 'plain'), '');
    await link(path.join(dir, 'plain'), path.join(dir, 'plain2'));
    expect(await snapshotIdentity(path.join(dir, 'plain'))).toBeNull();
    expect(await snapshotIdentity(path.join(dir, 'absent'))).toBeNull();
  });
});
