// RUN with `--runtime crun`. crun 1.8 refuses every container on a cgroup v1/v2 hybrid host with controllers in
// its v2 hierarchy (the project's machines); tsbuild starts it in a private mount namespace without that mount
// (executor/runtime/runtime-command.ts). These builds go through crun whatever the host's cgroup layout is.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFilesystem } from '../../executor/index.js';
import { hybridUnifiedMount } from '../../executor/runtime/runtime-command.js';
import type { Store } from '../../image/index.js';
import { crunUnavailable } from '../executor/helpers.js';
import { buildIn, freshDir, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const mountPoints = async (): Promise<string[]> =>
  (await readFile('/proc/self/mountinfo', 'utf8'))
    .trim()
    .split('\n')
    .map((line) => line.split(' ')[4]);

describe.skipIf(crunUnavailable() !== undefined)('RUN with crun', () => {
  afterAll(removeFreshDirs);
  let store: Store;

  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  async function build(dockerfile: string) {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    return buildIn(store, ctx, { noCache: true, runtime: 'crun' });
  }

  it('runs the steps, streams their output and commits what they wrote', async () => {
    const hostMounts = await mountPoints();
    const run = await build(
      'FROM busybox\nENV WHO=crun\nRUN echo "hello from $WHO" && echo one > /one\nRUN cat /one > /two && hostname > /host\n',
    );
    expect(run.error).toBeNull();
    expect(run.log).toContain('hello from crun');
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'one'), 'utf8')).toBe('one\n');
    expect(await readFile(path.join(out, 'two'), 'utf8')).toBe('one\n');
    expect((await readFile(path.join(out, 'host'), 'utf8')).trim()).not.toBe('');
    // The namespace crun ran in was its own: the host still has every mount it had, the v2 hierarchy included, and
    // none of the container's mounts (all below the store) leaked out. What other processes on the machine mount and
    // unmount meanwhile (the work dirs of other builds, a docker daemon's layers) is theirs.
    const after = await mountPoints();
    const transient = (point: string) =>
      /\/snapshots\/t[a-z]-\d+-[0-9a-f]+(\/|$)/.test(point) || point.startsWith('/var/lib/docker/');
    expect(hostMounts.filter((point) => !after.includes(point) && !transient(point))).toEqual([]);
    expect(after.filter((point) => !hostMounts.includes(point) && point.startsWith(`${store.root}/`))).toEqual([]);
    if (hostMounts.includes(hybridUnifiedMount)) expect(await mountPoints()).toContain(hybridUnifiedMount);
    // crun removed its containers: nothing is left in tsbuild's state directory for it.
    expect(await readdir('/run/tsbuild/crun').catch(() => [])).toEqual([]);
  });

  it('fails the build with the step’s exit code and its output', async () => {
    const run = await build('FROM busybox\nRUN echo about to fail && exit 3\n');
    expect(run.error?.message).toMatch(/exit code: 3/);
    expect(run.log).toContain('about to fail');
  });
});
