import type { Rule } from '../../types.js';
import { buildkitUrl } from '../meta.js';

export const maintainerDeprecated: Rule = {
  id: 'MaintainerDeprecated',
  group: 'buildkit',
  description: 'The MAINTAINER instruction is deprecated, use a label instead to define an image author',
  url: buildkitUrl('MaintainerDeprecated'),
  severity: 'warning',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      if (instruction.kind !== 'maintainer') continue;
      report(instruction.keyword.range, 'Maintainer instruction is deprecated in favor of using label', instruction);
    }
  },
};
