// The command line: commands and their options. Start-up time matters (lint in CI, editors), so this file
// declares commands only; each command's implementation is imported when it runs.
import yargs, { type Argv } from 'yargs';
import { callOption } from './commands/build/call-flags.js';
import { registerImageCommands } from './image-commands.js';
import { collect, operand, type Runner } from './operands.js';
import { networkModes, progressModes } from './option-choices.js';
import { version } from './version.js';

export { encodeStdinOperand, type Runner } from './operands.js';

/** `--platform` of build and plan: one platform to build for. */
const platformOption = {
  type: 'string',
  describe:
    "platform to build for, os/arch[/variant] (default: this machine's; RUN in a foreign stage needs an emulator)",
} as const;

/** `--network` of build and plan (docker build's): the network of RUN steps that name none. */
const networkOption = {
  choices: networkModes,
  describe: "network of RUN steps without --network: default (the host's), none or host",
};

/** `--build-context NAME=VALUE` of build and plan (docker buildx's): a named context. */
const buildContextOption = {
  type: 'string',
  describe:
    'NAME=DIR | NAME=docker-image://REF | NAME=GIT-URL | NAME=HTTPS-URL: what FROM NAME, COPY --from=NAME and mounts from=NAME use (repeatable)',
} as const;

/** `--add-host`, `--shm-size` and `--ulimit` of build and plan (docker build's): what every RUN step gets. */
const addHostOption = {
  type: 'string',
  describe: "NAME:IP (or NAME=IP): a line of RUN steps' /etc/hosts; IP host-gateway is the host (repeatable)",
} as const;
const shmSizeOption = { type: 'string', describe: "size of RUN steps' /dev/shm, e.g. 1g (default 64m)" } as const;
const ulimitOption = {
  type: 'string',
  describe: 'NAME=SOFT[:HARD]: a resource limit of RUN steps, e.g. nofile=1024:2048 (repeatable)',
} as const;

/** Parses `argv` (without node and script) and reports the chosen command through `choose`. */
/**
 * yargs reads any `--no-X` as X=false (`--no-cache`), so `--no-cache-filter a` would become cache-filter=false and
 * a stray operand: the option reaches yargs under a name without the prefix, and is declared under its own for
 * --help.
 */
const noCacheFilter = '--no-cache-filter';
const noCacheFilterKey = 'nocache-filter';

function protectNoCacheFilter(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, i) => {
    if (end >= 0 && i > end) return arg;
    if (arg === noCacheFilter) return `--${noCacheFilterKey}`;
    if (arg.startsWith(`${noCacheFilter}=`)) return `--${noCacheFilterKey}${arg.slice(noCacheFilter.length)}`;
    return arg;
  });
}

