// Several processes and a SIGKILL: two builds into one store at the same time both succeed, and a
// build killed in the middle of a RUN leaves a store that the next build and `prune` use without
// error, with no mount left behind.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { build as bundle } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMountsUnder } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

let script: string;

function startBuild(store: Store, context: string, tag: string) {
  const child = spawn(process.execPath, [script, store.root, context, tag], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stderr: () => stderr };
}

describe.skipIf(isolationUnavailable() !== undefined)('processes sharing a store', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
    script = path.join(await freshDir('js'), 'build-cli.mjs');
    await bundle({
      entryPoints: [path.join(import.meta.dirname, 'programs/build-cli.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
      packages: 'external',
    });
  });

  it('two builds at the same time both succeed', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nCOPY a /a\nRUN cat /a > /b\n' },
      { path: 'a', content: 'same\n' },
    ]);
    const one = startBuild(store, ctx, 'twin:1');
    const two = startBuild(store, ctx, 'twin:2');
    const [a, b] = await Promise.all([one.exited, two.exited]);
    expect(a.code, one.stderr()).toBe(0);
    expect(b.code, two.stderr()).toBe(0);
    expect((await store.resolve('twin:1')).manifest.layers.length).toBe(3);
    expect((await store.resolve('twin:2')).manifest.layers.length).toBe(3);
  });

  it('a build killed during RUN leaves a usable store and no mounts', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nRUN echo started; sleep 2; echo x > /x\n' },
    ]);
    const victim = startBuild(store, ctx, 'killed:1');
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (victim.stderr().includes(' started')) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');

    const again = startBuild(store, ctx, 'killed:1');
    const result = await again.exited;
    expect(result.code, again.stderr()).toBe(0);
    expect((await store.resolve('killed:1')).manifest.layers.length).toBe(2);
    await expect(store.prune()).resolves.toBeDefined();
    // The killed build's container finishes its sleep on its own; then nothing stays mounted.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await listMountsUnder(store.root)).toEqual([]);
  });
});
