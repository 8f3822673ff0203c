// A RUN's upper dir is diffed in the background, beside the next step (executor/build/fs-step.ts): a diff that
// fails fails the build as a failed commit does, naming the step, and leaves no mount and no step dir behind,
// whether the next step had the upper dir mounted or the step was the stage's last. (The differ is made to fail
// on an upper dir holding `/fail-diff`.)
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BuildError } from '../../executor/build/errors.js';
import { listMountsUnder } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

vi.mock('../../executor/diff/upper.js', async (original) => {
  const real = await original<typeof import('../../executor/diff/upper.js')>();
  return {
    ...real,
    diffUpperDir: async (...args: Parameters<typeof real.diffUpperDir>) => {
      const failing = await access(path.join(args[0], 'fail-diff')).then(
        () => true,
        () => false,
      );
      if (failing) throw new Error('cannot read the upper dir: injected failure');
      return real.diffUpperDir(...args);
    },
  };
});

describe.skipIf(isolationUnavailable() !== undefined)('a RUN whose diff fails', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  async function build(dockerfile: string) {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    return buildIn(store, ctx, { noCache: true });
  }

  async function leftovers(): Promise<unknown[]> {
    const dirs = (await readdir(store.paths.snapshots)).filter((name) => /^t[a-z]-\d+-/.test(name));
    return [...dirs, ...(await listMountsUnder(store.root))];
  }

  it('fails the build with the step named while the next step ran on its upper dir, and leaves nothing', async () => {
    const run = await build('FROM busybox\nRUN touch /fail-diff\nRUN echo next > /next\nRUN echo last > /last\n');
    expect(run.error?.message).toBe('cannot read the upper dir: injected failure');
    expect((run.error as BuildError).details).toMatchObject({ line: 2, instruction: '[2/4] RUN touch /fail-diff' });
    expect(run.log).toMatch(/^#\d+ \[3\/4\] RUN echo next/m); // the next step started before the diff
    expect(run.log).toMatch(/^#\d+ ERROR: cannot read the upper dir: injected failure$/m);
    expect(await leftovers()).toEqual([]);
  });

  it('fails the build with the step named when it is the last of its stage, and leaves nothing', async () => {
    const run = await build('FROM busybox\nRUN echo one > /one\nRUN touch /fail-diff\n');
    expect(run.error?.message).toBe('cannot read the upper dir: injected failure');
    expect((run.error as BuildError).details).toMatchObject({ line: 3, instruction: '[3/3] RUN touch /fail-diff' });
    expect(await leftovers()).toEqual([]);
    // What was committed before is kept: the first step is cached now.
    const again = await buildIn(store, await contextOf('FROM busybox\nRUN echo one > /one\n'));
    expect(again.error).toBeNull();
    expect(again.log).toMatch(/\[2\/2\] RUN echo one[^\n]*\n#\d+ CACHED/);
  });

  async function contextOf(dockerfile: string): Promise<string> {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    return ctx;
  }
});
