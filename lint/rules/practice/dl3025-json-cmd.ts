import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

export const dl3025: Rule = {
  id: 'DL3025',
  group: 'practice',
  description: 'Use arguments JSON notation for CMD and ENTRYPOINT arguments',
  url: hadolintUrl('DL3025'),
  severity: 'warning',
  check({ model, report }) {
    for (const stage of model.stages) {
      for (const instruction of stage.instructions) {
        if (instruction.kind !== 'cmd' && instruction.kind !== 'entrypoint') continue;
        if (instruction.form !== 'shell' || instruction.command.length === 0) continue;
        report(instruction.argsText.range, dl3025.description, instruction);
      }
    }
  },
};
