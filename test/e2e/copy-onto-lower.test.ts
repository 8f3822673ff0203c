// COPY into directories the base already has is written directly (executor/build/copy-direct.ts): what later
// RUN steps see must be what the overlay path gives, for context and stage sources, into `/`, into an existing
// directory, under a sticky one, and with --chown/--chmod.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerRef } from '../../executor/build/layer-ref.js';
import { readTar, type Store, uncompressedLayer } from '../../image/index.js';
import {
  buildIn,
  type ContextEntry,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

const files: ContextEntry[] = [
  { path: 'config/app.conf', content: 'port=80\n', mode: 0o640 },
  { path: 'src/main.sh', content: 'echo main\n', mode: 0o755 },
  { path: 'src/lib/util.sh', content: 'util\n' },
  { path: 'stamp.txt', content: 'stamp\n' },
];

const dockerfile = [
  'FROM busybox AS tool',
  'RUN mkdir -p /opt/tool && echo tool > /opt/tool/run && chmod 750 /opt/tool/run && chown 7:8 /opt/tool/run',
  'FROM busybox',
  'WORKDIR /app',
  'COPY config/ /app/config/',
  'COPY --from=tool /opt/tool /usr/local/tool/',
  'COPY --chown=12:34 --chmod=600 stamp.txt /tmp/stamp.txt',
  'COPY src/ /',
  'RUN (cd / && find app usr/local tmp/stamp.txt main.sh lib | sort | while read f; do stat -c "%n %A %u:%g %s" "$f";' +
    ' done; cat /usr/local/tool/run /tmp/stamp.txt /main.sh) > /list',
].join('\n');

/** A layer's paths with type, mode and owner. */
async function layerPaths(store: Store, layer: LayerRef): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of readTar(uncompressedLayer(store, layer))) {
    for await (const _ of entry.body()) {
      // only headers
    }
    const h = entry.header;
    out.push(`${h.path} ${h.type} ${h.mode.toString(8)} ${h.uid}:${h.gid}`);
  }
  return out;
}

async function fileOf(store: Store, layer: LayerRef, name: string): Promise<string> {
  let text = '';
  for await (const entry of readTar(uncompressedLayer(store, layer))) {
    for await (const chunk of entry.body()) if (entry.header.path === name) text += chunk.toString();
  }
  return text;
}

describe.skipIf(isolationUnavailable() !== undefined)('COPY onto directories of the base', () => {
  let store: Store;
  let ctx: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    ctx = await freshDir('c');
    await writeContext(ctx, files);
  });
  afterAll(removeFreshDirs);

  it('gives later steps the files, owners and modes the overlay path gives', async () => {
    const run = await buildIn(store, ctx, { dockerfileText: dockerfile });
    if (run.error) throw run.error;
    const layers = run.result?.fs.layers ?? [];
    expect(await fileOf(store, layers.at(-1) as LayerRef, 'list')).toBe(
      [
        'app drwxr-xr-x 0:0 4096',
        'app/config drwxr-xr-x 0:0 4096',
        'app/config/app.conf -rw-r----- 0:0 8',
        'lib drwxr-xr-x 0:0 4096',
        'lib/util.sh -rw-r--r-- 0:0 5',
        'main.sh -rwxr-xr-x 0:0 10',
        'tmp/stamp.txt -rw------- 12:34 6',
        'usr/local drwxr-xr-x 0:0 4096',
        'usr/local/tool drwxr-xr-x 0:0 4096',
        'usr/local/tool/run -rwxr-x--- 7:8 5',
        'tool',
        'stamp',
        'echo main',
        '',
      ].join('\n'),
    );
    // The layers hold the existing parents as the base has them (busybox's /tmp is 1777, /usr 755).
    const [config, tool, stamp, src] = layers.slice(-5, -1);
    expect(await layerPaths(store, config)).toEqual([
      'app directory 755 0:0',
      'app/config directory 755 0:0',
      'app/config/app.conf file 640 0:0',
    ]);
    expect(await layerPaths(store, tool)).toEqual([
      'usr directory 755 0:0',
      'usr/local directory 755 0:0',
      'usr/local/tool directory 755 0:0',
      'usr/local/tool/run file 750 7:8',
    ]);
    expect(await layerPaths(store, stamp)).toEqual(['tmp directory 1777 0:0', 'tmp/stamp.txt file 600 12:34']);
    expect(await layerPaths(store, src)).toEqual([
      'lib directory 755 0:0',
      'lib/util.sh file 644 0:0',
      'main.sh file 755 0:0',
    ]);
  });
});
