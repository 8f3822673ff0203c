// Which errors are BuildKit's parse errors of an instruction: one list for `build` (the planner's errors) and
// `build --check` (the linter's build rules), keyed by the error codes both give their errors, so the two agree.

/**
 * Codes of the errors BuildKit raises while it parses an instruction (instructions.ParseInstruction: the
 * instruction's own parse function, BFlags.Parse, RUN's flag hooks for --mount, --network, --security and
 * --device, HEALTHCHECK's flag values), which instructions.Parse wraps as `dockerfile parse error on line N: …`
 * and locates at the whole instruction. Errors of later phases keep their own words: the dispatcher's (a base
 * image reference, COPY --chmod, EXPOSE's ports, stage references) and those of a base image's ONBUILD triggers.
 */
export const INSTRUCTION_PARSE_ERRORS = [
  'unknown-instruction',
  'unknown-flag',
  'invalid-flag',
  'invalid-mount',
  'missing-arguments',
  'invalid-stage-name',
  'blank-arg-name',
  'heredoc-destination',
  'shell-not-json',
  'empty-volume',
  'onbuild-empty',
  'onbuild-chained',
  'onbuild-forbidden',
  'healthcheck-type',
  'healthcheck-none-args',
] as const;

export type InstructionParseError = (typeof INSTRUCTION_PARSE_ERRORS)[number];

const CODES: ReadonlySet<string> = new Set(INSTRUCTION_PARSE_ERRORS);

/** True when an error of this code is one of BuildKit's instruction parse errors. */
export function isInstructionParseError(code: string): code is InstructionParseError {
  return CODES.has(code);
}
