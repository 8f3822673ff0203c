import { isUri } from './label-formats.js';
import { labelFormatRule } from './label-schema.js';

export const dl3052 = labelFormatRule('DL3052', 'url', (label) => `Label \`${label}\` is not a valid URL.`, isUri);
