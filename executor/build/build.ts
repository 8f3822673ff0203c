// `tsbuild build`: Dockerfile → plan → stages run → image committed and tagged (→ optional exports).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ContextSnapshot, contextStatCacheFile, StatCache, snapshotContext } from '../../cache/index.js';
import type { Store } from '../../image/index.js';
import {
  copiesWholeContext,
  type Diagnostic,
  type FailedStep,
  hasLocation,
  type Plan,
  type PlanOptions,
  parse,
  plan,
  snapshotSource,
} from '../../planner/index.js';
import type { CacheSpec } from '../cache-transfer/index.js';
import { gitResolver } from '../git/index.js';
import { manifestAnnotations, parseAnnotations, refuseIndexAnnotations } from './annotations.js';
import type { BuildOptions, BuildResult } from './build-options.js';
import { BuildError } from './errors.js';
import { changesImage, type FinalImageChanges, finishImage } from './final-image.js';
import { type GitAgent, gitAgent } from './git-ssh.js';
import { commitImage } from './image-commit.js';
import { registerBuild } from './live-builds.js';
import { loadNamedContexts } from './named-contexts.js';
import { silentProgress } from './progress.js';
import { ReadViews } from './read-views.js';
import { platformLabelOf, runStages } from './schedule.js';
import { Semaphore } from './semaphore.js';
import { sourceEpochResolver } from './source-epoch.js';
import { readsViews } from './stage-reads.js';
import { allRecordsWritten } from './step-records.js';
import { baseImageResolver } from './store-images.js';
import { refuseUnrunnableSteps } from './unrunnable-steps.js';
import { UrlContents } from './url-content.js';

export async function build(options: BuildOptions): Promise<BuildResult> {
  // Marked as running on the store for the whole build: pruning keeps the records it uses (live-builds.ts).
  const unregister = await registerBuild(options.store);
  // One agent per build: the caller's when it made one (its owner closes it), else one of our own.
  const ownAgent =
    options.gitAgent === undefined ? gitAgent(options.ssh, storeTmp(options.store), options.secrets) : null;
  const agent = options.gitAgent ?? (ownAgent as GitAgent);
  const urls = new UrlContents(options.store, options.signal);
  try {
    return await runBuild(options, agent, urls);
  } finally {
    await urls.close();
    await ownAgent?.close();
    // Nothing of the build is still being written when it returns, failed or not: blobs committed in the background,
    // the records waiting for them (image/store/blob-commits.ts). A failure there was reported by what named them.
    await options.store.blobsIdle();
    await unregister();
  }
}

/** The store's directory for private temporary files (stdin and remote contexts, git agent sockets). */
function storeTmp(store: Store): string {
  return path.join(store.root, 'tmp');
}

