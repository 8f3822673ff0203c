// `tsbuild images`: Docker's columns, familiar names, 12-hex IDs, newest first.
import { unlink, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/images/run.js';
import { contentSizeRecordPath } from '../../image/index.js';
import { buildImage, capture, distBuilt, importImage, runCli, type TempStore, tempStore } from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const now = Date.parse('2020-01-02T05:04:05Z');

describe('tsbuild images', () => {
  it('lists tags in Docker columns', async () => {
    const built = await buildImage(t.store, 'alpine:3');
    await buildImage(t.store, 'localhost:5000/team/app:v1');
    const imported = await importImage(t.store, 'base');
    const c = capture();
    expect(await run({ root: t.root, now }, c.io)).toBe(0);
    const id = built.configDigest.slice(7, 19);
    expect(c.out()).toBe(
      [
        'REPOSITORY                TAG       IMAGE ID       CREATED       SIZE',
        `alpine                    3         ${id}   2 hours ago   15B`,
        `base                      latest    ${imported.configDigest.slice(7, 19)}   2 hours ago   2B`,
        `localhost:5000/team/app   v1        ${id}   2 hours ago   15B`,
        '',
      ].join('\n'),
    );
    expect(c.err()).toBe('');
  });

  it("sums its layers' content as Docker does, measured once per layer, and reports a layer it cannot read", async () => {
    await buildImage(t.store, 'a:1');
    await buildImage(t.store, 'b:1', 'b');
    await importImage(t.store, 'two', { 'x/y': 'hi' });
    const first = capture();
    expect(await run({ root: t.root, now }, first.io)).toBe(0);
    expect(first.out()).toContain('two          latest    ');
    expect(
      first
        .out()
        .split('\n')
        .map((line) => line.slice(line.lastIndexOf(' ') + 1)),
    ).toEqual(['SIZE', '15B', '15B', '2B', '']);
    // The sizes are remembered: a's layers are not read again.
    for (const layer of (await t.store.resolve('a:1')).manifest.layers) await unlink(t.store.blobPath(layer.digest));
    // b's first layer is replaced by garbage and its record dropped, so it must be read, and cannot be.
    const [broken] = (await t.store.resolve('b:1')).manifest.layers;
    await unlink(t.store.blobPath(broken!.digest));
    await writeFile(t.store.blobPath(broken!.digest), Buffer.alloc(2048, 0x41));
    await unlink(contentSizeRecordPath(t.store, broken!.digest));
    const second = capture();
    expect(await run({ root: t.root, now }, second.io)).toBe(1);
    expect(
      second
        .out()
        .split('\n')
        .map((line) => line.slice(line.lastIndexOf(' ') + 1)),
    ).toEqual(['SIZE', '15B', 'N/A', '2B', '']);
    expect(second.err()).toBe(`Error: cannot read layer ${broken!.digest}: not a tar archive\n`);
  });

  it('prints only IDs with -q, one per tag', async () => {
    const built = await buildImage(t.store, 'a:1');
    await t.store.tag('b:2', built.manifestDigest);
    const c = capture();
    expect(await run({ root: t.root, quiet: true }, c.io)).toBe(0);
    const id = built.configDigest.slice(7, 19);
    expect(c.out()).toBe(`${id}\n${id}\n`);
  });

  it('prints only the header for an empty store', async () => {
    const c = capture();
    expect(await run({ root: t.root, all: true }, c.io)).toBe(0);
    expect(c.out()).toBe('REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    const built = await buildImage(t.store, 'alpine:3');
    const result = await runCli(['images', '-q'], { TSBUILD_ROOT: t.root });
    expect(result).toEqual({ code: 0, stdout: `${built.configDigest.slice(7, 19)}\n`, stderr: '' });
  });
});
