// `--build-context NAME=VALUE` in the planner: which names a context answers (BuildKit's normalisation), what
// FROM, COPY --from and RUN --mount=from= get, a stage replaced by a context of its name, and keys that follow
// the content of exactly the files a step selects from a local named context.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultFileReader, snapshotContext } from '../../cache/index.js';
import {
  contextName,
  MemoryImageResolver,
  type NamedContext,
  type PlanResult,
  type PlanStep,
  plan,
  type StepInput,
  snapshotSource,
} from '../../planner/index.js';
import { parseDockerfile } from './helpers/parse.js';
import { AMD64, type Scenario, writeFiles } from './helpers/scenario.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function dirWith(files: Scenario['files']): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-named-'));
  dirs.push(dir);
  await writeFiles(dir, files);
  return dir;
}

type ContextSpec = { readonly image: string } | { readonly dir: string };

async function planWith(dockerfile: string, contexts: Readonly<Record<string, ContextSpec>>): Promise<PlanResult> {
  const images = new MemoryImageResolver()
    .add('busybox', { digest: 'sha256:b0', config: { Env: ['PATH=/bin'], User: 'bb' } })
    .add('alpine', { digest: 'sha256:a1', config: { Env: ['PATH=/bin'], User: 'alp' } });
  const named = new Map<string, NamedContext>();
  for (const [name, spec] of Object.entries(contexts)) {
    if ('image' in spec) named.set(contextName(name), { type: 'image', ref: spec.image });
    else {
      const snapshot = await snapshotContext(spec.dir, { readFile: defaultFileReader });
      named.set(contextName(name), { type: 'local', source: snapshotSource(snapshot) });
    }
  }
  const main = await dirWith({ 'main.txt': { content: 'main' } });
  const context = snapshotSource(await snapshotContext(main, { readFile: defaultFileReader }));
  const { ast } = parseDockerfile(dockerfile);
  return plan(ast, { targetPlatform: AMD64, buildPlatform: AMD64 }, { context, namedContexts: named, images });
}

function planned(result: PlanResult) {
  if (result.plan === null) throw new Error(result.diagnostics.map((d) => d.message).join('; '));
  return result.plan;
}

const lastSteps = (result: PlanResult): readonly PlanStep[] => planned(result).stages.at(-1)?.steps ?? [];

/** The files a context input selected. */
async function selected(input: StepInput): Promise<string[]> {
  if (input.type !== 'context') throw new Error(`not a context input: ${input.type}`);
  return (await input.files()).map((f) => f.path);
}

describe('named context names', () => {
  it('are normalised as BuildKit does: familiar form, without :latest', () => {
    expect(contextName('alpine')).toBe('alpine');
    expect(contextName('docker.io/library/alpine:latest')).toBe('alpine');
    expect(contextName('library/alpine')).toBe('alpine');
    expect(contextName('alpine:3.20')).toBe('alpine:3.20');
    expect(contextName('ghcr.io/a/b:latest')).toBe('ghcr.io/a/b');
    expect(() => contextName('Alpine')).toThrow('must be lowercase');
  });
});

describe('a docker-image:// context', () => {
  const alias = { image: 'docker.io/library/busybox:latest' };

  it('replaces the image FROM names, written in any form of the name', async () => {
    for (const from of ['alpine', 'docker.io/library/alpine', 'alpine:latest']) {
      const stage = planned(await planWith(`FROM ${from}\nRUN true\n`, { alpine: alias })).stages[0];
      expect(stage.base).toEqual({ type: 'image', ref: alias.image, digest: 'sha256:b0', resolved: true });
      expect(stage.config.User).toBe('bb');
    }
    // Another tag is another name.
    const other = planned(await planWith('FROM alpine:3\nRUN true\n', { alpine: alias })).stages[0];
    expect(other.base).toMatchObject({ type: 'image', ref: 'docker.io/library/alpine:3' });
  });

  it('keys steps as the aliased image would', async () => {
    const viaAlias = lastSteps(await planWith('FROM alpine\nRUN true\n', { alpine: alias }));
    const direct = lastSteps(await planWith('FROM busybox\nRUN true\n', {}));
    expect(viaAlias[0].cacheKey).toBe(direct[0].cacheKey);
  });

  it('is what COPY --from and RUN --mount=from= read', async () => {
    const steps = lastSteps(
      await planWith('FROM busybox\nCOPY --from=tools /x /x\nRUN --mount=from=tools,target=/t true\n', {
        tools: { image: 'docker.io/library/alpine:latest' },
      }),
    );
    expect(steps[0].operation).toMatchObject({
      type: 'copy',
      from: { type: 'image', ref: 'docker.io/library/alpine:latest' },
    });
    expect(steps[1].operation).toMatchObject({
      type: 'run',
      mounts: [{ origin: { type: 'image', ref: 'docker.io/library/alpine:latest' } }],
    });
  });

  it('named scratch makes FROM start empty', async () => {
    const stage = planned(await planWith('FROM base\nRUN true\n', { base: { image: 'scratch' } })).stages[0];
    expect(stage.base).toEqual({ type: 'scratch' });
  });
});

