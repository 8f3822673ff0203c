// ONBUILD: triggers of a base image or parent stage run right after FROM, with BuildKit's limits.

import { describe, expect, it } from 'vitest';
import { messages, planOf, stepsOf } from './helpers/scenario.js';

describe('ONBUILD', () => {
  it('runs the base image triggers first, in order, at the FROM line', async () => {
    const result = await planOf('# base\nFROM base\nRUN own\n', {
      images: { base: { config: { OnBuild: ['RUN echo one', 'ENV A=1'] } } },
    });
    const steps = stepsOf(result);
    expect(steps.map((s) => [s.kind, s.line, s.onbuild, s.instruction])).toEqual([
      ['run', 2, true, 'RUN echo one'],
      ['env', 2, true, 'ENV A=1'],
      ['run', 3, false, 'RUN own'],
    ]);
    expect(result.plan?.stages[0].config.OnBuild).toBeNull();
  });

  it('a stage ONBUILD applies to stages built FROM it, not further down', async () => {
    const result = await planOf(
      'FROM busybox AS base\nONBUILD RUN touch /x\nFROM base AS mid\nRUN a\nFROM mid\nRUN b\n',
    );
    expect(stepsOf(result, 'base').map((s) => s.kind)).toEqual(['onbuild']);
    expect(result.plan?.stages[0].config.OnBuild).toEqual(['RUN touch /x']);
    expect(stepsOf(result, 'mid').map((s) => [s.instruction, s.onbuild, s.line])).toEqual([
      ['RUN touch /x', true, 3],
      ['RUN a', false, 4],
    ]);
    expect(stepsOf(result).map((s) => s.instruction)).toEqual(['RUN b']);
  });

  it('a trigger that copies from a stage pulls that stage into the plan', async () => {
    const result = await planOf(
      'FROM busybox AS src\nRUN mk\nFROM busybox AS base\nONBUILD COPY --from=src /in/file /out/foo\nFROM base AS mid\nRUN cp\n',
    );
    expect(result.plan?.stages.map((s) => s.name)).toEqual(['src', 'base', 'mid']);
    expect(stepsOf(result, 'mid')[0].inputs).toMatchObject([{ type: 'stage', name: 'src' }]);
  });

  it.each([
    ['ONBUILD ONBUILD RUN x', "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"],
    ['ONBUILD FROM scratch', "FROM isn't allowed as an ONBUILD trigger"],
    ['ONBUILD MAINTAINER me', "MAINTAINER isn't allowed as an ONBUILD trigger"],
  ])('%s is an error', async (line, message) => {
    expect(messages(await planOf(`FROM busybox\n${line}\n`))).toEqual([`error 2:1 ${message}`]);
  });

  it.each([
    ['ENV', 'ENV requires at least one argument'],
    ['RUN --bogus true', 'unknown flag: --bogus'],
    ['STOPSIGNAL SIGFOO', 'invalid signal: SIGFOO'],
  ])('a base image trigger %j is checked as an instruction of the Dockerfile is', async (trigger, message) => {
    const result = await planOf('FROM base\n', { images: { base: { config: { OnBuild: [trigger] } } } });
    expect(messages(result)).toEqual([expect.stringContaining(message)]);
  });

  it('a forbidden trigger in a base image config fails at the FROM', async () => {
    const result = await planOf('FROM scratch\nFROM base\n', {
      images: { base: { config: { OnBuild: ['FROM alpine'] } } },
    });
    expect(messages(result)).toEqual(["error 2:1 FROM isn't allowed as an ONBUILD trigger"]);
  });
});
