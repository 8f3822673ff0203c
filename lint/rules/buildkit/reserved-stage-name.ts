import type { Rule } from '../../types.js';
import { buildkitUrl } from '../meta.js';

const RESERVED = new Set(['context', 'scratch']);

export const reservedStageName: Rule = {
  id: 'ReservedStageName',
  group: 'buildkit',
  description: 'Reserved words should not be used as stage names',
  url: buildkitUrl('ReservedStageName'),
  severity: 'warning',
  check({ model, report }) {
    for (const stage of model.stages) {
      if (stage.name === null || !stage.from.stageName || !RESERVED.has(stage.name)) continue;
      report(
        stage.from.stageName.range,
        `Stage name should not use the same name as reserved stage "${stage.name}"`,
        stage.from,
      );
    }
  },
};
