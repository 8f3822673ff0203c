// The plan of the last successful build of each (context, Dockerfile, target), kept in the store so
// `tsbuild plan` can say why a step misses the cache: `explainChanges(recorded, current)` compares
// the two. One JSON file per build identity under `<store>/cache/plans/`, replaced by rename (a torn file
// after a power loss only reads as "no previous build": it is not fsynced, a build must not wait for it).
// A plan lists every context file a COPY reads (6.6 MB of JSON for a 50,000-file context), so it is
// written only when it changed: `<hex>.key` beside it holds a digest of what the steps are, and the
// cache keys cover every input.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { replaceFileUnsynced, type Store } from '../../image/index.js';
import { type ListedPlan, type ListedStage, type ListedStep, listPlan, type Plan } from '../../planner/index.js';
import { lookupStep } from './cache-index.js';

/** What identifies "the same build": the Dockerfile (`-` when it came from stdin), context and target. */
export interface PlanIdentity {
  readonly contextDir: string;
  readonly dockerfile: string;
  readonly target: string | undefined;
}

/** The parts of a step `explainChanges` reads (and `line`/`instruction` for people reading the file). */
type RecordedStep = Pick<
  ListedStep,
  'line' | 'instruction' | 'kind' | 'cacheKey' | 'parentKey' | 'args' | 'inputs' | 'operation'
>;
interface RecordedStage extends Pick<ListedStage, 'name' | 'index' | 'base'> {
  readonly steps: readonly RecordedStep[];
}
export interface RecordedPlan {
  readonly version: 1;
  readonly stages: readonly RecordedStage[];
}

/** The build options that name the build (a subset of `BuildOptions`). */
export interface RecordSource {
  readonly store: Store;
  readonly dockerfile?: string;
  readonly dockerfileText?: string;
  readonly target?: string;
}

function fileFor(store: Store, id: PlanIdentity): string {
  const dockerfile = id.dockerfile === '-' ? '-' : path.resolve(id.dockerfile);
  const hex = createHash('sha256')
    .update(JSON.stringify([path.resolve(id.contextDir), dockerfile, id.target ?? '']))
    .digest('hex');
  return path.join(plansDir(store), `${hex}.json`);
}

const plansDir = (store: Store): string => path.join(store.paths.cache, 'plans');

/** Forgets every recorded plan (`builder prune -a`): the next build of each records its plan anew. */
export async function forgetRecordedPlans(store: Store): Promise<void> {
  await rm(plansDir(store), { recursive: true, force: true });
}

const RECORD_VERSION = 1;

function toRecord(plan: ListedPlan): RecordedPlan {
  return {
    version: RECORD_VERSION,
    stages: plan.stages.map((stage) => ({
      name: stage.name,
      index: stage.index,
      base: stage.base,
      steps: stage.steps.map(({ line, instruction, kind, cacheKey, parentKey, args, inputs, operation }) => ({
        line,
        instruction,
        kind,
        cacheKey,
        parentKey,
        args,
        inputs,
        operation,
      })),
    })),
  };
}

/**
 * Records the plan of a build that succeeded. Never fails the build: a plan that could not be
 * written only means the next `tsbuild plan` says `no previous build`.
 */
export async function recordPlan(source: RecordSource, contextDir: string, plan: Plan): Promise<void> {
  await (await preparePlanRecord(source, contextDir, plan))?.();
}

/**
 * `recordPlan` up to the writing, which the returned function does (null: the recorded plan is current). A build
 * prepares the record while its image is being committed, and writes it only once the build has succeeded.
 * Neither part fails.
 */
export async function preparePlanRecord(
  source: RecordSource,
  contextDir: string,
  plan: Plan,
): Promise<(() => Promise<void>) | null> {
  const id: PlanIdentity = {
    contextDir,
    dockerfile: source.dockerfileText !== undefined ? '-' : (source.dockerfile ?? path.join(contextDir, 'Dockerfile')),
    target: source.target,
  };
  try {
    const file = fileFor(source.store, id);
    const keyFile = file.replace(/\.json$/, '.key');
    const fingerprint = planFingerprint(plan);
    if (readKey(keyFile) === fingerprint) return null;
    // Only now are the context files listed: an unchanged build (a no-op) never lists them.
    const text = `${JSON.stringify(toRecord(await listPlan(plan)))}\n`;
    return async () => {
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await replaceFileUnsynced(file, text);
        await replaceFileUnsynced(keyFile, fingerprint);
      } catch {
        // best effort, see recordPlan
      }
    };
  } catch {
    return null;
  }
}

/** The fingerprint recorded beside the plan ('' when there is none): 65 bytes, read synchronously. */
function readKey(keyFile: string): string {
  try {
    return readFileSync(keyFile, 'utf8');
  } catch {
    return '';
  }
}

/**
 * What the recorded file says, short of the steps' inputs and operations: those are covered by the cache
 * keys (a step without a key, ARG, has neither). Lines and text are in, so a moved step is re-recorded.
 */
function planFingerprint(plan: Plan): string {
  const steps = plan.stages.map((stage) => [
    stage.name,
    stage.index,
    stage.base,
    stage.steps.map((s) => [s.line, s.instruction, s.kind, s.cacheKey, s.parentKey, s.args]),
  ]);
  return `${createHash('sha256')
    .update(JSON.stringify([RECORD_VERSION, steps]))
    .digest('hex')}\n`;
}

/**
 * The plan recorded by the last successful build of `id`, or null. It holds only the fields
 * `explainChanges` compares, so it is typed as a `ListedPlan` for that purpose only.
 */
export async function loadRecordedPlan(store: Store, id: PlanIdentity): Promise<ListedPlan | null> {
  try {
    const record = JSON.parse(await readFile(fileFor(store, id), 'utf8')) as RecordedPlan;
    if (record.version !== 1 || !Array.isArray(record.stages)) return null;
    return record as unknown as ListedPlan;
  } catch {
    return null;
  }
}

/** True when the build cache holds a usable result for the step key (read only). */
export async function isStepCached(store: Store, key: string): Promise<boolean> {
  return (await lookupStep(store, key).catch(() => null)) !== null;
}
