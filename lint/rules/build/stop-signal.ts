import { stopSignalProblem } from '../../../parser/index.js';
import { walkStages } from '../../scope.js';
import type { Rule } from '../../types.js';
import { expandWord, type Lookup } from '../../words.js';
import { referenceUrl } from '../meta.js';

export const invalidStopSignal: Rule = {
  id: 'invalid-stopsignal',
  group: 'build',
  description: 'STOPSIGNAL takes a signal name or a non-zero number',
  url: referenceUrl('stopsignal'),
  severity: 'error',
  check({ model, report }) {
    walkStages(model, {
      instruction(instruction, scope) {
        if (instruction.kind !== 'stopsignal' || instruction.value === null) return;
        const lookup: Lookup = (name) => scope.env.get(name);
        const expansion = expandWord(instruction.value.value, lookup, model.ast.escapeChar);
        // A signal from an undefined variable is the build's business (it may come from --build-arg).
        if (expansion.error !== null || expansion.references.some((r) => !r.defined)) return;
        const problem = stopSignalProblem(expansion.value);
        // The dispatcher's error (not a parse error), as the planner's.
        if (problem !== null) report(instruction.value.range, problem, instruction, 'invalid-signal');
      },
    });
  },
};
