import type { Instruction } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

/** BuildKit's argument-count errors of the instruction layer; null when the arguments are acceptable. */
export function argumentProblem(instruction: Instruction): string | null {
  const keyword = instruction.keyword.value.toUpperCase();
  const count = instruction.args.length;
  switch (instruction.kind) {
    case 'copy':
    case 'add':
      if (count < 2) {
        return `${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`;
      }
      if (
        instruction.destination?.value.startsWith('<<') &&
        instruction.form === 'shell' &&
        instruction.heredocs.length > 0
      ) {
        return `${keyword} cannot accept a heredoc as a destination`;
      }
      return null;
    case 'user':
    case 'workdir':
    case 'maintainer':
    case 'stopsignal':
      return count === 1 ? null : `${keyword} requires exactly one argument`;
    case 'expose':
    case 'arg':
    case 'env':
    case 'label':
      // `ENV key` without a value is the parser's error (`ENV must have two arguments`), not this one.
      if (instruction.argsText.value.trim() === '') return `${keyword} requires at least one argument`;
      if (instruction.kind === 'arg' && instruction.declarations.some((d) => d.name.value === '')) {
        return 'ARG names can not be blank';
      }
      return null;
    case 'volume':
      if (count === 0) return 'VOLUME requires at least one argument';
      return instruction.paths.some((p) => p.value.trim() === '')
        ? 'VOLUME specified can not be an empty string'
        : null;
    case 'shell':
      if (instruction.command.length === 0) return 'SHELL requires at least one argument';
      return instruction.form === 'exec' ? null : 'SHELL requires the arguments to be in JSON form';
    default:
      return null;
  }
}

export const invalidArguments: Rule = {
  id: 'invalid-arguments',
  group: 'build',
  description: 'The instruction has the wrong number or form of arguments',
  url: referenceUrl('overview'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      const problem = argumentProblem(instruction);
      if (!problem) continue;
      const range = instruction.argsText.value === '' ? instruction.keyword.range : instruction.argsText.range;
      report(range, problem, instruction);
    }
  },
};
