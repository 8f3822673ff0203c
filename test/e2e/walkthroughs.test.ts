// The seed's walkthroughs as real builds on the busybox base: the cache demo, .dockerignore keeping
// a 40 MB file out, WORKDIR with ENV, ONBUILD parent/child, and `ENV MYNAME Allen Ren`.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFilesystem } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import {
  buildIn,
  cachedSteps,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

async function exported(store: Store, fs: Parameters<typeof exportFilesystem>[1]): Promise<string> {
  const dir = await freshDir('o');
  await exportFilesystem(store, fs, { type: 'local', dest: dir });
  return dir;
}

describe.skipIf(isolationUnavailable() !== undefined)('walkthroughs', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  it('cache demo: editing test.txt rebuilds only the ADD and the steps after it', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: 'FROM busybox\nRUN echo start > /start\nADD test.txt /test.txt\nRUN cat /test.txt > /copy\n',
      },
      { path: 'test.txt', content: 'one\n' },
    ]);
    const first = await buildIn(store, ctx, { tags: ['cachedemo:1'] });
    expect(first.error).toBeNull();
    expect(cachedSteps(first.log)).toEqual([]);
    expect(first.log).toMatch(/^#\d+ cache miss: no stored result for key sha256:[0-9a-f]{12}$/m);

    const again = await buildIn(store, ctx, { tags: ['cachedemo:1'] });
    expect(cachedSteps(again.log)).toEqual([
      '[2/4] RUN echo start > /start',
      '[3/4] ADD test.txt /test.txt',
      '[4/4] RUN cat /test.txt > /copy',
    ]);
    expect(again.result?.imageId).toBe(first.result?.imageId);

    await writeFile(path.join(ctx, 'test.txt'), 'two\n');
    const edited = await buildIn(store, ctx, { tags: ['cachedemo:1'] });
    expect(cachedSteps(edited.log)).toEqual(['[2/4] RUN echo start > /start']);
    const root = await exported(store, edited.result!.fs);
    expect(await readFile(path.join(root, 'copy'), 'utf8')).toBe('two\n');
    expect((await store.resolve('cachedemo:1')).configDigest).toBe(edited.result?.imageId);

    const forced = await buildIn(store, ctx, { noCache: true });
    expect(cachedSteps(forced.log)).toEqual([]);
    expect(forced.log).toMatch(/^#\d+ cache miss: --no-cache$/m);
  });

  it('.dockerignore keeps a 40 MB file out of the context and the image', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nCOPY . /ctx\n' },
      { path: '.dockerignore', content: 'big.bin\n' },
      { path: 'small.txt', content: 'small\n' },
      { path: 'big.bin', content: Buffer.alloc(40 * 1024 * 1024, 7) },
    ]);
    const run = await buildIn(store, ctx);
    expect(run.error).toBeNull();
    const root = await exported(store, run.result!.fs);
    expect((await readdir(path.join(root, 'ctx'))).sort()).toEqual(['.dockerignore', 'Dockerfile', 'small.txt']);
    const layers = run.result!.fs.layers;
    // Built layers are stored uncompressed: a few tar blocks, nowhere near the 40 MB left out.
    expect(layers[layers.length - 1].size).toBeLessThan(16 * 1024);
  });

  it('ENV DIRPATH /home/ + WORKDIR $DIRPATH + WORKDIR renyl gives /home/renyl', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nENV DIRPATH /home/\nWORKDIR $DIRPATH\nWORKDIR renyl\nRUN pwd\n' },
    ]);
    const run = await buildIn(store, ctx);
    expect(run.error).toBeNull();
    expect(run.result?.config.config?.WorkingDir).toBe('/home/renyl');
    expect(run.log).toMatch(/^#\d+ \d+\.\d{3} \/home\/renyl$/m);
    const root = await exported(store, run.result!.fs);
    expect((await stat(path.join(root, 'home/renyl'))).isDirectory()).toBe(true);
  });

  it('ENV MYNAME Allen Ren + RUN echo $MYNAME prints Allen Ren', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nENV MYNAME Allen Ren\nRUN echo $MYNAME\n' },
    ]);
    const run = await buildIn(store, ctx);
    expect(run.error).toBeNull();
    expect(run.log).toMatch(/^#\d+ \d+\.\d{3} Allen Ren$/m);
    expect(run.result?.config.config?.Env).toContain('MYNAME=Allen Ren');
  });

  it('ONBUILD: the parent records its triggers, the child runs them', async () => {
    const parentCtx = await freshDir('c');
    await writeContext(parentCtx, [
      {
        path: 'Dockerfile',
        content: 'FROM busybox\nONBUILD ADD . /app/src\nONBUILD RUN echo triggered > /app/marker\n',
      },
    ]);
    const parent = await buildIn(store, parentCtx, { tags: ['onbuild-parent:1'] });
    expect(parent.error).toBeNull();
    expect(parent.result?.config.config?.OnBuild).toEqual(['ADD . /app/src', 'RUN echo triggered > /app/marker']);

    const childCtx = await freshDir('c');
    await writeContext(childCtx, [
      { path: 'Dockerfile', content: 'FROM onbuild-parent:1\nCMD ["cat", "/app/marker"]\n' },
      { path: 'hello.txt', content: 'hello\n' },
    ]);
    const child = await buildIn(store, childCtx);
    expect(child.error).toBeNull();
    expect(child.result?.config.config?.OnBuild).toBeUndefined();
    const root = await exported(store, child.result!.fs);
    expect(await readFile(path.join(root, 'app/src/hello.txt'), 'utf8')).toBe('hello\n');
    expect(await readFile(path.join(root, 'app/marker'), 'utf8')).toBe('triggered\n');
  });

  it('a failing RUN reports its exit code, line and last output, and leaves no mount behind', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: 'FROM busybox\nRUN echo first\nRUN echo oops; exit 3\n' }]);
    const run = await buildIn(store, ctx);
    expect(run.error?.message).toBe(
      'process "/bin/sh -c echo oops; exit 3" did not complete successfully: exit code: 3',
    );
    expect((run.error as { details?: unknown }).details).toEqual({
      line: 3,
      endLine: 3,
      instruction: '[3/3] RUN echo oops; exit 3',
      exitCode: 3,
      outputTail: [expect.stringMatching(/^\d+\.\d{3} oops$/)],
    });
    const mounts = await readFile('/proc/self/mountinfo', 'utf8');
    expect(mounts).not.toContain(store.root);
  });

  it('SOURCE_DATE_EPOCH makes two cold builds byte-identical', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nCOPY a.txt /a.txt\nRUN echo x > /x\n' },
      { path: 'a.txt', content: 'a\n' },
    ]);
    const options = { noCache: true, buildArgs: { SOURCE_DATE_EPOCH: '1700000000' } };
    const one = await buildIn(store, ctx, options);
    const two = await buildIn(store, ctx, options);
    expect(one.error).toBeNull();
    expect(two.result?.imageId).toBe(one.result?.imageId);
    // Go's form, as BuildKit writes times: no `.000`.
    expect(one.result?.config.created).toBe('2023-11-14T22:13:20Z');
    expect(one.result?.config.history).toEqual([
      { created: '2024-01-01T00:00:00Z', comment: 'Imported from -' },
      {
        created: '2023-11-14T22:13:20Z',
        created_by: 'COPY a.txt /a.txt # buildkit',
        comment: 'buildkit.dockerfile.v0',
      },
      {
        created: '2023-11-14T22:13:20Z',
        created_by: 'RUN /bin/sh -c echo x > /x # buildkit',
        comment: 'buildkit.dockerfile.v0',
      },
    ]);
  });

  it('independent stages run at the same time, and an unneeded stage never runs', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: [
          'FROM busybox AS a',
          'RUN sleep 3 && echo a > /a',
          'FROM busybox AS b',
          'RUN sleep 3 && echo b > /b',
          'FROM busybox AS c',
          'RUN sleep 3 && echo c > /c',
          'FROM busybox AS unused',
          'RUN exit 1',
          'FROM busybox',
          'COPY --from=a /a /out/a',
          'COPY --from=b /b /out/b',
          'COPY --from=c /c /out/c',
          '',
        ].join('\n'),
      },
    ]);
    const started = performance.now();
    const run = await buildIn(store, ctx, { jobs: 3, noCache: true });
    const seconds = (performance.now() - started) / 1000;
    expect(run.error).toBeNull();
    expect(run.log).not.toContain('exit 1');
    // One after the other the three sleeps alone take 9 s.
    expect(seconds).toBeLessThan(7.5);
    const root = await exported(store, run.result!.fs);
    expect((await readdir(path.join(root, 'out'))).sort()).toEqual(['a', 'b', 'c']);
  });
});
