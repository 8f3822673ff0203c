// The step after a RUN starts while the RUN's overlay is still being unmounted (fs-step.ts runFsStepDeferred,
// PendingSnapshot.unmounted): a direct COPY or WORKDIR plans on the RUN's upper dir where it is, what mounts that
// dir (a RUN, a `--chown` lookup) waits for the unmount. The unmount of the RUN steps is gated here (vi.mock of
// step-overlay.ts) until a direct step has planned, so a plan that waited for it would only come once the gate gives
// up. What must hold: the layers and the image are the ones made when the unmount comes first; a failed unmount
// fails the build naming the RUN, and leaves no mount, no step dir and no record behind.
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { listMountsUnder } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import {
  buildIn,
  cachedSteps,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

type Mode = 'off' | 'plan-first' | 'fail';

const control = vi.hoisted(() => {
  const state = {
    mode: 'off' as Mode,
    events: [] as string[],
    plans: 0,
    onPlan: [] as (() => void)[],
    gaveUp: false,
    reset(mode: Mode) {
      state.mode = mode;
      state.events = [];
      state.gaveUp = false;
      state.plans = 0;
      state.onPlan = [];
    },
    /** Resolves at the next plan after now. */
    nextPlan(): Promise<void> {
      return new Promise((resolve) => state.onPlan.push(resolve));
    },
    planned(): void {
      state.plans++;
      for (const resolve of state.onPlan.splice(0)) resolve();
    },
  };
  return state;
});

vi.mock('../../executor/build/step-overlay.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../executor/build/step-overlay.js')>();
  return {
    ...original,
    // A RUN step's overlay unmount (the direct steps mount nothing), held until a direct step has planned.
    async unmounted(...args: Parameters<typeof original.unmounted>) {
      if (control.mode !== 'off') {
        await Promise.race([
          control.nextPlan(),
          new Promise<void>((resolve) => setTimeout(resolve, 2000)).then(() => {
            control.gaveUp = true;
          }),
        ]);
      }
      await original.unmounted(...args);
      control.events.push('unmounted');
      if (control.mode === 'fail') throw new Error('injected unmount failure');
    },
  };
});

vi.mock('../../executor/build/copy-direct.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../executor/build/copy-direct.js')>();
  const planned = <T>(result: T): T => {
    control.events.push(result === null ? 'planned (overlay)' : 'planned');
    control.planned();
    return result;
  };
  return {
    ...original,
    async planCopyEntries(...args: Parameters<typeof original.planCopyEntries>) {
      return planned(await original.planCopyEntries(...args));
    },
    async planDirectMkdir(...args: Parameters<typeof original.planDirectMkdir>) {
      return planned(await original.planDirectMkdir(...args));
    },
  };
});

describe.skipIf(isolationUnavailable() !== undefined)('the step after a RUN while its overlay is unmounted', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });
  beforeEach(() => control.reset('off'));

  async function build(dockerfile: string, noCache = true) {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: dockerfile },
      { path: 'src/f', content: 'copied\n' },
    ]);
    return buildIn(store, ctx, { noCache, buildArgs: { SOURCE_DATE_EPOCH: '1700000000' } });
  }

  async function leftovers(): Promise<unknown[]> {
    const dirs = (await readdir(store.paths.snapshots)).filter((name) => /^t[a-z]-\d+-/.test(name));
    return [...dirs, ...(await listMountsUnder(store.root))];
  }

  const dockerfile = [
    'FROM busybox',
    'RUN mkdir -p /app && echo built > /app/BUILT',
    'COPY src/ /app/src/',
    'WORKDIR /app/w',
    'RUN ls /app > /app/list',
    'COPY src/f /app/g',
  ].join('\n');

  it('plans a COPY and a WORKDIR on the RUN layer before its overlay is unmounted; the image is the same', async () => {
    control.reset('plan-first');
    const early = await build(dockerfile);
    expect(early.error).toBeNull();
    expect(control.gaveUp).toBe(false);
    // The COPY after each RUN planned before the RUN's unmount; the WORKDIR comes after the settled COPY.
    expect(control.events).toEqual(['planned', 'unmounted', 'planned', 'planned', 'unmounted']);
    expect(await leftovers()).toEqual([]);

    control.reset('off');
    const late = await build(dockerfile);
    expect(late.error).toBeNull();
    expect(late.result!.fs.layers).toEqual(early.result!.fs.layers);
    expect(late.result!.imageId).toBe(early.result!.imageId);
    expect(await leftovers()).toEqual([]);
  });

  it('mounts a held RUN layer for a --chown lookup only once it is unmounted', async () => {
    control.reset('plan-first');
    const chown = await build('FROM busybox\nRUN echo x > /x\nCOPY --chown=nobody src/f /f\n');
    expect(chown.error).toBeNull();
    // The lookup's read view waited for the unmount; the plan ended after it.
    expect(control.events).toEqual(['unmounted', 'planned']);
    expect(control.gaveUp).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('fails the build naming the RUN whose unmount failed, leaves nothing behind and records nothing on it', async () => {
    control.reset('fail');
    const failed = await build('FROM busybox\nRUN echo three > /three\nCOPY src/f /f\n', false);
    expect(control.events).toEqual(['planned', 'unmounted']);
    expect(failed.error?.message).toBe('injected unmount failure');
    expect(failed.error).toMatchObject({ details: { line: 2, instruction: '[2/3] RUN echo three > /three' } });
    expect(await leftovers()).toEqual([]);

    control.reset('off');
    const again = await build('FROM busybox\nRUN echo three > /three\nCOPY src/f /f\n', false);
    expect(again.error).toBeNull();
    expect(cachedSteps(again.log)).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });
});
