// BuildKit's build checks during `tsbuild build`: the warnings block buildx prints once the progress display is
// done, only the stages the build dispatches for the rules BuildKit runs while dispatching, the `# check=`
// directive and BUILDKIT_DOCKERFILE_CHECK, and `error=true` failing the build before any step runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const yellow = (text: string) => `\u001b[33m${text}\u001b[0m`;

describe.skipIf(isolationUnavailable() !== undefined)('build checks in tsbuild build', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });
  const build = async (dockerfile: string, extra: { buildArgs?: string[]; quiet?: boolean } = {}) => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    return buildCommand(store, {
      context: ctx,
      progress: 'plain',
      buildArgs: extra.buildArgs ?? [],
      quiet: extra.quiet ?? false,
    });
  };

  it('prints the warnings after the progress, as buildx does, and succeeds', async () => {
    const result = await build('FROM busybox as base\nENV A=$NOPE\nRUN true\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(
      result.stderr.endsWith(
        `\n\n ${yellow('2 warnings found (use docker --debug to expand):\n')}` +
          " - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)\n" +
          " - UndefinedVar: Usage of undefined variable '$NOPE' (line 2)\n",
      ),
    ).toBe(true);
    // BuildKit's checks are not printed as tsbuild's own warnings as well.
    expect(result.stderr).not.toContain('WARN:');
    expect((await build('FROM busybox as base\n', { quiet: true })).stderr).toBe('');
  });

  it('checks only the stages the build needs for the rules BuildKit runs while dispatching', async () => {
    const result = await build('FROM busybox AS unused\nCMD echo x\nFROM busybox AS used\nCMD ["true"]\n');
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('warning');
  });

  it('honours # check=skip= and BUILDKIT_DOCKERFILE_CHECK', async () => {
    const skipped = await build('# check=skip=FromAsCasing\nFROM busybox as base\n');
    expect(skipped.stderr).not.toContain('warning');
    const byArg = await build('FROM busybox as base\n', { buildArgs: ['BUILDKIT_DOCKERFILE_CHECK=skip=all'] });
    expect(byArg.stderr).not.toContain('warning');
  });

  it('check=error=true fails the build before any step runs, with BuildKit’s error, exit 1', async () => {
    const result = await build('# check=error=true\nFROM busybox as base\nRUN echo ran\n');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain('] RUN echo ran');
    expect(
      result.stderr.endsWith(
        `\n\n ${yellow('1 warning found (use docker --debug to expand):\n')}` +
          " - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 2)\n" +
          'Dockerfile:1\n--------------------\n' +
          '   1 | >>> # check=error=true\n   2 |     FROM busybox as base\n   3 |     RUN echo ran\n' +
          '--------------------\nERROR: failed to solve: lint violation found for rules: FromAsCasing\n',
      ),
    ).toBe(true);
    const byArg = await build('FROM busybox as base\n', { buildArgs: ['BUILDKIT_DOCKERFILE_CHECK=error=true'] });
    expect(byArg.code).toBe(1);
    expect(byArg.stderr).toContain('ERROR: failed to solve: lint violation found for rules: FromAsCasing\n');
    expect((await build('# check=error=true\nFROM busybox\n')).code).toBe(0);
  });

  it('a # check= directive BuildKit cannot read fails the build', async () => {
    const result = await build('# check=skip=A;nope=1\nFROM busybox\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'ERROR: failed to solve: failed to parse check options: invalid check option "nope"\n',
    );
  });
});
