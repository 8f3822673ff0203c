// `tsbuild build --call=outline|targets[,format=json]`: buildx's output byte for byte (BuildKit's PrintOutline /
// PrintTargets through Go's tabwriter, result.json as json.MarshalIndent writes it) and buildx's exit codes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastCallValue } from '../../cli/commands/build/call-flags.js';
import { parseCallSpec } from '../../cli/commands/build/call-spec.js';
import { goMarshalIndent } from '../../cli/commands/build/go-json.js';
import { tabwrite } from '../../cli/commands/build/go-tabwriter.js';
import { importRootfs, Store } from '../../image/index.js';
import { buildCommand } from '../e2e/build-command.js';
import { bundledCli } from '../e2e/helpers.js';
import { tarOf } from './image-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-call-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function call(dockerfile: string, value: string, extra: { target?: string; buildArgs?: string[] } = {}) {
  const ctx = await mkdtemp(path.join(dir, 'c'));
  await writeFile(path.join(ctx, 'Dockerfile'), dockerfile);
  return buildCommand(path.join(dir, 'store'), {
    context: ctx,
    buildArgs: extra.buildArgs ?? [],
    call: value,
    ...(extra.target === undefined ? {} : { target: extra.target }),
  });
}

const outlined = `ARG inherited=box
# sfx is a suffix
ARG sfx="usy\${inherited}"
FROM b\${sfx} AS first
# BAR is a number
ARG BAR=456
RUN --mount=type=secret,target=/etc/passwd,required=true --mount=type=ssh true

# target defines build target
FROM first AS target
ARG FOO=123
RUN --mount=type=secret,id=second\${BAR} --mount=type=ssh,id=ssh3,required true
`;

