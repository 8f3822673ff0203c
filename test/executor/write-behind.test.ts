// Write-behind while a long step runs (executor/snapshot/write-behind.ts): after a delay, one sync of the upper
// dir's filesystem at a time while the machine holds enough dirty data, until the step stops it. That a step
// offers it: durable-upper.test.ts; that a RUN uses it: test/e2e/run-write-behind.test.ts.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeBehindMeanwhile } from '../../executor/snapshot/write-behind.js';
import { removeScratch, scratchDir } from './helpers.js';

const MiB = 1 << 20;

/** A sync that records its calls and finishes when the test says so. */
function controlledSync() {
  const calls: string[] = [];
  const finishers: (() => void)[] = [];
  const sync = (dir: string) =>
    new Promise<void>((resolve) => {
      calls.push(dir);
      finishers.push(resolve);
    });
  return { calls, sync, finish: () => finishers.shift()?.() };
}

describe('writeBehindMeanwhile', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('syncs nothing before the delay, then one sync at a time, each after the previous one ended', async () => {
    vi.useFakeTimers();
    const { calls, sync, finish } = controlledSync();
    const stop = writeBehindMeanwhile('/store/u', {
      delayMs: 500,
      intervalMs: 200,
      sync,
      dirtyBytes: async () => 64 * MiB,
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['/store/u']);
    // The first sync still runs: however long it takes, no second one starts beside it.
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(1);
    finish();
    await vi.advanceTimersByTimeAsync(199);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    stop();
  });

  it('syncs only while the machine holds at least the minimum of dirty data, or when that is unknown', async () => {
    vi.useFakeTimers();
    const { calls, sync, finish } = controlledSync();
    const dirty: (number | undefined)[] = [MiB, 32 * MiB, undefined];
    let checks = 0;
    const stop = writeBehindMeanwhile('/u', {
      delayMs: 10,
      intervalMs: 10,
      minDirtyBytes: 16 * MiB,
      sync,
      dirtyBytes: async () => (checks < dirty.length ? dirty[checks++] : 0),
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toEqual([]); // 1 MiB dirty: below the minimum
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(1); // 32 MiB
    finish();
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(2); // unknown
    finish();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(2); // 0 from then on
    stop();
  });

  it('stops: no sync after the stop, also when it came during a check or before the delay', async () => {
    vi.useFakeTimers();
    const early = controlledSync();
    writeBehindMeanwhile('/u', { delayMs: 100, sync: early.sync, dirtyBytes: async () => 64 * MiB })();
    await vi.advanceTimersByTimeAsync(1000);
    expect(early.calls).toEqual([]);

    const during = controlledSync();
    let release: (bytes: number) => void = () => {};
    const stop = writeBehindMeanwhile('/u', {
      delayMs: 10,
      intervalMs: 10,
      sync: during.sync,
      dirtyBytes: () => new Promise<number>((resolve) => (release = resolve)),
    });
    await vi.advanceTimersByTimeAsync(10);
    stop(); // while the dirty bytes are being read
    release(64 * MiB);
    await vi.advanceTimersByTimeAsync(1000);
    expect(during.calls).toEqual([]);
  });

  it('goes on after a failed sync: the step’s own syncs report a failing disk', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const stop = writeBehindMeanwhile('/u', {
      delayMs: 10,
      intervalMs: 10,
      sync: async () => {
        calls++;
        throw new Error('sync failed: EIO');
      },
      dirtyBytes: async () => 64 * MiB,
    });
    await vi.advanceTimersByTimeAsync(35);
    expect(calls).toBe(3);
    stop();
  });

  it('syncs the real filesystem of a directory with the default sync and dirty-data reading', async () => {
    const dir = await scratchDir();
    try {
      await writeFile(path.join(dir, 'data'), Buffer.alloc(MiB, 1));
      const stop = writeBehindMeanwhile(dir, { delayMs: 0, intervalMs: 10_000, minDirtyBytes: 0 });
      // `sync --file-system` through the launcher: give it time to run once; nothing may throw meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 300));
      stop();
    } finally {
      await removeScratch(dir);
    }
  });
});
