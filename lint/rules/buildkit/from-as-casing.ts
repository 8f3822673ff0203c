import type { Rule } from '../../types.js';
import { buildkitUrl } from '../meta.js';

export const fromAsCasing: Rule = {
  id: 'FromAsCasing',
  group: 'buildkit',
  description: "The 'as' keyword should match the case of the 'from' keyword",
  url: buildkitUrl('FromAsCasing'),
  severity: 'warning',
  check({ model, report }) {
    for (const { from } of model.stages) {
      if (!from.stageName || from.args.length !== 3) continue;
      const as = from.args[1];
      const keyword = from.keyword.value;
      // A mixed-case FROM keyword is left to ConsistentInstructionCasing.
      const lower = keyword === keyword.toLowerCase();
      const upper = keyword === keyword.toUpperCase();
      if ((lower && as.value !== as.value.toLowerCase()) || (upper && as.value !== as.value.toUpperCase())) {
        report(as.range, `'${as.value}' and '${keyword}' keywords' casing do not match`, from);
      }
    }
  },
};
