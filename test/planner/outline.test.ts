// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile words with ${…} are the data under test
// BuildKit's outline and targets subrequests (dockerfile2llb Outline / ListTargets): which ARGs a target uses,
// with values and description comments; the secrets and SSH agents it mounts; every stage as a target. The first
// two cases are BuildKit's own (frontend/dockerfile/dockerfile_outline_test.go).
import { describe, expect, it } from 'vitest';
import { parse } from '../../parser/index.js';
import { listTargets, MemoryImageResolver, type OutlineOptions, outline } from '../../planner/index.js';

const noImages = new MemoryImageResolver();
const outlineOf = (text: string, options: OutlineOptions = {}, images = noImages) =>
  outline(text, parse(text).ast, options, { images });
const args = async (text: string, options: OutlineOptions = {}, images = noImages) =>
  (await outlineOf(text, options, images)).args.map((a) => [a.name, a.value, a.description, a.location.startLine]);

describe('outline', () => {
  it('lists the args the target and the stages it needs use (BuildKit’s testOutlineArgs)', async () => {
    const text = `ARG inherited=box
ARG inherited2=box2
ARG unused=abc\${inherited2}
# sfx is a suffix
ARG sfx="usy\${inherited}"

FROM b\${sfx} AS first
# this is not assigned to anything
ARG FOO=123
# BAR is a number
ARG BAR=456
RUN true

FROM alpine\${unused} AS second
ARG BAZ
RUN true

FROM scratch AS third
ARG ABC=a

# target defines build target
FROM third AS target
COPY --from=first /etc/passwd /

FROM second
`;
    const found = await outlineOf(text, { target: 'target', buildArgs: { BAR: '678' } });
    expect(found.name).toBe('target');
    expect(found.description).toBe('defines build target');
    expect(found.args).toEqual([
      { name: 'inherited', value: 'box', description: '', location: { startLine: 1, endLine: 1 } },
      { name: 'sfx', value: 'usybox', description: 'is a suffix', location: { startLine: 5, endLine: 5 } },
      { name: 'FOO', value: '123', description: '', location: { startLine: 9, endLine: 9 } },
      { name: 'BAR', value: '678', description: 'is a number', location: { startLine: 11, endLine: 11 } },
      { name: 'ABC', value: 'a', description: '', location: { startLine: 19, endLine: 19 } },
    ]);
    // Without a target: the last stage, built on `second`, which uses `unused` and through it `inherited2`.
    expect(await args(text)).toEqual([
      ['inherited2', 'box2', '', 2],
      ['unused', 'abcbox2', '', 3],
      ['BAZ', '', '', 15],
    ]);
    expect((await outlineOf(text)).name).toBe('');
  });

  it('lists the secrets and SSH agents the target mounts (BuildKit’s testOutlineSecrets)', async () => {
    const text = `
FROM busybox AS first
RUN --mount=type=secret,target=/etc/passwd,required=true --mount=type=ssh true

FROM alpine AS second
RUN --mount=type=secret,id=unused --mount=type=ssh,id=ssh2 true

FROM scratch AS third
ARG BAR
RUN --mount=type=secret,id=second\${BAR} true

FROM third AS target
COPY --from=first /foo /
RUN --mount=type=ssh,id=ssh3,required true

FROM second
`;
    const found = await outlineOf(text, { target: 'target', buildArgs: { BAR: '678' } });
    expect(found.secrets).toEqual([
      { name: 'passwd', required: true, location: { startLine: 3, endLine: 3 } },
      { name: 'second678', required: false, location: { startLine: 10, endLine: 10 } },
    ]);
    expect(found.ssh).toEqual([
      { name: 'default', required: false, location: { startLine: 3, endLine: 3 } },
      { name: 'ssh3', required: true, location: { startLine: 14, endLine: 14 } },
    ]);
    expect(found.args.map((a) => [a.name, a.value])).toEqual([['BAR', '678']]);
  });

  it('a stage ARG without a default shows the global one it inherits, with its description', async () => {
    const text = '# V the version\nARG V=1\nARG W=2\nFROM scratch\nARG V\nARG W=3\nARG X\n';
    expect(await args(text)).toEqual([
      ['V', '1', 'the version', 2],
      ['W', '3', '', 6],
      ['X', '', '', 7],
    ]);
    // A --build-arg replaces the value where the stage declares it.
    expect(await args(text, { buildArgs: { V: 'b' } })).toEqual([
      ['V', 'b', '', 5],
      ['W', '3', '', 6],
      ['X', '', '', 7],
    ]);
  });

  it('a global arg is used through FROM and --platform, and brings the args its default referenced', async () => {
    const text = 'ARG A=x\nARG B=$A\nARG B=${B}y\nARG P=linux/amd64\nARG UNUSED=1\nFROM --platform=$P busybox:$B\n';
    expect(await args(text)).toEqual([
      ['A', 'x', '', 1],
      ['B', 'xy', '', 3],
      ['P', 'linux/amd64', '', 4],
    ]);
  });

  it('descriptions: the first comment line since the previous instruction that starts with the name', async () => {
    const text = [
      'FROM scratch AS base', // 1
      '# A first', // 2
      '', // 3: a blank line does not start over
      '# A second', // 4
      'ARG A', // 5
      '# B one', // 6
      '#', // 7: an empty comment does
      'ARG B', // 8
      '  # C indented', // 9: BuildKit reads `# C indented`
      'ARG C', // 10
      '# Build the base', // 11: the stage name is lower-cased before the match
      'FROM base AS Build',
      'RUN --mount=type=secret,id=s,required=false \\', // 13
      '# not a description',
      '  true',
    ].join('\n');
    const found = await outlineOf(text);
    expect(found.args.map((a) => [a.name, a.description])).toEqual([
      ['A', 'first'],
      ['B', ''],
      ['C', ''],
    ]);
    expect([found.name, found.description]).toEqual(['build', '']);
    expect(found.secrets).toEqual([{ name: 's', required: false, location: { startLine: 13, endLine: 15 } }]);
    const described = await outlineOf('# build Build the base\nFROM scratch AS Build\n');
    expect([described.name, described.description]).toEqual(['build', 'Build the base']);
  });

  it('the first mount of an id is the one listed', async () => {
    const text = 'FROM scratch\nRUN --mount=type=secret,id=a true\nRUN --mount=type=secret,id=a,required true\n';
    expect((await outlineOf(text)).secrets).toEqual([
      { name: 'a', required: false, location: { startLine: 2, endLine: 2 } },
    ]);
  });

  it('a base image’s ENV and ONBUILD triggers count; a trigger has the FROM’s lines and no description', async () => {
    const images = new MemoryImageResolver().add('base', {
      platform: { os: 'linux', architecture: 'amd64' },
      config: { Env: ['HOME=/root'], OnBuild: ['ARG T=1', 'RUN --mount=type=secret,id=npm true'] },
      empty: false,
    });
    const text = 'FROM scratch\n# T not this one\nFROM base\nARG H=$HOME/x\n';
    const found = await outlineOf(text, {}, images);
    expect(found.args.map((a) => [a.name, a.value, a.description, a.location.startLine])).toEqual([
      ['T', '1', '', 3],
      ['H', '/root/x', '', 4],
    ]);
    expect(found.secrets).toEqual([{ name: 'npm', required: false, location: { startLine: 3, endLine: 3 } }]);
  });

  it('fails where BuildKit’s would', async () => {
    await expect(outlineOf('FROM scratch\n', { target: 'nope' })).rejects.toThrow(
      'target stage "nope" could not be found',
    );
    await expect(outlineOf('FROM scratch\nRUN --mount=type=secret true\n')).rejects.toThrow(
      'invalid secret mount. one of source, target required',
    );
  });
});

describe('listTargets', () => {
  it('lists every stage with its description, base and platform as written; the last is the default', () => {
    const text = [
      'ARG V=1',
      '# build compiles the app',
      'FROM --platform=$BUILDPLATFORM golang:${V} AS Build',
      'FROM build',
      '# release the image',
      'FROM scratch AS release',
    ].join('\n');
    expect(listTargets(text, parse(text).ast)).toEqual([
      {
        name: 'build',
        default: false,
        description: 'compiles the app',
        base: 'golang:${V}',
        platform: '$BUILDPLATFORM',
        location: { startLine: 3, endLine: 3 },
      },
      {
        name: '',
        default: false,
        description: '',
        base: 'build',
        platform: '',
        location: { startLine: 4, endLine: 4 },
      },
      {
        name: 'release',
        default: true,
        description: 'the image',
        base: 'scratch',
        platform: '',
        location: { startLine: 6, endLine: 6 },
      },
    ]);
  });
});
