// `tsbuild plan` against a store that has built the Dockerfile: `CACHED` for every step whose result
// the build cache holds, otherwise the reason for the miss from the plan the last build recorded.
// Real builds on the busybox fixture (root, runc), as the e2e tests do.

import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextStatCacheFile, StatCache } from '../../cache/index.js';
import { type PlanIo, run } from '../../cli/commands/plan/run.js';
import type { Store } from '../../image/index.js';
import {
  buildIn,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from '../e2e/helpers.js';

const dockerfile = [
  'FROM busybox',
  'COPY a.txt /a.txt',
  'RUN cat /a.txt > /b',
  'COPY b.txt /b.txt',
  'ARG V=1',
  'RUN echo $V > /v',
  'LABEL x=y',
  '',
].join('\n');

interface PlanOutput {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function planOf(store: Store, ctx: string, buildArgs: string[] = [], json = false): Promise<PlanOutput> {
  let out = '';
  let err = '';
  const io: PlanIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    readStdin: async () => '',
    env: { TSBUILD_ROOT: store.root },
  };
  const code = await run({ context: ctx, buildArgs, json }, io);
  return { code, out, err };
}

/** Dockerfile line → what the text output says after the instruction (`CACHED`, `MISS (…)` or ''). */
function statusByLine(text: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const line of text.split('\n')) {
    const m = /^ +(\d+) {2}(?:sha256:[0-9a-f]{64}|-) +.*?(?: {2}(CACHED|MISS \(.*\)))?$/.exec(line);
    if (m !== null) out[Number(m[1])] = m[2] ?? '';
  }
  return out;
}

describe.skipIf(isolationUnavailable() !== undefined)('tsbuild plan with a store', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let ctx: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: dockerfile },
      { path: 'a.txt', content: 'a\n' },
      { path: 'b.txt', content: 'b\n' },
    ]);
  });

  it('says `no previous build` before the first build', async () => {
    const plan = await planOf(store, ctx);
    expect([plan.code, plan.err]).toEqual([0, '']);
    const miss = 'MISS (no previous build)';
    expect(statusByLine(plan.out)).toEqual({ 2: miss, 3: miss, 4: miss, 5: '', 6: miss, 7: miss });
  });

  it('keeps its file digests in the store stat cache the build of the same context uses', async () => {
    // Files changed in the last 500 ms are never cached (their stamps could still change unseen).
    await new Promise((r) => setTimeout(r, 600));
    const plan = await planOf(store, ctx);
    expect(plan.code).toBe(0);
    const file = contextStatCacheFile(store.paths.cache, ctx);
    expect(await readdir(path.dirname(file))).toEqual([path.basename(file)]);
    const cache = await StatCache.open(file);
    // a.txt and b.txt, the files the COPY steps use.
    expect(cache.size).toBe(2);
  });

  it('shows every step CACHED after a build, in text and JSON', async () => {
    const built = await buildIn(store, ctx);
    expect(built.error).toBeNull();
    const recorded = (await readdir(path.join(store.paths.cache, 'plans'))).sort();
    expect(recorded).toEqual([
      expect.stringMatching(/^[0-9a-f]{64}\.json$/),
      expect.stringMatching(/^[0-9a-f]{64}\.key$/),
    ]);
    const plan = await planOf(store, ctx);
    expect([plan.code, plan.err]).toEqual([0, '']);
    const c = 'CACHED';
    expect(statusByLine(plan.out)).toEqual({ 2: c, 3: c, 4: c, 5: '', 6: c, 7: c });

    const json = JSON.parse((await planOf(store, ctx, [], true)).out);
    const steps = json.stages[0].steps as { line: number; status: string | null; reason: string | null }[];
    expect(steps.map((s) => [s.line, s.status, s.reason])).toEqual([
      [2, 'cached', null],
      [3, 'cached', null],
      [4, 'cached', null],
      [5, null, null],
      [6, 'cached', null],
      [7, 'cached', null],
    ]);
  });

  it('leaves the recorded plan alone when a build plans the same steps again', async () => {
    const dir = path.join(store.paths.cache, 'plans');
    const file = path.join(dir, (await readdir(dir)).find((n) => n.endsWith('.json')) ?? '');
    const before = await stat(file);
    expect((await buildIn(store, ctx)).error).toBeNull();
    const after = await stat(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('names the edited file for that COPY and every later step', async () => {
    await writeFile(path.join(ctx, 'a.txt'), 'edited\n');
    try {
      const plan = await planOf(store, ctx);
      const miss = 'MISS (inputs changed: a.txt)';
      expect(statusByLine(plan.out)).toEqual({ 2: miss, 3: miss, 4: miss, 5: '', 6: miss, 7: miss });
      const json = JSON.parse((await planOf(store, ctx, [], true)).out);
      expect(json.stages[0].steps[0]).toMatchObject({ line: 2, status: 'miss', reason: 'inputs changed: a.txt' });
    } finally {
      await writeFile(path.join(ctx, 'a.txt'), 'a\n');
    }
  });

  it('names a changed build-arg from the RUN in its scope on', async () => {
    const plan = await planOf(store, ctx, ['V=2']);
    const miss = 'MISS (environment changed: V=2)';
    expect(statusByLine(plan.out)).toEqual({ 2: 'CACHED', 3: 'CACHED', 4: 'CACHED', 5: '', 6: miss, 7: miss });
  });

  it('is all CACHED again once the changed build has run', async () => {
    expect((await buildIn(store, ctx, { buildArgs: { V: '2' } })).error).toBeNull();
    const c = 'CACHED';
    expect(statusByLine((await planOf(store, ctx, ['V=2'])).out)).toEqual({ 2: c, 3: c, 4: c, 5: '', 6: c, 7: c });
    // The V=1 results are still in the cache: going back is a hit, whatever the last build was.
    expect(statusByLine((await planOf(store, ctx)).out)).toEqual({ 2: c, 3: c, 4: c, 5: '', 6: c, 7: c });
  });
});
