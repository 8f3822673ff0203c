import type { RunInstruction } from '../../../parser/index.js';
import type { LintModel } from '../../model.js';
import { commandWords, simpleCommands } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { runScriptsOf } from './run-commands.js';

// Words that close a compound command: the tokenizer sees them as commands, a shell does not.
const CLOSERS = new Set(['fi', 'done', 'esac', '}']);

/** The number of commands a RUN runs (an exec-form RUN runs one). */
function commandCount(model: LintModel, run: RunInstruction): number {
  if (run.form !== 'shell') return 1;
  let count = 0;
  for (const { script } of runScriptsOf(model, run)) {
    for (const command of simpleCommands(script.script)) {
      const first = commandWords(command)[0];
      if (first && !CLOSERS.has(first.text)) count++;
    }
  }
  return count;
}

const flagsOf = (run: RunInstruction): string =>
  run.flags
    .map((f) => f.text)
    .sort()
    .join(' ');

export const dl3059: Rule = {
  id: 'DL3059',
  group: 'practice',
  description: 'Multiple consecutive `RUN` instructions. Consider consolidation.',
  url: hadolintUrl('DL3059'),
  severity: 'info',
  check({ model, report }) {
    for (const stage of model.stages) {
      let previous: { flags: string; count: number } | null = null;
      for (const instruction of stage.instructions) {
        if (instruction.kind !== 'run') {
          previous = null;
          continue;
        }
        const flags = flagsOf(instruction);
        const count = commandCount(model, instruction);
        // RUNs with other flags (mounts, network) cannot be merged; RUNs of more than two commands each are
        // probably kept apart on purpose (layer caching). A reported RUN is compared with the same predecessor.
        if (previous === null || previous.flags !== flags || count > 2 || previous.count > 2) {
          previous = { flags, count };
        } else {
          report(instruction.keyword.range, dl3059.description, instruction);
        }
      }
    }
  },
};
