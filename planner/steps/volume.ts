// VOLUME: expanded paths added to the image config.

import type { VolumeInstruction } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { StepContext } from '../stage-state.js';
import { expandWordNode, type StepDraft } from './common.js';

export function planVolume(ctx: StepContext, instr: VolumeInstruction): StepDraft {
  const paths = instr.paths.map((w) => expandWordNode(ctx, w));
  if (paths.some((p) => p === ''))
    throw new PlanError('empty-volume', 'VOLUME specified can not be an empty string', instr.range);
  const volumes: Record<string, object> = { ...(ctx.state.config.Volumes ?? {}) };
  for (const p of paths) volumes[p] = {};
  ctx.state.config.Volumes = volumes;
  const change = Object.fromEntries(paths.map((p) => [p, {}]));
  return {
    args: paths,
    inputs: [],
    operation: { type: 'config', change: { Volumes: change } },
    configChange: { Volumes: change },
  };
}
