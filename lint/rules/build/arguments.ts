import { argumentProblem } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

export const invalidArguments: Rule = {
  id: 'invalid-arguments',
  group: 'build',
  description: 'The instruction has the wrong number or form of arguments',
  url: referenceUrl('overview'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      const problem = argumentProblem(instruction);
      if (!problem) continue;
      const range = instruction.argsText.value === '' ? instruction.keyword.range : instruction.argsText.range;
      report(range, problem.message, instruction, problem.code);
    }
  },
};
