import type { Instruction } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

/** An argument error and its code (the planner's for the same error: they are all BuildKit's parse errors). */
interface ArgumentProblem {
  readonly code: 'missing-arguments' | 'heredoc-destination' | 'blank-arg-name' | 'empty-volume' | 'shell-not-json';
  readonly message: string;
}

const missing = (message: string): ArgumentProblem => ({ code: 'missing-arguments', message });

/** BuildKit's argument-count errors of the instruction layer; null when the arguments are acceptable. */
export function argumentProblem(instruction: Instruction): ArgumentProblem | null {
  const keyword = instruction.keyword.value.toUpperCase();
  const count = instruction.args.length;
  switch (instruction.kind) {
    case 'copy':
    case 'add':
      if (count < 2) {
        return missing(
          `${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`,
        );
      }
      if (
        instruction.destination?.value.startsWith('<<') &&
        instruction.form === 'shell' &&
        instruction.heredocs.length > 0
      ) {
        return { code: 'heredoc-destination', message: `${keyword} cannot accept a heredoc as a destination` };
      }
      return null;
    case 'user':
    case 'workdir':
    case 'maintainer':
    case 'stopsignal':
      return count === 1 ? null : missing(`${keyword} requires exactly one argument`);
    case 'expose':
    case 'arg':
    case 'env':
    case 'label':
      // `ENV key` without a value is the parser's error (`ENV must have two arguments`), not this one.
      if (instruction.argsText.value.trim() === '') return missing(`${keyword} requires at least one argument`);
      if (instruction.kind === 'arg' && instruction.declarations.some((d) => d.name.value === '')) {
        return { code: 'blank-arg-name', message: 'ARG names can not be blank' };
      }
      return null;
    case 'volume':
      if (count === 0) return missing('VOLUME requires at least one argument');
      return instruction.paths.some((p) => p.value.trim() === '')
        ? { code: 'empty-volume', message: 'VOLUME specified can not be an empty string' }
        : null;
    case 'shell':
      if (instruction.command.length === 0) return missing('SHELL requires at least one argument');
      if (instruction.form === 'exec') return null;
      return { code: 'shell-not-json', message: 'SHELL requires the arguments to be in JSON form' };
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
      report(range, problem.message, instruction, problem.code);
    }
  },
};
