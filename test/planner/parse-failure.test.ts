// An instruction that does not parse fails the build as BuildKit words it: `dockerfile parse error on line N: …`,
// located at every line of the instruction; errors BuildKit raises later (dispatch, ONBUILD triggers) keep theirs.
import { describe, expect, it } from 'vitest';
import { planOf } from './helpers/scenario.js';

const failure = async (dockerfile: string, extra: Parameters<typeof planOf>[1] = {}) => {
  const result = await planOf(dockerfile, extra);
  expect(result.plan).toBeNull();
  const f = result.failure;
  return f === undefined ? null : { message: f.message, lines: [f.range.start.line, f.range.end.line] };
};

describe('parse failures', () => {
  it('word unknown instructions, flags and missing arguments as BuildKit, at the whole instruction', async () => {
    expect(await failure('FROM busybox\nRUN echo ok\nCOPPY a /a\n')).toEqual({
      message: 'dockerfile parse error on line 3: unknown instruction: COPPY (did you mean COPY?)',
      lines: [3, 3],
    });
    expect(await failure('FROM busybox\nRUN --mont=type=tmpfs,target=/t \\\n  true\n')).toEqual({
      message: 'dockerfile parse error on line 2: unknown flag: --mont (did you mean mount?)',
      lines: [2, 3],
    });
    expect(await failure('FROM busybox\nCOPY a\n')).toEqual({
      message:
        'dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined',
      lines: [2, 2],
    });
    expect(await failure('FROM busybox AS 1bad\n')).toEqual({
      message:
        'dockerfile parse error on line 1: invalid name for build stage: "1bad", name can\'t start with a number or contain symbols',
      lines: [1, 1],
    });
  });

  it('leaves errors of later phases as they are', async () => {
    expect(await failure('FROM busybox\nEXPOSE 80/xyz\n')).toBeNull();
    const images = { parent: { config: { OnBuild: ['COPY a'] } } };
    expect(await failure('FROM parent\n', { images })).toBeNull();
  });
});
