import { describe, expect, it } from 'vitest';
import type { LayerRef } from '../../executor/build/layer-ref.js';
import { holdAll, holdingPending, PendingSnapshot } from '../../executor/build/pending-snapshot.js';
import { belowSettled } from '../../executor/build/step-ends.js';

const layer = { digest: 'sha256:a', diffId: 'sha256:b', size: 1, mediaType: 'x' } as LayerRef;
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A snapshot whose commit ends when the test says, then publishes from `/tmp/u` to `/tmp/p`. */
function pendingWithGate() {
  const events: string[] = [];
  let commit!: () => void;
  const committed = new Promise<void>((resolve) => {
    commit = resolve;
  });
  const snapshot = new PendingSnapshot('/tmp/u', async (self) => {
    await committed;
    await self.moveWhenFree(async () => {
      events.push('published');
      return '/tmp/p';
    });
    return layer;
  });
  snapshot.startCommit();
  return { snapshot, events, commit };
}

/** A snapshot that records when its commit starts. */
function recordingStart() {
  const events: string[] = [];
  const snapshot = new PendingSnapshot('/tmp/u', async () => {
    events.push('commit started');
    return layer;
  });
  return { snapshot, events };
}

describe('PendingSnapshot', () => {
  it('starts its commit only when told (the next step runs its runtime), once', async () => {
    const { snapshot, events } = recordingStart();
    await tick();
    await tick();
    expect(events).toEqual([]);
    snapshot.startCommit();
    snapshot.startCommit();
    expect(await snapshot.settled).toBe(layer);
    expect(events).toEqual(['commit started']);
  });

  it('starts its commit when the stage waits for the layer', async () => {
    const { snapshot, events } = recordingStart();
    await tick();
    expect(events).toEqual([]);
    expect(await snapshot.settle()).toBe(layer);
    expect(events).toEqual(['commit started']);
  });

  it('starts its commit by itself when nothing tells it within 50 ms (the next step waits for a job slot)', async () => {
    const started = performance.now();
    const { snapshot, events } = recordingStart();
    expect(await snapshot.settled).toBe(layer);
    expect(events).toEqual(['commit started']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('is published only once nothing holds it, and is then found where it was published', async () => {
    const { snapshot, events, commit } = pendingWithGate();
    const held = await holdAll([snapshot]);
    expect(held.dirs).toEqual(['/tmp/u']);
    commit();
    await tick();
    await tick();
    expect(events).toEqual([]);
    held.release();
    expect(await snapshot.settled).toBe(layer);
    expect(events).toEqual(['published']);
    expect(snapshot.failed).toBe(false);
    expect(await snapshot.hold()).toBe('/tmp/p');
  });

  it('publishes at once when nothing holds it', async () => {
    const { snapshot, events, commit } = pendingWithGate();
    commit();
    await snapshot.settled;
    expect(events).toEqual(['published']);
  });

  it('makes a holder that comes while it moves wait for the new place', async () => {
    let finishMove!: () => void;
    const moved = new Promise<void>((resolve) => {
      finishMove = resolve;
    });
    const snapshot = new PendingSnapshot('/tmp/u', async (self) => {
      await self.moveWhenFree(async () => {
        await moved;
        return '/tmp/p';
      });
      return layer;
    });
    snapshot.startCommit();
    await tick();
    const dir = snapshot.hold();
    finishMove();
    expect(await dir).toBe('/tmp/p');
    await snapshot.settled;
  });

  it('runs a removal after every holder is done, one holder of several released at a time', async () => {
    const events: string[] = [];
    const snapshot = new PendingSnapshot('/tmp/u', async (self) => {
      await tick();
      await self.whenFree(async () => {
        events.push('removed');
      });
      throw new Error('commit failed');
    });
    snapshot.startCommit();
    const first = await holdAll([snapshot]);
    const second = await holdAll([snapshot]);
    first.release();
    first.release(); // a second release of the same hold changes nothing
    await tick();
    await tick();
    expect(events).toEqual([]);
    second.release();
    await expect(snapshot.settled).rejects.toThrow('commit failed');
    expect(events).toEqual(['removed']);
    expect(snapshot.failed).toBe(true);
  });

  it('lets go of what it held when a later snapshot cannot be held (its publish failed)', async () => {
    const { snapshot: first, events, commit } = pendingWithGate();
    let fail!: (error: Error) => void;
    const renaming = new Promise<string>((_, reject) => {
      fail = reject;
    });
    const broken = new PendingSnapshot('/tmp/b', async (self) => {
      await self.moveWhenFree(() => renaming);
      return layer;
    });
    broken.startCommit();
    await tick();
    // `first` is held, then the hold of `broken` waits for its publish, which fails.
    const holding = holdAll([first, broken]);
    await tick();
    fail(new Error('rename failed'));
    await expect(holding).rejects.toThrow('rename failed');
    commit();
    expect(await first.settled).toBe(layer);
    expect(events).toEqual(['published']);
    await expect(broken.settled).rejects.toThrow('rename failed');
  });

  it('holds the pending layers of a filesystem for the whole of a step that reads them, also when it fails', async () => {
    const { snapshot, events, commit } = pendingWithGate();
    const other = pendingWithGate();
    const fs = { layers: [], pending: [snapshot, other.snapshot] };
    commit();
    other.commit();
    const seen = await holdingPending(fs, async (held) => {
      await tick();
      await tick();
      expect(events).toEqual([]); // committed, not published while held
      return held.held;
    });
    expect(seen).toEqual(['/tmp/u', '/tmp/u']);
    await snapshot.settled;
    expect(events).toEqual(['published']);

    const { snapshot: failing, events: failingEvents, commit: commitFailing } = pendingWithGate();
    commitFailing();
    await expect(
      holdingPending({ layers: [], pending: [failing] }, async () => {
        throw new Error('step failed');
      }),
    ).rejects.toThrow('step failed');
    await failing.settled;
    expect(failingEvents).toEqual(['published']);
    // Nothing pending: nothing held, the filesystem as it is.
    const plain = { layers: [] };
    expect(await holdingPending(plain, async (held) => held)).toBe(plain);
  });

  it('tells a step beside the commits when they have all settled and had their ends reported, and whether all were committed', async () => {
    const { snapshot, commit } = pendingWithGate();
    const broken = new PendingSnapshot('/tmp/b', async () => {
      throw new Error('commit failed');
    });
    const settled = belowSettled([snapshot, broken]);
    let done = false;
    void settled.then(() => {
      done = true;
    });
    await tick();
    await tick();
    expect(done).toBe(false); // `snapshot` still commits
    commit();
    expect(await settled).toBe(false);
    expect(await belowSettled([snapshot])).toBe(true);
    expect(await belowSettled([])).toBe(true);
  });
});
