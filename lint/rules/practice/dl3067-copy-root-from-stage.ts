import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

const unquoted = (text: string): string => text.replace(/^(["'])(.*)\1$/s, '$2');

export const dl3067: Rule = {
  id: 'DL3067',
  group: 'practice',
  description: 'Do not copy an entire filesystem from another stage',
  url: hadolintUrl('DL3067'),
  severity: 'warning',
  check({ model, report }) {
    for (const stage of model.stages) {
      for (const instruction of stage.instructions) {
        if (instruction.kind !== 'copy' || !instruction.flags.some((f) => f.name === 'from')) continue;
        if (!instruction.destination || unquoted(instruction.destination.value) !== '/') continue;
        const root = instruction.sources.find((source) => unquoted(source.value) === '/');
        if (root) report(root.range, dl3067.description, instruction);
      }
    }
  },
};
