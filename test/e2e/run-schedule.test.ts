// Scheduling of independent stages: `--jobs N` bounds how many run at once (1: one after the other,
// 3: all together), and the first failing stage cancels the others cleanly — their containers are
// killed at once, and when the build reports the failure no mount, container or work dir is left.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRuncStateRoot, exportFilesystem, listMountsUnder } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

/** Three independent stages that log their start and end to one shared cache, and a final stage reading it. */
function threeStages(cacheId: string): string {
  const mount = `--mount=type=cache,id=${cacheId},target=/log,sharing=shared`;
  const stage = (name: string) =>
    `FROM busybox AS ${name}\nRUN ${mount} echo "start ${name}" >> /log/order; sleep 2; echo "end ${name}" >> /log/order`;
  return [
    stage('a'),
    stage('b'),
    stage('c'),
    'FROM busybox',
    'COPY --from=a /bin/true /a',
    'COPY --from=b /bin/true /b',
    'COPY --from=c /bin/true /c',
    `RUN ${mount} cp /log/order /order`,
    '',
  ].join('\n');
}

describe.skipIf(isolationUnavailable() !== undefined)('stage scheduling', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  async function orderOf(cacheId: string, jobs: number): Promise<string[]> {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: threeStages(cacheId) }]);
    const run = await buildIn(store, ctx, { jobs, noCache: true });
    expect(run.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    return (await readFile(path.join(out, 'order'), 'utf8')).trim().split('\n');
  }

  it('--jobs 1 runs the independent stages one after the other', async () => {
    const order = await orderOf('jobs-one', 1);
    expect(order).toHaveLength(6);
    for (let i = 0; i < 6; i += 2) {
      const name = order[i].split(' ')[1];
      expect([order[i], order[i + 1]]).toEqual([`start ${name}`, `end ${name}`]);
    }
  });

  it('--jobs 3 runs them all at once: every stage starts before any ends', async () => {
    const order = await orderOf('jobs-three', 3);
    expect(order.slice(0, 3).every((line) => line.startsWith('start '))).toBe(true);
    expect(order.slice(3).every((line) => line.startsWith('end '))).toBe(true);
  });

  it('the first failure cancels the running stages: containers killed, nothing left behind', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: [
          'FROM busybox AS slow',
          'RUN echo slow started; sleep 30',
          'FROM busybox AS failing',
          'RUN sleep 1; echo failing now; exit 3',
          'FROM busybox',
          'COPY --from=slow /bin/true /slow',
          'COPY --from=failing /bin/true /failing',
          '',
        ].join('\n'),
      },
    ]);
    const started = performance.now();
    const run = await buildIn(store, ctx, { jobs: 2, noCache: true });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(run.log).toContain('slow started');
    expect(run.error?.message).toBe(
      'process "/bin/sh -c sleep 1; echo failing now; exit 3" did not complete successfully: exit code: 3',
    );
    expect(await listMountsUnder(store.root)).toEqual([]);
    const listing = execFileSync('runc', ['--root', defaultRuncStateRoot, 'list', '--format', 'json'], {
      encoding: 'utf8',
    });
    const containers = (JSON.parse(listing) as { bundle: string }[] | null) ?? [];
    expect(containers.filter((c) => c.bundle.startsWith(store.root))).toEqual([]);
    expect((await readdir(store.paths.snapshots)).filter((name) => /^t[a-z]-\d+-/.test(name))).toEqual([]);
  });
});
