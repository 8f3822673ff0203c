// Unpacked layers: whiteouts and opaque markers become overlayfs' own forms (made by batched commands through
// the launcher), images are unpacked for builds at import time, and xattrs are read without forking Node.
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSnapshot, publishSnapshot, snapshotDir } from '../../executor/build/snapshots.js';
import { mountLowerView, readTreeXattrs, unpackImageLayers } from '../../executor/index.js';
import { launcherDir } from '../../executor/runtime/launcher.js';
import {
  contentPadding,
  type Digest,
  encodeHeader,
  endOfArchive,
  importRootfs,
  OciMediaType,
  opaqueWhiteoutEntry,
  Store,
  type TarEntry,
  tarChunks,
  whiteoutEntry,
} from '../../image/index.js';
import { isolationUnavailable, removeScratch, scratchDir } from './helpers.js';

const skipReason = isolationUnavailable();

const meta = { mode: 0o755, uid: 0, gid: 0, mtime: 1_600_000_000 };
const dirEntry = (p: string): TarEntry => ({ path: p, type: 'directory', ...meta });
const fileEntry = (p: string, text: string): TarEntry => ({
  path: p,
  type: 'file',
  ...meta,
  content: Buffer.from(text),
});

async function storeLayer(store: Store, entries: TarEntry[]) {
  const { digest, size } = await store.putBlob(tarChunks(entries));
  return { digest, size, mediaType: OciMediaType.layer, diffId: digest as Digest };
}

function getfattr(file: string, name: string): string {
  return execFileSync('getfattr', ['-h', '--only-values', '-n', name, file], { encoding: 'utf8' });
}

