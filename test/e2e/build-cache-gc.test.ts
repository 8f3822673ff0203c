// The build cache's collector on real builds: records carry the step's instruction and their last use, `system df
// -v` lists them with the RUN cache mount, a fully cached build marks them used again, and the collector after a
// build (failed or not) removes the records over its limit but never the tagged image.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run as df } from '../../cli/commands/df/run.js';
import { collectAfterBuild } from '../../cli/commands/prune/auto-gc.js';
import { capture } from '../cli/image-helpers.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

afterAll(removeFreshDirs);

describe.skipIf(isolationUnavailable())('build cache garbage collection', () => {
  it('lists real records, marks them on a cached build, and collects after a build without losing the image', async () => {
    const store = await storeWithBusybox();
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\nRUN --mount=type=cache,target=/cache,id=c1 echo x > /cache/f && echo hi > /out\nCOPY a /a\n',
      },
      { path: 'a', content: 'a\n' },
    ]);
    const off = { TSBUILD_GC: 'off' };
    expect((await buildCommand(store, { context: ctx, tags: ['app:1'] }, { env: off })).code).toBe(0);
    const listed = capture();
    expect(await df({ root: store.root, verbose: true }, listed.io)).toBe(0);
    const rows = listed.out().slice(listed.out().indexOf('CACHE ID')).split('\n');
    expect(
      rows.filter((r) => / regular .* true {6}RUN --mount=type=cache,target=\/cache,id=c1 echo x/.test(r)),
    ).toHaveLength(1);
    expect(rows.filter((r) => / regular .* true {6}COPY a \/a$/.test(r))).toHaveLength(1);
    expect(rows.filter((r) => / exec\.cachemount .* false {5}cache mount c1$/.test(r))).toHaveLength(1);

    const dir = path.join(store.paths.cache, 'build');
    const times = async () =>
      Promise.all((await readdir(dir)).sort().map(async (n) => (await stat(path.join(dir, n))).mtimeMs));
    const before = await times();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const cached = await buildCommand(store, { context: ctx, tags: ['app:1'] }, { env: off });
    expect(cached.code).toBe(0);
    const after = await times();
    expect(after.every((time, i) => time > before[i]!)).toBe(true);

    // The collector after a build, over a 1-byte limit: the cache mount goes; the records the tagged image shares
    // stay (they cost nothing beyond the image: BuildKit counts only unshared bytes against the limit).
    const env = { TSBUILD_GC_MAX_USED_SPACE: '1', TSBUILD_GC_INTERVAL: '0' };
    const collected = await buildCommand(store, { context: ctx, tags: ['app:1'] }, { env });
    expect(collected.code).toBe(0);
    expect(collected.stderr).not.toContain('WARN');
    const mounts = path.join(store.paths.cache, 'mounts');
    expect((await readdir(mounts)).filter((n) => /^[0-9a-f]{16}$/.test(n))).toEqual([]);
    expect((await readdir(dir)).filter((n) => n.endsWith('.json'))).toHaveLength(3);
    const image = await store.resolve('app:1');
    for (const layer of image.manifest.layers) expect(await store.hasBlob(layer.digest)).toBe(true);
    // Untagged, its records are the cache's own bytes: the next collection removes them; busybox stays.
    await store.untag('app:1');
    expect((await collectAfterBuild(store, env))?.removed).toHaveLength(3);
    expect((await readdir(dir)).filter((n) => n.endsWith('.json'))).toEqual([]);
    expect((await store.resolve('busybox')).manifest.layers).toHaveLength(1);
  });

  it('collects after a failed build too, once its error is out: the error is the same as without the collector', async () => {
    const store = await storeWithBusybox();
    const ctx = await freshDir('c');
    const dockerfile = 'FROM busybox\nRUN --mount=type=cache,target=/cache,id=c2 echo x > /cache/f && exit 4\n';
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    const mounts = path.join(store.paths.cache, 'mounts');
    const cacheMounts = async () => (await readdir(mounts)).filter((n) => /^[0-9a-f]{16}$/.test(n));
    const error = [
      '------',
      ' > [2/2] RUN --mount=type=cache,target=/cache,id=c2 echo x > /cache/f && exit 4:',
      '------',
      'Dockerfile:2',
      '--------------------',
      '   1 |     FROM busybox',
      '   2 | >>> RUN --mount=type=cache,target=/cache,id=c2 echo x > /cache/f && exit 4',
      '   3 |     ',
      '--------------------',
      'ERROR: failed to solve: process "/bin/sh -c echo x > /cache/f && exit 4" did not complete successfully: ' +
        'exit code: 4',
      '',
    ].join('\n');

    const off = await buildCommand(store, { context: ctx, quiet: true }, { env: { TSBUILD_GC: 'off' } });
    expect(off).toEqual({ code: 1, stdout: '', stderr: error });
    expect(await cacheMounts()).toHaveLength(1);

    // Over a 1-byte limit the collector removes the cache mount the failed build filled; the build ends as it did.
    const env = { TSBUILD_GC_MAX_USED_SPACE: '1', TSBUILD_GC_INTERVAL: '0' };
    expect(await buildCommand(store, { context: ctx, quiet: true }, { env })).toEqual({
      code: 1,
      stdout: '',
      stderr: error,
    });
    expect(await cacheMounts()).toEqual([]);
  });
});
