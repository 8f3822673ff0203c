import { copyFile, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { busyboxRootfs } from '../executor/helpers.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

describe.skipIf(isolationUnavailable() !== undefined)('smoke', () => {
  afterAll(removeFreshDirs);
  it('builds COPY + ENV + RUN on busybox', async () => {
    const store = await storeWithBusybox();
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: 'FROM busybox\nENV MYNAME Allen Ren\nCOPY a.txt /data/\nRUN echo $MYNAME && cat /data/a.txt > /out\n',
      },
      { path: 'a.txt', content: 'hello\n' },
    ]);
    const run = await buildIn(store, ctx, { tags: ['x:1'] });
    if (run.error) throw run.error;
    expect(run.log).toContain('Allen Ren');
    const out = path.join(ctx, 'out');
    const { exportFilesystem } = await import('../../executor/index.js');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'out'), 'utf8')).toBe('hello\n');
  });

  it('marks the store as being built on while the build runs (pruning keeps the records it uses)', async () => {
    const store = await storeWithBusybox();
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: 'FROM busybox\nRUN sleep 1\n' }]);
    const mark = `build-${process.pid}`;
    const running = buildIn(store, ctx);
    let seen = false;
    for (let i = 0; i < 50 && !seen; i++) {
      seen = (await readdir(store.paths.locks).catch(() => [] as string[])).includes(mark);
      if (!seen) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const run = await running;
    if (run.error) throw run.error;
    expect(seen).toBe(true);
    expect(await readdir(store.paths.locks)).not.toContain(mark);
  });

  it('runs a RUN as root in a FROM scratch image that has no /etc/passwd (as docker build does)', async () => {
    const store = await storeWithBusybox();
    const ctx = await freshDir('c');
    await copyFile(path.join(await busyboxRootfs(), 'bin', 'busybox'), path.join(ctx, 'busybox'));
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content:
          'FROM scratch\nCOPY --chmod=755 busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "/bin/busybox id -u > /uid"]\n',
      },
    ]);
    const run = await buildIn(store, ctx);
    if (run.error) throw run.error;
    const out = await freshDir('o');
    const { exportFilesystem } = await import('../../executor/index.js');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'uid'), 'utf8')).toBe('0\n');
  });
});
