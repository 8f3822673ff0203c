import { parsePortSpec } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { expandWord } from '../../words.js';
import { forEachExposePart } from '../expose-parts.js';
import { referenceUrl } from '../meta.js';

/** BuildKit's parsePortSpec for one EXPOSE entry: the error message, or null. */
export function portSpecProblem(raw: string): string | null {
  const spec = parsePortSpec(raw);
  return 'error' in spec ? spec.error : null;
}

export const invalidExpose: Rule = {
  id: 'invalid-expose',
  group: 'build',
  description: 'EXPOSE takes port numbers or ranges with an optional protocol',
  url: referenceUrl('expose'),
  severity: 'error',
  check({ model, report }) {
    forEachExposePart(model, ({ instruction, word, text, start, lookup }) => {
      const expansion = expandWord(text, lookup, model.ast.escapeChar);
      // A port from an undefined variable is the build's business (it may come from --build-arg).
      if (expansion.references.some((r) => !r.defined)) return;
      for (const port of expansion.value.split(/\s+/).filter((p) => p !== '')) {
        const problem = portSpecProblem(port);
        if (problem) report(model.sub(word.range, word.value, start, start + text.length), problem, instruction);
      }
    });
  },
};
