import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

// hadolint's pragma (`# hadolint ignore=DL3006,SC2086`; `global ignore` is another pragma) and tsbuild's own.
const HADOLINT_IGNORE = /^[ \t]*hadolint[ \t]+ignore[ \t]*=[ \t]*[DLSC0-9]+(?:[ \t]*,[ \t]*[DLSC0-9]+)*[ \t]*(?:#.*)?$/;
const TSBUILD_IGNORE = /^\s*tsbuild-ignore\s*=\s*\S/i;

export const dl1001: Rule = {
  id: 'DL1001',
  group: 'practice',
  // hadolint's text, two spaces included (a Haskell string gap in its source leaves both).
  description: 'Please refrain from using inline ignore pragmas  `# hadolint ignore=DLxxxx`.',
  url: hadolintUrl('DL1001'),
  // hadolint's `ignore`: off unless `options.rules` enables it.
  severity: 'info',
  defaultOff: true,
  check({ model, report }) {
    for (const comment of model.ast.comments) {
      if (HADOLINT_IGNORE.test(comment.text) || TSBUILD_IGNORE.test(comment.text)) {
        report(comment.range, dl1001.description, null);
      }
    }
  },
};
