// CMD and ENTRYPOINT: the image's default command; shell form is wrapped in the current SHELL.
// ENTRYPOINT clears a CMD inherited from the base unless this stage set one (BuildKit).

import type { CmdInstruction, EntrypointInstruction } from '../../parser/index.js';
import { type StepContext, withShell } from '../stage-state.js';
import { checkFlags, type StepDraft } from './common.js';

export function planCmd(ctx: StepContext, instr: CmdInstruction | EntrypointInstruction): StepDraft {
  checkFlags(instr, []);
  const words = instr.command.map((w) => w.value);
  const args = instr.form === 'shell' ? withShell(ctx.state, words) : words;
  if (instr.kind === 'cmd') {
    ctx.state.config.Cmd = args;
    ctx.state.cmdSet = true;
    return { args, inputs: [], operation: { type: 'config', change: { Cmd: args } }, configChange: { Cmd: args } };
  }
  ctx.state.config.Entrypoint = args;
  const change = ctx.state.cmdSet ? { Entrypoint: args } : { Entrypoint: args, Cmd: null };
  if (!ctx.state.cmdSet) ctx.state.config.Cmd = null;
  return { args, inputs: [], operation: { type: 'config', change }, configChange: change };
}
