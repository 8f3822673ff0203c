// hadolint's version-pin rules (DL3008, DL3013, DL3016, DL3018, DL3028, DL3033, DL3037, DL3041, DL3062) share
// their shape: one finding per RUN that calls the package manager, at the first package left unpinned.
import type { ShellToken, SimpleCommand } from '../../shell-commands.js';
import type { RuleContext } from '../../types.js';
import type { ProgramCall } from './program-calls.js';
import { eachRun } from './run-commands.js';

export interface PinCheck {
  /** Text a RUN must contain to be looked at (a cheap filter), usually the program's name. */
  readonly needle: string;
  /** The package manager's calls among a RUN's commands (`programCalls(commands, 'apk')` …). */
  calls(commands: SimpleCommand[]): ProgramCall[];
  /** The words of one call that name unpinned packages, in order (none for a call that installs nothing). */
  unpinned(call: ProgramCall): Iterable<ShellToken>;
}

/** Reports `message` once per RUN, at the first unpinned package any of its calls names. */
export function reportFirstUnpinned({ model, report }: RuleContext, pin: PinCheck, message: string): void {
  for (const { run, script, commands } of eachRun(model, pin.needle)) {
    let first: ShellToken | undefined;
    for (const call of pin.calls(commands)) {
      for (const word of pin.unpinned(call)) {
        first = word;
        break;
      }
      if (first !== undefined) break;
    }
    if (first !== undefined) report(script.range(first.start, first.end), message, run);
  }
}
