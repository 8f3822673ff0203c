import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

export const dl3012: Rule = {
  id: 'DL3012',
  group: 'practice',
  description: 'Multiple `HEALTHCHECK` instructions',
  url: hadolintUrl('DL3012'),
  severity: 'error',
  check({ model, report }) {
    for (const stage of model.stages) {
      let seen = false;
      for (const instruction of stage.instructions) {
        if (instruction.kind !== 'healthcheck') continue;
        // Reported at every HEALTHCHECK after the first of a stage, as hadolint does.
        if (seen) report(instruction.keyword.range, dl3012.description, instruction);
        seen = true;
      }
    }
  },
};
