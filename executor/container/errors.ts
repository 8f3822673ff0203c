// A container that could not be started, with the exit code `docker run` uses for the cause:
// 125 for tsbuild's own failures, 126 when the command cannot be invoked, 127 when it is not found.
export class ContainerError extends Error {
  readonly code = 'E_CONTAINER';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'ContainerError';
  }
}

/** Docker's exit code for a runtime failure to start the process, from runc's message. */
export function startFailureExitCode(message: string): number {
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied|exec format error|is a directory/i.test(message)) return 126;
  return 125;
}
