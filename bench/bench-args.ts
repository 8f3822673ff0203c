// The options of a benchmark script: node:util's parseArgs, plus `--help` (the usage line, exit 0), and a wrong
// option answered with its message and the usage line (exit 2) rather than a stack trace.
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Values<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>['values'];

/** What the options ask for: their values, or an exit with a text for stdout (help) or stderr (a wrong option). */
export type BenchArgs<T extends ParseArgsConfig> =
  | { readonly values: Values<T> }
  | { readonly exitCode: 0; readonly stdout: string }
  | { readonly exitCode: 2; readonly stderr: string };

export function readBenchArgs<const T extends ParseArgsConfig>(usage: string, config: T): BenchArgs<T> {
  const args = config.args ?? process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) return { exitCode: 0, stdout: `usage: ${usage}\n` };
  try {
    return { values: parseArgs({ ...config, args }).values };
  } catch (error) {
    return { exitCode: 2, stderr: `${(error as Error).message}\nusage: ${usage}\n` };
  }
}

/** `readBenchArgs`, exiting for help or a wrong option. */
export function benchArgs<const T extends ParseArgsConfig>(usage: string, config: T): Values<T> {
  const read = readBenchArgs(usage, config);
  if ('values' in read) return read.values;
  if (read.exitCode === 0) process.stdout.write(read.stdout);
  else process.stderr.write(read.stderr);
  process.exit(read.exitCode);
}
