// CMD and ENTRYPOINT: the image's default command; shell form is wrapped in the current SHELL.
// ENTRYPOINT clears a CMD inherited from the base unless this stage set one (BuildKit). CMD sets ArgsEscaped.

import type { CmdInstruction, EntrypointInstruction } from '../../parser/index.js';
import { type StepContext, withShell } from '../stage-state.js';
import type { StepDraft } from './common.js';

export function planCmd(ctx: StepContext, instr: CmdInstruction | EntrypointInstruction): StepDraft {
  const words = instr.command.map((w) => w.value);
  const args = instr.form === 'shell' ? withShell(ctx.state, words) : words;
  if (instr.kind === 'cmd') {
    // BuildKit marks every CMD's arguments as escaped: a Docker image spec field that only Windows reads.
    const change = { Cmd: args, ArgsEscaped: true };
    Object.assign(ctx.state.config, change);
    ctx.state.cmdSet = true;
    return { args, inputs: [], operation: { type: 'config', change }, configChange: change };
  }
  ctx.state.config.Entrypoint = args;
  const change = ctx.state.cmdSet ? { Entrypoint: args } : { Entrypoint: args, Cmd: null };
  if (!ctx.state.cmdSet) ctx.state.config.Cmd = null;
  return { args, inputs: [], operation: { type: 'config', change }, configChange: change };
}
