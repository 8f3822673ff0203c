// ENV: every pair is expanded with the environment as it was before the instruction, then set in
// both the build environment (RUN sees it, shadowing an ARG of the same name) and the image config.

import type { EnvInstruction } from '../../parser/index.js';
import type { StepContext } from '../stage-state.js';
import { expandWordNode, type StepDraft } from './common.js';

export function planEnv(ctx: StepContext, instr: EnvInstruction): StepDraft {
  const pairs = instr.pairs.map((p) => [expandWordNode(ctx, p.key), expandWordNode(ctx, p.value)] as const);
  for (const [key, value] of pairs) {
    ctx.state.env = ctx.state.env.set(key, value);
    ctx.state.imageEnv = ctx.state.imageEnv.set(key, value);
  }
  const assignments = pairs.map(([k, v]) => `${k}=${v}`);
  return {
    args: assignments,
    inputs: [],
    operation: { type: 'config', change: { Env: assignments } },
    configChange: { Env: assignments },
  };
}
