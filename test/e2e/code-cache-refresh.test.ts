// The CLI's code cache (cli/loader.ts) is taken again after a long run that compiled much more than the run that
// made it: `tsbuild run` of a missing image compiles little, a container that runs for a second a good deal more.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import { bundledCli, bundledCliUnavailable, removeFreshDirs, storeWithBusybox } from './helpers.js';

describe.skipIf(bundledCliUnavailable() !== undefined)('the code cache after a long run', () => {
  let store: Store;
  let tmp: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-code-cache-run-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
    await removeFreshDirs();
  });

  /** `tsbuild run ARGS…`: its exit status and what the loader said of its code cache (kept under `cacheIn`). */
  function run(args: readonly string[], cacheIn = tmp): { status: number | null; cache: string } {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TMPDIR: cacheIn,
      TSBUILD_ROOT: store.root,
      TSBUILD_DEBUG_CODE_CACHE: '1',
    };
    delete env.NODE_DISABLE_COMPILE_CACHE;
    const r = spawnSync(process.execPath, [bundledCli, 'run', ...args], { env, encoding: 'utf8' });
    const line = r.stderr.split('\n').find((l) => l.startsWith('tsbuild code cache: ')) ?? r.stderr;
    return { status: r.status, cache: line.replace(/ \/.*$/, '') };
  }

  it('is written by a short first run, refreshed by a long one that ran more, then settled and kept', () => {
    expect(run(['no-such-image'])).toEqual({ status: 125, cache: 'tsbuild code cache: missing' });
    expect(run(['busybox', 'sleep', '1.2'])).toEqual({ status: 0, cache: 'tsbuild code cache: used, refreshed' });
    // Shorter than a second: never written again.
    expect(run(['busybox', 'true'])).toEqual({ status: 0, cache: 'tsbuild code cache: used' });
    // Long again, but with nothing new compiled: the cache stays as it is, and is not tried again.
    expect(run(['busybox', 'sleep', '1.2'])).toEqual({ status: 0, cache: 'tsbuild code cache: used, settled' });
    expect(run(['busybox', 'sleep', '1.2'])).toEqual({ status: 0, cache: 'tsbuild code cache: used' });
  });

  it('written by a short run, is provisional: the next run takes it again once if it grew, and only once', async () => {
    const grows = await mkdtemp(path.join(tmp, 'grows-'));
    expect(run(['no-such-image'], grows)).toEqual({ status: 125, cache: 'tsbuild code cache: missing' });
    // A short run that compiled more (a container ran) replaces it.
    expect(run(['busybox', 'true'], grows)).toEqual({ status: 0, cache: 'tsbuild code cache: used, refreshed' });
    expect(run(['busybox', 'true'], grows)).toEqual({ status: 0, cache: 'tsbuild code cache: used' });

    const same = await mkdtemp(path.join(tmp, 'same-'));
    expect(run(['no-such-image'], same)).toEqual({ status: 125, cache: 'tsbuild code cache: missing' });
    // One that compiled no more keeps it, and it is no longer provisional: later short runs do not serialise theirs…
    expect(run(['no-such-image'], same)).toEqual({ status: 125, cache: 'tsbuild code cache: used, kept' });
    expect(run(['no-such-image'], same)).toEqual({ status: 125, cache: 'tsbuild code cache: used' });
  });

  it('made by short runs that did no work, is taken again once by the first short run that does (a container)', async () => {
    const idle = await mkdtemp(path.join(tmp, 'idle-'));
    expect(run(['no-such-image'], idle)).toEqual({ status: 125, cache: 'tsbuild code cache: missing' });
    expect(run(['no-such-image'], idle)).toEqual({ status: 125, cache: 'tsbuild code cache: used, kept' });
    // …except the first that runs a container: what it compiled is worth the cache (stuck, every run compiled it).
    expect(run(['busybox', 'true'], idle)).toEqual({ status: 0, cache: 'tsbuild code cache: used, refreshed' });
    expect(run(['busybox', 'true'], idle)).toEqual({ status: 0, cache: 'tsbuild code cache: used' });
    expect(run(['no-such-image'], idle)).toEqual({ status: 125, cache: 'tsbuild code cache: used' });
  });
});
