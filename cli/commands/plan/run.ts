// `tsbuild plan [-f FILE] [--target T] [--build-arg K=V]… [--build-context NAME=VALUE]… [--add-host NAME:IP]…
// [--shm-size SIZE] [--ulimit NAME=SOFT[:HARD]]… [--json] CONTEXT`: plans the build and prints every stage and step
// with its cache key (text), or the plan as JSON (docs/plan.md).

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { contextStatCacheFile, StatCache, snapshotContext } from '../../../cache/index.js';
import { gitHttpAuth, gitResolver } from '../../../executor/git/index.js';
import { readSecretSource, type SecretSource } from '../../../executor/index.js';
import { defaultStoreRoot, Store, storePaths } from '../../../image/index.js';
import { type Diagnostic, parse } from '../../../parser/index.js';
import {
  type BaseImageResolver,
  type BuildNetwork,
  type BuildRunOptions,
  copiesWholeContext,
  formatPlatform,
  hasLocation,
  lazySnapshotSource,
  type NamedContext,
  type Plan,
  type PlanStep,
  type Platform,
  plan,
  snapshotSource,
  storeResolver,
} from '../../../planner/index.js';
import { buildContexts } from '../build/build-context-option.js';
import { platformsOption } from '../build/option-values.js';
import { buildRunOptions } from '../build/run-options.js';
import { parseSecrets } from '../build/secret-spec.js';
import { planToJson } from './json.js';
import { cacheStatus, type StepStatus } from './status.js';
import { formatPlan } from './text.js';

export interface PlanCommandOptions {
  context: string;
  file?: string;
  target?: string;
  buildArgs: string[];
  /** `--network`, as `tsbuild build` takes it: RUN steps' keys depend on it. */
  network?: BuildNetwork;
  /** `--platform`, as `tsbuild build` takes it (`os/arch[/variant]`). */
  platform?: string;
  /** `--build-context NAME=VALUE`, as `tsbuild build` takes it. */
  buildContexts?: string[];
  /** `--add-host`, `--shm-size` and `--ulimit`, as `tsbuild build` takes them: RUN steps' keys depend on them. */
  addHosts?: string[];
  shmSize?: string;
  ulimits?: string[];
  /** `--secret`, as `tsbuild build` takes it: the GIT_AUTH_TOKEN / GIT_AUTH_HEADER secrets of private git sources. */
  secrets?: string[];
  json: boolean;
}

/** Without a store, base images are planned by reference only (the planner warns). */
const noImages: BaseImageResolver = { resolve: async () => null };

/** The local store when there is one; planning never creates a store. */
async function existingStore(env: PlanIo['env']): Promise<Store | null> {
  const root = defaultStoreRoot(env as NodeJS.ProcessEnv);
  return existsSync(storePaths(root).ociLayout) ? Store.open(root) : null;
}

