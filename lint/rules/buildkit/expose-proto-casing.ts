import type { Rule } from '../../types.js';
import { expandValue } from '../../words.js';
import { forEachExposePart } from '../expose-parts.js';
import { buildkitUrl } from '../meta.js';

export const exposeProtoCasing: Rule = {
  id: 'ExposeProtoCasing',
  group: 'buildkit',
  description: 'Protocol in EXPOSE instruction should be lowercase',
  url: buildkitUrl('ExposeProtoCasing'),
  severity: 'warning',
  check({ model, report }) {
    forEachExposePart(model, ({ instruction, word, text, lookup }) => {
      const port = expandValue(text, lookup, model.ast.escapeChar);
      const slash = port.indexOf('/');
      if (slash < 0 || port.slice(slash + 1) === port.slice(slash + 1).toLowerCase()) return;
      report(word.range, `Defined protocol '${port}' in EXPOSE instruction should be lowercase`, instruction);
    });
  },
};
