// The JSON form of `tsbuild plan` (schema in docs/plan.md).

import type { Diagnostic } from '../../../parser/index.js';
import { formatPlatform, hasLocation, listInputs, type Plan, type PlanStep } from '../../../planner/index.js';
import type { StepStatus } from './status.js';

/** `statuses` is empty without a store: every step then has `status` and `reason` null. */
export async function planToJson(
  plan: Plan,
  diagnostics: readonly Diagnostic[],
  statuses: ReadonlyMap<PlanStep, StepStatus> = new Map(),
): Promise<unknown> {
  const stages = await Promise.all(
    plan.stages.map(async (stage) => ({
      stage,
      inputs: await Promise.all(stage.steps.map((s) => listInputs(s.inputs))),
    })),
  );
  return {
    version: 1,
    target: plan.target,
    stages: stages.map(({ stage, inputs }) => ({
      name: stage.name,
      index: stage.index,
      line: stage.line,
      base: stage.base,
      platform: formatPlatform(stage.platform),
      fsKey: stage.fsKey,
      imageKey: stage.imageKey,
      keyPending: stage.keyPending === true,
      steps: stage.steps.map((step, i) => ({
        line: step.line,
        instruction: step.instruction,
        kind: step.kind,
        cacheKey: step.cacheKey,
        parentKey: step.parentKey,
        keyPending: step.keyPending === true,
        layer: step.layer,
        onbuild: step.onbuild,
        args: step.args,
        env: step.env,
        buildArgs: step.buildArgs,
        inputs: inputs[i],
        status: statuses.get(step)?.status ?? null,
        reason: statuses.get(step)?.reason ?? null,
      })),
      config: stage.config,
    })),
    diagnostics: diagnostics.map((d) => ({
      severity: d.severity,
      code: d.code,
      message: d.message,
      line: hasLocation(d) ? d.range.start.line : null,
      column: hasLocation(d) ? d.range.start.column : null,
    })),
  };
}
