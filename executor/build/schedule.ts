// Runs the stages of a plan: all of them start at once (the planner kept only those the target
// needs), each awaits the stages it reads from, and a shared semaphore bounds the steps running at
// a time. The first failure aborts the rest: running containers are killed, and every stage is
// settled (mounts released) before the error is reported. So does the caller's `signal` (Ctrl-C).
import path from 'node:path';
import {
  formatPlatform,
  hostPlatform,
  type Plan,
  type PlanStage,
  type Platform,
  stageLabelOf,
} from '../../planner/index.js';
import { removeStaleContainers } from '../container/stale.js';
import { prepareFifos } from '../runtime/fifo-output.js';
import { ensureMountPointLayer } from '../snapshot/mount-points.js';
import { BuildError } from './errors.js';
import type { Progress } from './progress.js';
import { runNetworkFiles } from './run-step.js';
import type { Semaphore } from './semaphore.js';
import { removeStaleWork } from './snapshots.js';
import { prefetchHits } from './stage-reads.js';
import { countedSteps, runStage, type StageResult, type StageStart, vertexName } from './stage-runner.js';
import type { StepEnv } from './step-env.js';
import { type ResolvedBases, type StoredBase, storedBase } from './store-images.js';

/**
 * What the first RUN step's mount and bundle read from disk, made while the steps before it run: the mount-point
 * layer (a fresh store has none) and the network files. Each is made once and waited for by the step that needs it,
 * which reports a failure; nothing here fails the build.
 */
function warmFirstRun(env: StepEnv, plan: Plan): void {
  void ensureMountPointLayer(path.join(env.store.paths.snapshots, 'mp')).catch(() => {});
  const run = plan.stages.flatMap((stage) => stage.steps).find((step) => step.operation.type === 'run');
  if (run?.operation.type === 'run') void runNetworkFiles(env, run.operation).catch(() => {});
}

/**
 * BuildKit's platform part of a step name when several platforms are built (prefixCommand with prefixPlatform): the
 * stage's platform, then `->ARCH[/VARIANT]` (`->OS/ARCH…` across systems) when the build's target is another, and a
 * space.
 */
export function platformLabelOf(stage: Platform, target: Platform | undefined): string {
  const base = formatPlatform(stage);
  if (target === undefined) return `${base} `;
  if (target.os !== stage.os) return `${base}->${formatPlatform(target)} `;
  if (target.architecture === stage.architecture) return `${base} `;
  return `${base}->${target.architecture}${target.variant ? `/${target.variant}` : ''} `;
}

export interface ScheduleOptions {
  readonly plan: Plan;
  readonly progress: Progress;
  readonly jobs: Semaphore;
  readonly noCache: boolean;
  /** `--no-cache-filter` stage names (BuildKit's `no-cache` frontend option; see BuildOptions). */
  readonly noCacheFilter?: readonly string[];
  /** Step names carry the stage's platform (BuildOptions.platformLabels). */
  readonly platformLabels?: boolean;
  readonly epoch: number | null;
  /** Cancels the build (e.g. on SIGINT): the stages stop as on a failure; the error is `build canceled`. */
  readonly signal?: AbortSignal;
  /** Base images as the planner resolved them (taken instead of resolving their references again). */
  readonly bases?: ResolvedBases;
  /** Builds the step environment once the stage lookups exist. */
  readonly makeEnv: (lookups: Pick<StepEnv, 'stageFs' | 'imageFs'>, signal: AbortSignal) => StepEnv;
}

/**
 * Whether `--no-cache-filter` names the stage: BuildKit's dockerui `IsNoCache`, which compares each name with
 * the stage's name as written after AS, ignoring case (an unnamed stage's name is empty, so an empty entry,
 * as in `a,`, names every unnamed stage). Names no stage has are ignored, as BuildKit ignores them.
 */
export function ignoresCache(filter: readonly string[] | undefined, stage: Pick<PlanStage, 'name'>): boolean {
  if (filter === undefined || filter.length === 0) return false;
  const name = (stage.name ?? '').toLowerCase();
  return filter.some((entry) => entry.toLowerCase() === name);
}

export async function runStages(options: ScheduleOptions): Promise<Map<number, StageResult>> {
  const abort = new AbortController();
  const cancel = () => abort.abort();
  if (options.signal?.aborted) throw new BuildError('build canceled');
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await runAll(options, abort);
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}

