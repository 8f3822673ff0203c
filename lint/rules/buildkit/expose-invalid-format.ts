import { walkStages } from '../../scope.js';
import type { Rule } from '../../types.js';
import { expandValue, splitWords } from '../../words.js';
import { buildkitUrl } from '../meta.js';

export const exposeInvalidFormat: Rule = {
  id: 'ExposeInvalidFormat',
  group: 'buildkit',
  description:
    'IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release',
  url: buildkitUrl('ExposeInvalidFormat'),
  severity: 'warning',
  check({ model, report }) {
    walkStages(model, {
      instruction(instruction, scope) {
        if (instruction.kind !== 'expose') return;
        for (const word of instruction.ports) {
          for (const part of splitWords(word.value, model.ast.escapeChar)) {
            const port = expandValue(part.text, (n) => scope.env.get(n), model.ast.escapeChar);
            if (!port.includes(':')) continue;
            report(
              word.range,
              `EXPOSE instruction should not define an IP address or host-port mapping, found '${port}'`,
              instruction,
            );
          }
        }
      },
    });
  },
};
