import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

export const dl4003: Rule = {
  id: 'DL4003',
  group: 'practice',
  description:
    'Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect',
  url: hadolintUrl('DL4003'),
  severity: 'warning',
  check({ model, report }) {
    for (const stage of model.stages) {
      let seen = false;
      for (const instruction of stage.instructions) {
        if (instruction.kind !== 'cmd') continue;
        // Reported at every CMD after the first, as hadolint does.
        if (seen) report(instruction.keyword.range, dl4003.description, instruction);
        seen = true;
      }
    }
  },
};
