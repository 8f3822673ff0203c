// USER: the user later RUN steps and WORKDIR's mkdir use, and the image's default user.

import type { UserInstruction } from '../../parser/index.js';
import type { StepContext } from '../stage-state.js';
import { checkedArgument, expandWordNode, type StepDraft } from './common.js';

export function planUser(ctx: StepContext, instr: UserInstruction): StepDraft {
  const user = expandWordNode(ctx, checkedArgument(instr.value, instr));
  ctx.state.config.User = user;
  return {
    args: [user],
    inputs: [],
    operation: { type: 'config', change: { User: user } },
    configChange: { User: user },
  };
}
