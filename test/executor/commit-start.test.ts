// When the layer of a RUN step still being committed may start its commit (pending-snapshot.ts): once the next step
// of its stage has started its runtime, not while that step mounts its overlay and writes its bundle (the commit's
// syncs and reads would slow both down), and in any case once that step's work is over. runc says when it started.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFsStep, type StepWorkspace } from '../../executor/build/fs-step.js';
import type { LayerRef } from '../../executor/build/layer-ref.js';
import { PendingSnapshot } from '../../executor/build/pending-snapshot.js';
import { Store } from '../../image/index.js';
import { busyboxRootfs, isolationUnavailable, runStep, scratchDir } from './helpers.js';

const skipReason = isolationUnavailable();
const layer = { digest: 'sha256:a', diffId: 'sha256:a', size: 1, mediaType: 'x' } as LayerRef;

describe.skipIf(skipReason !== undefined)('the start of a pending commit', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-commit-start-'));
    store = await Store.open(path.join(dir, 'store'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A layer below the step, still being committed: its commit only records that it started (no time limit). */
  async function pendingBelow(events: string[]): Promise<PendingSnapshot> {
    const upper = path.join(dir, 'upper');
    await mkdir(upper);
    await writeFile(path.join(upper, 'below'), 'below');
    return new PendingSnapshot(
      upper,
      async () => {
        events.push('commit started');
        return layer;
      },
      60_000,
    );
  }

  /** Runs a step over the pending layer; `work` sees the merged root. */
  async function stepOver(pending: PendingSnapshot, work: (ws: StepWorkspace) => Promise<void>): Promise<void> {
    await runFsStep(store, { layers: [], pending: [pending] }, { epoch: null }, work);
  }

  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('waits while the next step prepares, and starts when its runtime has started', async () => {
    const events: string[] = [];
    const pending = await pendingBelow(events);
    await stepOver(pending, async (ws) => {
      // The step reads the layer below where it is (mounted as a lower dir) while nothing commits it.
      expect(await readFile(path.join(ws.root, 'below'), 'utf8')).toBe('below');
      await tick();
      events.push('runtime started');
      ws.runtimeStarted?.();
      await pending.settled;
      events.push('step ends');
    });
    expect(events).toEqual(['runtime started', 'commit started', 'step ends']);
  });

  it('starts once the step is over when no runtime started (a step that failed before it, or no RUN)', async () => {
    const events: string[] = [];
    const pending = await pendingBelow(events);
    await stepOver(pending, async () => {
      await tick();
      events.push('step ends');
    });
    await pending.settled;
    expect(events).toEqual(['step ends', 'commit started']);

    const failing: string[] = [];
    const below = new PendingSnapshot(path.join(dir, 'upper'), async () => {
      failing.push('commit started');
      return layer;
    });
    await expect(
      stepOver(below, async () => {
        failing.push('step fails');
        throw new Error('no runtime');
      }),
    ).rejects.toThrow('no runtime');
    await below.settled;
    expect(failing).toEqual(['step fails', 'commit started']);
  });

  it('runc reports its start while the container still runs', async () => {
    const aborter = new AbortController();
    let starts = 0;
    const started = performance.now();
    const result = await runStep(await scratchDir(), [await busyboxRootfs()], {
      args: ['sleep', '10'],
      signal: aborter.signal,
      onStarted: () => {
        starts++;
        // Reported before the container ends: stopping it soon after is what ends the run.
        setTimeout(() => aborter.abort(), 300);
      },
    });
    expect(starts).toBe(1);
    expect(result.exitCode).toBe(137);
    expect(performance.now() - started).toBeLessThan(9000);
  });
});
