// Runs the steps of one stage in order: each filesystem step is looked up in the cache index by its
// key (a hit reuses the stored layer without touching its data), otherwise performed and committed
// (layer-step.ts); config steps only add history. Other stages a step reads from are awaited before
// the step takes a job slot, so a full set of slots can never wait on itself. RUN layers are committed
// beside the next steps; the stage's layers are all settled, in order, when it ends.
import { goTime, goTimeOfSeconds, goTimeText, type HistoryEntry } from '../../image/index.js';
import { isCountedStep, type PlanStage, type PlanStep, vertexName } from '../../planner/index.js';
import type { StepRecord } from './cache-index.js';
import { completeKey, filesystemAfter, type KeyCompletion } from './content-key.js';
import { BuildError } from './errors.js';
import { createdBy } from './history.js';
import type { FsState } from './layer-ref.js';
import { asBuildError, readsHeldLayers, runLayerStep } from './layer-step.js';
import { PendingSnapshot } from './pending-snapshot.js';
import type { Progress } from './progress.js';
import type { Semaphore } from './semaphore.js';
import { earlyStageInputs, prefetchHits, readsViews } from './stage-reads.js';
import { endsReported } from './step-ends.js';
import type { StepEnv } from './step-env.js';
import { StepRecords } from './step-records.js';

export interface StageStart {
  readonly fs: FsState;
  readonly history: readonly HistoryEntry[];
  /** The completed key of the filesystem when the planned one was pending (content-key.ts); else null. */
  readonly key?: string | null;
  /**
   * A step of this filesystem ran again because `--no-cache-filter` named its stage: every step built on it runs
   * again too, as in BuildKit, where a vertex that ignores the cache hands its dependents no cache keys.
   */
  readonly rebuilt?: boolean;
}

/** A step whose planned key was pending, and the key it was looked up and recorded under. */
export interface CompletedStep {
  readonly step: PlanStep;
  readonly key: string;
  readonly completion: KeyCompletion;
}

export interface StageResult extends StageStart {
  /** The stage's own steps whose keys were completed at run time (a cache export names them so). */
  readonly completed?: readonly CompletedStep[];
  /** The cache records of its steps, being written (step-records.ts). */
  readonly records?: StepRecords;
}

export interface StageRun {
  readonly env: StepEnv;
  readonly progress: Progress;
  readonly jobs: Semaphore;
  readonly noCache: boolean;
  /**
   * `--no-cache-filter` names this stage: its RUN, COPY and ADD steps are not looked up (BuildKit marks them
   * IgnoreCache), and every later step of the stage runs because it is built on one that ran.
   */
  readonly ignoreCache?: boolean;
  /** SOURCE_DATE_EPOCH of the build (seconds), when set. */
  readonly epoch: number | null;
  /** Prefix of step names: the stage name when the build has several stages. */
  readonly label: string;
  /** The stage's platform (`linux/arm64`) when this machine's is another: its programs need an emulator. */
  readonly foreignPlatform?: string;
  /**
   * Clears what dead builds left behind; awaited before a step that misses the cache does its work. `runAhead`: a
   * RUN step is this one or comes later in the stage, so the runtime's helpers are worth starting now.
   */
  beforeWork(runAhead: boolean): Promise<void>;
}

/**
 * The `n` of BuildKit's `[i/n]` (its cmdTotal): FROM an image, every RUN, COPY, ADD and WORKDIR (a `WORKDIR /`
 * that makes no vertex too) and every ONBUILD trigger, whatever its instruction.
 */
export function countedSteps(stage: PlanStage): number {
  return stage.steps.filter(isCountedStep).length + (stage.base.type === 'image' ? 1 : 0);
}

export { vertexName };

