// USER: the user later RUN steps and WORKDIR's mkdir use, and the image's default user.

import type { UserInstruction } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { StepContext } from '../stage-state.js';
import { expandWordNode, type StepDraft } from './common.js';

export function planUser(ctx: StepContext, instr: UserInstruction): StepDraft {
  if (instr.value === null) throw new PlanError('missing-arguments', 'USER requires exactly one argument', instr.range);
  const user = expandWordNode(ctx, instr.value);
  ctx.state.config.User = user;
  return {
    args: [user],
    inputs: [],
    operation: { type: 'config', change: { User: user } },
    configChange: { User: user },
  };
}
