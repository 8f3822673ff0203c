// How `tsbuild build` shows BuildKit's build checks: buildx's block after the progress display, BuildKit's
// Dockerfile excerpt, and `--check` (buildx's `--call=check`) with its output and exit codes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuildCheck, warningsBlock } from '../../cli/commands/build/checks.js';
import { sourceFrame } from '../../cli/commands/build/source-frame.js';
import { buildCommand } from '../e2e/build-command.js';

const fromAs: BuildCheck = {
  rule: 'FromAsCasing',
  description: "The 'as' keyword should match the case of the 'from' keyword",
  url: 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
  message: "'as' and 'FROM' keywords' casing do not match",
  line: 1,
  endLine: 1,
};
const text = 'FROM busybox as base\nRUN true\nCMD echo hi\n';

describe('warningsBlock', () => {
  it('prints buildx’s count in yellow, then one line per warning', () => {
    expect(warningsBlock([fromAs], false, 'Dockerfile', text)).toBe(
      "\n \u001b[33m1 warning found (use docker --debug to expand):\n\u001b[0m - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)\n",
    );
    const two = warningsBlock([fromAs, { ...fromAs, line: 3, endLine: 3 }], false, 'Dockerfile', text);
    expect(two.split('\n')[1]).toBe(' \u001b[33m2 warnings found (use docker --debug to expand):');
    expect(warningsBlock([], false, 'Dockerfile', text)).toBe('');
  });

  it('with --debug, each warning’s description, URL and Dockerfile lines', () => {
    expect(warningsBlock([fromAs], true, 'Dockerfile', text)).toBe(
      '\n \u001b[33m1 warning found:\n\u001b[0m' +
        " - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)\n" +
        "The 'as' keyword should match the case of the 'from' keyword\n" +
        'More info: https://docs.docker.com/go/dockerfile/rule/from-as-casing/\n' +
        'Dockerfile:1\n--------------------\n' +
        '   1 | >>> FROM busybox as base\n   2 |     RUN true\n   3 |     CMD echo hi\n' +
        '--------------------\n\n',
    );
  });
});

describe('sourceFrame (BuildKit’s Source.Print)', () => {
  const lines = Array.from({ length: 12 }, (_, i) => `L${i + 1}`).join('\n');
  it('shows two lines around one line, one around several, clipped at the ends', () => {
    expect(sourceFrame('Dockerfile', lines, 6, 6)).toBe(
      'Dockerfile:6\n--------------------\n' +
        '   4 |     L4\n   5 |     L5\n   6 | >>> L6\n   7 |     L7\n   8 |     L8\n--------------------\n',
    );
    expect(sourceFrame('Dockerfile', lines, 6, 7)).toBe(
      'Dockerfile:6\n--------------------\n' +
        '   5 |     L5\n   6 | >>> L6\n   7 | >>> L7\n   8 |     L8\n--------------------\n',
    );
    expect(sourceFrame('Dockerfile', lines, 12, 12)).toBe(
      'Dockerfile:12\n--------------------\n  10 |     L10\n  11 |     L11\n  12 | >>> L12\n--------------------\n',
    );
    expect(sourceFrame('Dockerfile', lines, 13, 13)).toBe('');
  });
});

describe('tsbuild build --check', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-check-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const check = async (dockerfile: string, extra: { target?: string; buildArgs?: string[] } = {}) => {
    const ctx = await mkdtemp(path.join(dir, 'c'));
    await writeFile(path.join(ctx, 'Dockerfile'), dockerfile);
    return buildCommand(path.join(dir, 'store'), {
      context: ctx,
      buildArgs: extra.buildArgs ?? [],
      call: 'check',
      ...(extra.target === undefined ? {} : { target: extra.target }),
    });
  };

  it('prints what it found as buildx does and exits 1', async () => {
    expect(await check('FROM busybox as base\nRUN true\nCMD echo hi\n')).toEqual({
      code: 1,
      stdout:
        'Check complete, 2 warnings have been found!\n' +
        '\nWARNING: FromAsCasing - https://docs.docker.com/go/dockerfile/rule/from-as-casing/\n' +
        "'as' and 'FROM' keywords' casing do not match\n" +
        'Dockerfile:1\n--------------------\n   1 | >>> FROM busybox as base\n   2 |     RUN true\n   3 |     CMD echo hi\n--------------------\n' +
        '\nWARNING: JSONArgsRecommended - https://docs.docker.com/go/dockerfile/rule/json-args-recommended/\n' +
        'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals\n' +
        'Dockerfile:3\n--------------------\n   1 |     FROM busybox as base\n   2 |     RUN true\n   3 | >>> CMD echo hi\n   4 |     \n--------------------\n',
      stderr: '',
    });
  });

  it('exits 0 with “no warnings found” for a clean Dockerfile; skip= and the build argument apply', async () => {
    const clean = { code: 0, stdout: 'Check complete, no warnings found.\n', stderr: '' };
    expect(await check('FROM busybox\nCMD ["true"]\n')).toEqual(clean);
    expect(await check('# check=skip=FromAsCasing\nFROM busybox as base\n')).toEqual(clean);
    expect(
      await check('FROM busybox as base\n', { buildArgs: ['BUILDKIT_DOCKERFILE_CHECK=skip=FromAsCasing'] }),
    ).toEqual(clean);
  });

  it('with --target checks the target and what it needs; an unknown target is an error', async () => {
    const file = 'FROM busybox AS a\nCMD x\nFROM busybox AS b\nCMD ["y"]\n';
    expect(await check(file, { target: 'b' })).toEqual({
      code: 0,
      stdout: 'Check complete, no warnings found.\n',
      stderr: '',
    });
    expect(await check(file, { target: 'release' })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ERROR: target stage "release" could not be found\n',
    });
  });

  it('check=error=true adds BuildKit’s violation after the warnings', async () => {
    const result = await check('# check=error=true\nFROM busybox as base\n');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Check complete, 1 warning has been found!\n\nWARNING: FromAsCasing/);
    expect(result.stdout.endsWith('--------------------\n\n')).toBe(true);
    expect(result.stderr).toBe('ERROR: lint violation found for rules: FromAsCasing\n');
  });

  it('a Dockerfile a build would refuse is an error with its excerpt', async () => {
    const result = await check('FROM busybox\nFOO bar\n');
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        // buildx prints the error, which ends with its excerpt, as `ERROR: %v\n`.
        'ERROR: dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)\nDockerfile:2\n' +
        '--------------------\n' +
        '   1 |     FROM busybox\n   2 | >>> FOO bar\n   3 |     \n--------------------\n\n',
    });
  });
});
