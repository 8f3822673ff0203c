// Which records a cache import keeps for steps whose keys are pending (keyed by the content of a stage mount),
// how many, and that a record's completion must make its key; which keys an export names them by.
import { describe, expect, it } from 'vitest';
import { completionKey, type KeyCompletion } from '../../executor/build/content-key.js';
import type { CompletedStep } from '../../executor/build/stage-runner.js';
import { pendingVariantLimit, wantedRecords } from '../../executor/cache-transfer/apply.js';
import { type CacheRecord, encodeCacheConfig, parseCacheConfig } from '../../executor/cache-transfer/format.js';
import { exportScope, importScope } from '../../executor/cache-transfer/scope.js';
import type { Digest } from '../../image/index.js';
import { planOf } from '../planner/helpers/scenario.js';

const hex = (c: string) => `sha256:${c.repeat(64)}` as Digest;

function stepRecord(key: Digest, created: string, completion?: KeyCompletion): CacheRecord {
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: hex('e'), size: 1 };
  return {
    key,
    kind: 'step',
    layers: [{ ...layer, annotations: { 'dev.tsbuild.diff-id': hex('e') } }],
    created,
    ...(completion === undefined ? {} : { completion }),
  };
}

function completing(planned: string, content: string): { key: Digest; completion: KeyCompletion } {
  const completion = { planned, parent: hex('9'), inputs: [content] };
  return { key: completionKey(completion) as Digest, completion };
}

describe('wantedRecords', () => {
  it('keeps plan keys, completions of pending keys (newest first, bounded) and nothing else', () => {
    const variants = Array.from({ length: pendingVariantLimit + 2 }, (_, i) => {
      const { key, completion } = completing(hex('a'), hex(String(i)));
      return stepRecord(key, `2026-01-0${i + 1}T00:00:00.000Z`, completion);
    });
    const other = completing(hex('b'), hex('1'));
    const records = [
      stepRecord(hex('c'), '2026-01-01T00:00:00.000Z'),
      stepRecord(hex('d'), '2026-01-01T00:00:00.000Z'),
      stepRecord(other.key, '2026-01-01T00:00:00.000Z', other.completion),
      ...variants,
    ];
    const kept = wantedRecords(records, { steps: new Set([hex('c')]), pending: new Set([hex('a')]) });
    expect(kept.map((r) => r.key)).toEqual([
      hex('c'),
      ...variants
        .slice(-pendingVariantLimit)
        .reverse()
        .map((r) => r.key),
    ]);
  });
});

describe('cache config completions', () => {
  it('round-trip when the key is made of them, and refuse the source when it is not', () => {
    const { key, completion } = completing(hex('a'), 'missing');
    const good = encodeCacheConfig([stepRecord(key, 'now', completion)]);
    expect(parseCacheConfig(good, 'cache').records).toEqual([stepRecord(key, 'now', completion)]);
    const forged = encodeCacheConfig([stepRecord(hex('f'), 'now', completion)]);
    expect(() => parseCacheConfig(forged, 'cache')).toThrow(
      `cache: records[0].completion does not make the key ${hex('f')}`,
    );
    const bad = encodeCacheConfig([stepRecord(key, 'now', { ...completion, inputs: ['../x'] })]);
    expect(() => parseCacheConfig(bad, 'cache')).toThrow('cache: records[0].completion.inputs[0]: invalid cache key');
  });
});

describe('scopes of a plan with a stage mount', () => {
  const dockerfile =
    'FROM busybox AS build\nRUN mkdir out\nFROM busybox AS use\nRUN --mount=from=build,src=out,target=/o echo\n' +
    'ENV A=1\nRUN echo two\n';

  it('imports by final keys and pending planned keys; exports completed keys only', async () => {
    const plan = (await planOf(dockerfile)).plan!;
    const [build, use] = plan.stages;
    const scope = importScope(plan);
    expect([...scope.steps]).toEqual([build.steps[0].cacheKey]);
    expect([...scope.pending]).toEqual([use.steps[0].cacheKey, use.steps[2].cacheKey]);

    const completed: CompletedStep[] = [
      { step: use.steps[0], ...completing(use.steps[0].cacheKey as string, hex('1')) },
    ];
    const exported = exportScope(plan, use, () => true, hex('m'), hex('i'), completed);
    // The RUN after it was not completed (say the build failed there): it is left out, not named as planned.
    expect(exported.maxKeys).toEqual([build.steps[0].cacheKey, completed[0].key]);
    expect(exported.minKeys).toEqual([completed[0].key]);
    expect([...exported.completions]).toEqual([[completed[0].key, completed[0].completion]]);
  });
});
