// A plan whose context inputs list their files: what the recorded plan keeps, `tsbuild plan --json` prints and
// `explainChanges` compares. A build never lists them (its keys need only each source's digest), so a no-op
// build of a 50,000-file context makes no object per file.

import type { SelectedFile } from './build-sources.js';
import type { Plan, PlanStage, PlanStep, StepInput } from './types.js';

export type ListedInput =
  | Exclude<StepInput, { readonly type: 'context' }>
  | {
      readonly type: 'context';
      readonly name?: string;
      readonly source: string;
      readonly digest: string;
      readonly files: readonly SelectedFile[];
    };

export interface ListedStep extends Omit<PlanStep, 'inputs'> {
  readonly inputs: readonly ListedInput[];
}

export interface ListedStage extends Omit<PlanStage, 'steps'> {
  readonly steps: readonly ListedStep[];
}

export interface ListedPlan extends Omit<Plan, 'stages'> {
  readonly stages: readonly ListedStage[];
}

/** The inputs of one step, context files listed. */
export async function listInputs(inputs: readonly StepInput[]): Promise<ListedInput[]> {
  return Promise.all(
    inputs.map(
      async (input): Promise<ListedInput> =>
        input.type === 'context' ? { ...input, files: await input.files() } : input,
    ),
  );
}

/** The plan with every step's context files listed; stages and steps in the same order as in `plan`. */
export async function listPlan(plan: Plan): Promise<ListedPlan> {
  const stages = await Promise.all(
    plan.stages.map(async (stage) => ({
      ...stage,
      steps: await Promise.all(stage.steps.map(async (step) => ({ ...step, inputs: await listInputs(step.inputs) }))),
    })),
  );
  return { ...plan, stages };
}
