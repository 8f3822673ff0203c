import type { Instruction } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { buildkitUrl } from '../meta.js';

export const multipleInstructionsDisallowed: Rule = {
  id: 'MultipleInstructionsDisallowed',
  group: 'buildkit',
  description: 'Multiple instructions of the same type should not be used in the same stage',
  url: buildkitUrl('MultipleInstructionsDisallowed'),
  severity: 'warning',
  check({ model, report }) {
    for (const stage of model.stages) {
      const last = new Map<string, Instruction>();
      for (const instruction of stage.instructions) {
        const kind = instruction.kind;
        if (kind !== 'cmd' && kind !== 'entrypoint' && kind !== 'healthcheck') continue;
        const earlier = last.get(kind);
        if (earlier) {
          // Located at the earlier instruction (the one that is ignored), silenced from the later one.
          report(
            earlier.keyword.range,
            `Multiple ${kind.toUpperCase()} instructions should not be used in the same stage because only the last one will be used`,
            instruction,
          );
        }
        last.set(kind, instruction);
      }
    }
  },
};
