// SOURCE_DATE_EPOCH naming a stage whose one ADD is a git repository (BuildKit's epoch.go): the ref resolved as
// for ADD (checksum and keep-git-dir included), the build dated by the committer time of the commit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultFileReader, snapshotContext } from '../../cache/index.js';
import {
  type GitCheckout,
  type GitResolver,
  MemoryImageResolver,
  type PlanResult,
  plan,
  type SourceEpochResolver,
  snapshotSource,
} from '../../planner/index.js';
import { parseDockerfile } from './helpers/parse.js';
import { AMD64, messages } from './helpers/scenario.js';

const SHA = 'a'.repeat(40);

async function planWith(dockerfile: string): Promise<{ result: PlanResult; dated: GitCheckout[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-epoch-git-'));
  const dated: GitCheckout[] = [];
  const git: GitResolver = {
    async resolve(_remote, ref) {
      if (ref !== '' && ref !== 'main') throw new Error(`no ref ${ref}`);
      return { ref: 'refs/heads/main', sha: SHA };
    },
  };
  const sourceEpoch: SourceEpochResolver = {
    httpEpoch: async () => null,
    async gitEpoch(checkout) {
      dated.push(checkout);
      return 1_650_000_000;
    },
  };
  try {
    const result = await plan(
      parseDockerfile(dockerfile).ast,
      { targetPlatform: AMD64, buildPlatform: AMD64 },
      {
        context: snapshotSource(await snapshotContext(dir, { readFile: defaultFileReader })),
        images: new MemoryImageResolver(),
        sourceEpoch,
        git,
      },
    );
    return { result, dated };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('SOURCE_DATE_EPOCH naming a git source stage', () => {
  it('is the committer time of the commit the ref resolves to', async () => {
    const { result, dated } = await planWith(
      'ARG SOURCE_DATE_EPOCH=src\nFROM scratch AS src\nADD --keep-git-dir https://h/r.git#main /\nFROM scratch\nCOPY --from=src / /\n',
    );
    expect(messages(result)).toEqual([]);
    expect(result.plan?.epoch).toBe(1_650_000_000);
    expect(dated).toMatchObject([{ remote: 'https://h/r.git', ref: 'refs/heads/main', commit: SHA, keepGitDir: true }]);
  });

  it('reports a ref the remote lacks and a checksum that does not match at the stage', async () => {
    const missing = await planWith('ARG SOURCE_DATE_EPOCH=src\nFROM scratch AS src\nADD https://h/r.git#nope /\n');
    expect(messages(missing.result)).toEqual(['error 2:1 no ref nope']);
    const bad = await planWith(
      `ARG SOURCE_DATE_EPOCH=src\nFROM scratch AS src\nADD --checksum=${'b'.repeat(40)} https://h/r.git /\n`,
    );
    expect(messages(bad.result)).toEqual([`error 2:1 expected checksum to match ${'b'.repeat(40)}, got ${SHA}`]);
  });
});
