// COPY into a path no lower layer has is written straight into the new snapshot, with the layer tar made in the
// same pass (executor/build/copy-direct.ts). Its layer must hold what the overlay path gives for the same copy,
// the snapshot (what later steps see) must match the layer, and layers are committed uncompressed.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerRef } from '../../executor/build/layer-ref.js';
import { OciMediaType, readTar, type Store, sha256Digest, uncompressedLayer } from '../../image/index.js';
import {
  buildIn,
  type ContextEntry,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'abcdefgh');
const files: ContextEntry[] = [
  { path: 'src/main.sh', content: 'echo main\n', mode: 0o755 },
  { path: 'src/lib/util.sh', content: 'util\n', mode: 0o600 },
  { path: 'src/empty', content: '' },
  { path: 'src/private', type: 'dir', mode: 0o700 },
  { path: 'src/private/key', content: 'secret\n', mode: 0o640 },
  { path: 'src/link', type: 'symlink', target: 'lib/util.sh' },
  { path: 'src/big.bin', content: big },
];

interface Described {
  readonly line: string;
  readonly mtime: number;
}

/** Every entry of a layer under `prefix` (made relative), with its content's sha256; mtimes apart. */
async function layerEntries(store: Store, layer: LayerRef, prefix: string): Promise<Map<string, Described>> {
  const out = new Map<string, Described>();
  for await (const entry of readTar(uncompressedLayer(store, layer))) {
    const hash = createHash('sha256');
    for await (const chunk of entry.body()) hash.update(chunk);
    const h = entry.header;
    const name = h.path.replace(/\/$/, '');
    if (!name.startsWith(prefix)) continue;
    const detail = h.type === 'file' ? hash.digest('hex').slice(0, 12) : (h.linkname ?? '');
    out.set(name.slice(prefix.length), {
      line: `${h.type} ${h.mode.toString(8)} ${h.uid}:${h.gid} ${h.size} ${detail}`,
      mtime: h.mtime,
    });
  }
  return out;
}

describe.skipIf(isolationUnavailable() !== undefined)('direct COPY', () => {
  let store: Store;
  let ctx: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    // One context for every build: the same files with the same times.
    ctx = await freshDir('c');
    await writeContext(ctx, files);
  });
  afterAll(removeFreshDirs);

  async function buildLayers(dockerfile: string, extra: Record<string, string> = {}): Promise<readonly LayerRef[]> {
    const run = await buildIn(store, ctx, { dockerfileText: dockerfile, buildArgs: extra });
    if (run.error) throw run.error;
    return run.result!.fs.layers;
  }

  it('gives the layer the overlay path gives, committed uncompressed (digest = diff_id)', async () => {
    // /app is new in busybox (direct); /tmp exists, so /tmp/app goes through the overlay and the differ.
    const direct = await buildLayers('FROM busybox\nCOPY src /app/\n');
    const overlay = await buildLayers('FROM busybox\nCOPY src /tmp/app/\n');
    const a = direct.at(-1)!;
    const b = overlay.at(-1)!;
    for (const layer of [a, b]) {
      expect(layer.mediaType).toBe(OciMediaType.layer);
      expect(layer.digest).toBe(layer.diffId);
      expect(sha256Digest(await store.readBlob(layer.digest))).toBe(layer.digest);
    }
    const fromDirect = await layerEntries(store, a, 'app');
    const fromOverlay = await layerEntries(store, b, 'tmp/app');
    expect([...fromDirect.keys()]).toEqual([...fromOverlay.keys()]);
    for (const [name, entry] of fromDirect) {
      expect(entry.line, name).toBe(fromOverlay.get(name)!.line);
      // The destination directory is created at build time on both paths; everything copied keeps its time.
      if (name !== '') expect(entry.mtime, name).toBe(fromOverlay.get(name)!.mtime);
    }
    expect(fromDirect.get('/big.bin')!.line).toBe(`file 644 0:0 ${big.length} ${sha256Digest(big).slice(7, 19)}`);
    expect(fromDirect.get('/private')!.line).toBe('directory 700 0:0 0 ');
    expect(fromDirect.get('/link')!.line).toBe('symlink 777 0:0 0 lib/util.sh');
    // The overlay layer also holds the existing parent it copied up; the direct one has nothing outside /app.
    expect([...(await layerEntries(store, b, '')).keys()][0]).toBe('tmp');
    expect([...(await layerEntries(store, a, '')).keys()][0]).toBe('app');
  });

  it('leaves a snapshot that later steps see exactly as the layer says, with --chown and --chmod', async () => {
    const layers = await buildLayers(
      [
        'FROM busybox',
        'COPY --chown=12:34 --chmod=640 src /opt/deep/app/',
        'RUN cd /opt/deep && find . | sort | while read f; do stat -c "%n %A %u:%g %s" "$f"; done > /list' +
          ' && md5sum app/big.bin | cut -c1-32 >> /list',
      ].join('\n'),
    );
    const copied = await layerEntries(store, layers.at(-2)!, 'opt/deep/app');
    expect(copied.get('')!.line).toBe('directory 640 12:34 0 ');
    expect(copied.get('/main.sh')!.line).toMatch(/^file 640 12:34 10 /);
    let list = '';
    for await (const entry of readTar(uncompressedLayer(store, layers.at(-1)!))) {
      for await (const chunk of entry.body()) if (entry.header.path === 'list') list += chunk.toString();
    }
    const md5 = createHash('md5').update(big).digest('hex');
    expect(list).toBe(
      [
        '. drw-r----- 12:34 4096',
        './app drw-r----- 12:34 4096',
        './app/big.bin -rw-r----- 12:34 3145745',
        './app/empty -rw-r----- 12:34 0',
        './app/lib drw-r----- 12:34 4096',
        './app/lib/util.sh -rw-r----- 12:34 5',
        './app/link lrwxrwxrwx 12:34 11',
        './app/main.sh -rw-r----- 12:34 10',
        './app/private drw-r----- 12:34 4096',
        './app/private/key -rw-r----- 12:34 7',
        md5,
        '',
      ].join('\n'),
    );
  });

  it('makes a new WORKDIR tree directly, as the overlay path makes it under an existing directory', async () => {
    const direct = await layerEntries(store, (await buildLayers('FROM busybox\nWORKDIR /w/x\n')).at(-1)!, 'w');
    const overlay = await layerEntries(store, (await buildLayers('FROM busybox\nWORKDIR /tmp/w/x\n')).at(-1)!, 'tmp/w');
    expect(new Map([...direct].map(([k, v]) => [k, v.line]))).toEqual(
      new Map([...overlay].map(([k, v]) => [k, v.line])),
    );
    expect([...direct.values()].map((e) => e.line)).toEqual(['directory 755 0:0 0 ', 'directory 755 0:0 0 ']);
  });

  it('clamps the layer times to SOURCE_DATE_EPOCH', async () => {
    const layers = await buildLayers('FROM busybox\nCOPY src /app/\n', { SOURCE_DATE_EPOCH: '1000' });
    const entries = await layerEntries(store, layers.at(-1)!, 'app');
    expect(new Set([...entries.values()].map((e) => e.mtime))).toEqual(new Set([1000]));
  });
});
