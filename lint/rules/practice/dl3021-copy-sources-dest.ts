import { walkStages } from '../../scope.js';
import type { Rule } from '../../types.js';
import { expandWord } from '../../words.js';
import { hadolintUrl } from '../meta.js';

/** What the build reads as a directory destination. */
const DIRECTORY = /(?:\/|\\|^\.|\/\.)$/;

export const dl3021: Rule = {
  id: 'DL3021',
  group: 'practice',
  description: 'COPY with more than 2 arguments requires the last argument to end with /',
  url: hadolintUrl('DL3021'),
  severity: 'error',
  check({ model, report }) {
    walkStages(model, {
      instruction(instruction, scope) {
        if (instruction.kind !== 'copy' || instruction.sources.length < 2 || !instruction.destination) return;
        const destination = instruction.destination;
        const expansion = expandWord(destination.value, (n) => scope.env.get(n), model.ast.escapeChar);
        // A destination from a variable lint cannot resolve is not judged. Unlike hadolint, `.` (and `x/.`) and a
        // Windows path ending in `\` pass: the build takes them as directories, as BuildKit does.
        if (expansion.references.some((r) => !r.defined) || DIRECTORY.test(expansion.value)) return;
        report(destination.range, dl3021.description, instruction);
      },
    });
  },
};
