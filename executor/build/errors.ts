// A failed build: the message a user acts on, plus where (the Dockerfile line of the instruction)
// and, for RUN, the exit code and the last lines of output.

export interface BuildErrorDetails {
  /** 1-based Dockerfile line of the failing instruction. */
  readonly line?: number;
  /** Its last line (continuation lines, heredoc bodies), when it spans several. */
  readonly endLine?: number;
  /** What the error box names the step by: its progress name (`[2/5] RUN …`), else the instruction. */
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
