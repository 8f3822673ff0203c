// The text form of `tsbuild plan`: one block per stage, one line per step with its key.

import { formatPlatform, type Plan, type PlanStage, type PlanStep, type StageBase } from '../../../planner/index.js';
import type { StepStatus } from './status.js';

/** With a store, each keyed step ends in `CACHED`, `MISS (reason)` or `PENDING (reason)`. */
export function formatPlan(plan: Plan, statuses: ReadonlyMap<PlanStep, StepStatus> = new Map()): string {
  return plan.stages.map((stage) => formatStage(stage, statuses)).join('\n');
}

const label = { miss: 'MISS', pending: 'PENDING' } as const;

function formatStage(stage: PlanStage, statuses: ReadonlyMap<PlanStep, StepStatus>): string {
  const name = stage.name ?? `stage-${stage.index}`;
  const lines = [`stage ${stage.index} ${name}: FROM ${formatBase(stage.base)} (${formatPlatform(stage.platform)})`];
  const width = Math.max(...stage.steps.map((s) => String(s.line).length), 1);
  for (const step of stage.steps) {
    const key = step.cacheKey ?? '-';
    const marker = step.onbuild ? 'ONBUILD ' : '';
    const status = statuses.get(step);
    const suffix =
      status === undefined
        ? ''
        : status.status === 'cached'
          ? '  CACHED'
          : `  ${label[status.status]} (${status.reason})`;
    lines.push(
      `  ${String(step.line).padStart(width)}  ${key.padEnd(71)}  ${marker}${oneLine(step.instruction)}${suffix}`,
    );
    // What a git source resolved to: the commit is what the key holds.
    for (const input of step.inputs) {
      if (input.type !== 'git') continue;
      const subdir = input.subdir === '/' ? '' : ` ${input.subdir}`;
      lines.push(`  ${' '.repeat(width)}  git ${input.remote} ${input.ref} ${input.commit}${subdir}`);
    }
  }
  lines.push(`  image ${stage.imageKey}`);
  return `${lines.join('\n')}\n`;
}

function formatBase(base: StageBase): string {
  if (base.type === 'scratch') return 'scratch';
  if (base.type === 'stage') return `stage ${base.name}`;
  if (base.type === 'context') return `context ${base.name}`;
  return base.digest === null ? base.ref : `${base.ref}@${base.digest}`;
}

function oneLine(text: string): string {
  const first = text.split('\n')[0];
  return first.length < text.length ? `${first} …` : first;
}
