// The times of a committed image config as BuildKit writes them (Go's time.Time form): `created` and every
// history entry, a base image's entries included, without `.000` and with nanoseconds kept.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitImage } from '../../executor/build/image-commit.js';
import type { StageResult } from '../../executor/build/stage-runner.js';
import { type HistoryEntry, putLayer } from '../../image/index.js';
import type { PlanStage } from '../../planner/index.js';
import { type TempStore, tempStore } from '../cli/image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const stage = {
  name: null,
  index: 0,
  base: { type: 'scratch' },
  platform: { os: 'linux', architecture: 'amd64' },
  line: 1,
  steps: [],
  config: { Env: ['PATH=/bin'] },
  fsKey: 'sha256:f',
  imageKey: 'sha256:i',
} as unknown as PlanStage;

async function committedConfig(
  history: HistoryEntry[],
  epoch: number | null,
  now: number,
  noCache = false,
): Promise<string> {
  const layer = await putLayer(t.store, [{ path: 'a', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0 }]);
  const result: StageResult = {
    fs: {
      layers: [
        {
          digest: layer.descriptor.digest,
          size: layer.descriptor.size,
          mediaType: layer.descriptor.mediaType,
          diffId: layer.diffId,
        },
      ],
    },
    history,
  };
  const image = await commitImage(t.store, stage, result, {
    labels: {},
    epoch,
    now,
    tags: [],
    keepUntagged: true,
    noCache,
  });
  return (await t.store.readBlob(image.configDigest)).toString('utf8');
}

describe('commitImage times', () => {
  it('writes created and history in Go’s form: a base image’s `.000Z` and trailing zeros re-encoded', async () => {
    const config = JSON.parse(
      await committedConfig(
        [
          { created: '2024-01-01T00:00:00.000Z', comment: 'Imported from -' },
          {
            created: '2023-12-08T19:17:58.873925460Z',
            created_by: 'RUN x # buildkit',
            comment: 'buildkit.dockerfile.v0',
          },
          { created: '2024-02-01T10:00:00.120Z', created_by: 'COPY a / # buildkit', comment: 'buildkit.dockerfile.v0' },
        ],
        null,
        1_700_000_000,
      ),
    ) as { created: string; history: HistoryEntry[] };
    // Without SOURCE_DATE_EPOCH the image is as old as its last history entry (BuildKit's patchImageConfig).
    expect(config.created).toBe('2024-02-01T10:00:00.12Z');
    expect(config.history.map((h) => h.created)).toEqual([
      '2024-01-01T00:00:00Z',
      '2023-12-08T19:17:58.87392546Z',
      '2024-02-01T10:00:00.12Z',
    ]);
  });

  it('gives config steps the time of the layer before them, as docker build (BuildKit) does', async () => {
    const base = { created: '2024-01-01T00:00:00Z', comment: 'Imported from -' };
    const config = (created_by: string): HistoryEntry => ({
      created_by,
      comment: 'buildkit.dockerfile.v0',
      empty_layer: true,
    });
    const layer = (created_by: string, created: string): HistoryEntry => ({
      created,
      created_by,
      comment: 'buildkit.dockerfile.v0',
    });
    const history = [
      base,
      config('ENV A=1'),
      layer('COPY a / # buildkit', '2024-03-01T00:00:00Z'),
      config('EXPOSE [80/tcp]'),
      layer('RUN x # buildkit', '2024-04-01T00:00:00Z'),
      config('CMD ["x"]'),
    ];
    const built = JSON.parse(await committedConfig(history, null, 1_700_000_000)) as {
      created: string;
      history: HistoryEntry[];
    };
    // Before the first new layer: that layer's time (a cached COPY's); after a layer: that layer's.
    expect(built.history.map((h) => h.created)).toEqual([
      '2024-01-01T00:00:00Z',
      '2024-03-01T00:00:00Z',
      '2024-03-01T00:00:00Z',
      '2024-03-01T00:00:00Z',
      '2024-04-01T00:00:00Z',
      '2024-04-01T00:00:00Z',
    ]);
    expect(built.created).toBe('2024-04-01T00:00:00Z');
    // Only config steps on a base image: the base's last time, for the entries and the image alike.
    const onBase = JSON.parse(await committedConfig([base, config('ENV A=1')], null, 1_700_000_000, true)) as {
      created: string;
      history: HistoryEntry[];
    };
    expect(onBase.history.map((h) => h.created)).toEqual(['2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z']);
    expect(onBase.created).toBe('2024-01-01T00:00:00Z');
  });

  it('with SOURCE_DATE_EPOCH, the config bytes are exactly BuildKit’s form', async () => {
    const text = await committedConfig(
      [
        {
          created: '2023-11-14T22:13:20Z',
          created_by: 'ENV a=b',
          comment: 'buildkit.dockerfile.v0',
          empty_layer: true,
        },
      ],
      1_700_000_000,
      1_800_000_000,
    );
    expect(text).toContain('"created":"2023-11-14T22:13:20Z"');
    expect(text).toContain('"history":[{"created":"2023-11-14T22:13:20Z","created_by":"ENV a=b"');
    expect(text).not.toContain('.000Z');
  });
});
