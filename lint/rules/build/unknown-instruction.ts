import { INSTRUCTION_NAMES } from '../../../parser/index.js';
import { withSuggestion } from '../../suggest.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

export const unknownInstruction: Rule = {
  id: 'unknown-instruction',
  group: 'build',
  description: 'The instruction is not a Dockerfile instruction',
  url: referenceUrl('overview'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      if (instruction.kind !== 'unknown') continue;
      const keyword = instruction.keyword.value;
      // BuildKit matches the lower-cased keyword, so the suggestion comes out lower case.
      const message = withSuggestion(
        `unknown instruction: ${keyword.toUpperCase()}`,
        keyword.toLowerCase(),
        INSTRUCTION_NAMES,
        false,
      );
      report(instruction.keyword.range, message, instruction);
    }
  },
};
