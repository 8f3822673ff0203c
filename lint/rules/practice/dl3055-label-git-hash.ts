import { isGitHash } from './label-formats.js';
import { labelFormatRule } from './label-schema.js';

export const dl3055 = labelFormatRule(
  'DL3055',
  'hash',
  (label) => `Label \`${label}\` is not a valid git hash.`,
  isGitHash,
);
