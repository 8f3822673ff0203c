// The build fast path (see fast-path.ts): `tsbuild build ARGS` or `tsbuild ARGS` (yargs' default command) where
// ARGS is one context operand and only these options, each with its value as the next argument: -t/--tag,
// --build-arg, --label, --annotation, --secret, --ssh, -o/--output, --build-context, --cache-from, --cache-to,
// --no-cache-filter, --add-host, --ulimit and --allow (repeatable), -f/--file, --target, --progress, --iidfile,
// --metadata-file, --jobs (a positive integer), --runtime, --network (default, none or host), --platform, --shm-size,
// and the switches -q/--quiet, --no-cache, --pull, --push, --debug and --load. Anything else, a repeated single
// option, an empty value or one that looks like an option, or `help`, goes to yargs. test/cli/fast-path.test.ts
// checks the options against program.ts'. (yargs renders every command's help text before running it: ~20 ms a
// build that it spares.)
import type { BuildCliOptions } from './commands/build/run.js';
import { networkModes, progressModes } from './option-choices.js';

/**
 * An operand yargs passes through unchanged: not an option (`-` alone is standard input), and not `help`, which
 * yargs turns into --help when it is the last operand.
 */
export function isOperand(arg: string): boolean {
  return arg === '-' || (!arg.startsWith('-') && arg !== 'help');
}

const repeatable = new Set([
  '-t',
  '--tag',
  '--build-arg',
  '--label',
  '--annotation',
  '--secret',
  '--ssh',
  '-o',
  '--output',
  '--build-context',
  '--cache-from',
  '--cache-to',
  '--no-cache-filter',
  '--add-host',
  '--ulimit',
  '--allow',
]);
const valued = new Set([
  ...repeatable,
  '-f',
  '--file',
  '--target',
  '--progress',
  '--iidfile',
  '--metadata-file',
  '--jobs',
  '--runtime',
  '--network',
  '--platform',
  '--shm-size',
]);
const aliases: Readonly<Record<string, string>> = { '-t': '--tag', '-f': '--file', '-q': '--quiet', '-o': '--output' };
const switches = new Set(['--quiet', '--no-cache', '--pull', '--push', '--debug', '--load']);
const progresses = new Set<string>(progressModes);
const networks = new Set<string>(networkModes);

/** Build options for a plain argument list (without the `build` word); undefined when yargs must decide. */
export function fastBuild(args: readonly string[], how: { readonly bare?: boolean } = {}): BuildCliOptions | undefined {
  // Bare, the first word must be one of the options: otherwise it may be a command name or a typo of one.
  if (how.bare === true && !(valued.has(args[0] ?? '') || args[0] === '-q' || args[0] === '--quiet')) return undefined;
  const values = new Map<string, string[]>();
  const seen = new Set<string>();
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (isOperand(arg)) {
      operands.push(arg);
      continue;
    }
    const name = aliases[arg] ?? arg;
    if (!repeatable.has(arg) && seen.has(name)) return undefined;
    seen.add(name);
    if (switches.has(name)) continue;
    if (!valued.has(arg)) return undefined;
    const value = args[++i];
    // `-f -` is standard input; any other value starting with `-` (or missing, or empty) is yargs' to judge.
    if (
      value === undefined ||
      value === '' ||
      value === 'help' ||
      (value.startsWith('-') && !(name === '--file' && value === '-'))
    ) {
      return undefined;
    }
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  if (operands.length !== 1) return undefined;
  // Bare, a word could also be a command name (`tsbuild -t x images`): only paths that cannot be are taken.
  if (how.bare === true && !/[./]/.test(operands[0]!)) return undefined;
  const one = (name: string) => values.get(name)?.[0];
  // Not given: BUILDKIT_PROGRESS or auto, chosen by the command (progress-mode.ts).
  const progress = one('--progress');
  const jobs = one('--jobs');
  if (progress !== undefined && !progresses.has(progress)) return undefined;
  if (jobs !== undefined && !/^[1-9][0-9]{0,3}$/.test(jobs)) return undefined;
  const network = one('--network');
  if (network !== undefined && !networks.has(network)) return undefined;
  return {
    context: operands[0]!,
    file: one('--file'),
    tags: values.get('--tag') ?? [],
    target: one('--target'),
    buildArgs: values.get('--build-arg') ?? [],
    labels: values.get('--label') ?? [],
    annotations: values.get('--annotation') ?? [],
    noCache: seen.has('--no-cache'),
    noCacheFilter: values.get('--no-cache-filter') ?? [],
    debug: seen.has('--debug'),
    progress: progress as BuildCliOptions['progress'],
    quiet: seen.has('--quiet'),
    iidfile: one('--iidfile'),
    metadataFile: one('--metadata-file'),
    outputs: values.get('--output') ?? [],
    secrets: values.get('--secret') ?? [],
    ssh: values.get('--ssh') ?? [],
    jobs: jobs === undefined ? undefined : Number(jobs),
    runtime: one('--runtime') ?? 'runc',
    allow: values.get('--allow') ?? [],
    network,
    platform: one('--platform'),
    buildContexts: values.get('--build-context') ?? [],
    // Checked with yargs' values by the command (commands/build/run-options.ts): an error is the same either way.
    addHosts: values.get('--add-host') ?? [],
    shmSize: one('--shm-size'),
    ulimits: values.get('--ulimit') ?? [],
    cacheTo: values.get('--cache-to') ?? [],
    cacheFrom: values.get('--cache-from') ?? [],
    push: seen.has('--push'),
    pull: seen.has('--pull'),
    load: seen.has('--load'),
    provenance: [],
    sbom: [],
  };
}
