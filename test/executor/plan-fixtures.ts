// Hand-made plan stages for the stage runner's tests: steps with fixed keys (`fixtureKey(n)`) and no real inputs.
import { silentProgress } from '../../executor/build/progress.js';
import { Semaphore } from '../../executor/build/semaphore.js';
import type { StageRun } from '../../executor/build/stage-runner.js';
import type { StepEnv } from '../../executor/build/step-env.js';
import type { PlanStage, PlanStep } from '../../planner/index.js';

/** A digest-shaped key made of the digit `n`. */
export const fixtureKey = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

/** Step `n` (its line and key) doing `operation`; a copy is a COPY step, anything else a RUN. */
export function fixtureStep(n: number, operation: PlanStep['operation'], keyPending = false): PlanStep {
  return {
    kind: operation.type === 'copy' ? 'copy' : 'run',
    line: n,
    range: { start: { line: n, column: 1, offset: 0 }, end: { line: n, column: 2, offset: 1 } },
    instruction: `STEP ${n}`,
    onbuild: false,
    args: [],
    env: [],
    buildArgs: [],
    inputs: [],
    operation,
    cacheKey: fixtureKey(n),
    parentKey: fixtureKey(9),
    layer: true,
    ...(keyPending ? { keyPending } : {}),
  } as PlanStep;
}

/** Stage 0, FROM scratch, of `steps`. */
export function fixtureStage(steps: PlanStep[]): PlanStage {
  return {
    name: null,
    index: 0,
    base: { type: 'scratch' },
    platform: { os: 'linux', architecture: 'amd64' },
    line: 1,
    steps,
    config: {},
    fsKey: fixtureKey(8),
    imageKey: fixtureKey(7),
  };
}

/** A stage run with one job, no cache bypass, no epoch, that calls `beforeWork` before a step that missed works. */
export function fixtureRun(env: StepEnv, beforeWork: StageRun['beforeWork']): StageRun {
  return { env, progress: silentProgress, jobs: new Semaphore(1), noCache: false, epoch: null, label: '', beforeWork };
}
