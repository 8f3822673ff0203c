import { flagProblem } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

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
