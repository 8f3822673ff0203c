import { walkStages } from '../../scope.js';
import type { Rule } from '../../types.js';
import { buildkitUrl } from '../meta.js';

export const jsonArgsRecommended: Rule = {
  id: 'JSONArgsRecommended',
  group: 'buildkit',
  description: 'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
  url: buildkitUrl('JSONArgsRecommended'),
  severity: 'warning',
  check({ model, report }) {
    walkStages(model, {
      instruction(instruction, scope) {
        if (instruction.kind !== 'cmd' && instruction.kind !== 'entrypoint') return;
        // A SHELL in this stage or a parent stage means the shell form is deliberate.
        if (instruction.form !== 'shell' || scope.shell !== null || instruction.command.length === 0) return;
        const kind = instruction.kind.toUpperCase();
        report(
          instruction.argsText.range,
          `JSON arguments recommended for ${kind} to prevent unintended behavior related to OS signals`,
          instruction,
        );
      },
    });
  },
};
