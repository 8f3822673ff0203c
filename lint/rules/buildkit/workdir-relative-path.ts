import { walkStages } from '../../scope.js';
import type { Rule } from '../../types.js';
import { expandValue } from '../../words.js';
import { buildkitUrl } from '../meta.js';

export function isAbsolutePath(path: string): boolean {
  // Windows paths (`C:\app`) count as absolute too, as BuildKit's system.IsAbs does for them.
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\');
}

export const workdirRelativePath: Rule = {
  id: 'WorkdirRelativePath',
  group: 'buildkit',
  description:
    'Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes',
  url: buildkitUrl('WorkdirRelativePath'),
  severity: 'warning',
  check({ model, report }) {
    walkStages(model, {
      instruction(instruction, scope) {
        if (instruction.kind !== 'workdir' || !instruction.value || scope.workdirSet) return;
        const path = expandValue(instruction.value.value, (n) => scope.env.get(n), model.ast.escapeChar);
        if (isAbsolutePath(path)) return;
        report(
          instruction.value.range,
          `Relative workdir "${path}" can have unexpected results if the base image changes`,
          instruction,
        );
      },
    });
  },
};
