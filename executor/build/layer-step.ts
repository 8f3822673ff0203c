// One step of a stage that makes a layer: looked up in the cache index by its key (a hit reuses the stored layer
// without touching its data), otherwise performed in a job slot and recorded. A RUN's layer is committed beside the
// next steps (pending-snapshot.ts); a COPY, ADD or WORKDIR may run beside those commits, reading the pending layers
// where they are, and ends after them (step-ends.ts).
import type { PlanStep, StepOperation } from '../../planner/index.js';
import { primeCgroupMigration } from '../runtime/cgroup-prime.js';
import { noteWorkDone } from '../runtime/work-done.js';
import { lookupStep, type StepRecord } from './cache-index.js';
import { SourceNotFoundError } from './copy-items.js';
import { type AfterPublish, copyStep, mkdirStep } from './copy-step.js';
import { BuildError } from './errors.js';
import { runFsStepDeferred, type StepWorkspace } from './fs-step.js';
import type { FsState, LayerRef } from './layer-ref.js';
import { PendingSnapshot } from './pending-snapshot.js';
import type { StepProgress } from './progress.js';
import { performRun, RunFailedError } from './run-step.js';
import type { StageRun } from './stage-runner.js';
import { belowSettled, endsReported, reportEndInOrder } from './step-ends.js';
import type { StepEnv } from './step-env.js';

type RunOperation = Extract<StepOperation, { type: 'run' }>;

/**
 * Whether `step` can run on RUN layers still being committed. A RUN mounts them as overlay lower dirs; COPY, ADD
 * and WORKDIR read the stage's filesystem only through lowerDirsOf (a direct copy's probe of the parent dirs and
 * its `touch -r` of their times, a `--chown` or USER lookup in a read view, the overlay of the fallback), which
 * stacks the pending layers' held dirs (holdingPending). What needs settled layers comes after the stage, which
 * settles them at its end: the image commit and exports, another stage's FROM, COPY --from or RUN --mount (they
 * read the stage's result).
 */
export function readsHeldLayers(step: PlanStep): boolean {
  const op = step.operation.type;
  return op === 'run' || op === 'copy' || op === 'mkdir';
}

/**
 * Runs `step` on `fs` (its pending RUN layers included: readsHeldLayers) unless its key hits: a RUN's layer is
 * returned still being committed, any other step's once the commits below it have settled.
 */
export async function runLayerStep(
  run: StageRun,
  step: PlanStep,
  key: string | null,
  fs: FsState,
  name: string,
  hits: ReadonlyMap<string, Promise<StepRecord | null>>,
  runAhead: boolean,
  lookup: 'cache' | 'no-cache' | 'no-cache-filter',
  record: (layer: LayerRef, created: string) => void,
): Promise<{ layer: LayerRef | PendingSnapshot; created: string }> {
  const below = fs.pending ?? [];
  if (key !== null && lookup === 'cache') {
    const hit = (await hits.get(key)) ?? (await lookupStep(run.env.store, key, 'use'));
    if (hit?.layer) {
      await belowSettled(below); // its end after theirs
      run.progress.step(name).cached();
      return { layer: hit.layer, created: hit.created };
    }
  }
  await awaitSources(run.env, step);
  await run.beforeWork(runAhead);
  let progress: StepProgress | undefined;
  try {
    const ran = await run.jobs.run(async () => {
      progress = run.progress.step(name);
      progress.note(
        `cache miss: ${lookup === 'cache' ? `no stored result for key ${key?.slice(0, 19) ?? '(none)'}` : `--${lookup}`}`,
      );
      noteWorkDone();
      let created = '';
      // A step is recorded only on layers that were committed: one whose own commit went on beside theirs (a RUN's,
      // a small direct layer's) waits for them to settle.
      const published = async (layer: LayerRef) => {
        if (await belowSettled(below)) record(layer, created || new Date().toISOString());
      };
      const layer =
        step.operation.type === 'run'
          ? await performDeferredRun(run, step.operation, fs, progress, published)
          : await perform(run, step, fs, published);
      created = new Date().toISOString();
      // A RUN's layer, or a small one written directly, is done once committed: that goes on beside the next step.
      if (layer instanceof PendingSnapshot) reportEndInOrder(layer, below, progress);
      return { layer, created };
    });
    const { layer, created } = ran;
    if (layer instanceof PendingSnapshot) return ran;
    // Out of its job slot, the step waits for the RUN commits it ran beside: its end comes after theirs, and it is
    // recorded only on layers that were committed (else the stage fails with the RUN's error: settle).
    if (await belowSettled(below)) record(layer, created);
    progress?.done();
    return ran;
  } catch (error) {
    await endsReported(below, true);
    progress?.error(stepMessageOf(error));
    throw asBuildError(withEmulationHint(error, run.foreignPlatform), step, name, progress?.outputTail?.());
  }
}

