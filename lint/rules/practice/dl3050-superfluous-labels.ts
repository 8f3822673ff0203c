import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { labelInstructions, literal, schemaLabels } from './label-schema.js';

export const dl3050: Rule = {
  id: 'DL3050',
  group: 'practice',
  description: 'Superfluous label(s) present.',
  url: hadolintUrl('DL3050'),
  severity: 'info',
  check({ model, report }) {
    // Only with `strictLabels`; with no schema every label is superfluous.
    if (model.options.strictLabels !== true) return;
    const allowed = new Set(schemaLabels(model));
    for (const { label, instruction } of labelInstructions(model)) {
      // One finding per LABEL, as hadolint has it, at its first label outside the schema.
      const extra = label.pairs.find((pair) => !allowed.has(literal(model, pair.key.value)));
      if (extra) report(extra.key.range, dl3050.description, instruction);
    }
  },
};
