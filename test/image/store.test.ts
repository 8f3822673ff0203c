import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildLayer,
  type Digest,
  defaultStoreRoot,
  ImageNotFoundError,
  OciMediaType,
  putLayer,
  readIndexFile,
  Store,
  sha256Digest,
  type TarEntry,
} from '../../image/index.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tsbuild-store-'));
const here = path.dirname(fileURLToPath(import.meta.url));
let worker: string;
beforeAll(async () => {
  worker = path.join(scratch, 'store-worker.mjs');
  await build({
    entryPoints: [path.join(here, 'fixtures/store-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile: worker,
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
const freshRoot = () => path.join(scratch, `store-${n++}`);

/** Stores a one-layer image and returns its manifest digest. */
async function storeImage(store: Store, text: string): Promise<{ manifest: Digest; layer: Digest; config: Digest }> {
  const layer = await store.putBlob(Buffer.from(text));
  const config = await store.putConfig({
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  });
  const manifest = await store.putManifest({
    schemaVersion: 2,
    mediaType: OciMediaType.manifest,
    config,
    layers: [{ mediaType: OciMediaType.layer, ...layer }],
  });
  return { manifest: manifest.digest, layer: layer.digest, config: config.digest };
}

describe('store root', () => {
  it('follows TSBUILD_ROOT, root and XDG rules', () => {
    expect(defaultStoreRoot({ TSBUILD_ROOT: '/x/y' }, 0, '/home/u')).toBe('/x/y');
    expect(defaultStoreRoot({}, 0, '/root')).toBe('/var/lib/tsbuild');
    expect(defaultStoreRoot({ XDG_DATA_HOME: '/data' }, 1000, '/home/u')).toBe('/data/tsbuild');
    expect(defaultStoreRoot({ XDG_DATA_HOME: 'relative' }, 1000, '/home/u')).toBe('/home/u/.local/share/tsbuild');
    expect(defaultStoreRoot({}, 1000, '/home/u')).toBe('/home/u/.local/share/tsbuild');
  });

  it('creates an OCI image layout with room for snapshots and cache', async () => {
    const root = freshRoot();
    const store = await Store.open(root);
    expect(readFileSync(path.join(root, 'oci-layout'), 'utf8')).toBe('{"imageLayoutVersion":"1.0.0"}');
    expect(readFileSync(path.join(root, 'index.json'), 'utf8')).toBe(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
    );
    expect(readdirSync(root).sort()).toEqual(['blobs', 'cache', 'index.json', 'locks', 'oci-layout', 'snapshots']);
    expect(store.paths.snapshots).toBe(path.join(root, 'snapshots'));
    expect(store.paths.cache).toBe(path.join(root, 'cache'));
    await Store.open(root); // idempotent
  });
});

describe('blobs', () => {
  it('stores bytes and streams under their digest, verified', async () => {
    const store = await Store.open(freshRoot());
    const data = Buffer.from('hello blob');
    const info = await store.putBlob(data);
    expect(info).toEqual({ digest: sha256Digest(data), size: 10 });
    expect(readFileSync(store.blobPath(info.digest), 'utf8')).toBe('hello blob');
    expect(await store.hasBlob(info.digest)).toBe(true);
    expect(await store.putBlob(Readable.from([Buffer.from('hello '), Buffer.from('blob')]), info.digest)).toEqual(info);
    expect((await store.readBlob(info.digest)).toString()).toBe('hello blob');
  });

  it('rejects content that does not match, leaving nothing behind', async () => {
    const store = await Store.open(freshRoot());
    const wrong: Digest = sha256Digest('something else');
    await expect(store.putBlob(Buffer.from('data'), wrong)).rejects.toThrow(
      `digest mismatch: expected ${wrong}, got ${sha256Digest('data')}`,
    );
    await expect(store.putBlob(Buffer.from('data'), { size: 5 })).rejects.toThrow(
      `size mismatch for ${sha256Digest('data')}: expected 5, got 4`,
    );
    expect(readdirSync(store.paths.blobs)).toEqual([]);
    expect(await store.hasBlob(sha256Digest('data'))).toBe(false);
  });
});

describe('tags', () => {
  it('tags with normalised names, resolves, lists, untags', async () => {
    const store = await Store.open(freshRoot());
    const img = await storeImage(store, 'layer-a');
    await store.tag('alpine', img.manifest);
    await store.tag('localhost:5000/team/app:v1', img.manifest);
    const index = JSON.parse(readFileSync(store.paths.indexJson, 'utf8'));
    expect(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations)).toEqual([
      { 'org.opencontainers.image.ref.name': 'docker.io/library/alpine:latest' },
      { 'org.opencontainers.image.ref.name': 'localhost:5000/team/app:v1' },
    ]);
    expect((await store.listImages()).map((i) => i.familiar)).toEqual(['alpine:latest', 'localhost:5000/team/app:v1']);

    for (const ref of [
      'alpine',
      'alpine:latest',
      'docker.io/library/alpine:latest',
      `alpine@${img.manifest}`,
      img.manifest,
    ]) {
      const resolved = await store.resolve(ref);
      expect(resolved.manifestDigest).toBe(img.manifest);
      expect(resolved.configDigest).toBe(img.config);
      expect(resolved.config.rootfs.diff_ids).toEqual([img.layer]);
    }
    await expect(store.resolve('alpine:3')).rejects.toThrow('No such image: alpine:3');

    const other = await storeImage(store, 'layer-b');
    await store.tag('alpine:latest', other.manifest); // retag moves it
    expect((await store.resolve('alpine')).manifestDigest).toBe(other.manifest);
    expect(await store.untag('alpine')).toBe(true);
    expect(await store.untag('alpine')).toBe(false);
    expect(await store.removeImage(img.manifest)).toEqual(['localhost:5000/team/app:v1']);
    expect(await store.listImages()).toEqual([]);
    await expect(store.removeImage('nothing')).rejects.toThrow('No such image: nothing');
    await expect(store.tag('bad', img.layer)).rejects.toThrow(`${img.layer} is not an image manifest or index`);
    await expect(store.tag('bad', img.config)).rejects.toThrow(`${img.config} is not an image manifest or index`);
    await expect(store.tag('bad', sha256Digest('absent'))).rejects.toThrow(`blob ${sha256Digest('absent')} not found`);
  });

  it('resolves image IDs and unique ID prefixes, tags first', async () => {
    const store = await Store.open(freshRoot());
    const img = await storeImage(store, 'id-test');
    await store.tag('app', img.manifest);
    const configHex = img.config.slice(7);
    for (const ref of [img.config, configHex, configHex.slice(0, 12), img.manifest.slice(7, 19)]) {
      expect((await store.resolve(ref)).manifestDigest).toBe(img.manifest);
    }
    // A tag that looks like an ID prefix wins.
    const other = await storeImage(store, 'other');
    await store.tag(configHex.slice(0, 6), other.manifest);
    expect((await store.resolve(configHex.slice(0, 6))).manifestDigest).toBe(other.manifest);
    await expect(store.resolve('ffff')).rejects.toThrow('No such image: ffff:latest');
    await expect(store.resolve(img.layer)).rejects.toThrow(`${img.layer}: ${img.layer} is not an image manifest`);
  });

  it('resolves an index to the platform manifest', async () => {
    const store = await Store.open(freshRoot());
    const amd = await storeImage(store, 'amd');
    const arm = await storeImage(store, 'arm');
    const idx = await store.putManifest({
      schemaVersion: 2,
      mediaType: OciMediaType.index,
      manifests: [
        {
          mediaType: OciMediaType.manifest,
          digest: arm.manifest,
          size: 1,
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        },
        {
          mediaType: OciMediaType.manifest,
          digest: amd.manifest,
          size: 1,
          platform: { os: 'linux', architecture: 'amd64' },
        },
      ],
    });
    await store.tag('multi', idx.digest);
    expect((await store.resolve('multi', { os: 'linux', architecture: 'arm64' })).manifestDigest).toBe(arm.manifest);
    const r = await store.resolve('multi', { os: 'linux', architecture: 'amd64' });
    expect([r.manifestDigest, r.indexDigest]).toEqual([amd.manifest, idx.digest]);
    await expect(store.resolve('multi', { os: 'linux', architecture: 's390x' })).rejects.toThrow(
      'multi: no manifest for platform linux/s390x',
    );
  });

  it('with strictPlatform, takes only an image of the platform asked for (a base image); without, any', async () => {
    const store = await Store.open(freshRoot());
    /** Tags an image without layers whose config names PLATFORM (fields left out when undefined). */
    const tagImage = async (ref: string, platform: { os?: string; architecture?: string; variant?: string }) => {
      const config = await store.putConfig({ ...platform, rootfs: { type: 'layers', diff_ids: [] } } as Parameters<
        Store['putConfig']
      >[0]);
      const manifest = await store.putManifest({
        schemaVersion: 2,
        mediaType: OciMediaType.manifest,
        config,
        layers: [],
      });
      await store.tag(ref, manifest.digest);
      return manifest.digest;
    };
    const amd = await tagImage('amd', { os: 'linux', architecture: 'amd64' });
    const arm = await tagImage('armv7', { os: 'linux', architecture: 'arm', variant: 'v7' });
    const any = await tagImage('any', {});
    const strict = { strictPlatform: true };
    const arm64 = { os: 'linux', architecture: 'arm64' };
    // inspect, run, tag: the platform only picks an index's manifest.
    expect((await store.resolve('amd', arm64)).manifestDigest).toBe(amd);
    await expect(store.resolve('amd', arm64, strict)).rejects.toThrow(
      new ImageNotFoundError('amd: the image is for linux/amd64, not linux/arm64'),
    );
    await expect(store.resolve('amd', { os: 'windows', architecture: 'amd64' }, strict)).rejects.toThrow(
      'amd: the image is for linux/amd64, not windows/amd64',
    );
    // A variant counts only when both name one.
    const amd64v2 = { os: 'linux', architecture: 'amd64', variant: 'v2' };
    expect((await store.resolve('amd', amd64v2, strict)).manifestDigest).toBe(amd);
    expect((await store.resolve('armv7', { os: 'linux', architecture: 'arm' }, strict)).manifestDigest).toBe(arm);
    await expect(store.resolve('armv7', { os: 'linux', architecture: 'arm', variant: 'v6' }, strict)).rejects.toThrow(
      'armv7: the image is for linux/arm/v7, not linux/arm/v6',
    );
    // A config that names no architecture (some imports) serves every platform.
    expect((await store.resolve('any', arm64, strict)).manifestDigest).toBe(any);
  });
});

describe('putLayer', () => {
  it('streams entries into a gzip blob with the same digests as buildLayer', async () => {
    const store = await Store.open(freshRoot());
    const entries: TarEntry[] = [
      { path: 'b', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 5000, content: Buffer.from('bee') },
      { path: 'a', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 10 },
    ];
    const expected = await buildLayer(entries, { sourceDateEpoch: 1000 });
    const fromArray = await putLayer(store, entries, { sourceDateEpoch: 1000 });
    expect(fromArray).toEqual({
      descriptor: { mediaType: OciMediaType.layerGzip, digest: expected.digest, size: expected.size },
      diffId: expected.diffId,
      uncompressedSize: expected.tar.length,
    });
    async function* sorted() {
      yield entries[1]!;
      yield entries[0]!;
    }
    expect(await putLayer(store, sorted(), { sourceDateEpoch: 1000 })).toEqual(fromArray);
    expect((await store.readBlob(expected.digest)).equals(expected.blob)).toBe(true);
  });
});

describe('dangling images', () => {
  it('keeps an untagged image (its ID resolves), drops the entry once it is tagged, and removes old ones', async () => {
    const store = await Store.open(freshRoot());
    const image = await storeImage(store, 'untagged');
    const manifest = {
      mediaType: OciMediaType.manifest,
      digest: image.manifest,
      size: await store.blobSize(image.manifest),
    };
    await store.keepDangling(manifest);
    await store.keepDangling(manifest); // once
    const entries = async () =>
      (await readIndexFile(store.paths.indexJson)).manifests.map((m) => [m.digest, m.annotations ?? null]);
    expect(await entries()).toEqual([[image.manifest, null]]);
    expect((await store.resolve(image.config)).manifestDigest).toBe(image.manifest);
    // Young ones stay (a build elsewhere may be about to tag its own); old ones go.
    expect(await store.removeDangling(60_000)).toEqual([]);
    expect(await store.removeDangling(0)).toEqual([image.manifest]);
    await expect(store.resolve(image.config)).rejects.toThrow(ImageNotFoundError);

    await store.keepDangling(manifest);
    await store.tag('named:1', image.manifest);
    expect(await entries()).toEqual([
      [image.manifest, { 'org.opencontainers.image.ref.name': 'docker.io/library/named:1' }],
    ]);
    // A tagged image is not dangling, and keepDangling leaves it as it is.
    await store.keepDangling(manifest);
    expect(await store.removeDangling(0)).toEqual([]);
  });
});

describe('prune', () => {
  it('removes dead writers’ temp files under cache/ but never looks inside RUN cache mounts', async () => {
    const store = await Store.open(freshRoot());
    const record = path.join(store.paths.cache, 'build', 's-1.json.tmp-999999999-abcdef');
    const mounted = path.join(store.paths.cache, 'mounts', '0123456789abcdef', 'data', 'user.tmp-999999999-abcdef');
    mkdirSync(path.dirname(record), { recursive: true });
    mkdirSync(path.dirname(mounted), { recursive: true });
    writeFileSync(record, '{');
    writeFileSync(mounted, 'a user file in a cache mount');
    const result = await store.prune();
    expect(result.removedTempFiles).toEqual(['cache/build/s-1.json.tmp-999999999-abcdef']);
    expect(existsSync(record)).toBe(false);
    expect(readFileSync(mounted, 'utf8')).toBe('a user file in a cache mount');
  });

  it('removes unreferenced blobs and dead processes’ temp files, keeps tagged and hooked ones', async () => {
    const store = await Store.open(freshRoot());
    const tagged = await storeImage(store, 'tagged');
    const loose = await storeImage(store, 'loose');
    const cached = await store.putBlob(Buffer.from('cache-held'));
    await store.tag('keep', tagged.manifest);
    writeFileSync(path.join(store.paths.blobs, 'blob.tmp-999999999-abcdef'), 'partial');
    writeFileSync(path.join(store.root, 'index.json.tmp-999999999-abcdef'), '{');
    writeFileSync(path.join(store.paths.blobs, `blob.tmp-${process.pid}-abcdef`), 'in flight');
    const unregister = store.registerGcRoots(() => [cached.digest]);

    // Within the grace period no blob is deleted; dead processes' temp files always are.
    const first = await store.prune();
    expect(first.removedBlobs).toEqual([]);
    expect(first.removedTempFiles).toEqual([
      'blobs/sha256/blob.tmp-999999999-abcdef',
      'index.json.tmp-999999999-abcdef',
    ]);
    const result = await store.prune({ gracePeriodMs: 0 });
    expect(result.removedBlobs).toEqual([loose.manifest, loose.layer, loose.config].sort());
    expect(result.removedTempFiles).toEqual([]);
    for (const d of [tagged.manifest, tagged.config, tagged.layer, cached.digest])
      expect(await store.hasBlob(d)).toBe(true);
    expect(existsSync(path.join(store.paths.blobs, `blob.tmp-${process.pid}-abcdef`))).toBe(true);

    unregister();
    expect((await store.prune({ gracePeriodMs: 0 })).removedBlobs).toEqual([cached.digest]);
  });
});

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [worker, ...args]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('several processes', () => {
  it('two processes hammering put/tag both succeed and index.json keeps every tag', async () => {
    const root = freshRoot();
    await Store.open(root);
    const count = 40;
    const [a, b] = await Promise.all([
      run(['hammer', root, '1', String(count)]),
      run(['hammer', root, '2', String(count)]),
    ]);
    expect([a.code, a.err, a.out, b.code, b.err, b.out]).toEqual([0, '', 'done\n', 0, '', 'done\n']);
    const index = JSON.parse(readFileSync(path.join(root, 'index.json'), 'utf8'));
    const refs = index.manifests.map(
      (m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name'],
    );
    const expected = ['docker.io/library/shared:latest'];
    for (const id of [1, 2]) for (let i = 0; i < count; i++) expected.push(`docker.io/library/worker${id}:t${i}`);
    expect([...refs].sort()).toEqual(expected.sort());
    const store = await Store.open(root);
    const resolved = await store.resolve('worker2:t7');
    expect((await store.readBlob(resolved.manifest.layers[0]!.digest)).toString()).toBe('layer 2 7');
    expect(readdirSync(root).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(path.join(root, 'locks'))).toEqual([]);
  });

  it('a process killed with SIGKILL mid-write leaves only temp garbage, which prune removes', async () => {
    const root = freshRoot();
    const store = await Store.open(root);
    const before = readFileSync(store.paths.indexJson, 'utf8');
    const child: ChildProcess = spawn(process.execPath, [worker, 'slow-blob', root]);
    await new Promise<void>((resolve) => {
      let chunks = 0;
      child.stdout!.on('data', (d: Buffer) => {
        chunks += d.toString().split('chunk').length - 1;
        if (chunks >= 5) resolve();
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    const garbage = readdirSync(store.paths.blobs);
    expect(garbage).toHaveLength(1);
    expect(garbage[0]).toMatch(new RegExp(`^blob\\.tmp-${child.pid}-[0-9a-f]{12}$`));
    expect(readFileSync(store.paths.indexJson, 'utf8')).toBe(before);
    const result = await store.prune({ gracePeriodMs: 0 });
    expect(result.removedTempFiles).toEqual([`blobs/sha256/${garbage[0]}`]);
    expect(readdirSync(store.paths.blobs)).toEqual([]);
  });

  it('a writer killed at a random point leaves a valid store that keeps working', async () => {
    const root = freshRoot();
    const store = await Store.open(root);
    for (const delay of [150, 400, 700]) {
      const child = spawn(process.execPath, [worker, 'hammer', root, String(delay), '100000']);
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('close', resolve));
      // index.json is always complete JSON, and everything it names is present.
      const index = JSON.parse(readFileSync(store.paths.indexJson, 'utf8'));
      for (const entry of index.manifests) await store.resolve(entry.digest);
      // A lock the dead writer may have held is broken; tagging works right away.
      const img = await storeImage(store, `after ${delay}`);
      await store.tag(`after:${delay}`, img.manifest);
      await store.prune({ gracePeriodMs: 0 });
      expect(readdirSync(store.paths.blobs).filter((f) => f.includes('.tmp-'))).toEqual([]);
      expect(readdirSync(root).filter((f) => f.includes('.tmp-'))).toEqual([]);
      expect((await store.resolve(`after:${delay}`)).manifestDigest).toBe(img.manifest);
    }
  });

  it('breaks a lock left by a dead process', async () => {
    const store = await Store.open(freshRoot());
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.on('close', resolve));
    writeFileSync(path.join(store.paths.locks, 'index.lock'), `${dead.pid}\n`);
    const img = await storeImage(store, 'x');
    const started = Date.now();
    await store.tag('after-crash', img.manifest);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await store.listImages()).map((i) => i.familiar)).toEqual(['after-crash:latest']);
  });

  it('breaks an empty lock file once it is 10 s old (left by a holder killed while creating it)', async () => {
    const store = await Store.open(freshRoot());
    const img = await storeImage(store, 'x');
    const lock = path.join(store.paths.locks, 'index.lock');
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 11_000);
    utimesSync(lock, old, old);
    const started = Date.now();
    await store.tag('after-empty', img.manifest);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await store.listImages()).map((i) => i.familiar)).toEqual(['after-empty:latest']);
  });

  it('never shows a lock file without its pid, and prune sweeps a lock temp file of a dead process', async () => {
    const store = await Store.open(freshRoot());
    const img = await storeImage(store, 'x');
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.on('close', resolve));
    const leftover = path.join(store.paths.locks, `index.lock.tmp-${dead.pid}-0123456789ab`);
    writeFileSync(leftover, `${dead.pid}\n`);
    const seen: string[] = [];
    const watcher = setInterval(() => {
      try {
        seen.push(readFileSync(path.join(store.paths.locks, 'index.lock'), 'utf8'));
      } catch {
        // not held right now
      }
    }, 0);
    for (let i = 0; i < 20; i++) await store.tag(`t:${i}`, img.manifest);
    clearInterval(watcher);
    expect(seen.filter((text) => text !== `${process.pid}\n`)).toEqual([]);
    const result = await store.prune({ gracePeriodMs: 0 });
    expect(result.removedTempFiles).toEqual([`locks/${path.basename(leftover)}`]);
    expect(readdirSync(store.paths.locks)).toEqual([]);
  });

  it('waits for a lock held by a live process', async () => {
    const store = await Store.open(freshRoot());
    const img = await storeImage(store, 'x');
    const lock = path.join(store.paths.locks, 'index.lock');
    writeFileSync(lock, `${process.ppid}\n`);
    const pending = store.tag('waits', img.manifest);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await store.listImages()).toEqual([]);
    rmSync(lock);
    await pending;
    expect((await store.listImages()).map((i) => i.familiar)).toEqual(['waits:latest']);
  });
});