export function buildCli(argv: string[], choose: (runner: Runner) => void): Argv {
  const later = choose;
  const withBuild = yargs(protectNoCacheFilter(argv))
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
        y
          .positional('context', { type: 'string', default: '.', describe: 'build context directory' })
          .option('file', { alias: 'f', type: 'string', describe: 'Dockerfile (default: CONTEXT/Dockerfile)' })
          .option('target', { type: 'string', describe: 'stage to build' })
          .option('build-arg', { type: 'string', describe: 'K=V, or K to take the value from the env' })
          .option('network', networkOption)
          .option('platform', platformOption)
          .option('build-context', buildContextOption)
          .option('add-host', addHostOption)
          .option('shm-size', shmSizeOption)
          .option('ulimit', ulimitOption)
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
            network: a.network,
            platform: a.platform,
            buildContexts: collect(a['build-context']),
            addHosts: collect(a['add-host']),
            shmSize: collect(a['shm-size']).at(-1),
            ulimits: collect(a.ulimit),
            secrets: collect(a.secret),
            json: a.json,
          }),
        ),
    )
    .command(
      ['build <context>', '$0 <context>'],
      'Build an image from a Dockerfile and a context directory (`tsbuild -t NAME .` is short for `tsbuild build`)',
      (y) =>
        y
          .positional('context', {
            type: 'string',
            demandOption: true,
            describe:
              'context directory, git repository or http(s) URL (tarball or Dockerfile), or - for stdin (a tar context, or a Dockerfile and no context)',
          })
          .option('tag', { alias: 't', type: 'string', describe: 'NAME[:TAG] (repeatable)' })
          .option('file', {
            alias: 'f',
            type: 'string',
            describe: 'Dockerfile (default: CONTEXT/Dockerfile; - for stdin)',
          })
          .option('target', { type: 'string', describe: 'stage to build' })
          .option('build-arg', { type: 'string', describe: 'K=V, or K to take the value from the env' })
          .option('label', { type: 'string', describe: 'K=V label on the image' })
          .option('cache', {
            type: 'boolean',
            default: true,
            describe: 'use the build cache (--no-cache rebuilds every step)',
          })
          .option('no-cache-filter', {
            type: 'string',
            describe: 'STAGE[,STAGE]: run the steps of these stages again even when cached (repeatable)',
          })
          .option(noCacheFilterKey, { type: 'string', hidden: true })
          .option('check', {
            type: 'boolean',
            describe: "evaluate the Dockerfile's build checks without building (short for --call=check)",
          })
          .option('call', {
            type: 'string',
            describe:
              "build (the default), check, outline, targets or subrequests.describe, with buildx's ,format=json and ,ignorestatus=true",
          })
          .option('debug', { type: 'boolean', describe: 'expand build warnings: description, URL, Dockerfile lines' })
          .option('progress', { choices: progressModes, default: 'auto' as const })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the image id' })
          .option('iidfile', { type: 'string', describe: 'write the image id to this file' })
          .option('metadata-file', { type: 'string', describe: 'write build metadata (JSON) to this file' })
          .option('output', {
            alias: 'o',
            type: 'string',
            describe:
              'type=local,dest=DIR | type=tar,dest=FILE | type=oci|docker,dest=FILE[,tar=false] | type=image[,push=true] | type=registry[,name=REF] (repeatable)',
          })
          .option('secret', { type: 'string', describe: 'id=ID,src=FILE | id=ID,env=VAR' })
          .option('ssh', {
            type: 'string',
            describe: 'agent for RUN --mount=type=ssh: default | ID=SOCKET | ID=KEY[,KEY] (repeatable)',
          })
          .option('cache-to', {
            type: 'string',
            describe: 'export the build cache: type=local,dest=DIR | type=registry,ref=REF[,mode=min|max] (repeatable)',
          })
          .option('cache-from', {
            type: 'string',
            describe: 'import a build cache: type=local,src=DIR | type=registry,ref=REF (repeatable)',
          })
          .option('push', {
            type: 'boolean',
            describe: 'push the image to each -t name (short for --output type=image,push=true)',
          })
          .option('pull', {
            type: 'boolean',
            describe: 'check every FROM tag against its registry (missing images are always pulled)',
          })
          .option('jobs', { type: 'number', describe: 'stages built at once (default: number of CPUs)' })
          .option('runtime', { type: 'string', default: 'runc', describe: 'OCI runtime for RUN (runc or crun)' })
          .option('network', networkOption)
          .option('platform', platformOption)
          .option('build-context', buildContextOption)
          .option('add-host', addHostOption)
          .option('shm-size', shmSizeOption)
          .option('ulimit', ulimitOption),
      (a) =>
        later(async () =>
          (await import('./commands/build/run.js')).run({
            context: operand(a.context),
            file: operand(a.file),
            tags: collect(a.tag),
            target: a.target,
            buildArgs: collect(a['build-arg']),
            labels: collect(a.label),
            noCache: a.cache === false,
            noCacheFilter: collect(a[noCacheFilterKey]),
            ...callOption(argv, a.check === true ? 'check' : a.call),
            debug: a.debug === true,
            progress: a.progress,
            quiet: a.quiet,
            iidfile: a.iidfile,
            metadataFile: a['metadata-file'],
            outputs: collect(a.output),
            secrets: collect(a.secret),
            ssh: collect(a.ssh),
            jobs: a.jobs,
            runtime: a.runtime,
            network: a.network,
            platform: a.platform,
            buildContexts: collect(a['build-context']),
            addHosts: collect(a['add-host']),
            shmSize: collect(a['shm-size']).at(-1),
            ulimits: collect(a.ulimit),
            cacheTo: collect(a['cache-to']),
            cacheFrom: collect(a['cache-from']),
            push: a.push === true,
            pull: a.pull === true,
          }),
        ),
    );
  const cli = registerImageCommands(withBuild, later)
    .command(
      'run <image> [command..]',
      'Run a command in a new container from an image in the store (docker run semantics; options: --rm, -i, -e, -u, -w, --entrypoint, --network host|none)',
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
