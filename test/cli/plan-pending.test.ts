// `tsbuild plan` on steps keyed by content read from another stage (RUN --mount=from=<stage>, COPY
// --from=<stage>) and everything built on them: their keys are completed by the build, so plan says PENDING
// (JSON `pending`) rather than MISS, and marks them `keyPending` in the JSON even without a store.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlanIo, run } from '../../cli/commands/plan/run.js';
import { Store } from '../../image/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox } from '../e2e/helpers.js';

const dockerfile = (from: string) =>
  [
    `FROM ${from} AS build`,
    'COPY a.txt /out/a.txt',
    `FROM ${from} AS use`,
    'RUN --mount=from=build,src=out,target=/out cat /out/a.txt > /seen',
    'ENV A=1',
    'RUN cat /seen > /seen2',
    'FROM scratch',
    'COPY --from=use /seen2 /seen2',
    '',
  ].join('\n');

const pending = 'PENDING (keyed by content read from another stage)';

async function planOf(ctx: string, root: string, json: boolean): Promise<{ code: number; out: string; err: string }> {
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
    env: { TSBUILD_ROOT: root },
  };
  const code = await run({ context: ctx, buildArgs: [], json }, io);
  return { code, out, err };
}

/** Dockerfile line → what the text output says after the instruction. */
function statusByLine(text: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const line of text.split('\n')) {
    const m = /^ +(\d+) {2}sha256:[0-9a-f]{64} +.*?(?: {2}(CACHED|(?:MISS|PENDING) \(.*\)))?$/.exec(line);
    if (m !== null) out[Number(m[1])] = m[2] ?? '';
  }
  return out;
}

describe('tsbuild plan with pending keys', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-plan-pending-'));
    await writeFile(join(dir, 'Dockerfile'), dockerfile('scratch'));
    await writeFile(join(dir, 'a.txt'), 'a\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('marks pending steps and stages in the JSON; without a store no step has a status', async () => {
    const plan = await planOf(dir, join(dir, 'no-store'), true);
    expect([plan.code, plan.err]).toEqual([0, '']);
    const json = JSON.parse(plan.out);
    const steps = json.stages.flatMap((s: { steps: unknown[] }) => s.steps) as {
      line: number;
      keyPending: boolean;
      status: string | null;
    }[];
    expect(steps.map((s) => [s.line, s.keyPending, s.status])).toEqual([
      [2, false, null],
      [4, true, null],
      [5, true, null],
      [6, true, null],
      [8, true, null],
    ]);
    expect(json.stages.map((s: { keyPending: boolean }) => s.keyPending)).toEqual([false, true, true]);
  });

  it('says PENDING for a COPY --from=<stage> (keyed by the copied content) and the steps after it', async () => {
    const copyDir = await mkdtemp(join(tmpdir(), 'tsbuild-plan-pending-copy-'));
    try {
      const text = 'FROM scratch AS build\nCOPY a.txt /a\nFROM scratch\nCOPY --from=build /a /b\nCOPY a.txt /c\n';
      await writeFile(join(copyDir, 'Dockerfile'), text);
      await writeFile(join(copyDir, 'a.txt'), 'a\n');
      const root = join(copyDir, 'store');
      await Store.open(root);
      const plan = await planOf(copyDir, root, false);
      expect([plan.code, plan.err]).toEqual([0, '']);
      expect(statusByLine(plan.out)).toEqual({ 2: 'MISS (no previous build)', 4: pending, 5: pending });
    } finally {
      await rm(copyDir, { recursive: true, force: true });
    }
  });

  it('says PENDING, not MISS, for them when there is a store', async () => {
    const root = join(dir, 'store');
    await Store.open(root);
    const text = await planOf(dir, root, false);
    expect([text.code, text.err]).toEqual([0, '']);
    expect(statusByLine(text.out)).toEqual({
      2: 'MISS (no previous build)',
      4: pending,
      5: pending,
      6: pending,
      8: pending,
    });
    const json = JSON.parse((await planOf(dir, root, true)).out);
    const use = json.stages[1].steps as { status: string; reason: string }[];
    expect(use.map((s) => [s.status, s.reason])).toEqual([
      ['pending', 'keyed by content read from another stage'],
      ['pending', 'keyed by content read from another stage'],
      ['pending', 'keyed by content read from another stage'],
    ]);
  });
});

describe.skipIf(isolationUnavailable() !== undefined)('tsbuild plan after a build with a stage mount', () => {
  afterAll(removeFreshDirs);

  it('says CACHED for steps whose keys a build completed from content it remembers; PENDING when it cannot', async () => {
    const store = await storeWithBusybox();
    const ctx = await freshDir('c');
    await writeFile(join(ctx, 'Dockerfile'), dockerfile('busybox'));
    await writeFile(join(ctx, 'a.txt'), 'a\n');
    expect((await buildIn(store, ctx)).error).toBeNull();
    const text = await planOf(ctx, store.root, false);
    expect([text.code, text.err]).toEqual([0, '']);
    expect(statusByLine(text.out)).toEqual({ 2: 'CACHED', 4: 'CACHED', 5: 'CACHED', 6: 'CACHED', 8: 'CACHED' });

    // Without the remembered content digests, plan reads no layer to find them: the keys stay pending.
    await rm(join(store.paths.cache, 'mount-content'), { recursive: true });
    await rm(join(store.paths.cache, 'copy-content'), { recursive: true });
    const unknown = await planOf(ctx, store.root, false);
    expect(statusByLine(unknown.out)).toEqual({ 2: 'CACHED', 4: pending, 5: pending, 6: pending, 8: pending });
    expect((await buildIn(store, ctx)).error).toBeNull();

    // The mounted stage changed: it misses, and what reads it cannot be known before it is built.
    await writeFile(join(ctx, 'a.txt'), 'b\n');
    const changed = await planOf(ctx, store.root, false);
    expect(statusByLine(changed.out)).toEqual({
      2: 'MISS (inputs changed: a.txt)',
      4: pending,
      5: pending,
      6: pending,
      8: pending,
    });
  }, 60_000);
});
