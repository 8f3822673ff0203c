// RUN --mount=from=<stage> and COPY --from=<stage>: the planned key leaves the stage out (the executor adds
// the content of the mounted path or of the copied files) and is marked pending, as is everything built on
// it; other plans are unchanged.

import { describe, expect, it } from 'vitest';
import { keysOf, planOf } from './helpers/scenario.js';

const files = { cachebust: { content: '0' } };

const dockerfile = (buildStage: string) =>
  `FROM busybox AS build\n${buildStage}\n` +
  'FROM busybox AS use\nRUN --mount=from=build,src=out,target=/out echo\nRUN echo two\nENV A=1\n' +
  'FROM use AS grandchild\nRUN echo three\n' +
  'FROM scratch\nCOPY --from=use /x /x\nCOPY --link --from=grandchild /y /y\nCOPY --link --from=build /z /z\n';

describe('keys of RUN --mount=from=<stage>', () => {
  it('do not depend on how the mounted stage was built', async () => {
    const a = keysOf(await planOf(dockerfile('COPY cachebust /\nRUN mkdir out'), { files }));
    const b = keysOf(await planOf(dockerfile('RUN mkdir -p out'), { files }));
    expect(a.get('build.1')).not.toBe(b.get('build.0'));
    // A COPY --from=build as well: it is keyed by the content it copies.
    for (const label of ['use.0', 'use.1', 'grandchild.0', '3.0', '3.1', '3.2'])
      expect(a.get(label)).toBe(b.get(label));
  });

  it('are pending, and so is what is built on them', async () => {
    const result = await planOf(dockerfile('COPY cachebust /\nRUN mkdir out'), { files });
    const pending = (result.plan?.stages ?? []).flatMap((stage) =>
      stage.steps.map((step, i) => `${stage.name ?? stage.index}.${i}${step.keyPending ? ' pending' : ''}`),
    );
    expect(pending).toEqual([
      'build.0',
      'build.1',
      'use.0 pending',
      'use.1 pending',
      'use.2 pending',
      'grandchild.0 pending',
      '3.0 pending',
      '3.1 pending',
      '3.2 pending',
    ]);
    const stages = (result.plan?.stages ?? []).map((s) => `${s.name ?? s.index}${s.keyPending ? ' pending' : ''}`);
    expect(stages).toEqual(['build', 'use pending', 'grandchild pending', '3 pending']);
  });

  it('a mount or COPY --from of an image and a mount of the context keep a final key', async () => {
    const result = await planOf(
      'FROM busybox\nRUN --mount=from=busybox,target=/b echo\nRUN --mount=target=/c echo\n' +
        'COPY --from=busybox /x /x\nCOPY cachebust /\n',
      { files },
    );
    const steps = (result.plan?.stages ?? []).flatMap((s) => s.steps);
    expect(steps.map((s) => 'keyPending' in s)).toEqual([false, false, false, false]);
    expect((result.plan?.stages ?? []).map((s) => 'keyPending' in s)).toEqual([false]);
  });

  it('a COPY --from=<stage> is pending, and so is what is built on it; its stage is not', async () => {
    const result = await planOf('FROM busybox AS a\nRUN echo\nFROM busybox\nCOPY --from=a /x /x\nRUN echo two\n', {
      files,
    });
    const steps = (result.plan?.stages ?? []).flatMap((s) => s.steps);
    expect(steps.map((s) => 'keyPending' in s)).toEqual([false, true, true]);
    expect((result.plan?.stages ?? []).map((s) => 'keyPending' in s)).toEqual([false, true]);
  });
});
