import { isEmail } from './label-formats.js';
import { labelFormatRule } from './label-schema.js';

export const dl3058 = labelFormatRule(
  'DL3058',
  'email',
  (label) => `Label \`${label}\` is not a valid email format - must conform to RFC5322.`,
  isEmail,
);