describe('a stage with the name of a context', () => {
  it('is replaced by the context: its FROM and instructions are not planned', async () => {
    const result = await planWith('FROM alpine AS deps\nRUN exit 1\nFROM busybox\nCOPY --from=deps /x /x\n', {
      deps: { image: 'docker.io/library/busybox:latest' },
    });
    const [deps, last] = planned(result).stages;
    expect(deps.base).toMatchObject({ type: 'image', ref: 'docker.io/library/busybox:latest' });
    expect(deps.steps).toEqual([]);
    expect(last.steps[0].operation).toMatchObject({ from: { type: 'stage', index: 0 } });
  });

  it('replaced by a directory, is copied from as that directory', async () => {
    const dir = await dirWith({ 'x.txt': { content: 'x' } });
    const result = await planWith('FROM alpine AS deps\nRUN exit 1\nFROM busybox\nCOPY --from=deps /x.txt /x\n', {
      deps: { dir },
    });
    const step = lastSteps(result)[0];
    expect(step.operation).toMatchObject({ from: { type: 'context', name: 'deps' } });
    expect(step.inputs).toMatchObject([{ type: 'context', name: 'deps', source: '/x.txt' }]);
  });

  it('a context named like an image leaves a stage of another name alone', async () => {
    const result = await planWith('FROM alpine AS build\nRUN true\nFROM build\n', { busybox: { image: 'scratch' } });
    expect(planned(result).stages[0].steps).toHaveLength(1);
  });
});

describe('a local directory context', () => {
  const dockerfile = 'FROM busybox\nCOPY --from=src app/ /app/\nRUN --mount=from=src,source=conf,target=/c true\n';

  it('is what COPY --from= and RUN --mount=from= read, as context inputs of that name', async () => {
    const dir = await dirWith({ 'app/a.txt': { content: 'a' }, 'conf/c': { content: 'c' } });
    const steps = lastSteps(await planWith(dockerfile, { src: { dir } }));
    expect(steps[0].operation).toMatchObject({ type: 'copy', from: { type: 'context', name: 'src' } });
    expect(steps[0].inputs).toMatchObject([{ type: 'context', name: 'src', source: 'app/' }]);
    expect(await selected(steps[0].inputs[0])).toEqual(['app/a.txt']);
    expect(steps[1].operation).toMatchObject({ mounts: [{ origin: { type: 'context', name: 'src' } }] });
  });

  it('keys a step by the files it selects: a selected change changes it, an unselected one does not', async () => {
    const dir = await dirWith({
      'app/a.txt': { content: 'a' },
      'conf/c': { content: 'c' },
      'other.txt': { content: 'o' },
    });
    const keys = async () => lastSteps(await planWith(dockerfile, { src: { dir } })).map((s) => s.cacheKey);
    const before = await keys();
    await writeFile(join(dir, 'other.txt'), 'changed');
    expect(await keys()).toEqual(before);
    await writeFile(join(dir, 'app/a.txt'), 'changed');
    const afterCopy = await keys();
    expect(afterCopy[0]).not.toBe(before[0]);
    await writeFile(join(dir, 'conf/c'), 'changed');
    const afterMount = await keys();
    expect(afterMount[0]).toBe(afterCopy[0]);
    expect(afterMount[1]).not.toBe(afterCopy[1]);
  });

  it('applies its own .dockerignore', async () => {
    const dir = await dirWith({
      'app/a.txt': { content: 'a' },
      'app/skip.log': { content: 's' },
      '.dockerignore': { content: '*/*.log\n' },
    });
    const step = lastSteps(await planWith('FROM busybox\nCOPY --from=src app/ /app/\n', { src: { dir } }))[0];
    expect(await selected(step.inputs[0])).toEqual(['app/a.txt']);
  });

  it('is a stage whose first step copies the directory onto scratch, keyed by its content', async () => {
    const dir = await dirWith({ 'bin/tool': { content: 'tool' } });
    const result = await planWith('FROM src\nRUN true\n', { src: { dir } });
    const stage = planned(result).stages[0];
    expect(stage.base).toEqual({ type: 'context', name: 'src' });
    // BuildKit's emptyImage, as for scratch: `/` is the working directory.
    expect(stage.config).toEqual({
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      WorkingDir: '/',
      OnBuild: null,
    });
    expect(stage.steps.map((s) => [s.kind, s.layer])).toEqual([
      ['from', true],
      ['run', true],
    ]);
    expect(stage.steps[0].operation).toMatchObject({
      type: 'copy',
      sources: ['/'],
      dest: '/',
      from: { type: 'context', name: 'src' },
    });
    const before = stage.steps[0].cacheKey;
    await writeFile(join(dir, 'bin/tool'), 'new');
    expect(planned(await planWith('FROM src\nRUN true\n', { src: { dir } })).stages[0].steps[0].cacheKey).not.toBe(
      before,
    );
  });

  it('a source missing in it is reported with the path', async () => {
    const dir = await dirWith({ 'a.txt': { content: 'a' } });
    const result = await planWith('FROM busybox\nCOPY --from=src /nope /x\n', { src: { dir } });
    expect(result.plan).toBeNull();
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      'failed to compute cache key: failed to calculate checksum of ref local::src: "/nope": not found',
    ]);
  });

  it('is not consulted for scratch or context', async () => {
    const dir = await dirWith({ 'a.txt': { content: 'a' } });
    const stage = planned(
      await planWith('FROM scratch\nCOPY main.txt /\n', {
        scratch: { image: 'docker.io/library/busybox:latest' },
        context: { dir },
      }),
    ).stages[0];
    expect(stage.base).toEqual({ type: 'scratch' });
    expect(stage.steps[0].inputs).toMatchObject([{ type: 'context', source: 'main.txt' }]);
    expect(stage.steps[0].inputs[0]).not.toHaveProperty('name');
  });
});
