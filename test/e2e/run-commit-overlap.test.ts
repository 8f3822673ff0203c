// A RUN's layer is committed while the next RUN of its stage already runs on top of its upper dir
// (executor/build/pending-snapshot.ts). What must hold whatever the timing: the next step sees the files,
// every step's cache record is stored, every snapshot is published under its name, and no work dir or mount is
// left behind, also when the next step fails.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFilesystem, listMountsUnder } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

// 8 MiB: a layer whose commit takes long enough for the next step to start first.
const BIG = 'RUN head -c 8388608 /dev/zero > /big && echo one > /one';

describe.skipIf(isolationUnavailable() !== undefined)('RUN commits beside the next step', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  async function build(dockerfile: string, noCache = false) {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    return buildIn(store, ctx, { noCache });
  }

  async function leftovers(): Promise<unknown[]> {
    const dirs = (await readdir(store.paths.snapshots)).filter((name) => /^t[a-z]-\d+-/.test(name));
    return [...dirs, ...(await listMountsUnder(store.root))];
  }

  it('starts the next RUN before the previous one is committed, which sees its files', async () => {
    const run = await build(`FROM busybox\n${BIG}\nRUN cat /one > /two && wc -c < /big > /size\n`, true);
    expect(run.error).toBeNull();
    const lines = run.log.split('\n');
    const nextStarted = lines.findIndex((line) => /^#\d+ \[3\/3\] RUN cat/.test(line));
    const firstId = /^(#\d+) \[2\/3\] RUN head/m.exec(run.log)?.[1];
    const firstDone = lines.findIndex((line) => line.startsWith(`${firstId} DONE`));
    expect(nextStarted).toBeGreaterThan(0);
    expect(firstDone).toBeGreaterThan(nextStarted);
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'two'), 'utf8')).toBe('one\n');
    expect((await readFile(path.join(out, 'size'), 'utf8')).trim()).toBe('8388608');
    expect(await leftovers()).toEqual([]);
  });

  it('stores every step, so the same build again is all cached and gives the same image', async () => {
    const dockerfile = `FROM busybox\n${BIG}\nRUN echo a > /a\nRUN echo b > /b\n`;
    const first = await build(dockerfile);
    expect(first.error).toBeNull();
    const again = await build(dockerfile);
    expect(again.error).toBeNull();
    expect(again.log.match(/CACHED/g)).toHaveLength(3);
    expect(again.result!.imageId).toBe(first.result!.imageId);
    expect(await leftovers()).toEqual([]);
  });

  it('stacks RUNs that change nothing: their identical empty layers share one snapshot', async () => {
    const run = await build('FROM busybox\nRUN true\nRUN true\nRUN true\nRUN echo x > /x\n', true);
    expect(run.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'x'), 'utf8')).toBe('x\n');
    expect(await leftovers()).toEqual([]);
  });

  it('reports a RUN done before the error of the next one, which failed while the first was committed', async () => {
    // 64 MiB: the next step fails long before this layer is committed (about a second here).
    const failing = await build('FROM busybox\nRUN head -c 67108864 /dev/zero > /huge\nRUN exit 3\n', true);
    expect(failing.error?.message).toBe('process "/bin/sh -c exit 3" did not complete successfully: exit code: 3');
    const steps = failing.log.slice(failing.log.indexOf('#4 ')).replace(/ DONE \d+\.\ds$/gm, ' DONE');
    expect(steps).toBe(
      [
        '#4 [2/3] RUN head -c 67108864 /dev/zero > /huge',
        '#4 cache miss: --no-cache',
        '#5 [3/3] RUN exit 3',
        '#5 cache miss: --no-cache',
        '#4 DONE',
        '',
        '#5 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
        '',
        '',
      ].join('\n'),
    );
    expect(await leftovers()).toEqual([]);
  });

  it('keeps the committed step when the next one fails, and leaves nothing behind', async () => {
    const failing = await build(`FROM busybox\n${BIG}\nRUN echo next > /next && exit 5\n`);
    expect(failing.error?.message).toMatch(/exit code: 5/);
    expect(await leftovers()).toEqual([]);
    const fixed = await build(`FROM busybox\n${BIG}\nRUN echo next > /next\n`);
    expect(fixed.error).toBeNull();
    expect(fixed.log).toMatch(/\[2\/3\] RUN head[^\n]*\n#\d+ CACHED/);
  });
});
