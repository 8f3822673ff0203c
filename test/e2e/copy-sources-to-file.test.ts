// COPY of several sources to a destination without a trailing `/` copies them one after the other, as BuildKit's
// file operation does (docker build accepts it; only the classic builder refused): files replace each other (the
// last one wins), a file after a directory goes into it, a directory after a file cannot be copied; so are the
// matches of a wildcard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerRef } from '../../executor/build/layer-ref.js';
import { readTar, type Store, uncompressedLayer } from '../../image/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

/** `path type content` of every non-directory entry of a layer. */
async function entries(store: Store, layer: LayerRef): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of readTar(uncompressedLayer(store, layer))) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body()) chunks.push(Buffer.from(chunk));
    if (entry.header.type !== 'directory') out.push(`${entry.header.path} ${Buffer.concat(chunks).toString().trim()}`);
  }
  return out.sort();
}

describe.skipIf(isolationUnavailable() !== undefined)('COPY of several sources to a non-directory', () => {
  let store: Store;
  let ctx: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'a', content: 'A\n' },
      { path: 'b', content: 'B\n' },
      { path: 'bb', content: 'BB\n' },
      { path: 'd/c', content: 'C\n' },
    ]);
  });
  afterAll(removeFreshDirs);

  it('copies them in turn, as docker build does', async () => {
    const run = await buildIn(store, ctx, {
      dockerfileText: 'FROM busybox\nCOPY a b /dest\nCOPY d a /dest3\nCOPY b* a* nothing* /dest4\n',
    });
    if (run.error) throw run.error;
    const layers = run.result!.fs.layers;
    expect(await entries(store, layers.at(-3)!)).toEqual(['dest B']);
    expect(await entries(store, layers.at(-2)!)).toEqual(['dest3/a A', 'dest3/c C']);
    expect(await entries(store, layers.at(-1)!)).toEqual(['dest4 A']);
  });

  it("copies a wildcard's matches in turn too: the last file wins, a directory's content goes in", async () => {
    const run = await buildIn(store, ctx, { dockerfileText: 'FROM busybox\nCOPY b* /dest5\nCOPY d* b /dest6\n' });
    if (run.error) throw run.error;
    const layers = run.result!.fs.layers;
    expect(await entries(store, layers.at(-2)!)).toEqual(['dest5 BB']);
    expect(await entries(store, layers.at(-1)!)).toEqual(['dest6/b B', 'dest6/c C']);
  });

  it('makes nothing for a wildcard that matches nothing, not even a destination directory', async () => {
    const run = await buildIn(store, ctx, {
      dockerfileText: 'FROM busybox\nCOPY nothing* /newdir/\nRUN test ! -e /newdir\n',
    });
    if (run.error) throw run.error;
  });

  it('fails to copy a directory onto the file an earlier source made', async () => {
    const run = await buildIn(store, ctx, { dockerfileText: 'FROM busybox\nCOPY a d /dest2\n' });
    expect(run.error?.message).toMatch(/dest2/);
  });
});
