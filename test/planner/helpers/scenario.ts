// Materialises a planner test scenario (Dockerfile, context files, base images) in a temporary
// directory and plans it; returns every step's cache key by a stable label `<stage>.<step index>`.

import { chmod, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultFileReader, snapshotContext } from '../../../cache/index.js';
import {
  type BuildNetwork,
  type BuildRunOptions,
  type GitResolver,
  MemoryImageResolver,
  type PlanResult,
  plan,
  type ResolvedImage,
  snapshotSource,
} from '../../../planner/index.js';
import { parseDockerfile } from './parse.js';

export interface FileSpec {
  readonly content: string;
  readonly mode?: number;
}

export interface Scenario {
  readonly dockerfile: string;
  readonly files: Readonly<Record<string, FileSpec>>;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly images?: Readonly<Record<string, Omit<ResolvedImage, 'ref'>>>;
  /** The build's `--network`. */
  readonly network?: BuildNetwork;
  /** The build's `--add-host`, `--shm-size` and `--ulimit`. */
  readonly run?: BuildRunOptions;
  /** Resolves the refs of `ADD <git-url>`. */
  readonly git?: GitResolver;
}

export const AMD64 = { os: 'linux', architecture: 'amd64' } as const;

export async function withContext<T>(files: Scenario['files'], fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-planner-'));
  try {
    await writeFiles(dir, files);
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function writeFiles(dir: string, files: Scenario['files']): Promise<void> {
  for (const [path, spec] of Object.entries(files)) {
    const abs = join(dir, path);
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, spec.content);
    await chmod(abs, spec.mode ?? 0o644);
    // A fixed mtime, so that only explicit touches change it.
    await utimes(abs, 1_700_000_000, 1_700_000_000);
  }
}

export async function planDir(dir: string, scenario: Scenario): Promise<PlanResult> {
  const images = new MemoryImageResolver();
  for (const [ref, image] of Object.entries(scenario.images ?? {})) images.add(ref, image);
  const { ast } = parseDockerfile(scenario.dockerfile);
  return plan(
    ast,
    {
      buildArgs: scenario.buildArgs ?? {},
      target: scenario.target,
      targetPlatform: AMD64,
      buildPlatform: AMD64,
      ...(scenario.network === undefined ? {} : { network: scenario.network }),
      ...(scenario.run === undefined ? {} : { run: scenario.run }),
    },
    {
      context: snapshotSource(await snapshotContext(dir, { readFile: defaultFileReader })),
      images,
      ...(scenario.git === undefined ? {} : { git: scenario.git }),
    },
  );
}

/** `<stage name or index>.<step index>` → cache key (null for ARG). */
export function keysOf(result: PlanResult): Map<string, string | null> {
  const keys = new Map<string, string | null>();
  if (result.plan === null) throw new Error(`planning failed: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  for (const stage of result.plan.stages) {
    for (const [i, step] of stage.steps.entries()) keys.set(`${stage.name ?? stage.index}.${i}`, step.cacheKey);
  }
  return keys;
}

/** Plans a Dockerfile over a temporary context holding `files`. */
export async function planOf(
  dockerfile: string,
  extra: Partial<Omit<Scenario, 'dockerfile'>> = {},
): Promise<PlanResult> {
  const scenario: Scenario = {
    files: {},
    images: { busybox: { config: { Env: ['PATH=/bin'] } } },
    ...extra,
    dockerfile,
  };
  return withContext(scenario.files, (dir) => planDir(dir, scenario));
}

/** The steps of the named stage (or the last stage). */
export function stepsOf(result: PlanResult, stage?: string) {
  if (result.plan === null) throw new Error(`planning failed: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  const found =
    stage === undefined
      ? result.plan.stages[result.plan.stages.length - 1]
      : result.plan.stages.find((s) => s.name === stage);
  if (found === undefined) throw new Error(`no stage ${stage}`);
  return found.steps;
}

/** Error and warning messages with their `line:column`. */
export function messages(result: PlanResult): string[] {
  return result.diagnostics.map((d) => `${d.severity} ${d.range.start.line}:${d.range.start.column} ${d.message}`);
}