export async function run(opts: PlanCommandOptions, io: PlanIo = processIo): Promise<number> {
  const dockerfilePath = opts.file === '-' ? null : resolveDockerfile(opts.context, opts.file);
  const shownName = opts.file === '-' ? '<stdin>' : displayPath(dockerfilePath as string);
  let text: string;
  try {
    text = dockerfilePath === null ? await io.readStdin() : await readFile(dockerfilePath, 'utf8');
  } catch (error) {
    io.stderr(
      `error: cannot read Dockerfile ${shownName}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
    );
    return 1;
  }
  const parsed = parse(text);
  if (report(io, shownName, parsed.diagnostics, opts.json)) return 1;

  let store: Store | null;
  try {
    store = await existingStore(io.env);
  } catch (error) {
    io.stderr(`error: cannot open the store: ${(error as Error).message}\n`);
    return 1;
  }
  // With a store, files hashed by an earlier plan or build of this context are not read again.
  const statCache =
    store === null ? StatCache.inMemory() : await StatCache.open(contextStatCacheFile(store.paths.cache, opts.context));
  let snapshot: Awaited<ReturnType<typeof snapshotContext>>;
  try {
    snapshot = await snapshotContext(opts.context, {
      statCache,
      // A first plan of a context it copies whole hashes every file: as the walk goes, not in a second pass.
      hashAll: statCache.size === 0 && copiesWholeContext(parsed.ast),
      ...(dockerfilePath === null ? {} : { dockerfilePath }),
    });
  } catch (error) {
    io.stderr(`error: cannot read build context ${opts.context}: ${(error as Error).message}\n`);
    return 1;
  }
  let platforms: (Platform | undefined)[];
  let namedContexts: Map<string, NamedContext>;
  let runOptions: BuildRunOptions | undefined;
  let secrets: Map<string, SecretSource>;
  try {
    // A list plans each platform, as `tsbuild build --platform a,b` builds each.
    const listed = platformsOption(opts.platform);
    platforms = listed.length === 0 ? [undefined] : listed;
    runOptions = buildRunOptions(opts, opts.network);
    namedContexts = await namedContextsOf(opts.buildContexts ?? []);
    secrets = parseSecrets(opts.secrets ?? [], io.env);
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n`);
    return 2;
  }
  const planned: {
    readonly platform: Platform | undefined;
    readonly plan: Plan;
    readonly diagnostics: readonly Diagnostic[];
  }[] = [];
  const reported = new Set<string>();
  for (const platform of platforms) {
    let result: Awaited<ReturnType<typeof plan>>;
    try {
      result = await plan(
        parsed.ast,
        {
          target: opts.target,
          buildArgs: buildArgValues(opts.buildArgs, io.env),
          ...(opts.network === undefined ? {} : { network: opts.network }),
          ...(runOptions === undefined ? {} : { run: runOptions }),
          ...(platform === undefined ? {} : { targetPlatform: platform }),
        },
        {
          context: snapshotSource(snapshot),
          namedContexts,
          images: store === null ? noImages : storeResolver(store),
          git: gitResolver({ httpAuth: (remote) => gitHttpAuth(remote, (id) => readSecretSource(secrets.get(id))) }),
        },
      );
    } catch (error) {
      // Not a Dockerfile problem (the store or the context could not be read): say what failed.
      io.stderr(`${shownName}: error: ${(error as Error).message}\n`);
      return 1;
    }
    // What every platform's plan says is reported once.
    const fresh = result.diagnostics.filter((d) => !reported.has(diagnosticId(d)));
    for (const d of fresh) reported.add(diagnosticId(d));
    if (report(io, shownName, fresh, opts.json) || result.plan === null) return 1;
    planned.push({ platform, plan: result.plan, diagnostics: result.diagnostics });
  }
  // Same identity as `tsbuild build` records its plan under (executor/build/plan-record.ts).
  const identity = { contextDir: opts.context, dockerfile: dockerfilePath ?? '-', target: opts.target };
  // A stat cache that cannot be written only costs the next plan some hashing.
  await statCache.save().catch(() => {});
  // One plan as it is; several, each under its platform (docs/plan.md).
  const several = planned.length > 1;
  const texts: string[] = [];
  const jsons: unknown[] = [];
  for (const { platform, plan: thePlan, diagnostics } of planned) {
    const statuses: ReadonlyMap<PlanStep, StepStatus> =
      store === null ? new Map() : await cacheStatus(thePlan, store, identity);
    const label = several && platform !== undefined ? formatPlatform(platform) : undefined;
    if (opts.json) {
      const json = (await planToJson(thePlan, diagnostics, statuses)) as Record<string, unknown>;
      jsons.push(label === undefined ? json : { platform: label, ...json });
    } else texts.push(`${label === undefined ? '' : `platform ${label}\n`}${formatPlan(thePlan, statuses)}`);
  }
  const json = several ? { version: 1, platforms: jsons } : jsons[0];
  io.stdout(opts.json ? `${JSON.stringify(json, null, 2)}\n` : texts.join('\n'));
  return 0;
}

function diagnosticId(d: Diagnostic): string {
  const where = hasLocation(d) ? `${d.range.start.line}:${d.range.start.column}` : '';
  return `${d.severity} ${where} ${d.message}`;
}

/** `--build-context` values; a local directory is snapshotted with its own `.dockerignore`, as a build does. */
async function namedContextsOf(values: readonly string[]): Promise<Map<string, NamedContext>> {
  const out = new Map<string, NamedContext>();
  for (const [name, option] of buildContexts(values)) {
    if (option.type === 'image') out.set(name, option);
    else if (option.type !== 'local') {
      throw new Error(`build context ${name}: tsbuild plan takes a local directory or docker-image://REF, not a URL`);
    } else {
      const dir = option.dir;
      const load = () => snapshotContext(dir, { statCache: StatCache.inMemory() });
      out.set(name, { type: 'local', source: lazySnapshotSource(load) });
    }
  }
  return out;
}

export interface PlanIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const processIo: PlanIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  env: process.env,
};

function resolveDockerfile(context: string, file: string | undefined): string {
  if (file === undefined) return join(context, 'Dockerfile');
  return isAbsolute(file) ? file : join(process.cwd(), file);
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/** `K=V` as given; a bare `K` takes its value from the environment and is dropped when unset (as Docker). */
export function buildArgValues(args: readonly string[], env: PlanIo['env']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq >= 0) out[arg.slice(0, eq)] = arg.slice(eq + 1);
    else if (env[arg] !== undefined) out[arg] = env[arg] as string;
  }
  return out;
}

/** Prints diagnostics as `FILE:LINE:COL: severity: message`; true when there is an error. */
function report(io: PlanIo, file: string, diagnostics: readonly Diagnostic[], json: boolean): boolean {
  let failed = false;
  for (const d of diagnostics) {
    if (d.severity === 'error') failed = true;
    if (json && d.severity !== 'error') continue; // warnings are part of the JSON output
    const where = hasLocation(d) ? `${file}:${d.range.start.line}:${d.range.start.column}` : file;
    io.stderr(`${where}: ${d.severity}: ${d.message}\n`);
  }
  return failed;
}
