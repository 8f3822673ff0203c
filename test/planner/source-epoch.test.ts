// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Dockerfile text, not templates
// SOURCE_DATE_EPOCH naming a stage (BuildKit's dockerfile2llb/epoch.go): only a source-only stage
// (FROM scratch, ARGs, one remote ADD) qualifies; its download dates the build through the resolver.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultFileReader, snapshotContext } from '../../cache/index.js';
import {
  MemoryImageResolver,
  type PlanResult,
  plan,
  type SourceEpochResolver,
  snapshotSource,
} from '../../planner/index.js';
import { parseDockerfile } from './helpers/parse.js';
import { AMD64, messages, stepsOf } from './helpers/scenario.js';

interface Planned {
  readonly result: PlanResult;
  readonly asked: { url: string; checksum: string | null }[];
}

async function planWith(
  dockerfile: string,
  buildArgs: Record<string, string> = {},
  epoch: number | null | 'none' = 1_700_000_402,
): Promise<Planned> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-epoch-'));
  const asked: Planned['asked'] = [];
  const resolver: SourceEpochResolver = {
    async httpEpoch(url, checksum) {
      asked.push({ url, checksum });
      return epoch === 'none' ? null : epoch;
    },
  };
  try {
    const images = new MemoryImageResolver();
    images.add('busybox', { config: { Env: ['PATH=/bin'] } });
    const result = await plan(
      parseDockerfile(dockerfile).ast,
      { buildArgs, targetPlatform: AMD64, buildPlatform: AMD64 },
      {
        context: snapshotSource(await snapshotContext(dir, { readFile: defaultFileReader })),
        images,
        ...(epoch === 'none' ? {} : { sourceEpoch: resolver }),
      },
    );
    return { result, asked };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const runEnv = (result: PlanResult): readonly string[] => {
  const steps = stepsOf(result);
  const op = steps[steps.length - 1].operation;
  if (op.type !== 'run') throw new Error('last step is not a RUN');
  return op.env;
};

describe('SOURCE_DATE_EPOCH naming a stage', () => {
  it('dates the build by the stage ADD and replaces the value RUN sees', async () => {
    const { result, asked } = await planWith(
      'ARG SOURCE_DATE_EPOCH=mysource\nFROM scratch AS mysource\nADD http://h/src.tar /\n' +
        'FROM busybox\nARG SOURCE_DATE_EPOCH\nRUN true\n',
    );
    expect(messages(result)).toEqual([]);
    expect(result.plan?.epoch).toBe(1_700_000_402);
    expect(asked).toEqual([{ url: 'http://h/src.tar', checksum: null }]);
    expect(runEnv(result)).toEqual(['PATH=/bin', 'SOURCE_DATE_EPOCH=1700000402']);
    // The source stage is not part of the build.
    expect(result.plan?.stages.map((s) => s.name)).toEqual([null]);
  });

  it('matches the stage name case-insensitively and expands stage ARGs in the URL and checksum', async () => {
    const { result, asked } = await planWith(
      'ARG SOURCE_DATE_EPOCH=MySource\nFROM scratch AS mysource\nARG V=1\nARG SUM\n' +
        'ADD --checksum=$SUM http://h/src-${V}.tar /\nFROM scratch\nCOPY --from=mysource / /\n',
      { SUM: 'sha256:00' },
    );
    expect(messages(result)).toEqual([]);
    expect(asked).toEqual([{ url: 'http://h/src-1.tar', checksum: 'sha256:00' }]);
    expect(result.plan?.stages[1].steps[0].operation).toMatchObject({ type: 'copy', epoch: 1_700_000_402 });
  });

  it('a build-arg number wins over the stage, which is then not downloaded', async () => {
    const { result, asked } = await planWith(
      'ARG SOURCE_DATE_EPOCH=mysource\nFROM scratch AS mysource\nADD http://h/src.tar /\nFROM scratch\n',
      { SOURCE_DATE_EPOCH: '1700000502' },
    );
    expect(result.plan?.epoch).toBe(1_700_000_502);
    expect(asked).toEqual([]);
  });

  it('a source without a date gives no epoch, and the ARG becomes empty', async () => {
    const { result } = await planWith(
      'ARG SOURCE_DATE_EPOCH=mysource\nFROM scratch AS mysource\nADD http://h/src.tar /\n' +
        'FROM busybox\nARG SOURCE_DATE_EPOCH\nRUN true\n',
      {},
      null,
    );
    expect(result.plan?.epoch).toBeNull();
    expect(runEnv(result)).toEqual(['PATH=/bin', 'SOURCE_DATE_EPOCH=']);
  });

  it('without a resolver the stage is still checked but dates nothing', async () => {
    const ok = await planWith(
      'ARG SOURCE_DATE_EPOCH=mysource\nFROM scratch AS mysource\nADD http://h/src.tar /\nFROM scratch\n',
      {},
      'none',
    );
    expect(ok.result.plan?.epoch).toBeNull();
    const bad = await planWith(
      'ARG SOURCE_DATE_EPOCH=mysource\nFROM scratch AS mysource\nRUN true\nFROM scratch\n',
      {},
      'none',
    );
    expect(messages(bad.result)).toEqual([
      'error 2:1 SOURCE_DATE_EPOCH stage does not meet source-only requirements: unsupported run instruction',
    ]);
  });

  const invalid: [string, string, string][] = [
    [
      'a COPY',
      'FROM scratch AS mysource\nCOPY Dockerfile /Dockerfile\n',
      'error 2:1 SOURCE_DATE_EPOCH stage does not meet source-only requirements: unsupported copy instruction',
    ],
    [
      'an image base',
      'FROM busybox AS mysource\nADD http://h/a /\n',
      'error 2:1 SOURCE_DATE_EPOCH stage must use FROM scratch',
    ],
    [
      'two ADDs',
      'FROM scratch AS mysource\nADD http://h/a /\nADD http://h/b /\n',
      'error 2:1 SOURCE_DATE_EPOCH stage must contain exactly one remote ADD',
    ],
    [
      'no ADD',
      'FROM scratch AS mysource\nARG A=1\n',
      'error 2:1 SOURCE_DATE_EPOCH stage must contain exactly one remote ADD',
    ],
    [
      'two sources',
      'FROM scratch AS mysource\nADD http://h/a http://h/b /d/\n',
      'error 2:1 SOURCE_DATE_EPOCH stage must contain exactly one remote ADD source',
    ],
    [
      'a local source',
      'FROM scratch AS mysource\nADD src.tar /\n',
      'error 2:1 SOURCE_DATE_EPOCH stage source must be a single HTTP(S) or Git ADD',
    ],
  ];
  for (const [what, stage, message] of invalid) {
    it(`a stage with ${what} is rejected at its FROM`, async () => {
      const { result, asked } = await planWith(`ARG SOURCE_DATE_EPOCH=mysource\n${stage}FROM scratch\n`);
      expect(result.plan).toBeNull();
      expect(messages(result)).toEqual([message]);
      expect(asked).toEqual([]);
    });
  }

  it('a name that is neither a number, `context` nor a stage is invalid', async () => {
    const { result } = await planWith('ARG SOURCE_DATE_EPOCH=nosuch\nFROM scratch AS mysource\n');
    expect(messages(result)).toEqual(['error 1:1 invalid SOURCE_DATE_EPOCH: nosuch']);
  });
});
