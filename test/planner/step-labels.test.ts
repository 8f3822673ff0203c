// BuildKit names steps by their stage unless the Dockerfile makes a single dispatch state (dockerfile2llb's
// `len(allDispatchStates.states) == 1`): every stage counts, built or not, and so does each COPY --from / RUN
// --mount from= naming no stage. Checked against docker build (BuildKit): `FROM a AS foo` alone gives `[1/2]`,
// `FROM a\nCOPY --from=img …` gives `[stage-0 2/2]`, an unused first stage makes the target `[stage-1 …]`.
import { describe, expect, it } from 'vitest';
import { planOf } from './helpers/scenario.js';

const labelled = async (dockerfile: string) => (await planOf(dockerfile)).plan?.stageLabels;

describe('stage labels of step names', () => {
  it('are left out for a single stage, named or not, that reads from no image', async () => {
    expect(await labelled('FROM busybox\nRUN true\n')).toBe(false);
    expect(await labelled('FROM busybox AS foo\nRUN true\n')).toBe(false);
  });

  it('are given when the Dockerfile has several stages, the target needing them or not', async () => {
    expect(await labelled('FROM busybox AS s\nFROM busybox\nRUN true\n')).toBe(true);
  });

  it('are given to a single stage that copies or mounts from an image', async () => {
    expect(await labelled('FROM busybox\nCOPY --from=busybox /bin/sh /x\n')).toBe(true);
    expect(await labelled('FROM busybox\nRUN --mount=from=busybox,target=/m true\n')).toBe(true);
    expect(await labelled('FROM busybox\nRUN --mount=type=secret,id=s true\n')).toBe(false);
  });
});
