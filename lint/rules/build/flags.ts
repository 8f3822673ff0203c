import {
  acceptedFlags,
  type FlagProblem,
  type Instruction,
  flagProblem as parsedFlagProblem,
} from '../../../parser/index.js';
import { withSuggestion } from '../../suggest.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

/** BuildKit's BFlags.Parse (parser's `flagProblem`), an unknown flag with BuildKit's did-you-mean. */
function flagProblem(instruction: Instruction): FlagProblem | null {
  const problem = parsedFlagProblem(instruction);
  if (problem?.code !== 'unknown-flag') return problem;
  const known = acceptedFlags(instruction.kind);
  return { ...problem, message: withSuggestion(problem.message, problem.flag.name, known, true) };
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
      if (problem) report(problem.flag.range, problem.message, instruction, problem.code);
    }
  },
};