async function runAll(options: ScheduleOptions, abort: AbortController): Promise<Map<number, StageResult>> {
  const { plan } = options;
  const results = new Map<number, Promise<StageResult>>();
  const images = new Map<string, Promise<StoredBase>>();
  const failures: unknown[] = [];
  // BuildKit names steps by stage (its name, else `stage-N`) unless the Dockerfile makes one dispatch state.
  const labelled = plan.stageLabels ?? plan.stages.length > 1;
  const labelOf = (stage: PlanStage): string =>
    (options.platformLabels === true ? platformLabelOf(stage.platform, plan.platform) : '') +
    stageLabelOf(labelled, stage);

  const result = (index: number): Promise<StageResult> => {
    const pending = results.get(index);
    if (pending === undefined) throw new BuildError(`stage ${index} is not part of the plan`);
    return pending;
  };
  /** The image `ref` for `platform` (a stage's FROM: the stage's; COPY --from and mounts: the build's). */
  const image = (ref: string, platform: Platform): Promise<StoredBase> => {
    const key = `${ref} ${formatPlatform(platform)}`;
    let pending = images.get(key);
    if (pending === undefined) {
      pending = storedBase(env.store, ref, platform, options.bases);
      images.set(key, pending);
    }
    return pending;
  };
  const buildPlatform = plan.platform ?? hostPlatform();
  const env = options.makeEnv(
    { stageFs: async (i) => (await result(i)).fs, imageFs: async (ref) => (await image(ref, buildPlatform)).fs },
    abort.signal,
  );
  // A build killed by SIGKILL leaves its RUN container running on the overlay it held, and its work dir. Both
  // are cleared once the first step does work: a fully cached build touches no layer, so it spends nothing on
  // them (`runc list` alone is a process start when any container exists on the machine). The step does not
  // wait for it: what a dead process left is its own (its pid names it), which no step of this build reads or
  // writes; the build waits for the sweep before it ends.
  let sweep: Promise<void> | undefined;
  // The FIFOs and the syscall helper RUN needs are started at the first miss that a RUN step follows in its
  // stage: a build whose RUN steps are all cached (one COPY changed at the end) starts no process for them.
  let runtimePrepared = false;
  const beforeWork = (runAhead: boolean): Promise<void> => {
    if (runAhead && !runtimePrepared) {
      runtimePrepared = true;
      void prepareFifos(2);
      warmFirstRun(env, plan);
    }
    if (sweep === undefined) {
      sweep = (async () => {
        await removeStaleContainers(env.store.paths.snapshots, { runtime: env.runtime });
        await removeStaleWork(env.store);
      })();
      // Handled here so that an early failure is not an unhandled rejection; awaited (and thrown) at the end.
      sweep.catch(() => {});
    }
    return Promise.resolve();
  };

  const start = async (stage: PlanStage): Promise<StageStart> => {
    const base = stage.base;
    // A local named context starts on scratch: its first step copies the directory (planner/context-stage.ts).
    if (base.type === 'scratch' || base.type === 'context') return { fs: { layers: [] }, history: [] };
    if (base.type === 'stage') return result(base.index);
    const label = labelOf(stage);
    const from = `FROM ${base.ref}${base.digest ? `@${base.digest}` : ''}`;
    const step = options.progress.step(vertexName(label, 1, countedSteps(stage), from));
    try {
      const stored = await image(base.ref, stage.platform);
      step.done();
      return stored;
    } catch (error) {
      step.error((error as Error).message);
      throw error;
    }
  };
  for (const stage of plan.stages) {
    const label = labelOf(stage);
    const platform = formatPlatform(stage.platform);
    const run = {
      env,
      ...(platform === formatPlatform(hostPlatform()) ? {} : { foreignPlatform: platform }),
      progress: options.progress,
      jobs: options.jobs,
      noCache: options.noCache,
      ignoreCache: ignoresCache(options.noCacheFilter, stage),
      epoch: options.epoch,
      label,
      beforeWork,
    };
    // The stage's cache records are read (and a RUN found missing starts the runtime's helpers) while its base
    // image or stage is still being resolved.
    const hits = prefetchHits(run, stage);
    const pending = (async () => runStage(run, stage, await start(stage), hits))();
    pending.catch((error: unknown) => {
      // In the order they happen: the stages this abort kills fail after (and because of) this one.
      failures.push(error);
      abort.abort();
    });
    results.set(stage.index, pending);
  }
  await Promise.allSettled(results.values());
  const sweepFailure = await sweep?.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (options.signal?.aborted) throw new BuildError('build canceled');
  if (failures.length > 0) {
    const real = failures.find((f) => !(f instanceof BuildError && f.message === 'build canceled'));
    throw real ?? failures[0];
  }
  if (sweepFailure !== undefined) throw sweepFailure;
  const done = new Map<number, StageResult>();
  for (const [index, pending] of results) done.set(index, await pending);
  return done;
}
