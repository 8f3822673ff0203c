import { acceptedFlags, type Flag, type Instruction, flagProblem as parsedFlagProblem } from '../../../parser/index.js';
import { withSuggestion } from '../../suggest.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

/** BuildKit's BFlags.Parse (parser's `flagProblem`), an unknown flag with BuildKit's did-you-mean. */
export function flagProblem(instruction: Instruction): { flag: Flag; message: string } | null {
  const problem = parsedFlagProblem(instruction);
  if (problem === null) return null;
  if (problem.kind === 'invalid') return problem;
  const known = acceptedFlags(instruction.kind);
  return { flag: problem.flag, message: withSuggestion(problem.message, problem.flag.name, known, true) };
}

export const invalidFlag: Rule = {
  id: 'invalid-flag',
  group: 'build',
  description: 'The instruction does not accept this flag, or the flag is written wrongly',
  url: referenceUrl('overview'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      const problem = flagProblem(instruction);
      if (problem) report(problem.flag.range, problem.message, instruction);
    }
  },
};
