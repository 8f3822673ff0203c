// The first error BuildKit's Dockerfile frontend stops at before it runs anything (a parse error, an unknown
// instruction, an invalid flag or mount): what `--call` requests report as their error, with its location.
import { lint, rules } from '../../../lint/index.js';
import { argumentsBeforeFlags, type Instruction, isInstructionParseError, type parse } from '../../../parser/index.js';

/** The first error a build of this Dockerfile stops at before running anything: its message and lines. */
export function firstBuildError(
  text: string,
  parsed: ReturnType<typeof parse>,
): { readonly message: string; readonly line: number; readonly endLine: number } | null {
  // Errors of the parser and of the `build` rules (what BuildKit refuses); BuildKit's checks and best practice
  // are not build errors, whatever their severity.
  const groups = new Map(rules.map((r) => [r.id, r.group]));
  const errors = lint({ text, parsed }).filter((f) => {
    const group = groups.get(f.rule);
    return (
      f.severity === 'error' && (group === 'build' || (group === undefined && f.rule !== 'invalid-check-directive'))
    );
  });
  const earliest = errors[0];
  if (earliest === undefined) return null;
  // BuildKit locates the error at its instruction, every line of it.
  const inside = (i: Instruction, f: (typeof errors)[number]) =>
    i.range.start.offset <= f.range.start.offset && f.range.start.offset <= i.range.end.offset;
  const instruction = parsed.ast.instructions.find((i) => inside(i, earliest));
  // Within one instruction the findings come by position, but BuildKit's parse functions take the flags and the
  // arguments in their own order: ENV's flags first, COPY's number of arguments first (`COPY --bogus a`).
  const argsFirst = instruction !== undefined && argumentsBeforeFlags(instruction.kind);
  const rank = (f: (typeof errors)[number]) =>
    f.code === 'missing-arguments' && argsFirst ? 0 : f.rule === 'invalid-arguments' ? 2 : 1;
  const first =
    instruction === undefined
      ? earliest
      : errors.filter((f) => inside(instruction, f)).reduce((best, f) => (rank(f) < rank(best) ? f : best));
  const line = instruction?.range.start.line ?? first.range.start.line;
  const endLine = Math.max(line, instruction?.range.end.line ?? line);
  // A build rule's finding carries the code of the planner's error for it: the same list decides for both.
  const message = isInstructionParseError(first.code)
    ? `dockerfile parse error on line ${line}: ${first.message}`
    : first.message;
  return { message, line, endLine };
}
