// SHELL: the shell that wraps later shell-form RUN, CMD and ENTRYPOINT; JSON form only.

import type { ShellInstruction } from '../../parser/index.js';
import type { StepContext } from '../stage-state.js';
import type { StepDraft } from './common.js';

export function planShell(ctx: StepContext, instr: ShellInstruction): StepDraft {
  const shell = instr.command.map((w) => w.value);
  ctx.state.config.Shell = shell;
  return {
    args: shell,
    inputs: [],
    operation: { type: 'config', change: { Shell: shell } },
    configChange: { Shell: shell },
  };
}
