import { unknownInstructionMessage } from '../../../parser/index.js';
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
      const message = unknownInstructionMessage(instruction.keyword.value);
      report(instruction.keyword.range, message, instruction);
    }
  },
};
