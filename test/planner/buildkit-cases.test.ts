// BuildKit's Dockerfile integration cases (conformance/buildkit/build/cases.json) as far as they can
// be decided at plan time: every buildable case plans without error, and the cases that BuildKit
// rejects before running anything fail with BuildKit's message on the expected line.

import { readFileSync } from 'node:fs';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planDir, withContext } from './helpers/scenario.js';

interface ContextEntry {
  path: string;
  type: string;
  content?: string;
  mode?: string;
  target?: string;
}

interface BuildCase {
  name: string;
  dockerfile: string;
  dockerfileName?: string;
  dockerfileInContext?: boolean;
  context: ContextEntry[];
  dockerignore?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  platform?: string;
  contextFormat?: string;
  namedContexts?: unknown;
  preBuild?: unknown;
  otherAttrs?: Record<string, string>;
  needs?: string[];
  expect: { error?: string | string[]; errorRegex?: string; errorLines?: number[] };
}

const repoRoot = resolve(import.meta.dirname, '../..');
const cases: BuildCase[] = JSON.parse(
  readFileSync(join(resolve(repoRoot, '../shared'), 'conformance/buildkit/build/cases.json'), 'utf8'),
);

/** Cases BuildKit rejects at conversion time, before any step runs. */
const PLAN_ERRORS = [
  'TestDockerfileCopyFromArgs',
  'TestCopyInvalidChmod/64a',
  'TestCopyInvalidChmod/10000',
  'TestAddInvalidChmod/64a',
  'TestAddInvalidChmod/10000',
  'TestAddChecksum/NonHTTPSource',
  'TestGlobalArgErrors/unset',
  'TestArgDefaultExpansion/unset',
  'TestTargetMistype',
  'TestMountFromError',
  'TestMountInvalid/mont',
  'TestMountInvalid/typ',
  'TestMountInvalid/tmp',
  'TestOutOfOrderStage/src=/',
  'TestOutOfOrderStage/src=/d2',
  'TestEmptyStages',
  'TestHistoryError',
  'TestSourceDateEpochDockerfileDefaultInvalid',
  'TestErrorsSourceMap/invalidcopy',
  'TestErrorsSourceMap/invalidflag',
  'TestDockerfileInvalidInstruction',
];

/** Buildable cases the planner cannot judge alone: other contexts, images built first, URLs, platform lists. */
function planOnly(c: BuildCase): boolean {
  return (
    c.expect.error === undefined &&
    c.expect.errorRegex === undefined &&
    c.contextFormat === undefined &&
    c.namedContexts === undefined &&
    c.preBuild === undefined &&
    c.needs === undefined &&
    c.platform === undefined &&
    c.otherAttrs === undefined &&
    c.dockerfileInContext !== false
  );
}

/** Writes the case's context; returns the servers that keep its unix sockets alive. */
async function materialise(dir: string, c: BuildCase): Promise<Server[]> {
  const servers: Server[] = [];
  for (const entry of c.context) {
    const abs = join(dir, entry.path);
    await mkdir(dirname(abs), { recursive: true });
    if (entry.type === 'dir') await mkdir(abs, { recursive: true });
    else if (entry.type === 'symlink') await symlink(entry.target ?? '', abs);
    else if (entry.type === 'file' || entry.type === 'tar') await writeFile(abs, entry.content ?? '');
    else if (entry.type === 'socket') {
      const server = createServer();
      await new Promise<void>((done) => server.listen(abs, done));
      servers.push(server);
    }
    if (entry.mode !== undefined && entry.type !== 'symlink') await chmod(abs, Number.parseInt(entry.mode, 8));
  }
  await writeFile(join(dir, c.dockerfileName ?? 'Dockerfile'), c.dockerfile);
  if (c.dockerignore !== undefined) await writeFile(join(dir, '.dockerignore'), c.dockerignore);
  return servers;
}

const images = { busybox: { config: { Env: ['PATH=/bin'] } }, alpine: { config: { Env: ['PATH=/bin'] } } };

async function planCase(c: BuildCase) {
  return withContext({}, async (dir) => {
    const servers = await materialise(dir, c);
    try {
      return await planDir(dir, {
        dockerfile: c.dockerfile,
        files: {},
        buildArgs: c.buildArgs,
        target: c.target,
        images,
      });
    } finally {
      for (const server of servers) server.close();
    }
  });
}

describe('BuildKit cases rejected at plan time', () => {
  it.each(PLAN_ERRORS)('%s', async (name) => {
    const c = cases.find((x) => x.name === name);
    if (c === undefined) throw new Error(`no case ${name}`);
    const result = await planCase(c);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(result.plan).toBeNull();
    expect(errors).toHaveLength(1);
    const wanted =
      c.expect.error === undefined ? [] : Array.isArray(c.expect.error) ? c.expect.error : [c.expect.error];
    for (const part of wanted) expect(errors[0].message).toContain(part);
    if (c.expect.errorLines !== undefined) expect(errors[0].range.start.line).toBe(c.expect.errorLines[0]);
  });
});

describe('BuildKit cases that build', () => {
  it.each(cases.filter(planOnly).map((c) => c.name))('%s plans without error', async (name) => {
    const c = cases.find((x) => x.name === name) as BuildCase;
    const result = await planCase(c);
    expect(
      result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.range.start.line}: ${d.message}`),
    ).toEqual([]);
  });
});
