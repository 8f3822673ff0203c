// ONBUILD in a Dockerfile: records the trigger text in the image config (it runs in child builds).

import type { OnbuildInstruction } from '../../parser/index.js';
import { triggerText, validateTrigger } from '../onbuild.js';
import type { StepContext } from '../stage-state.js';
import type { StepDraft } from './common.js';

export function planOnbuild(ctx: StepContext, instr: OnbuildInstruction): StepDraft {
  validateTrigger(instr.trigger, instr.range);
  const text = triggerText(instr);
  const onbuild = [...(ctx.state.config.OnBuild ?? []), text];
  ctx.state.config.OnBuild = onbuild;
  return {
    args: [text],
    inputs: [],
    operation: { type: 'config', change: { OnBuild: [text] } },
    configChange: { OnBuild: [text] },
  };
}
