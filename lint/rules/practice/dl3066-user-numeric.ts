import { walkStages } from '../../scope.js';
import type { Rule } from '../../types.js';
import { expandWord } from '../../words.js';
import { hadolintUrl } from '../meta.js';

export const dl3066: Rule = {
  id: 'DL3066',
  group: 'practice',
  description: 'Non-numeric user-id may not be resolvable by host system',
  url: hadolintUrl('DL3066'),
  severity: 'info',
  check({ model, report }) {
    walkStages(model, {
      instruction(instruction, scope) {
        if (instruction.kind !== 'user' || !instruction.value) return;
        const word = instruction.value;
        const expansion = expandWord(word.value, (n) => scope.env.get(n), model.ast.escapeChar);
        // A user from a variable is not judged: the build argument may well be a number.
        if (expansion.references.length > 0) return;
        const user = expansion.value.split(':')[0];
        if (/^\d*$/.test(user)) return;
        const colon = word.value.indexOf(':');
        report(colon < 0 ? word.range : model.sub(word.range, word.value, 0, colon), dl3066.description, instruction);
      },
    });
  },
};
