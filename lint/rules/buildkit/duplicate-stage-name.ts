import type { Rule } from '../../types.js';
import { buildkitUrl } from '../meta.js';

export const duplicateStageName: Rule = {
  id: 'DuplicateStageName',
  group: 'buildkit',
  description: 'Stage names should be unique',
  url: buildkitUrl('DuplicateStageName'),
  severity: 'warning',
  check({ model, report }) {
    const seen = new Set<string>();
    for (const stage of model.stages) {
      if (stage.name === null || !stage.from.stageName) continue;
      if (seen.has(stage.name)) {
        report(
          stage.from.stageName.range,
          `Duplicate stage name "${stage.name}", stage names should be unique`,
          stage.from,
        );
      }
      seen.add(stage.name);
    }
  },
};
