// The first error BuildKit's Dockerfile frontend stops at before it runs anything (a parse error, an unknown
// instruction, an invalid flag or mount): what `--call` requests report as their error, with its location.
import { lint, rules } from '../../../lint/index.js';
import type { parse } from '../../../parser/index.js';

/**
 * Errors of BuildKit's instructions.ParseInstruction, which instructions.Parse wraps as `dockerfile parse error on
 * line N: …` (its parseError); the parser's own errors and those of later steps are not wrapped.
 */
const INSTRUCTION_PARSE_ERRORS = new Set([
  'unknown-instruction',
  'invalid-arguments',
  'invalid-flag',
  'invalid-from',
  'invalid-healthcheck',
  'invalid-mount',
  'invalid-onbuild',
]);

/** The first error a build of this Dockerfile stops at before running anything: its message and lines. */
export function firstBuildError(
  text: string,
  parsed: ReturnType<typeof parse>,
): { readonly message: string; readonly line: number; readonly endLine: number } | null {
  // Errors of the parser and of the `build` rules (what BuildKit refuses); BuildKit's checks and best practice
  // are not build errors, whatever their severity.
  const groups = new Map(rules.map((r) => [r.id, r.group]));
  const first = lint({ text, parsed }).find((f) => {
    const group = groups.get(f.rule);
    return (
      f.severity === 'error' && (group === 'build' || (group === undefined && f.rule !== 'invalid-check-directive'))
    );
  });
  if (first === undefined) return null;
  // BuildKit locates the error at its instruction, every line of it.
  const instruction = parsed.ast.instructions.find(
    (i) => i.range.start.offset <= first.range.start.offset && first.range.start.offset <= i.range.end.offset,
  );
  const line = instruction?.range.start.line ?? first.range.start.line;
  const endLine = Math.max(line, instruction?.range.end.line ?? line);
  // A RUN flag's value (--network, --security, --device) is checked by BuildKit's RUN parse hooks; a --chmod's by
  // the dispatcher, after parsing.
  const parseError =
    INSTRUCTION_PARSE_ERRORS.has(first.rule) || (first.rule === 'invalid-flag-value' && instruction?.kind === 'run');
  const message = parseError ? `dockerfile parse error on line ${line}: ${first.message}` : first.message;
  return { message, line, endLine };
}
