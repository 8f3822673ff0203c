import type { Stage } from '../../model.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

export const dl3057: Rule = {
  id: 'DL3057',
  group: 'practice',
  description: '`HEALTHCHECK` instruction missing.',
  url: hadolintUrl('DL3057'),
  // hadolint's `ignore`: off unless `options.rules` enables it.
  severity: 'info',
  defaultOff: true,
  check({ model, report }) {
    // A stage has a health check when it declares one (HEALTHCHECK NONE too) or is built on a stage that has.
    const healthy = new Set<Stage>();
    for (const stage of model.stages) {
      const own = stage.instructions.some((i) => i.kind === 'healthcheck');
      if (own || (stage.parent !== null && healthy.has(stage.parent))) healthy.add(stage);
      else report(stage.from.keyword.range, dl3057.description, stage.from);
    }
  },
};
