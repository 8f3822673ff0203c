// A failed build: the message a user acts on, plus where (the Dockerfile line of the instruction)
// and, for RUN, the exit code and the last lines of output.

export interface BuildErrorDetails {
  /** 1-based Dockerfile line of the failing instruction. */
  readonly line?: number;
  readonly instruction?: string;
  readonly exitCode?: number;
  readonly outputTail?: readonly string[];
}

export class BuildError extends Error {
  readonly code = 'E_BUILD';
  constructor(
    message: string,
    readonly details: BuildErrorDetails = {},
  ) {
    super(message);
    this.name = 'BuildError';
  }
}
