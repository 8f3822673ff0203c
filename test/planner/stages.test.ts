// The stage graph: --target, pruning, references between stages, cycles and ordering errors.

import { describe, expect, it } from 'vitest';
import { messages, planOf, stepsOf } from './helpers/scenario.js';

const names = (result: Awaited<ReturnType<typeof planOf>>) => result.plan?.stages.map((s) => s.name ?? s.index);

describe('stages', () => {
  it('plans only the stages the target needs, in Dockerfile order', async () => {
    const dockerfile =
      'FROM busybox AS a\nRUN a\nFROM busybox AS unused\nCOPY missing /\nFROM a AS b\nRUN b\nFROM scratch AS c\nCOPY --from=b /x /x\n';
    expect(names(await planOf(dockerfile))).toEqual(['a', 'b', 'c']);
    expect(names(await planOf(dockerfile, { target: 'b' }))).toEqual(['a', 'b']);
    expect(messages(await planOf(dockerfile, { target: 'unused' }))).toEqual([
      'error 4:1 failed to compute cache key: failed to calculate checksum of ref local::context: "/missing": not found',
    ]);
  });

  it('an unknown --target is an error with a suggestion', async () => {
    const result = await planOf('FROM scratch AS build\nFROM scratch\n', { target: 'bulid' });
    expect(messages(result)).toEqual(['error 1:1 target stage "bulid" could not be found (did you mean build?)']);
  });

  it('stage names are case-insensitive', async () => {
    const result = await planOf(
      'FROM scratch AS STAge0\nCOPY foo bar\nFROM scratch AS staGE1\nCOPY --from=staGE0 bar baz\nFROM scratch\nCOPY --from=stage1 baz bax\n',
      {
        files: { foo: { content: 'foo-contents' } },
        target: 'Stage1',
      },
    );
    expect(names(result)).toEqual(['STAge0', 'staGE1']);
    expect(stepsOf(result, 'staGE1')[0].inputs).toEqual([
      { type: 'stage', index: 0, name: 'STAge0', paths: ['bar'], key: result.plan?.stages[0].fsKey },
    ]);
  });

  it('a stage built FROM another inherits its environment, workdir, user and ARG declarations', async () => {
    const result = await planOf('FROM busybox AS base\nARG V=1\nENV E=2\nWORKDIR /w\nUSER u\nFROM base\nRUN x\n');
    const run = stepsOf(result)[0].operation;
    expect(run.type === 'run' && [run.env, run.workdir, run.user]).toEqual([['PATH=/bin', 'V=1', 'E=2'], '/w', 'u']);
    expect(result.plan?.stages[1].base).toEqual({ type: 'stage', index: 0, name: 'base' });
  });

  it('COPY --from a name that is no stage reads an image', async () => {
    const result = await planOf('FROM scratch\nCOPY --from=busybox /etc/passwd test\n');
    expect(stepsOf(result)[0].inputs).toEqual([
      { type: 'image', ref: 'docker.io/library/busybox:latest', paths: ['/etc/passwd'] },
    ]);
  });

  it('COPY --from=<index> refers to a stage by position', async () => {
    const result = await planOf('FROM busybox\nRUN a\nFROM scratch\nCOPY --from=0 /a /a\n');
    expect(stepsOf(result)[0].operation).toMatchObject({ type: 'copy', from: { type: 'stage', index: 0 } });
  });

  it('an out-of-range stage index is an error at the flag', async () => {
    expect(messages(await planOf('FROM scratch\nCOPY --from=3 /a /a\n'))).toEqual(['error 2:6 invalid stage index 3']);
  });

  it('copying from a stage defined later is an error', async () => {
    const result = await planOf(
      'FROM busybox AS target\nCOPY --from=build / /out\n\nFROM alpine AS build\nCOPY /Dockerfile /d2\n\nFROM target\n',
      {
        files: { Dockerfile: { content: 'x' } },
        images: { busybox: { config: {} }, alpine: { config: {} } },
      },
    );
    expect(messages(result)).toEqual([
      'error 2:6 cannot copy from stage "build", it needs to be defined before current stage "target"',
    ]);
  });

  it('a stage that copies from itself is a cycle', async () => {
    expect(messages(await planOf('FROM busybox AS a\nCOPY --from=a /x /y\n'))).toEqual([
      'error 2:6 circular dependency detected on stage: a',
    ]);
  });

  it('--from does not expand variables', async () => {
    expect(messages(await planOf('FROM scratch\nCOPY --from=$FOO . .\n'))).toEqual([
      'error 2:6 variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround',
    ]);
  });

  it('a Dockerfile without FROM has no stages', async () => {
    expect(messages(await planOf('ARG foo=bar\n'))).toEqual(['error 1:1 dockerfile contains no stages to build']);
  });

  it('only ARG may come before the first FROM', async () => {
    expect(messages(await planOf('RUN x\nFROM scratch\n'))).toEqual(['error 1:1 no build stage in current context']);
  });

  it('an empty base name is an error (a declared global ARG without value is no warning)', async () => {
    expect(messages(await planOf('ARG B\nFROM $B\n'))).toEqual(['error 2:1 base name ($B) should not be blank']);
  });

  it('keys do not depend on stage names or positions', async () => {
    const tail = 'FROM scratch\nCOPY --from=1 /a /a\nCOPY --from=0 /b /b\n';
    const a = await planOf(`FROM busybox AS one\nRUN x\nFROM busybox AS two\nRUN y\n${tail}`);
    const b = await planOf(`FROM busybox AS deux\nRUN y\nFROM busybox AS un\nRUN x\n${tail}`);
    expect(stepsOf(a, 'one')[0].cacheKey).toBe(stepsOf(b, 'un')[0].cacheKey);
    expect(stepsOf(a, 'two')[0].cacheKey).toBe(stepsOf(b, 'deux')[0].cacheKey);
  });
});
