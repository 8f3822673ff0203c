// `pip install` calls, as hadolint recognises them: a program whose name starts with `pip` given `install`, or
// `python… -m pip install`. The wrappers pipx and pipenv have their own options and are not pip.
import type { SimpleCommand } from '../../shell-commands.js';
import { type ProgramCall, programCalls } from './program-calls.js';

function hasSequence(call: ProgramCall, sequence: readonly string[]): boolean {
  const texts = call.args.map((a) => a.text);
  return texts.some((_, i) => sequence.every((s, j) => texts[i + j] === s));
}

function isWrapper(call: ProgramCall): boolean {
  const name = call.program.text;
  return ['pipx', 'pipenv'].some(
    (w) => name.includes(w) || (name.startsWith('python') && hasSequence(call, ['-m', w])),
  );
}

/** `pip install` calls; pipx and pipenv count too when `wrappers` is true (hadolint's DL3013 does). */
export function pipInstalls(commands: SimpleCommand[], wrappers = false): ProgramCall[] {
  return programCalls(commands, (name) => name.startsWith('pip') || name.startsWith('python')).filter((call) => {
    const name = call.program.text;
    const install = name.startsWith('pip')
      ? call.args.some((a) => a.text === 'install')
      : hasSequence(call, ['-m', 'pip', 'install']);
    return install && (wrappers || !isWrapper(call));
  });
}
