import type { Rule } from '../../types.js';
import { expandValue } from '../../words.js';
import { forEachExposePart } from '../expose-parts.js';
import { buildkitUrl } from '../meta.js';

export const exposeInvalidFormat: Rule = {
  id: 'ExposeInvalidFormat',
  group: 'buildkit',
  description:
    'IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release',
  url: buildkitUrl('ExposeInvalidFormat'),
  severity: 'warning',
  check({ model, report }) {
    forEachExposePart(model, ({ instruction, word, text, lookup }) => {
      const port = expandValue(text, lookup, model.ast.escapeChar);
      if (!port.includes(':')) return;
      report(
        word.range,
        `EXPOSE instruction should not define an IP address or host-port mapping, found '${port}'`,
        instruction,
      );
    });
  },
};
