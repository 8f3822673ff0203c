// RUN --mount=type=cache sharing modes with two builds at once: `locked` runs the steps one after
// the other (their writes never interleave), `private` gives the second step its own empty instance
// while the first holds the cache (and the cache itself once it is free again), `shared` lets both
// use one directory at the same time. A lock dies with its holder: a killed holder frees the cache.
// `from=`/`source=` seed a new cache with a stage's directory; after that the cache keeps its own content.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build as bundle } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdLock } from '../../executor/build/cache-mount.js';
import { exportFilesystem } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import {
  type BuildRun,
  buildIn,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  repoRoot,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

describe.skipIf(isolationUnavailable() !== undefined)('cache mounts', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  async function contextWith(run: string): Promise<string> {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: `FROM busybox\nARG NAME\nRUN ${run}\n` }]);
    return ctx;
  }

  async function fileOf(build: BuildRun, name: string): Promise<string> {
    expect(build.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, build.result!.fs, { type: 'local', dest: out });
    return readFile(path.join(out, name), 'utf8');
  }

  const twice = (ctx: string) =>
    Promise.all(['one', 'two'].map((name) => buildIn(store, ctx, { noCache: true, buildArgs: { NAME: name } })));

  it('locked: the second step waits for the first; their writes never interleave', async () => {
    const mount = '--mount=type=cache,id=locked-log,target=/c,sharing=locked';
    const ctx = await contextWith(`${mount} echo "start $NAME" >> /c/log; sleep 1; echo "end $NAME" >> /c/log`);
    const started = performance.now();
    const builds = await twice(ctx);
    expect(builds.map((b) => b.error)).toEqual([null, null]);
    expect(performance.now() - started).toBeGreaterThan(2000);
    const read = await buildIn(store, await contextWith(`${mount} cp /c/log /log`), { noCache: true });
    const lines = (await fileOf(read, 'log')).trim().split('\n');
    expect(lines).toHaveLength(4);
    const first = lines[0].split(' ')[1];
    const second = first === 'one' ? 'two' : 'one';
    expect(lines).toEqual([`start ${first}`, `end ${first}`, `start ${second}`, `end ${second}`]);
  });

  it('private: a step finding the cache held gets a new, empty instance; a free cache is reused', async () => {
    const mount = '--mount=type=cache,id=private-dir,target=/c,sharing=private';
    const ctx = await contextWith(`${mount} ls /c > /seen; touch /c/$NAME; sleep 1`);
    const builds = await twice(ctx);
    // Both started on an empty instance: neither saw the other's file.
    expect(await fileOf(builds[0], 'seen')).toBe('');
    expect(await fileOf(builds[1], 'seen')).toBe('');
    // Now nobody holds the cache: the next step gets the first instance and sees what one of them left.
    const after = await buildIn(store, await contextWith(`${mount} ls /c > /seen`), { noCache: true });
    expect(['one\n', 'two\n']).toContain(await fileOf(after, 'seen'));
  });

  it('shared: both steps use the one directory at the same time', async () => {
    const mount = '--mount=type=cache,id=shared-dir,target=/c,sharing=shared';
    // Each step waits (up to 10 s) until the other's file is there: only possible when both run at once.
    const wait = 'i=0; while [ ! -e /c/$OTHER ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; ls /c > /seen';
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: `FROM busybox\nARG NAME\nARG OTHER\nRUN ${mount} touch /c/$NAME; ${wait}\n`,
      },
    ]);
    const builds = await Promise.all(
      [
        ['one', 'two'],
        ['two', 'one'],
      ].map(([name, other]) => buildIn(store, ctx, { noCache: true, buildArgs: { NAME: name, OTHER: other } })),
    );
    expect(await fileOf(builds[0], 'seen')).toBe('one\ntwo\n');
    expect(await fileOf(builds[1], 'seen')).toBe('one\ntwo\n');
  });

  it('from= and source= seed a new cache with a stage directory, which then keeps what steps add', async () => {
    const dockerfile = (run: string) =>
      [
        'FROM busybox AS seed',
        'RUN mkdir -p /data/sub && echo seeded > /data/sub/file && chmod 0750 /data',
        'FROM busybox',
        `RUN --mount=type=cache,id=seeded,from=seed,source=/data,target=/c ${run}`,
        '',
      ].join('\n');
    const first = await freshDir('c');
    await writeContext(first, [
      {
        path: 'Dockerfile',
        content: dockerfile('cat /c/sub/file > /seen; stat -c %a /c > /mode; echo added > /c/added'),
      },
    ]);
    // With the build cache on, the seed stage is the same layer both times: the same cache.
    const one = await buildIn(store, first);
    expect(await fileOf(one, 'seen')).toBe('seeded\n');
    expect(await fileOf(one, 'mode')).toBe('750\n');
    const second = await freshDir('c');
    await writeContext(second, [{ path: 'Dockerfile', content: dockerfile('ls /c > /seen') }]);
    const two = await buildIn(store, second);
    expect(await fileOf(two, 'seen')).toBe('added\nsub\n');
    // Nothing of the cache is in the image.
    const layers = two.result!.fs.layers;
    expect(layers).toHaveLength(2);
  });

  it('a lock is released when its holder dies, even by SIGKILL', async () => {
    const file = path.join(await freshDir('l'), 'cache.lock');
    // Another process takes the lock with holdLock and is killed while holding it.
    const script = path.join(await freshDir('js'), 'hold.mjs');
    await bundle({
      stdin: {
        contents: `import { holdLock } from './executor/build/cache-mount.js';
          await holdLock(process.argv[2], true); process.stdout.write('held\\n'); setInterval(() => {}, 1000);`,
        resolveDir: repoRoot,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
    const holder = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    expect(await holdLock(file, false)).toBeNull();
    const waiting = holdLock(file, true);
    holder.kill('SIGKILL');
    const release = await waiting;
    expect(release).not.toBeNull();
    await release?.();
    // Released: free again at once.
    const again = await holdLock(file, false);
    expect(again).not.toBeNull();
    await again?.();
  });

  it('a step waiting for a locked cache stops waiting when the build is canceled', async () => {
    const file = path.join(await freshDir('l'), 'cache.lock');
    const release = await holdLock(file, false);
    const abort = new AbortController();
    const waiting = holdLock(file, true, abort.signal);
    setTimeout(() => abort.abort(), 100);
    expect(await waiting).toBeNull();
    await release?.();
  });
});