/** `hits`: the stage's prefetched cache records (`prefetchHits`), when the caller started reading them earlier. */
export async function runStage(
  run: StageRun,
  stage: PlanStage,
  start: StageStart,
  hits: ReadonlyMap<string, Promise<StepRecord | null>> = prefetchHits(run, stage),
): Promise<StageResult> {
  let layers = [...start.fs.layers];
  let rebuilt = start.rebuilt === true;
  // Completed key of the filesystem so far, while the planned one is pending (null: as planned).
  let fsKey = stage.base.type === 'stage' ? (start.key ?? null) : null;
  const history = [...start.history];
  const completed: CompletedStep[] = [];
  const records = new StepRecords();
  const total = countedSteps(stage);
  const names = new Map<PlanStep, string>();
  let position = stage.base.type === 'image' ? 1 : 0;
  const lastRun = stage.steps.findLastIndex((s) => s.operation.type === 'run');
  const early = earlyStageInputs(run, stage);
  // The build's shared views (read-views.ts) are released once every stage is past its last step that reads one.
  const lastReader = stage.steps.findLastIndex((s) => readsViews(s.operation));
  let reading = lastReader >= 0;
  const doneReading = () => {
    if (reading) run.env.readViews?.doneReading();
    reading = false;
  };
  // Layers still being committed while the next step runs on top of them (pending-snapshot.ts), bottom first: RUNs',
  // and small ones written directly (direct-step.ts).
  let pending: PendingStep[] = [];
  const settle = async (): Promise<void> => {
    const steps = pending;
    pending = [];
    // All at once: a layer is published only after the diffs of the steps above it, which read it, are done.
    for (const { snapshot } of steps) snapshot.startCommit();
    for (const { snapshot, step } of steps) {
      try {
        layers = [...layers, await snapshot.settle()];
      } catch (error) {
        await Promise.allSettled(steps.map((p) => p.snapshot.settle()));
        await endsReported(steps.map((p) => p.snapshot));
        throw asBuildError(error, step, names.get(step));
      } finally {
        await endsReported([snapshot]); // its DONE before whatever the stage reports next
      }
    }
  };
  try {
    for (const [index, step] of stage.steps.entries()) {
      if (run.env.signal?.aborted) throw new BuildError('build canceled');
      if (!step.layer) {
        const text = createdBy(step);
        if (text === null) continue;
        // Without SOURCE_DATE_EPOCH the time is left out: the image commit gives it the time of the layer made
        // before it, as BuildKit's exporter does (withCreatedTimes).
        const entry = { created_by: text, comment: 'buildkit.dockerfile.v0', empty_layer: true };
        history.push(run.epoch === null ? entry : { created: goTimeOfSeconds(run.epoch), ...entry });
        continue;
      }
      position++;
      const name = vertexName(run.label, position, total, step.title ?? step.instruction.trim());
      names.set(step, name);
      const { key, completion } = await completeKey({ env: run.env }, step, fsKey, early.get(step)).catch(
        (error: unknown) => {
          // Reading what the step reads from another stage failed: the error belongs to this step.
          throw asBuildError(error, step, name);
        },
      );
      if (key !== null && completion !== null) completed.push({ step, key, completion });
      // A step that reads the layers below only through their directories runs beside their commits, holding the
      // pending ones where they are (readsHeldLayers). A commit that failed is reported now, before a step builds
      // on what it left.
      if (!readsHeldLayers(step) || pending.some((p) => p.snapshot.failed)) await settle();
      const fs = { layers, pending: pending.map((p) => p.snapshot) };
      const op = step.operation.type;
      if (run.ignoreCache === true && (op === 'run' || op === 'copy')) rebuilt = true;
      const lookup = run.noCache ? 'no-cache' : rebuilt ? 'no-cache-filter' : 'cache';
      // The step's cache record is written once its layer's blob is durable, beside the next steps (step-records.ts).
      const fail = (error: unknown) => asBuildError(error, step, name);
      const record = records.recorder(run.env.store, key, step.instruction.trim(), fail);
      const { layer, created } = await runLayerStep(run, step, key, fs, name, hits, index <= lastRun, lookup, record);
      fsKey = filesystemAfter(step, fsKey, key);
      if (layer instanceof PendingSnapshot) pending.push({ snapshot: layer, step });
      else {
        // A step that ran beside RUN commits takes its place above their layers once they have settled.
        await settle();
        layers = [...layers, layer];
      }
      if (index === lastReader) doneReading();
      history.push({
        // A cached step's time is the one its record keeps (written by any tsbuild version): in Go's form too.
        created: run.epoch === null ? (goTimeText(created) ?? goTime(Date.now())) : goTimeOfSeconds(run.epoch),
        created_by: createdBy(step) ?? step.instruction,
        comment: 'buildkit.dockerfile.v0',
      });
    }
    await settle();
  } catch (error) {
    // No commit of this stage goes on after the build has failed: its files and mounts are cleaned up first. A
    // commit that failed came first: it is the error to report.
    const commits = await Promise.allSettled(pending.map((p) => p.snapshot.settle()));
    await endsReported(pending.map((p) => p.snapshot));
    const failed = commits.findIndex((commit) => commit.status === 'rejected');
    if (failed < 0) throw error;
    const step = pending[failed].step;
    throw asBuildError((commits[failed] as PromiseRejectedResult).reason, step, names.get(step));
  } finally {
    // Nothing this stage started reads another stage after it is over (a failed stage skips the steps).
    await Promise.allSettled(early.values());
    doneReading();
  }
  return { fs: { layers }, history, key: fsKey, completed, records, ...(rebuilt ? { rebuilt } : {}) };
}

/** A RUN step whose layer is being committed, for its error. */
interface PendingStep {
  readonly snapshot: PendingSnapshot;
  readonly step: PlanStep;
}
