import { cleanPath, isIgnored, readIgnoreFile } from '../../dockerignore.js';
import { walkStages } from '../../scope.js';
import type { Rule } from '../../types.js';
import { expandValue } from '../../words.js';
import { buildkitUrl } from '../meta.js';

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@)/i;
const ROOT_PATTERNS = new Set(['*', '**', '**/*']);

export const copyIgnoredFile: Rule = {
  id: 'CopyIgnoredFile',
  group: 'buildkit',
  description: 'Attempting to Copy file that is excluded by .dockerignore',
  url: buildkitUrl('CopyIgnoredFile'),
  severity: 'warning',
  check({ model, report }) {
    const text = model.options.dockerignore;
    if (text === undefined || text === null) return;
    const { patterns, hasExceptions } = readIgnoreFile(text);
    // BuildKit turns the check off entirely when the ignore file re-includes anything.
    if (hasExceptions || patterns.length === 0) return;
    walkStages(model, {
      instruction(instruction, scope) {
        if (instruction.kind !== 'copy' && instruction.kind !== 'add') return;
        if (instruction.flags.some((f) => f.name === 'from')) return;
        const verb = instruction.kind === 'copy' ? 'Copy' : 'Add';
        for (const source of instruction.sources) {
          if (source.value.startsWith('<<')) continue;
          const path = expandValue(source.value, (n) => scope.env.get(n), model.ast.escapeChar);
          if (REMOTE.test(path)) continue;
          let cleaned = cleanPath(path);
          if (cleaned.startsWith('/')) cleaned = cleaned.slice(1) || '.';
          const ignored = cleaned === '.' ? patterns.some((p) => ROOT_PATTERNS.has(p)) : isIgnored(patterns, cleaned);
          if (!ignored) continue;
          report(source.range, `Attempting to ${verb} file "${path}" that is excluded by .dockerignore`, instruction);
        }
      },
    });
  },
};
