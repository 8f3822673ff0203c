// SHELL: the shell that wraps later shell-form RUN, CMD and ENTRYPOINT; JSON form only.

import type { ShellInstruction } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { StepContext } from '../stage-state.js';
import { checkFlags, type StepDraft } from './common.js';

export function planShell(ctx: StepContext, instr: ShellInstruction): StepDraft {
  checkFlags(instr);
  if (instr.form !== 'exec')
    throw new PlanError('shell-not-json', 'SHELL requires the arguments to be in JSON form', instr.range);
  if (instr.command.length === 0)
    throw new PlanError('missing-arguments', 'SHELL requires at least one argument', instr.range);
  const shell = instr.command.map((w) => w.value);
  ctx.state.config.Shell = shell;
  return {
    args: shell,
    inputs: [],
    operation: { type: 'config', change: { Shell: shell } },
    configChange: { Shell: shell },
  };
}
