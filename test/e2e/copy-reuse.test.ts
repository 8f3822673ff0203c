// A direct COPY whose cache key missed reuses the previous result of the same copy (executor/build/copy-reuse.ts):
// unchanged files are hard-linked from the previous snapshot and their tar content read from the previous layer.
// The result must be exactly a cold build's: the same layer digest and the same snapshot tree, metadata included.
import { createHash } from 'node:crypto';
import { appendFile, chmod, lstat, readdir, readFile, readlink, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LayerRef } from '../../executor/build/layer-ref.js';
import { snapshotDir } from '../../executor/build/snapshots.js';
import type { Store } from '../../image/index.js';
import {
  buildIn,
  type ContextEntry,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

const longDir = `deep/${'d'.repeat(90)}/${'e'.repeat(40)}`;
const files: ContextEntry[] = [
  { path: 'Dockerfile', content: 'FROM busybox\nCOPY . /app\n' },
  { path: 'a.txt', content: 'alpha\n' },
  { path: 'b.txt', content: 'bravo\n', mode: 0o600 },
  { path: 'gone.txt', content: 'deleted in v2\n' },
  { path: 'same-size.txt', content: 'AAAA\n' },
  { path: 'tool.sh', content: 'echo tool\n', mode: 0o755 },
  { path: 'lib/x.js', content: 'x\n' },
  { path: 'lib/y.js', content: 'y\n' },
  { path: 'lib/link', type: 'symlink', target: 'x.js' },
  { path: 'empty', content: '' },
  { path: `${longDir}/${'f'.repeat(80)}.js`, content: 'a long path, written with a PAX header\n' },
  { path: 'big.bin', content: Buffer.alloc(3 * 1024 * 1024 + 5, 'xyz') },
];

/** Every path of a tree with its type, mode, owner, mtime (ns), size and content hash or link target. */
async function describeTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(path.join(root, rel))).sort()) {
      const child = rel === '' ? name : `${rel}/${name}`;
      const full = path.join(root, child);
      const st = await lstat(full, { bigint: true });
      const meta = `${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.mtimeNs} ${st.size}`;
      if (st.isDirectory()) {
        out.set(child, `dir ${meta}`);
        await walk(child);
      } else if (st.isSymbolicLink()) out.set(child, `link ${meta} ${await readlink(full)}`);
      else
        out.set(
          child,
          `file ${meta} ${createHash('sha256')
            .update(await readFile(full))
            .digest('hex')}`,
        );
    }
  };
  await walk('');
  return out;
}

/** The inode numbers of the files of a tree. */
async function inodes(root: string, rels: readonly string[]): Promise<bigint[]> {
  return Promise.all(rels.map(async (rel) => (await lstat(path.join(root, rel), { bigint: true })).ino));
}

