// The idle context worker kept for the next walk (cache/context/worker-park.ts): parked when a walk is
// done with it, taken by the next walk, never keeping the process alive, stopped after PARK_MS.
import { promises as fsp } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContextWorker } from '../../cache/context/context-worker.js';
import { hasParked, PARK_MS, type Parkable, park, unpark } from '../../cache/context/worker-park.js';
import { snapshotContext } from '../../cache/index.js';
import { tempDir, writeTree } from './helpers.js';

let dirs: string[] = [];
afterEach(async () => {
  vi.useRealTimers();
  unpark()?.close();
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
  dirs = [];
});

const referencedWorkers = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length;

async function until(check: () => boolean): Promise<boolean> {
  for (let waited = 0; waited < 1000 && !check(); waited += 10) await new Promise((r) => setTimeout(r, 10));
  return check();
}

/** A stand-in worker: usable while `running`, counting closes. */
function fake(): Parkable & { closes: number; running: boolean } {
  const w = {
    closes: 0,
    running: true,
    get usable() {
      return w.running;
    },
    close() {
      w.closes++;
      w.running = false;
    },
  };
  return w;
}

describe('parked context worker', () => {
  it('parks one idle worker, hands it out once, and stops it after PARK_MS unused', () => {
    vi.useFakeTimers();
    const a = fake();
    const b = fake();
    expect(park(a)).toBe(true);
    expect(park(b)).toBe(false); // one at a time: the caller stops b itself
    expect(unpark()).toBe(a);
    expect(unpark()).toBeNull();
    expect(park(a)).toBe(true);
    vi.advanceTimersByTime(PARK_MS - 1);
    expect(a.closes).toBe(0);
    vi.advanceTimersByTime(1);
    expect(a.closes).toBe(1);
    expect(hasParked()).toBe(false);
  });

  it('never parks a stopped worker and never hands out one that died while parked', () => {
    const stopped = fake();
    stopped.running = false;
    expect(park(stopped)).toBe(false);
    const w = fake();
    expect(park(w)).toBe(true);
    w.running = false; // the thread exited
    expect(unpark()).toBeNull();
    expect(w.closes).toBe(1);
  });

  it('a walk leaves its helper parked and unreferenced, and the next walk takes it', async () => {
    const root = await tempDir();
    dirs.push(root);
    const tree: Record<string, string> = {};
    for (let i = 0; i < 300; i++) tree[`d${i % 3}/f${i}`] = `content ${i}\n`;
    await writeTree(root, tree);
    unpark()?.close();
    const before = referencedWorkers();
    const first = await snapshotContext(root, { parallelStatMin: 0 });
    const digest = await first.contentDigest('');
    expect(await until(hasParked)).toBe(true);
    expect(await until(() => referencedWorkers() === before)).toBe(true);

    const second = await snapshotContext(root, { parallelStatMin: 0 });
    expect(await second.contentDigest('')).toBe(digest);
    expect(await until(hasParked)).toBe(true);
    const parked = unpark<ContextWorker>();
    expect(parked).toBeInstanceOf(ContextWorker);
    parked?.close();
    expect(await until(() => referencedWorkers() === before)).toBe(true);
  });

  it('ContextWorker.start takes the parked worker before starting a thread', () => {
    const w = ContextWorker.start(true);
    expect(w).not.toBeNull();
    w!.release();
    expect(hasParked()).toBe(true);
    expect(ContextWorker.start(true)).toBe(w);
    expect(hasParked()).toBe(false);
    w!.close();
  });
});
