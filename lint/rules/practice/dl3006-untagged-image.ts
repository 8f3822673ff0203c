import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { imageOf } from './image-of.js';

export const dl3006: Rule = {
  id: 'DL3006',
  group: 'practice',
  description: 'Always tag the version of an image explicitly',
  url: hadolintUrl('DL3006'),
  severity: 'warning',
  check({ model, report }) {
    for (const stage of model.stages) {
      const reference = imageOf(model, stage);
      if (!reference || reference.tag !== null || reference.digest !== null || !stage.from.image) continue;
      report(stage.from.image.range, dl3006.description, stage.from);
    }
  },
};
