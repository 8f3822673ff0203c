import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

export const dl4000: Rule = {
  id: 'DL4000',
  group: 'practice',
  description: 'MAINTAINER is deprecated',
  url: hadolintUrl('DL4000'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      if (instruction.kind === 'maintainer') report(instruction.keyword.range, dl4000.description, instruction);
    }
  },
};
