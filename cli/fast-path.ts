// The commonest invocations, `tsbuild parse [FILE] [--json|--dump]`, `tsbuild lint [FILE…]`, `tsbuild pull [-q]
// NAME` and `tsbuild [build] [-t NAME]… [-f FILE] … CONTEXT` (fast-path-build.ts), recognised without yargs:
// loading and running yargs costs more start-up time than parsing and linting a Dockerfile (see
// bench/startup.ts), a good part of pulling a small image, and a third of a no-op build. Only argument lists whose meaning is
// plain are taken: operands (or `-`) and, for parse and pull, one of their flags. Everything else (help, version,
// other options, `--`, errors) goes to yargs in program.ts, so messages and exit codes stay yargs'.
// test/cli/fast-path.test.ts checks the options against program.ts'.
import type { BuildCliOptions } from './commands/build/run.js';
import type { LintCliOptions } from './commands/lint/run.js';
import type { ParseCommandOptions } from './commands/parse/run.js';
import type { PullOptions } from './commands/pull/run.js';
import { fastBuild, isOperand } from './fast-path-build.js';

export type FastInvocation =
  | { readonly command: 'parse'; readonly options: ParseCommandOptions }
  | { readonly command: 'lint'; readonly options: LintCliOptions }
  | { readonly command: 'pull'; readonly options: PullOptions }
  | { readonly command: 'build'; readonly options: BuildCliOptions };

/** The command and its options for a plain `parse`/`lint`/`pull` argument list (without node and script). */
export function fastInvocation(argv: readonly string[]): FastInvocation | undefined {
  const [command, ...rest] = argv;
  if (command === 'parse') {
    const operands = rest.filter(isOperand);
    const flags = rest.filter((arg) => !isOperand(arg));
    if (operands.length > 1 || flags.length > 1) return undefined;
    if (flags.length === 1 && flags[0] !== '--json' && flags[0] !== '--dump') return undefined;
    const file = operands[0] ?? 'Dockerfile';
    return { command, options: { file, json: flags[0] === '--json', dump: flags[0] === '--dump' } };
  }
  if (command === 'lint') {
    if (!rest.every(isOperand)) return undefined;
    return {
      command,
      options: {
        files: rest,
        format: 'text',
        ignore: [],
        severity: [],
        failLevel: 'warning',
        config: undefined,
        color: undefined,
      },
    };
  }
  if (command === 'pull') {
    const operands = rest.filter(isOperand);
    const flags = rest.filter((arg) => !isOperand(arg));
    if (operands.length !== 1 || operands[0] === '-' || flags.length > 1) return undefined;
    if (flags.length === 1 && flags[0] !== '-q' && flags[0] !== '--quiet') return undefined;
    return { command, options: { name: operands[0]!, insecureRegistries: [], quiet: flags.length === 1 } };
  }
  const build = command === 'build' ? fastBuild(rest) : fastBuild(argv, { bare: true });
  return build === undefined ? undefined : { command: 'build', options: build };
}
