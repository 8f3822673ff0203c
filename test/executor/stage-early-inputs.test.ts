// A stage reads what its steps copy from other stages (the content that completes their keys) as soon as it
// starts, not when each step's turn comes, and is not over before those reads are.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordStep } from '../../executor/build/cache-index.js';
import { completeKey, stageInputs } from '../../executor/build/content-key.js';
import type { FsState } from '../../executor/build/layer-ref.js';
import { runStage } from '../../executor/build/stage-runner.js';
import type { StepEnv } from '../../executor/build/step-env.js';
import { UrlContents } from '../../executor/build/url-content.js';
import { Store, sha256Digest } from '../../image/index.js';
import type { PlanStep } from '../../planner/index.js';
import { copyOp } from './copy-onto-lower-setup.js';
import { fixtureKey, fixtureRun, fixtureStage, fixtureStep } from './plan-fixtures.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-early-inputs-'));
  store = await Store.open(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const key = fixtureKey;
const step = fixtureStep;
const stageOf = fixtureStage;

const copyFromStage = (index: number, sources: string[]): PlanStep['operation'] =>
  copyOp(sources, '/x', { from: { type: 'stage', index } });

describe('the content a stage copies from other stages', () => {
  it('is read when the stage starts, and the stage ends after the reads', async () => {
    const events: string[] = [];
    let sourceDone!: () => void;
    const source = new Promise<void>((resolve) => {
      sourceDone = resolve;
    });
    const env = {
      store,
      urls: new UrlContents(store),
      stageFs: async (index: number): Promise<FsState> => {
        events.push(`stageFs ${index}`);
        await source;
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push(`stage ${index} read`);
        return { layers: [] };
      },
    } as unknown as StepEnv;
    const run = fixtureRun(env, async () => {
      events.push('step 1 works');
      sourceDone();
    });
    // Step 1 misses and fails right after beforeWork (no filesystem operation): step 2's turn never comes.
    const stage = stageOf([step(1, { type: 'none' } as PlanStep['operation']), step(2, copyFromStage(3, ['/']), true)]);
    await expect(runStage(run, stage, { fs: { layers: [] }, history: [] })).rejects.toThrow(
      'step run has no filesystem operation',
    );
    expect(events).toEqual(['stageFs 3', 'step 1 works', 'stage 3 read']);
  });

  it('completes the key as reading it in the step would', async () => {
    const env = { store, urls: new UrlContents(store), stageFs: async () => ({ layers: [] }) };
    const pending = step(2, copyFromStage(3, ['/']), true);
    const early = stageInputs({ env }, pending);
    const ahead = await completeKey({ env }, pending, key(5), early);
    expect(ahead).toEqual(await completeKey({ env }, pending, key(5)));
    expect(ahead.completion?.inputs).toEqual(await early);
    expect(await early).toHaveLength(1);
    // A step that reads no stage has none.
    expect(await stageInputs({ env }, step(4, copyFromStage(3, ['/'])))).toEqual([]);
  });

  it('says when the stage is past its last step that reads another stage, once, and also when it fails', async () => {
    const events: string[] = [];
    const env = {
      store,
      urls: new UrlContents(store),
      stageFs: async (): Promise<FsState> => ({ layers: [] }),
      readViews: { doneReading: () => events.push('done reading') },
    } as unknown as StepEnv;
    const run = fixtureRun(env, async () => {
      events.push('a step works');
    });
    // The COPY --from step is cached (under its completed key); the step after it misses and fails.
    const copy = step(1, copyFromStage(3, ['/']), true);
    // Computed without the views: the stage then finds the content digest remembered (content-memo.ts).
    const plainEnv = { store, urls: new UrlContents(store), stageFs: async () => ({ layers: [] }) };
    const { key: copyKey } = await completeKey({ env: plainEnv }, copy, null);
    const blob = await store.putBlob(Buffer.from('layer'));
    const layer = { ...blob, mediaType: 'application/vnd.oci.image.layer.v1.tar', diffId: sha256Digest('l') };
    await recordStep(store, copyKey as string, { layer, created: '2026-01-01T00:00:00Z' });
    const none = { type: 'none' } as PlanStep['operation'];
    await expect(runStage(run, stageOf([copy, step(2, none)]), { fs: { layers: [] }, history: [] })).rejects.toThrow(
      'step run has no filesystem operation',
    );
    expect(events).toEqual(['done reading', 'a step works']);
    // A stage that fails before its reading step still says it once.
    events.length = 0;
    await expect(runStage(run, stageOf([step(2, none), copy]), { fs: { layers: [] }, history: [] })).rejects.toThrow(
      'step run has no filesystem operation',
    );
    expect(events).toEqual(['a step works', 'done reading']);
  });
});
