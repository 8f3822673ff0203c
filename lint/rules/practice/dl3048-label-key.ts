import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

const RESERVED = ['com.docker.', 'io.docker.', 'org.dockerproject.'];

/** Docker's label key recommendation, as hadolint checks it. */
function validKey(key: string): boolean {
  return (
    /^[a-z](?:[a-z0-9.-]*[a-z0-9])?$/.test(key) &&
    !key.includes('..') &&
    !key.includes('--') &&
    !RESERVED.some((prefix) => key.startsWith(prefix))
  );
}

export const dl3048: Rule = {
  id: 'DL3048',
  group: 'practice',
  description: 'Invalid label key.',
  url: hadolintUrl('DL3048'),
  // hadolint's `style`.
  severity: 'info',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      if (instruction.kind !== 'label') continue;
      for (const pair of instruction.pairs) {
        const key = pair.key.value.replace(/^(["'])(.*)\1$/s, '$2');
        if (!validKey(key)) report(pair.key.range, dl3048.description, instruction);
      }
    }
  },
};
