import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { imageOf } from './image-of.js';

export const dl3026: Rule = {
  id: 'DL3026',
  group: 'practice',
  description: 'Use only an allowed registry in the FROM image',
  url: hadolintUrl('DL3026'),
  severity: 'error',
  check({ model, report }) {
    const trusted = model.options.trustedRegistries ?? [];
    if (trusted.length === 0) return;
    for (const stage of model.stages) {
      const reference = imageOf(model, stage);
      if (!reference || !stage.from.image) continue;
      const full = `${reference.domain}/${reference.path}`;
      const allowed = trusted.some((entry) => {
        const registry = entry.replace(/\/+$/, '');
        return reference.domain === registry || full === registry || full.startsWith(`${registry}/`);
      });
      if (!allowed) report(stage.from.image.range, dl3026.description, stage.from);
    }
  },
};
