// The command line: commands and their options. Start-up time matters (lint in CI, editors), so this file
// declares commands only; each command's implementation is imported when it runs.
import yargs, { type Argv } from 'yargs';
import { protectNoCacheFilter, registerBuildCommand } from './build-command.js';
import { buildPlanValues, withBuildPlanOptions } from './build-plan-options.js';
import { registerImageCommands } from './image-commands.js';
import { collect, operand, type Runner } from './operands.js';
import { version } from './version.js';

export { encodeStdinOperand, type Runner } from './operands.js';

/** Parses `argv` (without node and script) and reports the chosen command through `choose`. */
export function buildCli(argv: string[], choose: (runner: Runner) => void): Argv {
  const later = choose;
  const declared = yargs(protectNoCacheFilter(argv))
    .scriptName('tsbuild')
    .usage('$0 <command> [options]\n\nA daemonless Dockerfile toolchain: parse, lint, plan and build images.')
    .command(
      'parse [file]',
      'Parse a Dockerfile and print its AST (BuildKit dump or JSON)',
      (y) =>
        y
          .positional('file', { type: 'string', default: 'Dockerfile', describe: 'Dockerfile path, or - for stdin' })
          .option('json', { type: 'boolean', describe: 'print the AST as JSON (with ranges)' })
          .option('dump', { type: 'boolean', describe: "print BuildKit's AST dump (the default)" })
          .conflicts('json', 'dump'),
      (a) =>
        later(async () =>
          (await import('./commands/parse/run.js')).run({
            file: operand(a.file),
            json: a.json === true,
            dump: a.dump === true,
          }),
        ),
    )
    .command(
      'lint [files..]',
      'Check Dockerfiles for errors and bad practice',
      (y) =>
        y
          .positional('files', { type: 'string', array: true, describe: 'files or directories; - for stdin' })
          .option('format', { choices: ['text', 'json', 'sarif', 'github'] as const, default: 'text' as const })
          .option('ignore', { type: 'string', describe: 'rule to skip (repeatable)' })
          .option('severity', { type: 'string', describe: 'RULE=error|warning|info|off (repeatable)' })
          .option('fail-level', { choices: ['error', 'warning', 'info'] as const, default: 'warning' as const })
          .option('config', { type: 'string', describe: 'config file (default: .tsbuild.yaml or tsbuild.config.json)' })
          .option('color', { type: 'boolean', describe: 'force or disable colour (default: on a tty)' }),
      (a) =>
        later(async () =>
          (await import('./commands/lint/run.js')).run({
            files: collect(a.files),
            format: a.format,
            ignore: collect(a.ignore),
            severity: collect(a.severity),
            failLevel: a['fail-level'],
            config: a.config,
            color: a.color,
          }),
        ),
    )
    .command(
      'plan [context]',
      'Show the build plan: stages, steps and their cache keys',
      (y) =>
        withBuildPlanOptions(
          y
            .positional('context', { type: 'string', default: '.', describe: 'build context directory' })
            .option('file', { alias: 'f', type: 'string', describe: 'Dockerfile (default: CONTEXT/Dockerfile)' })
            .option('target', { type: 'string', describe: 'stage to build' })
            .option('build-arg', { type: 'string', describe: 'K=V, or K to take the value from the env' }),
        )
          .option('secret', {
            type: 'string',
            describe: 'id=GIT_AUTH_TOKEN,src=FILE|env=VAR: credentials of private git sources, as build takes them',
          })
          .option('json', { type: 'boolean', default: false }),
      (a) =>
        later(async () =>
          (await import('./commands/plan/run.js')).run({
            context: operand(a.context),
            file: operand(a.file),
            target: a.target,
            buildArgs: collect(a['build-arg']),
            ...buildPlanValues(a),
            secrets: collect(a.secret),
            json: a.json,
          }),
        ),
    );
  const cli = registerImageCommands(registerBuildCommand(declared, argv, later), later)
    .command(
      'run <image> [command..]',
      'Run a command in a new container from an image in the store (docker run semantics; options: --rm, -i, -t, -e, --env-file, -v, --mount, --tmpfs, -u, -w, --entrypoint, --network host|none, --add-host, --shm-size, --ulimit, --read-only, --cap-add, --cap-drop, --privileged)',
      (y) =>
        y
          .positional('image', { type: 'string', demandOption: true })
          .positional('command', { type: 'string', array: true }),
      // `main.ts` hands `run` its raw arguments before yargs sees them (everything after IMAGE belongs to the
      // container); this declaration is for --help and for callers of buildCli.
      (a) => later(async () => (await import('./commands/run/run.js')).runArgv([a.image, ...collect(a.command)])),
    )
    .strict()
    .version(version)
    .alias('h', 'help')
    .alias('v', 'version')
    .wrap(null)
    .fail((message, error) => {
      if (error) throw error;
      // Usage errors exit 2, as documented for `lint`; findings and build failures use 1.
      process.stderr.write(`tsbuild: ${message}\nRun 'tsbuild --help' for usage.\n`);
      process.exit(2);
    });
  skipHelpCache(cli);
  return cli;
}

type WithUsage = { getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } } };

/**
 * yargs renders a command's whole help text before running its handler, to show it should the handler fail; ours
 * only choose what to run, and a usage failure prints no help (see `fail` above). Rendering it cost ~20 ms of every
 * command that goes through yargs. (An internal of yargs 17: test/cli/fast-path.test.ts, 'the yargs program',
 * fails if an upgrade moves it.)
 */
function skipHelpCache(cli: Argv): void {
  const internals = (cli as unknown as Partial<WithUsage>).getInternalMethods?.();
  const usage = internals?.getUsageInstance();
  if (usage !== undefined && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}
