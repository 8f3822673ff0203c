// Planning failures: an Error with a stable code and the Dockerfile range it belongs to.

import { type Diagnostic, isInstructionParseError, type Range } from '../parser/index.js';

export const NO_RANGE: Range = {
  start: { line: 1, column: 1, offset: 0 },
  end: { line: 1, column: 1, offset: 0 },
};

export class PlanError extends Error {
  readonly code: string;
  readonly range: Range;
  /** Set when the error is one of parsing an instruction (its code is an instruction parse error's): its range. */
  readonly instruction?: Range;

  constructor(code: string, message: string, range: Range = NO_RANGE, instruction?: Range) {
    super(message);
    this.name = 'PlanError';
    this.code = code;
    this.range = range;
    if (instruction !== undefined && isInstructionParseError(code)) this.instruction = instruction;
  }

  /** The error of parsing `instruction` when its code is a parse error's; itself otherwise. */
  at(instruction: Range): PlanError {
    if (this.instruction !== undefined || !isInstructionParseError(this.code)) return this;
    return new PlanError(this.code, this.message, this.range, instruction);
  }

  toDiagnostic(): Diagnostic {
    return { severity: 'error', code: this.code, message: this.message, range: this.range };
  }
}

export function warning(code: string, message: string, range: Range): Diagnostic {
  return { severity: 'warning', code, message, range };
}

/** False for diagnostics that have no place in the Dockerfile (e.g. an unknown --target). */
export function hasLocation(d: Diagnostic): boolean {
  return d.range !== NO_RANGE;
}
