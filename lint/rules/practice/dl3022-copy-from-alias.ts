import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

export const dl3022: Rule = {
  id: 'DL3022',
  group: 'practice',
  description: '`COPY --from` should reference a previously defined `FROM` alias',
  url: hadolintUrl('DL3022'),
  severity: 'warning',
  check({ model, report }) {
    for (const stage of model.stages) {
      // The stages up to this one (its own name included: copying from itself is a build error of its own).
      const earlier = model.stages.slice(0, stage.index + 1);
      for (const instruction of stage.instructions) {
        if (instruction.kind !== 'copy') continue;
        const flag = instruction.flags.find((f) => f.name === 'from');
        const from = flag?.value?.replace(/^["']|["']$/g, '');
        // An image reference (`nginx:1`) is meant as one; a variable is not judged.
        if (!flag || !from || from.includes(':') || from.includes('$')) continue;
        if (/^\d+$/.test(from) ? Number(from) < earlier.length : earlier.some((s) => s.name === from.toLowerCase()))
          continue;
        report(flag.range, dl3022.description, instruction);
      }
    }
  },
};
