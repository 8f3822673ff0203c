// The arguments of an instruction as BuildKit's instructions.Parse judges them (frontend/dockerfile/instructions/
// parse.go): the linter's `invalid-arguments` (what `--check` reports) and the planner (what a build fails with) both
// ask here, so the two say the same; argumentsBeforeFlags says which comes first when both are wrong.
import type { Instruction } from '../ast.js';

/** An argument error and its code (the planner's for the same error: they are all BuildKit's parse errors). */
export interface ArgumentProblem {
  readonly code: 'missing-arguments' | 'heredoc-destination' | 'blank-arg-name' | 'empty-volume' | 'shell-not-json';
  readonly message: string;
}

const missing = (message: string): ArgumentProblem => ({ code: 'missing-arguments', message });

/**
 * BuildKit's errors about an instruction's arguments (their number, a blank ARG name, an empty VOLUME, SHELL's JSON
 * form, a heredoc as COPY's destination); null when the arguments are acceptable. `missing-arguments` comes first.
 */
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

/**
 * Whether BuildKit checks the number of an instruction's arguments before its flags (parseCopy, parseWorkdir …); the
 * others (ENV, LABEL, SHELL …) parse their flags first. Other argument errors always come after the flags.
 */
export function argumentsBeforeFlags(kind: Instruction['kind']): boolean {
  return ARGUMENTS_FIRST.has(kind);
}

const ARGUMENTS_FIRST: ReadonlySet<Instruction['kind']> = new Set([
  'copy',
  'add',
  'workdir',
  'user',
  'maintainer',
  'stopsignal',
  'arg',
  'expose',
  'volume',
  'onbuild',
  'healthcheck',
  'from',
]);
