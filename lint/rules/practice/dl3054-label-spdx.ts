import { isSpdxLicenseId } from './label-formats.js';
import { labelFormatRule } from './label-schema.js';

export const dl3054 = labelFormatRule(
  'DL3054',
  'spdx',
  (label) => `Label \`${label}\` is not a valid SPDX identifier.`,
  isSpdxLicenseId,
);