/**
 * A RUN that failed to exec its program in a stage of another platform: this machine runs no emulator for it
 * (binfmt_misc), which is what the error then says, beside the runtime's `exec format error`.
 */
function withEmulationHint(error: unknown, foreignPlatform: string | undefined): unknown {
  if (foreignPlatform === undefined || !(error instanceof RunFailedError)) return error;
  if (!error.outputTail.some((line) => line.includes('exec format error'))) return error;
  const hint = ` (the stage is ${foreignPlatform}: running its programs here needs an emulator, e.g. qemu-user-static with binfmt_misc)`;
  return new RunFailedError(error.message + hint, error.exitCode, error.outputTail);
}

/** Stages a step reads from finish before it takes a job slot. */
async function awaitSources(env: StepEnv, step: PlanStep): Promise<void> {
  const op = step.operation;
  if (op.type === 'copy' && op.from.type === 'stage') await env.stageFs(op.from.index);
  if (op.type === 'run') {
    for (const mount of op.mounts) if (mount.origin?.type === 'stage') await env.stageFs(mount.origin.index);
  }
}

/**
 * A COPY, ADD or WORKDIR on `fs`, whose pending layers it holds while it reads them (readsHeldLayers). A small layer
 * written directly is committed beside the next step (direct-step.ts), then `published` runs.
 */
async function perform(
  run: StageRun,
  step: PlanStep,
  fs: FsState,
  published: AfterPublish,
): Promise<LayerRef | PendingSnapshot> {
  const op = step.operation;
  const env = run.env;
  switch (op.type) {
    case 'copy':
      if (op.link) {
        // A linked layer is made on nothing: it reads no layer below, whose commits may start at once.
        for (const snapshot of fs.pending ?? []) snapshot.startCommit();
        return copyStep(env, op, { layers: [] }, run.epoch);
      }
      return copyStep(env, op, fs, run.epoch, published);
    case 'mkdir':
      return mkdirStep(env, op, fs, run.epoch, published);
    default:
      throw new BuildError(`step ${step.kind} has no filesystem operation`);
  }
}

/** A RUN step: its layer is committed in the background (`settled`), beside the next step of the stage. */
async function performDeferredRun(
  run: StageRun,
  op: RunOperation,
  fs: FsState,
  progress: StepProgress,
  afterPublish: (layer: LayerRef) => Promise<void>,
): Promise<PendingSnapshot> {
  // The runtime starts ~12 ms from here: its cgroup migration's wait begins now (cgroup-prime.ts).
  void primeCgroupMigration();
  let stubs: readonly string[] = [];
  const options = { epoch: run.epoch, mountPoints: true, mountStubs: () => stubs };
  const work = async (ws: StepWorkspace) => {
    stubs = await performRun(run.env, op, ws, (chunk) => progress.output(chunk));
  };
  return runFsStepDeferred(run.env.store, fs, options, work, afterPublish);
}

/**
 * `name`: the step's progress name (`[2/5] RUN …`), which docker's error box names the failed step by; `outputTail`: the
 * step's last output lines as its progress stamped them (a failed RUN's box shows them).
 */
export function asBuildError(
  error: unknown,
  step: PlanStep,
  name?: string,
  outputTail?: readonly string[],
): BuildError {
  if (error instanceof BuildError && error.details.line !== undefined) return error;
  const message = error instanceof Error ? error.message : String(error);
  const base = { line: step.line, endLine: step.range.end.line, instruction: name ?? step.instruction.trim() };
  if (error instanceof BuildError) return new BuildError(message, { ...error.details, ...base });
  if (error instanceof RunFailedError) {
    // The progress's lines are stamped as docker's error box shows them; the runtime's own tail is the fallback.
    return new BuildError(message, { ...base, exitCode: error.exitCode, outputTail: outputTail ?? error.outputTail });
  }
  return new BuildError(message, base);
}

/** What the step's progress line says of its error: a source's own words (SourceNotFoundError), else the message. */
function stepMessageOf(error: unknown): string {
  return error instanceof SourceNotFoundError ? error.stepMessage : (error as Error).message;
}
