// `--build-context NAME=VALUE` of `tsbuild build` and `tsbuild plan`: values checked before anything is built
// (exit 2, buildx's words where it has some), names normalised as buildx does, and plan using a named directory.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildContexts } from '../../cli/commands/build/build-context-option.js';
import { run as build } from '../../cli/commands/build/run.js';
import { type PlanIo, run as plan } from '../../cli/commands/plan/run.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsbuild-build-context-'));
  await mkdir(join(dir, 'ctx'));
  await mkdir(join(dir, 'extra/bin'), { recursive: true });
  await writeFile(join(dir, 'extra/bin/tool'), 'tool\n');
  await writeFile(join(dir, 'file.txt'), 'not a dir\n');
  await writeFile(join(dir, 'ctx/Dockerfile'), 'FROM scratch\nCOPY --from=extra bin/tool /tool\n');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const refusals: [string, string][] = [
  ['extra', 'invalid context value: extra, expected key=value'],
  [
    'Extra=.',
    'invalid context name Extra: invalid reference format: repository name (library/Extra) must be lowercase',
  ],
  [
    'src=https://h/r.git?ref=a#b',
    'invalid build context src=https://h/r.git?ref=a#b: URL fragment and query cannot be specified together',
  ],
  [
    'src=oci-layout:///tmp/layout',
    'build context src=oci-layout:///tmp/layout: oci-layout:// contexts are not supported',
  ],
  ['src=target:base', 'build context src=target:base: target: contexts are not supported'],
  ['src=docker-image://Bad', 'invalid build context src=docker-image://Bad: invalid reference format'],
  ['src=missing', 'failed to get build context src: stat missing: no such file or directory'],
  ['src=file.txt', 'failed to get build context path file.txt: not a directory'],
];

describe('--build-context values', () => {
  it('are a directory or docker-image://REF, by normalised name; a later value replaces an earlier one', () => {
    const contexts = buildContexts(
      [
        'docker.io/library/alpine:latest=docker-image://busybox',
        'extra=.',
        'extra=extra',
        'base=docker-image://scratch',
        'pinned=docker-image://ghcr.io/a/b:1',
      ],
      dir,
    );
    expect([...contexts]).toEqual([
      ['alpine', { type: 'image', ref: 'docker.io/library/busybox:latest' }],
      ['extra', { type: 'local', dir: join(dir, 'extra') }],
      ['base', { type: 'image', ref: 'scratch' }],
      ['pinned', { type: 'image', ref: 'ghcr.io/a/b:1' }],
    ]);
  });

  it('are git repositories (as BuildKit tells them) or other http(s) URLs, fetched when building', () => {
    const contexts = buildContexts(
      [
        'a=git://github.com/a/b.git',
        'b=git@github.com:a/b.git#v1:sub',
        'c=https://h/r.git?tag=v1',
        'd=https://h/c.tar',
      ],
      dir,
    );
    expect([...contexts]).toEqual([
      ['a', { type: 'git', url: 'git://github.com/a/b.git' }],
      ['b', { type: 'git', url: 'git@github.com:a/b.git#v1:sub' }],
      ['c', { type: 'git', url: 'https://h/r.git?tag=v1' }],
      ['d', { type: 'http', url: 'https://h/c.tar' }],
    ]);
  });

  it.each(refusals)('%s is refused: %s', (value, message) => {
    expect(() => buildContexts([value], dir)).toThrow(message);
  });

  it('names every kind tsbuild supports when it refuses one', () => {
    expect(() => buildContexts(['src=target:x'], dir)).toThrow(
      '(supported: a local directory, docker-image://REF, a git repository or an http(s) URL)',
    );
  });
});

describe('tsbuild build --build-context', () => {
  it('refuses a bad value before building anything (exit 2)', async () => {
    const out = { stdout: '', stderr: '' };
    const code = await build(
      {
        context: join(dir, 'ctx'),
        tags: [],
        buildArgs: [],
        labels: [],
        noCache: false,
        quiet: true,
        outputs: [],
        secrets: [],
        buildContexts: [join(dir, 'nowhere')],
        root: join(dir, 'store'),
      },
      {
        stdout: (t) => {
          out.stdout += t;
        },
        stderr: (t) => {
          out.stderr += t;
        },
        env: {},
      },
    );
    expect({ code, ...out }).toEqual({
      code: 2,
      stdout: '',
      stderr: `ERROR: invalid context value: ${join(dir, 'nowhere')}, expected key=value\n`,
    });
  });
});

describe('tsbuild plan --build-context', () => {
  let out: string;
  let err: string;
  const io = (): PlanIo => ({
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    readStdin: async () => '',
    env: { TSBUILD_ROOT: join(dir, 'no-store') },
  });
  beforeEach(() => {
    out = '';
    err = '';
  });

  it('plans COPY --from=NAME from the named directory', async () => {
    const options = { context: join(dir, 'ctx'), buildArgs: [], json: true };
    expect(await plan({ ...options, buildContexts: [`extra=${join(dir, 'extra')}`] }, io())).toBe(0);
    expect(err).toBe('');
    const step = JSON.parse(out).stages[0].steps[0];
    expect(step.inputs).toMatchObject([{ type: 'context', name: 'extra', source: 'bin/tool' }]);
  });

  it('refuses a bad value with exit 2', async () => {
    expect(
      await plan({ context: join(dir, 'ctx'), buildArgs: [], json: false, buildContexts: ['x=target:y'] }, io()),
    ).toBe(2);
    expect(err).toBe(
      'error: build context x=target:y: target: contexts are not supported (supported: a local directory, docker-image://REF, a git repository or an http(s) URL)\n',
    );
  });

  it('refuses a URL, which only a build fetches (exit 2)', async () => {
    const options = { context: join(dir, 'ctx'), buildArgs: [], json: false, buildContexts: ['x=git://h/r.git'] };
    expect(await plan(options, io())).toBe(2);
    expect(err).toBe('error: build context x: tsbuild plan takes a local directory or docker-image://REF, not a URL\n');
  });

  it('without it, COPY --from=NAME names an image', async () => {
    expect(await plan({ context: join(dir, 'ctx'), buildArgs: [], json: true }, io())).toBe(0);
    const step = JSON.parse(out).stages[0].steps[0];
    expect(step.inputs).toEqual([{ type: 'image', ref: 'docker.io/library/extra:latest', paths: ['bin/tool'] }]);
  });
});
