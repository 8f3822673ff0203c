import { copyFile, readFile } from 'node:fs/promises';
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