describe.skipIf(isolationUnavailable() !== undefined)('direct COPY reusing the previous copy', () => {
  let ctx: string;
  beforeEach(async () => {
    dockerfile = 'FROM busybox\nCOPY . /app\n';
    buildArgs = {};
    // A build's time goes into the layer (the /app it creates): warm and cold builds run at one fixed time.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2025-01-02T03:04:05Z') });
    ctx = await freshDir('c');
    await writeContext(ctx, files);
    // Fixed, fractional times: the snapshot keeps them exactly, the tar in whole seconds.
    for (const entry of files) {
      if (entry.type !== 'symlink') await utimes(path.join(ctx, entry.path), 1700000000.25, 1700000000.25);
    }
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(removeFreshDirs);

  let dockerfile = 'FROM busybox\nCOPY . /app\n';
  let buildArgs: Record<string, string> = {};

  async function copyLayer(store: Store): Promise<LayerRef> {
    const run = await buildIn(store, ctx, { dockerfileText: dockerfile, buildArgs });
    if (run.error) throw run.error;
    return run.result!.fs.layers.at(-1)!;
  }

  /** Changes a file (same size), rewrites one with new content, adds, deletes and re-modes files. */
  async function changeContext(): Promise<void> {
    await writeFile(path.join(ctx, 'same-size.txt'), 'BBBB\n');
    await appendFile(path.join(ctx, 'lib/y.js'), 'more\n');
    await writeFile(path.join(ctx, 'lib/z.js'), 'new\n');
    await unlink(path.join(ctx, 'gone.txt'));
    await chmod(path.join(ctx, 'b.txt'), 0o640);
  }

  /** Builds v1 then v2 in one store, v2 cold in another; returns both v2 layers and their snapshots. */
  async function warmAndCold(between: (store: Store, v1: LayerRef) => Promise<void> = async () => {}) {
    const warm = await storeWithBusybox();
    const v1 = await copyLayer(warm);
    await between(warm, v1);
    await changeContext();
    const v2 = await copyLayer(warm);
    const cold = await storeWithBusybox();
    const v2cold = await copyLayer(cold);
    return { warm, v1, v2, cold, v2cold };
  }

  it.each([
    ['a plain COPY', 'FROM busybox\nCOPY . /app\n', {}],
    ['COPY --chown --chmod', 'FROM busybox\nCOPY --chown=1:2 --chmod=750 . /app\n', {}],
    ['SOURCE_DATE_EPOCH', 'FROM busybox\nCOPY . /app\n', { SOURCE_DATE_EPOCH: '1700000100' }],
  ])('makes the layer and the snapshot a cold build makes, linking the unchanged files (%s)', async (_, text, args) => {
    dockerfile = text;
    buildArgs = args;
    const { warm, v1, v2, cold, v2cold } = await warmAndCold();
    expect(v2.diffId).not.toBe(v1.diffId);
    expect(v2.diffId).toBe(v2cold.diffId);
    expect(v2.digest).toBe(v2cold.digest);
    const warmTree = await describeTree(snapshotDir(warm, v2));
    expect(warmTree).toEqual(await describeTree(snapshotDir(cold, v2cold)));
    expect([...warmTree.keys()].filter((p) => p.startsWith('app/lib/'))).toEqual([
      'app/lib/link',
      'app/lib/x.js',
      'app/lib/y.js',
      'app/lib/z.js',
    ]);
    expect(warmTree.has('app/gone.txt')).toBe(false);
    // Unchanged files are the previous snapshot's inodes; changed, re-moded and new ones are not.
    const kept = ['app/a.txt', 'app/tool.sh', 'app/lib/x.js', 'app/big.bin', 'app/empty'];
    expect(await inodes(snapshotDir(warm, v2), kept)).toEqual(await inodes(snapshotDir(warm, v1), kept));
    for (const rel of ['app/same-size.txt', 'app/lib/y.js', 'app/b.txt']) {
      const [now] = await inodes(snapshotDir(warm, v2), [rel]);
      const [before] = await inodes(snapshotDir(warm, v1), [rel]);
      expect(now).not.toBe(before);
    }
  });

  it('never lets a later step write through a link into the previous snapshot', async () => {
    const warm = await storeWithBusybox();
    const v1 = await copyLayer(warm);
    const before = await describeTree(snapshotDir(warm, v1));
    await changeContext();
    const run = await buildIn(warm, ctx, {
      dockerfileText: 'FROM busybox\nCOPY . /app\nRUN echo changed >> /app/a.txt && chmod 600 /app/lib/x.js\n',
    });
    if (run.error) throw run.error;
    const [copied, ran] = run.result!.fs.layers.slice(-2);
    const linked = ['app/a.txt', 'app/lib/x.js'];
    expect(await inodes(snapshotDir(warm, copied), linked)).toEqual(await inodes(snapshotDir(warm, v1), linked));
    expect(await describeTree(snapshotDir(warm, v1))).toEqual(before);
    expect(await readFile(path.join(snapshotDir(warm, copied), 'app/a.txt'), 'utf8')).toBe('alpha\n');
    expect((await lstat(path.join(snapshotDir(warm, copied), 'app/lib/x.js'))).mode & 0o777).toBe(0o644);
    expect(await readFile(path.join(snapshotDir(warm, ran), 'app/a.txt'), 'utf8')).toBe('alpha\nchanged\n');
  });

  it('copies everything when the previous snapshot was removed or extracted again', async () => {
    const { warm, v1, v2, cold, v2cold } = await warmAndCold(async (store, layer) => {
      await rm(snapshotDir(store, layer), { recursive: true, force: true });
    });
    expect(v2.diffId).toBe(v2cold.diffId);
    expect(await describeTree(snapshotDir(warm, v2))).toEqual(await describeTree(snapshotDir(cold, v2cold)));
    expect(v1.diffId).not.toBe(v2.diffId);
  });

  it('copies everything when the previous layer does not hold what the record says', async () => {
    const warm = await storeWithBusybox();
    await copyLayer(warm);
    await changeContext();
    const cold = await storeWithBusybox();
    const v2cold = await copyLayer(cold);
    // The warm record claims v1 had lib/z.js as it is now (its line taken from the cold record): the files
    // match, but the forward read of v1's layer does not find it and the copy is made from scratch.
    const record = async (store: Store) => {
      const dir = path.join(store.paths.cache, 'direct-copy');
      const [name] = await readdir(dir);
      return path.join(dir, name);
    };
    const zLine = (await readFile(await record(cold), 'utf8')).split('\n').find((l) => l.endsWith('\tapp/lib/z.js'));
    expect(zLine).toBeDefined();
    await appendFile(await record(warm), `${zLine}\n`);
    const traced: string[] = [];
    process.env.TSBUILD_TRACE = '1';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      traced.push(String(chunk));
      return true;
    });
    const v2 = await copyLayer(warm).finally(() => {
      spy.mockRestore();
      delete process.env.TSBUILD_TRACE;
    });
    expect(traced).toContain(
      '[trace] copy reuse failed, copying everything: app/lib/z.js is not in the previous layer\n',
    );
    expect(v2.diffId).toBe(v2cold.diffId);
    expect(await describeTree(snapshotDir(warm, v2))).toEqual(await describeTree(snapshotDir(cold, v2cold)));
  });
});
