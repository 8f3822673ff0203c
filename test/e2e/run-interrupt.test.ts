// A build interrupted during a RUN step. SIGINT and SIGTERM: tsbuild kills the step's container,
// unmounts and removes its work, and only then exits (128 + N) — nothing is left the moment it is
// gone. SIGKILL: nothing can run, so the next tsbuild command removes what is left (the container
// still running on its overlay, the mount, the work dir). Either way the store keeps working.
import { execFileSync, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { build as bundle } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArgv } from '../../cli/commands/run/run.js';
import { defaultRuncStateRoot, listMountsUnder, staleContainerIds } from '../../executor/index.js';
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
  const started = new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (/^#\d+ \d+\.\d+ started$/m.test(stderr)) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
    void exited.then(() => clearInterval(poll));
  });
  return { child, exited, started, stderr: () => stderr };
}

function runcList(): string {
  return execFileSync('runc', ['--root', defaultRuncStateRoot, 'list', '--format', 'json'], { encoding: 'utf8' });
}

/** Containers in tsbuild's runc state whose bundle is in this store. */
function containersOf(store: Store): string[] {
  const containers = (JSON.parse(runcList()) as { id: string; bundle: string }[] | null) ?? [];
  return containers.filter((c) => c.bundle.startsWith(`${store.root}/`)).map((c) => c.id);
}

async function workDirs(store: Store): Promise<string[]> {
  return (await readdir(store.paths.snapshots)).filter((name) => /^t[a-z]-\d+-/.test(name));
}

describe.skipIf(isolationUnavailable() !== undefined)('a build interrupted during RUN', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let ctx: string;
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
    ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nRUN echo started; sleep 30; echo finished > /x\n' },
    ]);
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal}: the container is killed and everything unmounted before tsbuild exits ${code}`, async () => {
      const victim = startBuild(store, ctx, 'interrupted:1');
      await victim.started;
      const sent = performance.now();
      victim.child.kill(signal);
      const result = await victim.exited;
      expect(result.code, victim.stderr()).toBe(code);
      expect(performance.now() - sent).toBeLessThan(5000);
      expect(victim.stderr()).toContain(`ERROR: build canceled (${signal})`);
      // Checked right away: nothing was left for a later command to clean.
      expect(await listMountsUnder(store.root)).toEqual([]);
      expect(containersOf(store)).toEqual([]);
      expect(await workDirs(store)).toEqual([]);
      await expect(store.resolve('interrupted:1')).rejects.toThrow();
    });
  }

  it('SIGINT while the RUN before is diffed and committed beside this one: nothing is left either', async () => {
    const below = await freshDir('c');
    await writeContext(below, [
      {
        path: 'Dockerfile',
        content: 'FROM busybox\nRUN echo below > /below\nRUN echo started; sleep 30; echo finished > /x\n',
      },
    ]);
    const victim = startBuild(store, below, 'interrupted:2');
    await victim.started;
    victim.child.kill('SIGINT');
    expect((await victim.exited).code, victim.stderr()).toBe(130);
    expect(victim.stderr()).toContain('ERROR: build canceled (SIGINT)');
    expect(await listMountsUnder(store.root)).toEqual([]);
    expect(containersOf(store)).toEqual([]);
    expect(await workDirs(store)).toEqual([]);
  });

  it('SIGKILL: the next tsbuild command removes the running container, its mount and its work dir', async () => {
    const victim = startBuild(store, ctx, 'killed:1');
    await victim.started;
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    // Left behind: the container goes on with its sleep on the overlay the build mounted.
    expect(containersOf(store)).toHaveLength(1);
    expect((await listMountsUnder(store.root)).map((m) => m.fsType)).toContain('overlay');

    const other = await freshDir('c');
    await writeContext(other, [{ path: 'Dockerfile', content: 'FROM busybox\nRUN echo next > /next\n' }]);
    const next = startBuild(store, other, 'next:1');
    expect((await next.exited).code, next.stderr()).toBe(0);
    expect(containersOf(store)).toEqual([]);
    expect(await listMountsUnder(store.root)).toEqual([]);
    expect(await workDirs(store)).toEqual([]);
    expect((await store.resolve('next:1')).manifest.layers.length).toBe(2);
    await expect(store.prune()).resolves.toBeDefined();
  });

  it('SIGKILL: a `tsbuild run` afterwards cleans up just the same', async () => {
    const victim = startBuild(store, ctx, 'killed:2');
    await victim.started;
    victim.child.kill('SIGKILL');
    await victim.exited;
    expect(containersOf(store)).toHaveLength(1);
    let output = '';
    const io = {
      stdout: (data: string | Uint8Array) => {
        output += Buffer.from(data).toString();
      },
      stderr: () => {},
      env: {},
    };
    expect(await runArgv(['--root', store.root, 'busybox', 'echo', 'after'], io)).toBe(0);
    expect(output).toBe('after\n');
    expect(containersOf(store), `killed build was pid ${victim.child.pid}; runc list: ${runcList()}`).toEqual([]);
    expect(await listMountsUnder(store.root)).toEqual([]);
    expect(await workDirs(store)).toEqual([]);
  });
});

describe('staleContainerIds', () => {
  it('picks containers whose bundle is in the work dir of a dead process of this store', () => {
    const alive = (pid: number) => pid === 100;
    const containers = [
      { id: 'dead-build', bundle: '/s/snapshots/ts-200-ab12cd34/b/bundle' },
      { id: 'dead-run', bundle: '/s/snapshots/tr-201-00ff00ff/bundle' },
      { id: 'live', bundle: '/s/snapshots/ts-100-ab12cd34/b/bundle' },
      { id: 'other-store', bundle: '/t/snapshots/ts-200-ab12cd34/b/bundle' },
      { id: 'not-a-work-dir', bundle: '/s/snapshots/abc/bundle' },
    ];
    expect(staleContainerIds(containers, '/s/snapshots', alive)).toEqual(['dead-build', 'dead-run']);
  });
});