describe('tsbuild build --call=outline', () => {
  it('prints BuildKit’s outline tables (tabwriter padding, trailing spaces and all) and exits 0', async () => {
    expect(await call(outlined, 'outline', { target: 'target', buildArgs: ['BAR=678'] })).toEqual({
      code: 0,
      stdout:
        'TARGET:      target\n' +
        'DESCRIPTION: defines build target\n' +
        '\n' +
        'BUILD ARG   VALUE    DESCRIPTION\n' +
        'inherited   box      \n' +
        'sfx         usybox   is a suffix\n' +
        'BAR         678      is a number\n' +
        'FOO         123      \n' +
        '\n' +
        'SECRET      REQUIRED\n' +
        'passwd      true\n' +
        'second678   \n' +
        '\n' +
        'SSH       REQUIRED\n' +
        'default   \n' +
        'ssh3      true\n' +
        '\n',
      stderr: '',
    });
  });

  it('an unnamed target has no TARGET block; nothing to list prints nothing', async () => {
    expect(await call('FROM scratch\nARG A\n', 'outline')).toEqual({
      code: 0,
      stdout: 'BUILD ARG   VALUE   DESCRIPTION\nA                   \n\n',
      stderr: '',
    });
    expect(await call('FROM scratch AS app\n', 'outline')).toEqual({
      code: 0,
      stdout: 'TARGET: app\n\n',
      stderr: '',
    });
    expect(await call('FROM scratch\n', 'outline')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('format=json prints result.json as BuildKit marshals it', async () => {
    const out = await call(outlined, 'outline,format=json', { target: 'target', buildArgs: ['BAR=678'] });
    expect(out.code).toBe(0);
    const line = (n: number) => ({ ranges: [{ start: { line: n }, end: { line: n } }] });
    const parsed = JSON.parse(out.stdout);
    expect(parsed).toEqual({
      name: 'target',
      description: 'defines build target',
      args: [
        { name: 'inherited', value: 'box', location: line(1) },
        { name: 'sfx', description: 'is a suffix', value: 'usybox', location: line(3) },
        { name: 'BAR', description: 'is a number', value: '678', location: line(6) },
        { name: 'FOO', value: '123', location: line(11) },
      ],
      secrets: [
        { name: 'passwd', required: true, location: line(7) },
        { name: 'second678', location: line(12) },
      ],
      ssh: [
        { name: 'default', location: line(7) },
        { name: 'ssh3', required: true, location: line(12) },
      ],
      sources: [Buffer.from(outlined).toString('base64')],
    });
    // Two-space indentation, `"key": value`, and a newline after the document (buildx's Fprintln).
    expect(
      out.stdout.startsWith(
        '{\n  "name": "target",\n  "description": "defines build target",\n  "args": [\n    {\n      "name": "inherited",\n      "value": "box",\n      "location": {\n        "ranges": [\n          {\n            "start": {\n              "line": 1\n            },\n',
      ),
    ).toBe(true);
    expect(out.stdout.endsWith('\n  ]\n}\n')).toBe(true);
  });

  it('a base image in the store counts: its ENV in expansions, its ONBUILD triggers', async () => {
    const store = await Store.open(path.join(dir, 'store'));
    await importRootfs(store, await tarOf({ 'bin/x': 'x\n' }), 'onbuild-base:1', {
      config: { Env: ['HOME=/root'], OnBuild: ['ARG FROM_TRIGGER=1'] },
    });
    expect(await call('FROM onbuild-base:1\nARG H=$HOME/x\n', 'outline')).toEqual({
      code: 0,
      stdout: 'BUILD ARG      VALUE     DESCRIPTION\nFROM_TRIGGER   1         \nH              /root/x   \n\n',
      stderr: '',
    });
  });

  it('a Dockerfile BuildKit cannot read fails the solve with its excerpt, exit 1', async () => {
    expect(await call('FROM scratch\nFOO bar\n', 'outline')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Dockerfile:2\n--------------------\n   1 |     FROM scratch\n   2 | >>> FOO bar\n   3 |     \n--------------------\n' +
        // instructions.Parse wraps an instruction's error with its line (BuildKit's parseError).
        'ERROR: failed to solve: dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)\n',
    });
    expect(await call('FROM scratch\n', 'outline', { target: 'nope' })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ERROR: failed to solve: target stage "nope" could not be found\n',
    });
  });
});

describe('tsbuild build --call=targets', () => {
  const file = '# build compiles it\nFROM busybox AS Build\nFROM build\n# release the image\nFROM scratch AS release\n';

  it('prints every stage and marks the default, exit 0', async () => {
    expect(await call(file, 'targets')).toEqual({
      code: 0,
      stdout:
        'TARGET            DESCRIPTION\nbuild             compiles it\n                  \nrelease (default) the image\n',
      stderr: '',
    });
    expect((await call('FROM scratch\n', 'targets')).stdout).toBe('TARGET    DESCRIPTION\n(default) \n');
  });

  it('format=json prints result.json', async () => {
    const out = await call(file, 'targets,format=json');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      `${[
        '{',
        '  "targets": [',
        '    {',
        '      "name": "build",',
        '      "description": "compiles it",',
        '      "base": "busybox",',
        '      "location": {',
        '        "ranges": [',
        '          {',
        '            "start": {',
        '              "line": 2',
        '            },',
        '            "end": {',
        '              "line": 2',
        '            }',
        '          }',
        '        ]',
        '      }',
        '    },',
        '    {',
        '      "base": "build",',
        '      "location": {',
        '        "ranges": [',
        '          {',
        '            "start": {',
        '              "line": 3',
        '            },',
        '            "end": {',
        '              "line": 3',
        '            }',
        '          }',
        '        ]',
        '      }',
        '    },',
        '    {',
        '      "name": "release",',
        '      "default": true,',
        '      "description": "the image",',
        '      "base": "scratch",',
        '      "location": {',
        '        "ranges": [',
        '          {',
        '            "start": {',
        '              "line": 5',
        '            },',
        '            "end": {',
        '              "line": 5',
        '            }',
        '          }',
        '        ]',
        '      }',
        '    }',
        '  ],',
        '  "sources": [',
        `    "${Buffer.from(file).toString('base64')}"`,
        '  ]',
        '}',
      ].join('\n')}\n`,
    );
  });
});

describe('tsbuild build --call=subrequests.describe', () => {
  it('prints PrintDescribe’s table of what dockerui describes (outline, targets, describe; not lint), exit 0', async () => {
    // The frontend answers before it parses the Dockerfile: one it cannot parse is described all the same.
    expect(await call('FROM scratch\nFOO bar\n', 'subrequests.describe')).toEqual({
      code: 0,
      stdout:
        'NAME                 VERSION DESCRIPTION\n' +
        'outline              1.0.0   List all parameters current build target supports\n' +
        'targets              1.0.0   List all targets current build supports\n' +
        'subrequests.describe 1.0.0   List available subrequest types\n',
      stderr: '',
    });
  });

  it('format=json prints the []subrequests.Request result.json (nil slices as null)', async () => {
    const metadata = `    "metadata": [
      {
        "name": "result.json",
        "description": ""
      },
      {
        "name": "result.txt",
        "description": ""
      }
    ],`;
    expect(await call('FROM scratch\n', 'subrequests.describe,format=json')).toEqual({
      code: 0,
      stdout: `[
  {
    "name": "frontend.outline",
    "version": "1.0.0",
    "type": "rpc",
    "description": "List all parameters current build target supports",
    "opts": [
      {
        "name": "target",
        "description": "Target build stage"
      }
    ],
    "inputs": null,
${metadata}
    "refs": null
  },
  {
    "name": "frontend.targets",
    "version": "1.0.0",
    "type": "rpc",
    "description": "List all targets current build supports",
    "opts": [],
    "inputs": null,
${metadata}
    "refs": null
  },
  {
    "name": "frontend.subrequests.describe",
    "version": "1.0.0",
    "type": "rpc",
    "description": "List available subrequest types",
    "opts": null,
    "inputs": null,
${metadata}
    "refs": null
  }
]
`,
      stderr: '',
    });
  });
});

