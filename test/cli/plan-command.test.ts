// `tsbuild plan` end to end over a real context directory: text and JSON output, exit codes and
// `FILE:LINE:COL: error: message` diagnostics.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildArgValues, type PlanIo, run } from '../../cli/commands/plan/run.js';
import { OciMediaType, Store } from '../../image/index.js';

/** The CLI shows the Dockerfile relative to the working directory unless that climbs out of it. */
const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));

let dir: string;
let out: string;
let err: string;

const io = (env: Record<string, string> = { TSBUILD_ROOT: join(dir, 'no-store') }, stdin = ''): PlanIo => ({
  stdout: (t) => {
    out += t;
  },
  stderr: (t) => {
    err += t;
  },
  readStdin: async () => stdin,
  env,
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsbuild-plan-cli-'));
  out = '';
  err = '';
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src/a.txt'), 'a\n');
  await writeFile(
    join(dir, 'Dockerfile'),
    'FROM scratch AS build\nARG V\nCOPY src/ /src/\nRUN make\n\nFROM build\nLABEL x=$V\n',
  );
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tsbuild plan', () => {
  it('prints stages and steps with their keys', async () => {
    expect(await run({ context: dir, buildArgs: [], json: false }, io())).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe('stage 0 build: FROM scratch (linux/amd64)');
    expect(lines[1]).toBe(`  2  ${'-'.padEnd(71)}  ARG V`);
    expect(lines[2]).toMatch(/^ {2}3 {2}sha256:[0-9a-f]{64} {2}COPY src\/ \/src\/$/);
    expect(lines[3]).toMatch(/^ {2}4 {2}sha256:[0-9a-f]{64} {2}RUN make$/);
    expect(lines[6]).toBe('stage 1 stage-1: FROM stage build (linux/amd64)');
    expect(err).toBe('');
  });

  it('prints the documented JSON schema, with the same keys on every run', async () => {
    expect(await run({ context: dir, buildArgs: ['V=1'], json: true }, io())).toBe(0);
    const first = JSON.parse(out);
    expect(first.stages.map((s: { name: string }) => s.name)).toEqual(['build', null]);
    const step = first.stages[0].steps[1];
    expect(Object.keys(step)).toEqual([
      'line',
      'instruction',
      'kind',
      'cacheKey',
      'parentKey',
      'keyPending',
      'layer',
      'onbuild',
      'args',
      'env',
      'buildArgs',
      'inputs',
      'status',
      'reason',
    ]);
    expect([step.status, step.reason]).toEqual([null, null]); // no store
    expect([step.line, step.instruction, step.kind]).toEqual([3, 'COPY src/ /src/', 'copy']);
    expect(step.inputs[0].files).toEqual([{ path: 'src/a.txt', digest: expect.stringMatching(/^sha256:/) }]);
    expect(first.stages[1].steps[0].args).toEqual(['x=1']);
    out = '';
    await run({ context: dir, buildArgs: ['V=1'], json: true }, io());
    expect(JSON.parse(out)).toEqual(first);
  });

  it('takes a bare --build-arg from the environment', () => {
    expect(buildArgValues(['A=1', 'B', 'C', 'D='], { B: 'env' })).toEqual({ A: '1', B: 'env', D: '' });
  });

  it('reports a missing COPY source with its Dockerfile line, exit 1', async () => {
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\n\nCOPY /x /x\n');
    expect(await run({ context: dir, buildArgs: [], json: false }, io())).toBe(1);
    expect(err).toBe(
      `${shown(join(dir, 'Dockerfile'))}:3:1: error: failed to compute cache key: failed to calculate checksum of ref local::context: "/x": not found\n`,
    );
    expect(out).toBe('');
  });

  it('reports an unknown target without a position', async () => {
    const file = join(dir, 'Dockerfile');
    expect(await run({ context: dir, file, target: 'nope', buildArgs: [], json: true }, io())).toBe(1);
    expect(err).toBe(`${shown(file)}: error: target stage "nope" could not be found\n`);
  });

  it('reads the Dockerfile from stdin with -f -', async () => {
    expect(
      await run(
        { context: dir, file: '-', buildArgs: [], json: false },
        io({ TSBUILD_ROOT: join(dir, 'no-store') }, 'FROM scratch\nCOPY /nope /\n'),
      ),
    ).toBe(1);
    expect(err).toBe(
      '<stdin>:2:1: error: failed to compute cache key: failed to calculate checksum of ref local::context: "/nope": not found\n',
    );
  });

  it('reports parse errors as FILE:LINE:COL', async () => {
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nENV PATH\n');
    expect(await run({ context: dir, buildArgs: [], json: false }, io())).toBe(1);
    expect(err).toBe(`${shown(join(dir, 'Dockerfile'))}:2:5: error: ENV must have two arguments\n`);
  });

  it('reads base images from the local store when there is one', async () => {
    const root = join(dir, 'store');
    const store = await Store.open(root);
    const config = await store.putConfig({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/bin', 'LANG=C'], OnBuild: ['RUN echo triggered'] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${'b'.repeat(64)}`] },
    });
    const manifest = await store.putManifest({
      schemaVersion: 2,
      mediaType: OciMediaType.manifest,
      config,
      layers: [],
    });
    await store.tag('busybox', manifest.digest);
    await writeFile(join(dir, 'Dockerfile'), 'FROM busybox\nRUN true\n');
    expect(await run({ context: dir, buildArgs: [], json: true }, io({ TSBUILD_ROOT: root }))).toBe(0);
    const [stage] = JSON.parse(out).stages;
    expect(stage.base).toEqual({
      type: 'image',
      ref: 'docker.io/library/busybox:latest',
      digest: manifest.digest,
      resolved: true,
    });
    expect(
      stage.steps.map((s: { instruction: string; onbuild: boolean; line: number }) => [
        s.instruction,
        s.onbuild,
        s.line,
      ]),
    ).toEqual([
      ['RUN echo triggered', true, 1],
      ['RUN true', false, 2],
    ]);
    expect(stage.steps[1].env).toEqual(['PATH=/bin', 'LANG=C']);
    expect(err).toBe('');
  });

  it('plans each platform of a --platform list, a warning both plans have printed once', async () => {
    // `ARG` after `FROM` without a value that the command uses: a warning of the planner's (UndefinedVar) on both.
    await writeFile(
      join(dir, 'Dockerfile'),
      'FROM --platform=$BUILDPLATFORM scratch AS tools\nCOPY src/ /src/\n\nFROM scratch\nARG TARGETARCH\nCOPY --from=tools /src/a.txt /$TARGETARCH.txt\nLABEL x=$NOPE\n',
    );
    const platform = 'linux/amd64,linux/arm64,linux/amd64';
    expect(await run({ context: dir, buildArgs: [], json: false, platform }, io())).toBe(0);
    const blocks = out.split(/\n(?=platform )/);
    expect(blocks.map((block) => block.split('\n')[0])).toEqual(['platform linux/amd64', 'platform linux/arm64']);
    // The tools stage runs on this machine for both; the final stage is each platform's own.
    expect(blocks[0]).toContain('stage 0 tools: FROM scratch (linux/amd64)');
    expect(blocks[1]).toContain('stage 0 tools: FROM scratch (linux/amd64)');
    expect(blocks[0]).toContain('stage 1 stage-1: FROM scratch (linux/amd64)');
    expect(blocks[1]).toContain('stage 1 stage-1: FROM scratch (linux/arm64)');
    const toolsKey = (block: string) => /\n {2}2 {2}(\S+) +COPY src\//.exec(block)?.[1];
    expect(toolsKey(blocks[0])).toMatch(/^sha256:/);
    expect(toolsKey(blocks[1])).toBe(toolsKey(blocks[0]));
    const warnings = err.split('\n').filter((line) => line.includes('warning'));
    expect(warnings).toHaveLength(new Set(warnings).size);
    expect(warnings.some((line) => line.includes('NOPE'))).toBe(true);

    out = '';
    expect(await run({ context: dir, buildArgs: [], json: true, platform }, io())).toBe(0);
    const json = JSON.parse(out);
    expect(json.version).toBe(1);
    expect(json.platforms.map((p: { platform: string }) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(
      json.platforms.map((p: { stages: { platform: string }[] }) => p.stages.map((stage) => stage.platform)),
    ).toEqual([
      ['linux/amd64', 'linux/amd64'],
      ['linux/amd64', 'linux/arm64'],
    ]);
  });

  it('refuses a platform list with a part that is no platform, exit 2', async () => {
    expect(await run({ context: dir, buildArgs: [], json: false, platform: 'linux/amd64,linux//x' }, io())).toBe(2);
    expect(err).toBe('error: --platform linux//x: not a platform (os/arch[/variant], e.g. linux/arm64)\n');
    expect(out).toBe('');
  });
});
