import type { Rule } from '../../types.js';
import { buildkitUrl } from '../meta.js';

export const stageNameCasing: Rule = {
  id: 'StageNameCasing',
  group: 'buildkit',
  description: 'Stage names should be lowercase',
  url: buildkitUrl('StageNameCasing'),
  severity: 'warning',
  check({ model, report }) {
    for (const { from } of model.stages) {
      const name = from.stageName;
      // BuildKit looks only at the exact `FROM image AS name` form.
      if (!name || from.args.length !== 3 || name.value === name.value.toLowerCase()) continue;
      report(name.range, `Stage name '${name.value}' should be lowercase`, from);
    }
  },
};
