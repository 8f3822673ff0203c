import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { labelPairs, schemaLabels } from './label-schema.js';

// hadolint's message starts with a lower-case `label`, unlike its other label rules.
const message = (label: string): string => `label \`${label}\` is empty.`;

export const dl3051: Rule = {
  id: 'DL3051',
  group: 'practice',
  description: message('<label>'),
  url: hadolintUrl('DL3051'),
  severity: 'warning',
  check({ model, report }) {
    const labels = new Set(schemaLabels(model));
    if (labels.size === 0) return;
    for (const { key, value, pair, instruction } of labelPairs(model)) {
      if (labels.has(key) && value === '') report(pair.range, message(key), instruction);
    }
  },
};
