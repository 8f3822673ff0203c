/** The runtime failed to create or start the container (as opposed to the command failing). */
export class RuntimeError extends Error {
  readonly code = 'E_RUNTIME';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}