describe.skipIf(skipReason !== undefined)('layer snapshots', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = await scratchDir();
    store = await Store.open(path.join(dir, 'store'));
  });
  afterAll(async () => {
    await removeScratch(dir);
  });

  it("makes the empty layer's snapshot anew when an older tsbuild left files in it (and leaves other snapshots)", async () => {
    const empty = await storeLayer(store, []);
    expect(empty.diffId).toBe('sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef');
    const spoiled = snapshotDir(store, empty);
    await mkdir(path.join(spoiled, 'tmp'), { recursive: true });
    await writeFile(path.join(spoiled, 'tmp', 'keep'), 'another build left me\n');
    expect(await ensureSnapshot(store, empty)).toBe(spoiled);
    expect(await readdir(spoiled)).toEqual([]);

    // Published over a spoiled one (a step of an upgraded tsbuild that changed nothing): ours takes its place.
    await mkdir(path.join(spoiled, 'tmp'), { recursive: true });
    await writeFile(path.join(spoiled, 'tmp', 'keep'), 'another build left me\n');
    const fresh = path.join(path.dirname(spoiled), 'fresh-empty');
    await mkdir(fresh);
    expect(await publishSnapshot(store, empty, fresh)).toBe(spoiled);
    expect(await readdir(spoiled)).toEqual([]);

    const other = await storeLayer(store, [fileEntry('kept', 'k\n')]);
    const root = snapshotDir(store, other);
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, 'marker'), 'as it was\n');
    expect(await ensureSnapshot(store, other)).toBe(root);
    expect(await readdir(root)).toEqual(['marker']);
  });

  it('keeps a published snapshot in place, the empty one too: an overlay stacked on it keeps seeing its layers', async () => {
    const empty = await storeLayer(store, []);
    const target = await ensureSnapshot(store, empty);
    const base = await storeLayer(store, [dirEntry('bin'), fileEntry('bin/true', 't\n')]);
    const view = await mountLowerView([target, await ensureSnapshot(store, base)], path.join(dir, 'view'));
    try {
      const before = (await lstat(target)).ino;
      // Another step that changed nothing publishes the empty layer again: its directory is dropped.
      const again = path.join(dir, 'again-empty');
      await mkdir(again);
      expect(await publishSnapshot(store, empty, again)).toBe(target);
      expect((await lstat(target)).ino).toBe(before);
      await expect(lstat(again)).rejects.toThrow(/ENOENT/);
      expect(await readdir(view.root)).toEqual(['bin']);
    } finally {
      await view.release();
    }
  });

  it('turns whiteouts into 0/0 devices and opaque markers into trusted.overlay.opaque, many per layer', async () => {
    const gone = Array.from({ length: 300 }, (_, i) => whiteoutEntry(`etc/gone ${i}'$x`));
    const layer = await storeLayer(store, [
      dirEntry('etc'),
      ...gone,
      dirEntry('var'),
      opaqueWhiteoutEntry('var'),
      fileEntry('var/kept', 'k\n'),
      dirEntry('opt'),
      opaqueWhiteoutEntry('opt'),
      whiteoutEntry('usr/deep/gone'),
      whiteoutEntry('usr/deep/gone'),
      { path: 'var/.wh...', type: 'file', ...meta, mode: 0o600, content: Buffer.alloc(0) },
      { path: 'var/.wh.', type: 'file', ...meta, mode: 0o600, content: Buffer.alloc(0) },
    ]);
    const root = await ensureSnapshot(store, layer);
    expect(root).toBe(snapshotDir(store, layer));
    const etc = (await readdir(path.join(root, 'etc'))).sort();
    expect(etc).toHaveLength(300);
    for (const name of [etc[0], "gone 299'$x"]) {
      const st = await lstat(path.join(root, 'etc', name));
      expect([st.isCharacterDevice(), st.rdev]).toEqual([true, 0]);
    }
    const deep = await lstat(path.join(root, 'usr/deep/gone'));
    expect([deep.isCharacterDevice(), deep.rdev]).toEqual([true, 0]);
    expect(getfattr(path.join(root, 'var'), 'trusted.overlay.opaque')).toBe('y');
    expect(getfattr(path.join(root, 'opt'), 'trusted.overlay.opaque')).toBe('y');
    expect(await readFile(path.join(root, 'var/kept'), 'utf8')).toBe('k\n');
    expect((await readdir(root)).sort()).toEqual(['etc', 'opt', 'usr', 'var']);
  });

  it('takes no overlayfs attribute from a layer: a directory says it is opaque only by a whiteout entry', async () => {
    const below = await storeLayer(store, [dirEntry('etc'), fileEntry('etc/kept', 'k\n'), fileEntry('secret', 's\n')]);
    const overlayOwn = {
      'trusted.overlay.opaque': Buffer.from('y'),
      'trusted.overlay.redirect': Buffer.from('/'),
      'user.overlay.opaque': Buffer.from('y'),
    };
    const above = await storeLayer(store, [
      { ...dirEntry('etc'), xattrs: { ...overlayOwn, 'user.note': Buffer.from('n') } },
      fileEntry('etc/new', 'n\n'),
      { ...dirEntry('view'), xattrs: overlayOwn },
    ]);
    const upperRoot = await ensureSnapshot(store, above);
    const names = execFileSync('getfattr', ['-h', '-d', '-m', '-', '--absolute-names', path.join(upperRoot, 'etc')], {
      encoding: 'utf8',
    });
    expect(names.split('\n').filter((line) => line.includes('='))).toEqual(['user.note="n"']);
    const view = await mountLowerView(
      [upperRoot, await ensureSnapshot(store, below)],
      path.join(dir, 'no-overlay-xattrs'),
    );
    try {
      expect((await readdir(path.join(view.root, 'etc'))).sort()).toEqual(['kept', 'new']);
      expect(await readdir(path.join(view.root, 'view'))).toEqual([]);
    } finally {
      await view.release();
    }
  });

  it("gives a whiteout's directory the layer's time back, as containerd's Apply sets directory times last", async () => {
    const layer = await storeLayer(store, [
      dirEntry('etc'),
      whiteoutEntry('etc/gone'),
      { ...dirEntry('etc/sub'), mtime: 1_500_000_000 },
      whiteoutEntry('etc/sub/a'),
      fileEntry('etc/sub/kept', 'k\n'),
      whiteoutEntry('etc/sub/b'),
    ]);
    const root = await ensureSnapshot(store, layer);
    const times = async (rel: string) => {
      const st = await lstat(path.join(root, rel));
      return [st.mtimeMs / 1000, st.atimeMs / 1000];
    };
    expect(await times('etc')).toEqual([1_600_000_000, 1_600_000_000]);
    expect(await times('etc/sub')).toEqual([1_500_000_000, 1_500_000_000]);
    expect((await lstat(path.join(root, 'etc/sub/a'))).isCharacterDevice()).toBe(true);
  });

  it('makes devices, fifos and xattrs of a layer through the launcher, as extraction always did', async () => {
    const ping = '0100000200200000000000000000000000000000'; // v2 file capabilities: cap_net_raw+ep
    const layer = await storeLayer(store, [
      dirEntry('dev'),
      { path: 'dev/null', type: 'char', ...meta, mode: 0o666, devmajor: 1, devminor: 3 },
      { path: 'dev/pipe', type: 'fifo', ...meta, mode: 0o600 },
      { ...fileEntry('bin/ping', 'p'), xattrs: { 'security.capability': Buffer.from(ping, 'hex') } },
    ]);
    const root = await ensureSnapshot(store, layer);
    const dev = await lstat(path.join(root, 'dev/null'));
    expect([dev.isCharacterDevice(), dev.rdev, dev.mode & 0o7777]).toEqual([true, 0x103, 0o666]);
    const fifo = await lstat(path.join(root, 'dev/pipe'));
    expect([fifo.isFIFO(), fifo.mode & 0o7777]).toEqual([true, 0o600]);
    const caps = execFileSync('getfattr', [
      '-h',
      '-e',
      'hex',
      '-n',
      'security.capability',
      path.join(root, 'bin/ping'),
    ]);
    expect(caps.toString()).toContain(`security.capability=0x${ping}`);
  });

  it('never makes a whiteout outside of the snapshot', async () => {
    const layer = await storeLayer(store, [
      { path: 'up', type: 'symlink', ...meta, linkname: '/../../..' },
      whiteoutEntry('up/escaped'),
    ]);
    const root = await ensureSnapshot(store, layer);
    const st = await lstat(path.join(root, 'escaped'));
    expect(st.isCharacterDevice()).toBe(true);
    await expect(lstat(path.join(dir, 'escaped'))).rejects.toThrow('ENOENT');
  });

  it('puts the absolute names of a layer inside the snapshot, as extraction does (they failed the unpack)', async () => {
    const header = { path: '/abs/file', type: 'file' as const, mode: 0o644, uid: 0, gid: 0, mtime: 1, size: 2 };
    const tar = Buffer.concat([encodeHeader(header), Buffer.from('a\n'), contentPadding(2), endOfArchive()]);
    const { digest, size } = await store.putBlob(tar);
    const root = await ensureSnapshot(store, { digest, size, mediaType: OciMediaType.layer, diffId: digest });
    expect(await readFile(path.join(root, 'abs/file'), 'utf8')).toBe('a\n');
    expect(await readdir(root)).toEqual(['abs']);
  });

  it('unpacks the layers of an image, and reports (never throws) what it cannot unpack', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of tarChunks([dirEntry('bin'), fileEntry('bin/tool', 'x\n')])) chunks.push(chunk);
    const tar = Buffer.concat(chunks);
    const imported = await importRootfs(store, tar, 'base:1');
    expect(await unpackImageLayers(store, imported.manifestDigest)).toEqual([]);
    const root = snapshotDir(store, { ...imported, digest: imported.layerDigest, size: 0, mediaType: '' });
    expect(await readFile(path.join(root, 'bin/tool'), 'utf8')).toBe('x\n');
    // Nothing for this machine (an index without its platform, here nothing at all): nothing to do.
    expect(await unpackImageLayers(store, `sha256:${'0'.repeat(64)}`)).toEqual([]);
    // A layer whose blob is gone is reported, not thrown.
    const broken = await importRootfs(store, tar, 'broken:1', { created: '2020-01-01T00:00:00Z' });
    await rm(path.join(snapshotDir(store, { ...broken, digest: broken.layerDigest, size: 0, mediaType: '' })), {
      recursive: true,
    });
    await unlink(store.blobPath(broken.layerDigest));
    expect(await unpackImageLayers(store, broken.manifestDigest)).toEqual([
      { digest: broken.layerDigest, reason: `blob ${broken.layerDigest} not found` },
    ]);
  });

  it('reads the xattrs of a tree without leaving dump files behind', async () => {
    const layer = await storeLayer(store, [
      dirEntry('x'),
      { ...fileEntry('x/f', 'f'), xattrs: { 'user.note': Buffer.from('hi'), 'user.bin': Buffer.from([0, 1, 255]) } },
      dirEntry('y'),
      opaqueWhiteoutEntry('y'),
    ]);
    const root = await ensureSnapshot(store, layer);
    const before = (await readdir(launcherDir())).filter((n) => n.startsWith('xattrs-'));
    const xattrs = await readTreeXattrs(root);
    expect(xattrs.get('x/f')).toEqual({ 'user.bin': Buffer.from([0, 1, 255]), 'user.note': Buffer.from('hi') });
    expect(xattrs.get('y')).toEqual({ 'trusted.overlay.opaque': Buffer.from('y') });
    expect(xattrs.has('x')).toBe(false);
    expect((await readdir(launcherDir())).filter((n) => n.startsWith('xattrs-'))).toEqual(before);
    await expect(readTreeXattrs(path.join(dir, 'no-such-dir'))).rejects.toThrow(
      /^cannot read the extended attributes of .*no-such-dir: ENOENT$/,
    );
  });
});
