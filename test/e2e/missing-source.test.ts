// A COPY/ADD source that does not exist, end to end through `tsbuild build`: BuildKit's words (its step's cache key
// needs the source's content checksum: `failed to compute cache key: failed to calculate checksum of ref <id>:
// "/x": not found`), on the step and at the Dockerfile line in docker's error box, from the context or another stage,
// and the same for a RUN bind mount's source (a context one is found missing while planning). A wildcard
// that matches nothing is no error (BuildKit's COPY allows an empty wildcard), and `--check` does not look.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const failure = (ref: string, path: string) =>
  `failed to compute cache key: failed to calculate checksum of ref ${ref}: "${path}": not found`;

describe.skipIf(isolationUnavailable() !== undefined)('a missing COPY/ADD source', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  const build = async (instruction: string, opts: { check?: boolean } = {}) => {
    const context = await freshDir('c');
    const dockerfile = `FROM busybox AS s\nFROM busybox\n${instruction}\n`;
    await writeContext(context, [
      { path: 'Dockerfile', content: dockerfile },
      { path: 'a.txt', content: 'a\n' },
    ]);
    return buildCommand(store, { context, quiet: true, ...(opts.check === true ? { call: 'check' } : {}) });
  };

  it.each([
    ['COPY missing.txt /x', '/missing.txt'],
    ['ADD missing.txt /x', '/missing.txt'],
    ['COPY a.txt missing.txt /x/', '/missing.txt'],
    ['COPY sub/../missing.txt /x', '/missing.txt'],
  ])('%s from the context fails with the checksum error at its line', async (instruction, path) => {
    const result = await build(instruction);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        '------',
        ` > [stage-1 2/2] ${instruction}:`,
        '------',
        'Dockerfile:3',
        '--------------------',
        '   1 |     FROM busybox AS s',
        '   2 |     FROM busybox',
        `   3 | >>> ${instruction}`,
        '   4 |     ',
        '--------------------',
        `ERROR: failed to solve: ${failure('local::context', path)}`,
        '',
      ].join('\n'),
    );
  });

  it('COPY --from=<stage> of a missing path fails the same way, naming the step', async () => {
    const result = await build('COPY --from=s missing.txt /x');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        '------',
        ' > [stage-1 2/2] COPY --from=s missing.txt /x:',
        '------',
        'Dockerfile:3',
        '--------------------',
        '   1 |     FROM busybox AS s',
        '   2 |     FROM busybox',
        '   3 | >>> COPY --from=s missing.txt /x',
        '   4 |     ',
        '--------------------',
        `ERROR: failed to solve: ${failure('stage::0', '/missing.txt')}`,
        '',
      ].join('\n'),
    );
  });

  it('reports a source missing from the context on its step, numbered as the build numbers it', async () => {
    const context = await freshDir('c');
    const dockerfile = 'FROM busybox\nWORKDIR /a\nRUN --mount=source=nope,target=/m true\nRUN true\n';
    await writeContext(context, [{ path: 'Dockerfile', content: dockerfile }]);
    const result = await buildCommand(store, { context, progress: 'plain' });
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').map((l) => l.replace(/^#\d+ /, '#N '));
    const at = lines.indexOf('#N [3/4] RUN --mount=source=nope,target=/m true');
    expect(lines.slice(at, at + 6)).toEqual([
      '#N [3/4] RUN --mount=source=nope,target=/m true',
      '#N ERROR: failed to calculate checksum of ref local::context: "/nope": not found',
      '',
      '------',
      ' > [3/4] RUN --mount=source=nope,target=/m true:',
      '------',
    ]);
    expect(lines.at(-2)).toBe(`ERROR: failed to solve: ${failure('local::context', '/nope')}`);
  });

  it("names the error on the step's own progress line as BuildKit's vertex does, without the solver's prefix", async () => {
    const context = await freshDir('c');
    await writeContext(context, [
      { path: 'Dockerfile', content: 'FROM busybox AS s\nFROM busybox\nCOPY --from=s /nope /x\n' },
    ]);
    const result = await buildCommand(store, { context, progress: 'plain' });
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n');
    expect(lines.filter((l) => /^#\d+ ERROR: /.test(l)).map((l) => l.replace(/^#\d+ /, ''))).toEqual([
      'ERROR: failed to calculate checksum of ref stage::0: "/nope": not found',
    ]);
    expect(lines.at(-2)).toBe(`ERROR: failed to solve: ${failure('stage::0', '/nope')}`);
  });

  it.each([
    ['RUN --mount=from=s,source=/missing/,target=/m true', 'stage::0'],
    ['RUN --mount=from=busybox,source=missing,target=/m true', 'image::docker.io/library/busybox:latest'],
    ['RUN --mount=type=cache,from=s,source=/missing,target=/m true', 'stage::0'],
  ])('%s (a mount of a missing path) fails with the checksum error, as a COPY', async (instruction, ref) => {
    const context = await freshDir('c');
    await writeContext(context, [{ path: 'Dockerfile', content: `FROM busybox AS s\nFROM busybox\n${instruction}\n` }]);
    const result = await buildCommand(store, { context, progress: 'plain' });
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n');
    expect(lines.filter((l) => /^#\d+ ERROR: /.test(l)).map((l) => l.replace(/^#\d+ /, ''))).toEqual([
      `ERROR: failed to calculate checksum of ref ${ref}: "/missing": not found`,
    ]);
    expect(lines.at(-2)).toBe(`ERROR: failed to solve: ${failure(ref, '/missing')}`);
  });

  it("a base image's ONBUILD COPY of a missing source fails on the trigger's step, at the FROM", async () => {
    const parent = await freshDir('c');
    await writeContext(parent, [{ path: 'Dockerfile', content: 'FROM busybox\nONBUILD COPY missing.txt /x\n' }]);
    expect((await buildCommand(store, { context: parent, quiet: true, tags: ['onbuild-parent'] })).code).toBe(0);
    const context = await freshDir('c');
    await writeContext(context, [{ path: 'Dockerfile', content: 'FROM onbuild-parent\nRUN true\n' }]);
    const result = await buildCommand(store, { context, progress: 'plain' });
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').map((l) => l.replace(/^#\d+ /, '#N '));
    const at = lines.indexOf('#N [2/3] ONBUILD COPY missing.txt /x');
    expect(lines.slice(at)).toEqual([
      '#N [2/3] ONBUILD COPY missing.txt /x',
      '#N ERROR: failed to calculate checksum of ref local::context: "/missing.txt": not found',
      '',
      '------',
      ' > [2/3] ONBUILD COPY missing.txt /x:',
      '------',
      'Dockerfile:1',
      '--------------------',
      '   1 | >>> FROM onbuild-parent',
      '   2 |     RUN true',
      '   3 |     ',
      '--------------------',
      `ERROR: failed to solve: ${failure('local::context', '/missing.txt')}`,
      '',
    ]);
  });

  it.each(['COPY missing* /x', 'COPY --from=s missing* /x'])(
    '%s (a wildcard that matches nothing) builds',
    async (i) => {
      const result = await build(i);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
  );

  it('--check does not look for sources', async () => {
    const result = await build('COPY missing.txt /x', { check: true });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).toContain('Check complete, no warnings found.');
  });
});