async function runBuild(options: BuildOptions, agent: GitAgent, urls: UrlContents): Promise<BuildResult> {
  const contextDir = path.resolve(options.contextDir);
  const dockerfilePath = options.dockerfile ?? path.join(contextDir, 'Dockerfile');
  const dockerfileName = path.basename(dockerfilePath);
  const progress = options.progress;
  const cacheTo = await cacheSpecs(options.cacheTo, 'to');
  const cacheFrom = await cacheSpecs(options.cacheFrom, 'from');
  const annotations = parseAnnotations(options.annotations ?? []);
  // One platform of several: the index that holds this build's image takes the `index:` ones (multi-platform.ts).
  if (options.multiPlatform !== true) refuseIndexAnnotations(annotations);

  // A later platform of a multi-platform build reads the same definition and context: shown once, as BuildKit does.
  const loads = options.hideLoadSteps === true ? silentProgress : progress;
  const load = loads.step(`[internal] load build definition from ${dockerfileName}`);
  let text: string;
  try {
    // Synchronously: a Dockerfile is small, and an asynchronous read is four thread-pool round trips.
    text = options.dockerfileText ?? readFileSync(dockerfilePath, 'utf8');
  } catch (error) {
    load.error(`failed to read dockerfile: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    throw new BuildError(`failed to read dockerfile ${dockerfilePath}: ${(error as Error).message}`);
  }
  load.done();
  const parsed = parse(text);
  report(parsed.diagnostics, options);

  const contextStep = loads.step('[internal] load build context');
  let snapshot: ContextSnapshot;
  const statCache = options.ephemeralContext
    ? StatCache.inMemory()
    : await StatCache.open(contextStatCacheFile(options.store.paths.cache, contextDir));
  try {
    snapshot = await snapshotContext(contextDir, {
      statCache,
      // A first build of a context it copies whole hashes every file: as the walk goes, not in a second pass.
      hashAll: statCache.size === 0 && copiesWholeContext(parsed.ast),
      ...(options.dockerfileText === undefined ? { dockerfilePath } : {}),
      ...(options.dockerignore === false ? { ignoreFile: null } : {}),
    });
  } catch (error) {
    contextStep.error((error as Error).message);
    throw new BuildError(`cannot read build context ${contextDir}: ${(error as Error).message}`);
  }
  contextStep.done();
  const named = await loadNamedContexts(options.store, options.namedContexts ?? new Map(), progress);

  const planOptions: PlanOptions = {
    ...(options.target === undefined ? {} : { target: options.target }),
    buildArgs: options.buildArgs ?? {},
    ...(options.network === undefined ? {} : { network: options.network }),
    ...(options.run === undefined ? {} : { run: options.run }),
    ...(options.platform === undefined ? {} : { targetPlatform: options.platform }),
  };
  let planned: Awaited<ReturnType<typeof plan>>;
  const images = baseImageResolver({
    store: options.store,
    policy: options.pull ?? 'missing',
    progress,
    registryClient: options.registryClient,
  });
  try {
    planned = await plan(parsed.ast, planOptions, {
      context: snapshotSource(snapshot),
      namedContexts: named.planned,
      images: images.resolver,
      sourceEpoch: sourceEpochResolver(storeTmp(options.store), agent, options.signal),
      git: gitResolver({
        sshAgent: (remote) => agent.socketFor(remote),
        httpAuth: (remote) => agent.httpAuthFor(remote),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      }),
    });
  } finally {
    await images.close();
    // File digests computed while planning are what make the next build's context check cheap.
    await statCache.save().catch(() => {});
    await named.save();
  }
  if (planned.failure !== undefined) {
    report(
      planned.diagnostics.filter((d) => d.severity !== 'error'),
      options,
    );
    const { message, range, step } = planned.failure;
    // A failure BuildKit meets solving a step (a missing source) is reported on that step, as docker shows it; in a
    // build of several platforms its name carries the stage's platform, as the steps that run do.
    const where = { line: range.start.line, endLine: range.end.line };
    if (step === undefined) throw new BuildError(message, where);
    const name = labelledStepName(step, options);
    progress.step(name).error(step.message);
    throw new BuildError(message, { ...where, instruction: name });
  }
  report(planned.diagnostics, options);
  const thePlan = planned.plan as Plan;
  refuseUnrunnableSteps(thePlan, options.allow ?? [], options.onWarning);
  await options.onPlanned?.({
    text,
    parsed,
    plan: thePlan,
    diagnostics: planned.diagnostics.filter((d) => d.severity !== 'error'),
    ignoreFile: snapshot.ignoreFile,
  });
  const epoch = epochOf(thePlan, options.buildArgs ?? {});
  const now = Math.floor(Date.now() / 1000);
  const noCache = options.noCache ?? false;
  if (!noCache && cacheFrom.length > 0) {
    const { importCache, importScope } = await import('../cache-transfer/index.js');
    await importCache(options.store, cacheFrom, importScope(thePlan), loads);
  }
  // Views of stages and images that steps read (COPY --from …), mounted once for all of them.
  const readers = thePlan.stages.filter((stage) => stage.steps.some((step) => readsViews(step.operation))).length;
  const readViews = new ReadViews(options.store, readers);
  const results = await runStages({
    plan: thePlan,
    bases: images.resolved,
    progress,
    jobs: new Semaphore(Math.max(1, options.jobs ?? (await import('node:os')).availableParallelism())),
    noCache,
    ...(options.noCacheFilter === undefined ? {} : { noCacheFilter: options.noCacheFilter }),
    ...(options.multiPlatform === true ? { platformLabels: true } : {}),
    epoch,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    makeEnv: (lookups, signal) => ({
      ...lookups,
      store: options.store,
      context: snapshot,
      namedContexts: named.snapshots,
      urls,
      readViews,
      now,
      secrets: options.secrets ?? new Map(),
      ...(options.ssh === undefined ? {} : { ssh: options.ssh }),
      gitAgent: agent,
      runtime: options.runtime ?? 'runc',
      allowInsecure: options.allow?.includes('security.insecure') === true,
      hostname: options.hostname ?? (options.buildArgs?.BUILDKIT_SANDBOX_HOSTNAME || 'buildkitsandbox'),
      signal,
      ...(options.onContainerStarted === undefined ? {} : { onContainerStarted: options.onContainerStarted }),
    }),
  }).catch(async (error: unknown) => {
    await readViews.close();
    throw error;
  });
  // Released beside the image commit: no step reads a stage any more.
  const viewsReleased = readViews.close();
  const stage = thePlan.stages.find((s) => s.index === thePlan.target) ?? thePlan.stages[thePlan.stages.length - 1];
  const result = results.get(stage.index);
  if (result === undefined) throw new BuildError('the target stage did not run');

  const exporting = (options.hideExportStep === true ? silentProgress : progress).step('exporting to image');
  // The plan record is listed and encoded while the image's blobs are being fsynced; written once the image is.
  const planRecord = import('./plan-record.js')
    .then((m) => m.preparePlanRecord(options, contextDir, thePlan))
    .catch(() => null);
  const rewriteEpoch = options.rewriteTimestamp?.epoch === undefined ? epoch : options.rewriteTimestamp.epoch;
  const inline = inlineCacheRequested(cacheTo, options.buildArgs ?? {});
  // Steps keyed by the content of a stage mount are exported under the keys this build completed.
  const completed = [...results.values()].flatMap((r) => r.completed ?? []);
  const transfer = inline || cacheTo.length > 0 ? await import('../cache-transfer/index.js') : undefined;
  const steps = transfer?.stepScope(thePlan, stage, (index) => results.has(index), completed);
  const changes: FinalImageChanges = {
    ...(options.rewriteTimestamp !== undefined && rewriteEpoch !== null ? { rewriteEpoch } : {}),
    ...(inline && steps !== undefined ? { inline: { stepKeys: steps.minKeys, completions: steps.completions } } : {}),
    annotations: manifestAnnotations(annotations, stage.platform),
  };
  const tags = options.tags ?? [];
  const keepUntagged = options.keepUntagged ?? true;
  // Only the image the changes make is named (or kept): the one committed before them is no result of the build.
  const finishing = changesImage(changes);
  const committed = commitImage(options.store, stage, result, {
    labels: options.labels ?? {},
    epoch,
    now,
    tags: finishing ? [] : tags,
    keepUntagged: finishing ? false : keepUntagged,
    // A step the filter ran again made this image's layers anew: its history is this build's, not a stored one.
    noCache: noCache || result.rebuilt === true,
  });
  // The steps' records are written while the image is committed; a step whose layer could not be stored is the
  // error to report (the image commit, waiting for the same blob, fails too).
  const [records, commit] = await Promise.allSettled([allRecordsWritten(results.values()), committed]);
  if (records.status === 'rejected') throw records.reason;
  if (commit.status === 'rejected') throw commit.reason;
  const image = await finishImage(options.store, thePlan, stage, commit.value, changes, { tags, keepUntagged });
  exporting.note(`writing image ${image.configDigest} done`);
  for (const tag of options.tags ?? []) exporting.note(`naming to ${tag} done`);
  exporting.done();
  await (await planRecord)?.();
  await viewsReleased;
  const scope =
    steps === undefined
      ? undefined
      : { ...steps, manifest: commit.value.manifestDigest, imageKeys: [commit.value.cacheKey] };
  if (transfer !== undefined && scope !== undefined && options.exportCacheLater !== true) {
    if (cacheTo.some((spec) => spec.type !== 'inline'))
      await transfer.exportCache(options.store, cacheTo, scope, progress);
  }
  return {
    imageId: image.configDigest,
    manifestDigest: image.manifestDigest,
    config: image.config,
    fs: result.fs,
    tags: options.tags ?? [],
    ...(options.exportCacheLater === true && scope !== undefined ? { cacheScope: scope } : {}),
  };
}

/** The `--cache-to`/`--cache-from` specs; the cache transfer code is loaded only for a build that has some. */
async function cacheSpecs(values: readonly string[] | undefined, direction: 'to' | 'from'): Promise<CacheSpec[]> {
  if (values === undefined || values.length === 0) return [];
  const { parseCacheSpec } = await import('../cache-transfer/index.js');
  try {
    return values.map((value) => parseCacheSpec(value, direction));
  } catch (error) {
    throw new BuildError((error as Error).message);
  }
}

/**
 * Whether the image carries its cache inline: `--cache-to type=inline`, or the build arg docker build and buildx take
 * for it, BUILDKIT_INLINE_CACHE, true as Go's strconv.ParseBool reads it.
 */
function inlineCacheRequested(cacheTo: readonly CacheSpec[], buildArgs: Readonly<Record<string, string>>): boolean {
  const arg = buildArgs.BUILDKIT_INLINE_CACHE;
  return cacheTo.some((spec) => spec.type === 'inline') || ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(arg ?? '');
}

/** Errors stop the build (the first one, with its line); warnings go to `onWarning`. */
function report(diagnostics: readonly Diagnostic[], options: BuildOptions): void {
  for (const d of diagnostics) {
    if (d.severity !== 'error') {
      options.onWarning?.(d);
      continue;
    }
    throw new BuildError(d.message, hasLocation(d) ? { line: d.range.start.line } : {});
  }
}

/** SOURCE_DATE_EPOCH: as the planner resolved it, else the build arg or the value it gave the file steps. */
function epochOf(thePlan: Plan, buildArgs: Readonly<Record<string, string>>): number | null {
  if (thePlan.epoch !== undefined) return thePlan.epoch;
  const raw = buildArgs.SOURCE_DATE_EPOCH;
  if (raw !== undefined && /^[0-9]+$/.test(raw)) return Number(raw);
  for (const stage of thePlan.stages) {
    for (const step of stage.steps) {
      const op = step.operation;
      if ((op.type === 'copy' || op.type === 'mkdir') && op.epoch !== null) return op.epoch;
    }
  }
  return null;
}

/** A step's name from the planner, `[2/3] COPY …`, with its stage's platform in a build of several (`[linux/arm64 2/3]`). */
function labelledStepName(step: FailedStep, options: BuildOptions): string {
  if (options.multiPlatform !== true || step.platform === undefined || !step.name.startsWith('[')) return step.name;
  return `[${platformLabelOf(step.platform, options.platform)}${step.name.slice(1)}`;
}
