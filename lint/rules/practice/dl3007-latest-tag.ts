import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { imageOf } from './image-of.js';

export const dl3007: Rule = {
  id: 'DL3007',
  group: 'practice',
  description:
    'Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag',
  url: hadolintUrl('DL3007'),
  severity: 'warning',
  check({ model, report }) {
    for (const stage of model.stages) {
      const reference = imageOf(model, stage);
      const image = stage.from.image;
      if (reference?.tag !== 'latest' || reference.digest !== null || !image) continue;
      const at = image.value.lastIndexOf(':latest');
      const range = at >= 0 ? model.sub(image.range, image.value, at + 1, at + 7) : image.range;
      report(range, dl3007.description, stage.from);
    }
  },
};
