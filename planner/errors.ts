// Planning failures: an Error with a stable code and the Dockerfile range it belongs to.

import type { Diagnostic, Range } from '../parser/index.js';

export const NO_RANGE: Range = {
  start: { line: 1, column: 1, offset: 0 },
  end: { line: 1, column: 1, offset: 0 },
};

export class PlanError extends Error {
  readonly code: string;
  readonly range: Range;

  constructor(code: string, message: string, range: Range = NO_RANGE) {
    super(message);
    this.name = 'PlanError';
    this.code = code;
    this.range = range;
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
