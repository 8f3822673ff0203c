// What the command declarations (program.ts, image-commands.ts) share: the runner a command hands back, and the
// protection of a bare `-` operand. yargs silently drops a bare `-`, so `main.ts` swaps it for a placeholder
// before parsing and the handlers swap it back: commands see `-` for standard input, as users wrote it.

/** The command chosen by the arguments, ready to run; resolves to the process exit code. */
export type Runner = () => Promise<number>;

const STDIN_PLACEHOLDER = '\u0000stdin';

export function encodeStdinOperand(arg: string): string {
  return arg === '-' ? STDIN_PLACEHOLDER : arg;
}

/** An operand as the user wrote it (`-` back in place of the placeholder). */
export function operand<T extends string | undefined>(value: T): T {
  return (value === STDIN_PLACEHOLDER ? '-' : value) as T;
}

// Repeatable options are plain strings, not `array: true`: yargs would let an array option swallow the
// positional after it (`tsbuild -t app .`). Repeats still arrive as an array.
export function collect(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => operand(String(item)));
}
