import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@)/i;
const ARCHIVE = /\.(?:tar|gz|tgz|bz2|tbz|tbz2|tb2|xz|txz|lz|lzma|tlz|zst|tzst|zip|Z|tZ)$/;

export const dl3020: Rule = {
  id: 'DL3020',
  group: 'practice',
  description: 'Use COPY instead of ADD for files and folders',
  url: hadolintUrl('DL3020'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      if (instruction.kind !== 'add') continue;
      for (const source of instruction.sources) {
        const path = source.value.replace(/^["']|["']$/g, '');
        // URLs and archives are what ADD is for; heredocs and variables are not judged.
        if (path.startsWith('<<') || path.includes('$') || REMOTE.test(path) || ARCHIVE.test(path)) continue;
        report(source.range, dl3020.description, instruction);
      }
    }
  },
};
