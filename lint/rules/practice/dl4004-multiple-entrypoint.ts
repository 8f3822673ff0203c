import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

export const dl4004: Rule = {
  id: 'DL4004',
  group: 'practice',
  description:
    'Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect',
  url: hadolintUrl('DL4004'),
  severity: 'error',
  check({ model, report }) {
    for (const stage of model.stages) {
      let seen = false;
      for (const instruction of stage.instructions) {
        if (instruction.kind !== 'entrypoint') continue;
        // Reported at every ENTRYPOINT after the first of a stage, as hadolint does.
        if (seen) report(instruction.keyword.range, dl4004.description, instruction);
        seen = true;
      }
    }
  },
};
