import type { Rule } from '../../types.js';
import { buildkitUrl } from '../meta.js';

export const legacyKeyValueFormat: Rule = {
  id: 'LegacyKeyValueFormat',
  group: 'buildkit',
  description: 'Legacy key/value format with whitespace separator should not be used',
  url: buildkitUrl('LegacyKeyValueFormat'),
  severity: 'warning',
  check({ model, report }) {
    for (const stage of model.stages) {
      for (const instruction of stage.instructions) {
        if (instruction.kind !== 'env' && instruction.kind !== 'label') continue;
        const kind = instruction.kind.toUpperCase();
        for (const pair of instruction.pairs) {
          if (pair.separator !== '') continue;
          report(
            pair.range,
            `"${kind} key=value" should be used instead of legacy "${kind} key value" format`,
            instruction,
          );
        }
      }
    }
  },
};