describe('--call values', () => {
  it('reads buildx’s name[,format=…][,ignorestatus=…]; check is lint, build a build', () => {
    expect(parseCallSpec(undefined)).toEqual({ name: 'build', format: '', ignoreStatus: false });
    expect(parseCallSpec('build,format=json')).toEqual({ name: 'build', format: '', ignoreStatus: false });
    expect(parseCallSpec('check')).toEqual({ name: 'lint', format: '', ignoreStatus: false });
    expect(parseCallSpec('outline,format=json')).toEqual({ name: 'outline', format: 'json', ignoreStatus: false });
    expect(parseCallSpec('"targets",ignorestatus=1')).toEqual({ name: 'targets', format: '', ignoreStatus: true });
  });

  it('a bad value is buildx’s error, exit 1; an unknown name is the frontend’s', async () => {
    expect(await call('FROM scratch\n', 'outline,color=red')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ERROR: invalid print field: color=red\n',
    });
    expect(await call('FROM scratch\n', 'outline,targets')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ERROR: invalid print value: outline,targets\n',
    });
    expect((await call('FROM scratch\n', 'check,ignorestatus=maybe')).stderr).toBe(
      'ERROR: invalid ignorestatus print value: maybe: strconv.ParseBool: parsing "maybe": invalid syntax\n',
    );
    expect(await call('FROM scratch\n', 'nope')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ERROR: failed to solve: unsupported request frontend.nope\n',
    });
  });

  it('check,ignorestatus=true: warnings exit 0', async () => {
    const out = await call('FROM busybox as base\n', 'check,ignorestatus=true');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Check complete, 1 warning has been found!\n/);
    expect((await call('FROM busybox as base\n', 'check')).code).toBe(1);
  });
});

describe('Go’s tabwriter', () => {
  it('pads each column block to its widest cell plus padding; the last cell of a line is not padded', () => {
    expect(tabwrite('a\tbb\tc\nddd\te\tf\n', 1)).toBe('a   bb c\nddd e  f\n');
    // A line with fewer cells ends the block of the columns it lacks.
    expect(tabwrite('aaaa\tb\tc\nx\ty\nz\tw\tv\n', 2)).toBe('aaaa  b  c\nx     y\nz     w  v\n');
    expect(tabwrite('é\tx\nab\ty\n', 1)).toBe('é  x\nab y\n');
  });
});

describe('Go’s json.MarshalIndent', () => {
  it('escapes as Go does and writes empty containers inline', () => {
    expect(goMarshalIndent({ a: '<&>\u2028"\\\b\f\n\r\t\u0001', b: [], c: {}, d: undefined, e: true, f: 1 })).toBe(
      '{\n  "a": "\\u003c\\u0026\\u003e\\u2028\\"\\\\\\b\\f\\n\\r\\t\\u0001",\n  "b": [],\n  "c": {},\n  "e": true,\n  "f": 1\n}',
    );
    expect(goMarshalIndent(['\ud800x'])).toBe('[\n  "\ufffdx"\n]');
  });
});

describe('--check and --call on one command line', () => {
  it('the last of them wins, as buildx sets one value from both; --check=false sets nothing', () => {
    expect(lastCallValue(['build', '--check', '--call=targets', '.'])).toBe('targets');
    expect(lastCallValue(['build', '--call', 'targets', '--check', '.'])).toBe('check');
    expect(lastCallValue(['build', '--call=outline', '--check=true', '.'])).toBe('check');
    expect(lastCallValue(['build', '--call=outline', '--check=false', '.'])).toBe('outline');
    expect(lastCallValue(['build', '.', '--', '--check'])).toBeUndefined();
    expect(lastCallValue(['build', '.'])).toBeUndefined();
  });

  it.skipIf(!existsSync(bundledCli))('tsbuild build runs the one given last', async () => {
    const ctx = await mkdtemp(path.join(dir, 'c'));
    await writeFile(path.join(ctx, 'Dockerfile'), 'FROM scratch\n');
    const run = (args: string[]) =>
      spawnSync(process.execPath, [bundledCli, 'build', ...args, ctx], {
        env: { ...process.env, TSBUILD_ROOT: path.join(dir, 'store') },
        encoding: 'utf8',
      });
    const targets = run(['--check', '--call=targets']);
    expect([targets.status, targets.stdout]).toEqual([0, 'TARGET    DESCRIPTION\n(default) \n']);
    const checked = run(['--call=targets', '--check']);
    expect([checked.status, checked.stdout]).toEqual([0, 'Check complete, no warnings found.\n']);
  });
});
