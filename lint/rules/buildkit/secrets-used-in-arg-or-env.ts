import type { Instruction, Word } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { buildkitUrl } from '../meta.js';

const SECRET = /(?:^|_)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const ALLOWED = /(?:^|_)(?:public|file|version)(?:_|$)/i;

export function looksSecret(key: string): boolean {
  return SECRET.test(key) && !ALLOWED.test(key);
}

function unquote(word: Word): string {
  return word.value.replace(/^(["'])(.*)\1$/s, '$2');
}

export const secretsUsedInArgOrEnv: Rule = {
  id: 'SecretsUsedInArgOrEnv',
  group: 'buildkit',
  description: 'Sensitive data should not be used in the ARG or ENV commands',
  url: buildkitUrl('SecretsUsedInArgOrEnv'),
  severity: 'warning',
  check({ model, report }) {
    const flag = (instruction: Instruction, kind: string, word: Word): void => {
      const key = unquote(word);
      if (looksSecret(key)) {
        report(word.range, `Do not use ARG or ENV instructions for sensitive data (${kind} "${key}")`, instruction);
      }
    };
    // Global ARGs are never dispatched, so BuildKit does not check them.
    for (const stage of model.stages) {
      for (const instruction of stage.instructions) {
        if (instruction.kind === 'env') for (const pair of instruction.pairs) flag(instruction, 'ENV', pair.key);
        if (instruction.kind === 'arg') {
          for (const declaration of instruction.declarations) flag(instruction, 'ARG', declaration.name);
        }
      }
    }
  },
};
