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
      // BuildKit's suggestion takes the case of the keyword as written (`FNTRYPOINT`: did you mean ENTRYPOINT?).
      const message = withSuggestion(
        `unknown instruction: ${keyword.toUpperCase()}`,
        keyword,
        INSTRUCTION_NAMES,
        false,
      );
      report(instruction.keyword.range, message, instruction);
    }
  },
};
