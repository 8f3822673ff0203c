// MAINTAINER (deprecated): the image author; not expanded.

import type { MaintainerInstruction } from '../../parser/index.js';
import type { StepContext } from '../stage-state.js';
import type { StepDraft } from './common.js';

export function planMaintainer(ctx: StepContext, instr: MaintainerInstruction): StepDraft {
  const author = instr.value?.value ?? '';
  ctx.state.config.Author = author;
  return {
    args: [author],
    inputs: [],
    operation: { type: 'config', change: { Author: author } },
    configChange: { Author: author },
  };
}
