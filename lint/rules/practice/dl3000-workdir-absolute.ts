import { walkStages } from '../../scope.js';
import type { Rule } from '../../types.js';
import { expandWord } from '../../words.js';
import { isAbsolutePath } from '../buildkit/workdir-relative-path.js';
import { hadolintUrl } from '../meta.js';

export const dl3000: Rule = {
  id: 'DL3000',
  group: 'practice',
  description: 'Use absolute WORKDIR',
  url: hadolintUrl('DL3000'),
  severity: 'error',
  check({ model, report }) {
    walkStages(model, {
      instruction(instruction, scope) {
        if (instruction.kind !== 'workdir' || !instruction.value) return;
        const expansion = expandWord(instruction.value.value, (n) => scope.env.get(n), model.ast.escapeChar);
        // A path from a variable lint cannot resolve is not judged.
        if (expansion.references.some((r) => !r.defined) || instruction.value.value.startsWith('$')) return;
        if (isAbsolutePath(expansion.value)) return;
        report(instruction.value.range, 'Use absolute WORKDIR', instruction);
      },
    });
  },
};
