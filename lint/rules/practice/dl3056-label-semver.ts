import { isSemver } from './label-formats.js';
import { labelFormatRule } from './label-schema.js';

export const dl3056 = labelFormatRule(
  'DL3056',
  'semver',
  (label) => `Label \`${label}\` does not conform to semantic versioning.`,
  isSemver,
);
