import { isRfc3339 } from './label-formats.js';
import { labelFormatRule } from './label-schema.js';

export const dl3053 = labelFormatRule(
  'DL3053',
  'rfc3339',
  (label) => `Label \`${label}\` is not a valid time format - must conform to RFC3339.`,
  isRfc3339,
);
