// WORKDIR: sets the working directory and, unless it is `/`, creates it (`mkdir -p`, 0755, owned
// by the current USER) as a filesystem step, like BuildKit.

import type { WorkdirInstruction } from '../../parser/index.js';
import { resolveWorkdir } from '../paths.js';
import type { StepContext } from '../stage-state.js';
import { checkedArgument, expandWordNode, type StepDraft } from './common.js';

export function planWorkdir(ctx: StepContext, instr: WorkdirInstruction): StepDraft {
  const value = checkedArgument(instr.value, instr);
  const path = resolveWorkdir(ctx.state.config.WorkingDir ?? '/', expandWordNode(ctx, value));
  ctx.state.config.WorkingDir = path;
  const configChange = { WorkingDir: path };
  if (path === '/')
    return { args: [path], inputs: [], operation: { type: 'config', change: configChange }, configChange };
  const user = ctx.state.config.User ?? '';
  return {
    args: [path],
    inputs: [],
    operation: { type: 'mkdir', path, user, epoch: ctx.epoch },
    layer: { definition: { op: 'mkdir', path, mode: 0o755, user, epoch: ctx.epoch }, link: false },
    configChange,
  };
}
