import { walkStages } from '../../scope.js';
import type { Rule } from '../../types.js';
import { expandValue, splitWords } from '../../words.js';
import { buildkitUrl } from '../meta.js';

export const exposeProtoCasing: Rule = {
  id: 'ExposeProtoCasing',
  group: 'buildkit',
  description: 'Protocol in EXPOSE instruction should be lowercase',
  url: buildkitUrl('ExposeProtoCasing'),
  severity: 'warning',
  check({ model, report }) {
    walkStages(model, {
      instruction(instruction, scope) {
        if (instruction.kind !== 'expose') return;
        for (const word of instruction.ports) {
          for (const part of splitWords(word.value, model.ast.escapeChar)) {
            const port = expandValue(part.text, (n) => scope.env.get(n), model.ast.escapeChar);
            const slash = port.indexOf('/');
            if (slash < 0 || port.slice(slash + 1) === port.slice(slash + 1).toLowerCase()) continue;
            report(word.range, `Defined protocol '${port}' in EXPOSE instruction should be lowercase`, instruction);
          }
        }
      },
    });
  },
};
