// Which of `--call` and `--check` a `tsbuild build` command line means. A small module of its own: the command line
// program (program.ts) loads it for every command, so it imports nothing.

/** strconv.ParseBool's true spellings. */
const goTrue = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/**
 * The `--call` value of a command line where `--check` (short for `--call=check`) may be given too: buildx sets
 * one value from both flags in the order they come, so the last one wins; `--check=false` sets nothing. Undefined
 * when neither is given. Stops at `--`, after which nothing is an option.
 */
export function lastCallValue(argv: readonly string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    if (arg === '--check' || (arg.startsWith('--check=') && goTrue.has(arg.slice('--check='.length)))) value = 'check';
    else if (arg === '--call' && i + 1 < argv.length) value = argv[++i];
    else if (arg.startsWith('--call=')) value = arg.slice('--call='.length);
  }
  return value;
}

/** The build's `call` option: the command line's order decides; yargs' parse when the scan finds neither flag. */
export function callOption(argv: readonly string[], parsed: string | undefined): { call?: string } {
  const call = lastCallValue(argv) ?? parsed;
  return call === undefined ? {} : { call };
}
