// `--no-cache-filter STAGE`: BuildKit marks the named stages' RUN, COPY and ADD vertices IgnoreCache. Such a
// vertex hands its dependents no cache keys, so every step built on it (later steps of the stage, stages
// built FROM it) runs again; a COPY --from of it in another stage is looked up by the content it copies, so
// it is CACHED when that content did not change. Names match ignoring case; a name no stage has is ignored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

/** Each step of a plain progress log: CACHED, or ran. */
function outcomes(stderr: string): Record<string, 'CACHED' | 'ran'> {
  const names = new Map<string, string>();
  const out: Record<string, 'CACHED' | 'ran'> = {};
  for (const line of stderr.split('\n')) {
    const named = /^#(\d+) (\[[^\]]+\] .*)$/.exec(line);
    if (named && !named[2].startsWith('[internal]') && !/\] FROM /.test(named[2])) names.set(named[1], named[2]);
    const ended = /^#(\d+) (CACHED|DONE)/.exec(line);
    if (ended && names.has(ended[1])) out[names.get(ended[1])!] = ended[2] === 'CACHED' ? 'CACHED' : 'ran';
  }
  return out;
}

const dockerfile = [
  'FROM busybox AS base',
  'RUN echo base > /base',
  'FROM base AS mid',
  'RUN cat /proc/sys/kernel/random/uuid > /stamp',
  'WORKDIR /w',
  'FROM busybox AS other',
  'COPY --from=mid /base /base-copy',
  'RUN echo other > /other',
  'FROM mid AS final',
  'COPY --from=other /other /other',
  'RUN cat /stamp > /final',
  '',
].join('\n');

describe.skipIf(isolationUnavailable() !== undefined)('tsbuild build --no-cache-filter', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let ctx: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    expect((await buildCommand(store, { context: ctx, progress: 'plain' })).code).toBe(0);
  });

  const build = (noCacheFilter: string[]) =>
    buildCommand(store, { context: ctx, progress: 'plain', noCacheFilter, quiet: false });

  it('runs the stage’s steps again, and everything built on them; a copy of unchanged content stays cached', async () => {
    const result = await build(['MID']);
    expect(result.code).toBe(0);
    expect(outcomes(result.stderr)).toEqual({
      '[base 2/2] RUN echo base > /base': 'CACHED',
      '[mid 1/2] RUN cat /proc/sys/kernel/random/uuid > /stamp': 'ran',
      '[mid 2/2] WORKDIR /w': 'ran',
      '[other 2/3] COPY --from=mid /base /base-copy': 'CACHED',
      '[other 3/3] RUN echo other > /other': 'CACHED',
      '[final 1/2] COPY --from=other /other /other': 'ran',
      '[final 2/2] RUN cat /stamp > /final': 'ran',
    });
    // What ran again is what the next build finds.
    const again = await build([]);
    expect(Object.values(outcomes(again.stderr)).every((o) => o === 'CACHED')).toBe(true);
    expect(again.stdout).toBe(result.stdout);
  });

  it('takes comma lists and repeats; a name no stage has changes nothing', async () => {
    const unknown = await build(['nosuchstage']);
    expect(unknown.code).toBe(0);
    expect(Object.values(outcomes(unknown.stderr)).every((o) => o === 'CACHED')).toBe(true);
    const listed = outcomes((await build(['nosuch,base', 'other'])).stderr);
    expect(Object.entries(listed).filter(([, o]) => o === 'CACHED')).toEqual([]);
  });

  it('a WORKDIR before the first RUN or COPY of the stage is not re-run: only those steps ignore the cache', async () => {
    const ctx2 = await freshDir('c');
    await writeContext(ctx2, [{ path: 'Dockerfile', content: 'FROM busybox AS only\nWORKDIR /app\nRUN true\n' }]);
    expect((await buildCommand(store, { context: ctx2, progress: 'plain' })).code).toBe(0);
    const result = await buildCommand(store, { context: ctx2, progress: 'plain', noCacheFilter: ['only'] });
    // One stage: BuildKit names its steps without the stage's name (one dispatch state).
    expect(outcomes(result.stderr)).toEqual({ '[2/3] WORKDIR /app': 'CACHED', '[3/3] RUN true': 'ran' });
  });
});
