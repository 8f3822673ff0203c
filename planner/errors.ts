// Planning failures: an Error with a stable code and the Dockerfile range it belongs to.

import { type Diagnostic, isInstructionParseError, type Range } from '../parser/index.js';
import type { Platform } from './image-config.js';

export const NO_RANGE: Range = {
  start: { line: 1, column: 1, offset: 0 },
  end: { line: 1, column: 1, offset: 0 },
};

/** A failure BuildKit reports on a step's vertex (while solving): the step's progress name and its ERROR line. */
export interface FailedStep {
  readonly name: string;
  readonly message: string;
  /** The platform of the step's stage: a build of several platforms names the step with it. */
  readonly platform?: Platform;
}

export class PlanError extends Error {
  readonly code: string;
  readonly range: Range;
  /** Set when the error is one of parsing an instruction (its code is an instruction parse error's): its range. */
  readonly instruction?: Range;
  /** Set for an error BuildKit meets solving the step (a missing source): what the step's progress line says. */
  stepMessage?: string;
  /** The step's progress name (`[stage-1 2/2] COPY a /x`), once the stage's dispatch knows it. */
  stepName?: string;
  /** The platform of the step's stage, set with `stepName`. */
  stepPlatform?: Platform;

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

  /** The step BuildKit would report the error on, when it is such an error and its name is known. */
  failedStep(): FailedStep | undefined {
    if (this.stepMessage === undefined || this.stepName === undefined) return undefined;
    const platform = this.stepPlatform === undefined ? {} : { platform: this.stepPlatform };
    return { name: this.stepName, message: this.stepMessage, ...platform };
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
