// runStage clears what dead builds left (stale containers and work dirs, `beforeWork`) only before a step
// that misses the cache: a fully cached stage never starts `runc list`. It says whether a RUN step is still to come
// in the stage (the runtime's helpers are started only then), and is started early when the prefetched lookup of
// a RUN step finds nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordStep } from '../../executor/build/cache-index.js';
import { prefetchHits } from '../../executor/build/stage-reads.js';
import { runStage, type StageRun } from '../../executor/build/stage-runner.js';
import type { StepEnv } from '../../executor/build/step-env.js';
import { Store, sha256Digest } from '../../image/index.js';
import type { PlanStep } from '../../planner/index.js';
import { fixtureKey, fixtureRun, fixtureStage, fixtureStep } from './plan-fixtures.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-before-work-'));
  store = await Store.open(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const key = fixtureKey;
const stageOf = fixtureStage;

// No filesystem operation: a miss fails right after beforeWork, without touching a layer.
const step = (n: number, operation: 'none' | 'run' = 'none'): PlanStep =>
  fixtureStep(
    n,
    (operation === 'run' ? { type: 'run', argv: ['true'], mounts: [] } : { type: 'none' }) as PlanStep['operation'],
  );

function runFor(calls: string[]): StageRun {
  return fixtureRun({ store } as unknown as StepEnv, async (runAhead) => {
    calls.push(`beforeWork runAhead=${runAhead}`);
  });
}

async function cache(n: number): Promise<void> {
  const blob = await store.putBlob(Buffer.from(`layer ${n}`));
  const layer = {
    digest: blob.digest,
    size: blob.size,
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    diffId: sha256Digest(`${n}`),
  };
  await recordStep(store, key(n), { layer, created: '2026-01-01T00:00:00Z' });
}

describe('runStage and beforeWork', () => {
  it('a stage whose steps are all cached never calls it', async () => {
    await cache(1);
    await cache(2);
    const calls: string[] = [];
    const result = await runStage(runFor(calls), stageOf([step(1), step(2)]), { fs: { layers: [] }, history: [] });
    expect(result.fs.layers).toHaveLength(2);
    expect(calls).toEqual([]);
  });

  it('a step that misses awaits it before doing its work', async () => {
    await cache(1);
    const calls: string[] = [];
    const stage = stageOf([step(1), step(2)]);
    await expect(runStage(runFor(calls), stage, { fs: { layers: [] }, history: [] })).rejects.toThrow(
      'step run has no filesystem operation',
    );
    expect(calls).toEqual(['beforeWork runAhead=false']);
  });

  it('says whether a RUN step is still to come in the stage', async () => {
    await cache(1);
    // Step 2 misses (and fails right after beforeWork); step 3 would run a container.
    const ahead: string[] = [];
    const aheadStage = stageOf([step(1), step(2), step(3, 'run')]);
    await expect(runStage(runFor(ahead), aheadStage, { fs: { layers: [] }, history: [] })).rejects.toThrow(
      'step run has no filesystem operation',
    );
    // Once when the prefetched lookup found no record for the RUN step, once for step 2.
    expect(ahead).toEqual(['beforeWork runAhead=true', 'beforeWork runAhead=true']);
    // A RUN before the miss (cached) does not count.
    const behind: string[] = [];
    const behindStage = stageOf([step(1, 'run'), step(2)]);
    await expect(runStage(runFor(behind), behindStage, { fs: { layers: [] }, history: [] })).rejects.toThrow(
      'step run has no filesystem operation',
    );
    expect(behind).toEqual(['beforeWork runAhead=false']);
  });

  it('is started as soon as the prefetched lookup of a RUN step finds no record', async () => {
    const calls: string[] = [];
    // The reaction to a lookup is chained before the map hands the lookup out: awaiting the lookups is enough.
    await Promise.all(prefetchHits(runFor(calls), stageOf([step(1), step(2, 'run')])).values());
    expect(calls).toEqual(['beforeWork runAhead=true']);
    // A cached RUN step starts nothing.
    await cache(4);
    const cached: string[] = [];
    await Promise.all(prefetchHits(runFor(cached), stageOf([step(4, 'run')])).values());
    expect(cached).toEqual([]);
  });
});
