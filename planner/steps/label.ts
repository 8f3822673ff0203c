// LABEL: expanded keys and values added to the image config.

import type { LabelInstruction } from '../../parser/index.js';
import type { StepContext } from '../stage-state.js';
import { expandWordNode, type StepDraft } from './common.js';

export function planLabel(ctx: StepContext, instr: LabelInstruction): StepDraft {
  const labels: Record<string, string> = { ...(ctx.state.config.Labels ?? {}) };
  const change: Record<string, string> = {};
  const shown: string[] = [];
  for (const pair of instr.pairs) {
    const key = expandWordNode(ctx, pair.key);
    const value = expandWordNode(ctx, pair.value);
    labels[key] = value;
    change[key] = value;
    shown.push(`${key}=${value}`);
  }
  ctx.state.config.Labels = labels;
  return {
    args: shown,
    inputs: [],
    operation: { type: 'config', change: { Labels: change } },
    configChange: { Labels: change },
  };
}
