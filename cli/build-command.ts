// Declaration of `tsbuild build` (and of its short form `tsbuild -t NAME .`): its options and what its handler
// gets. Cheap on purpose: the build's implementation is imported only when it runs.
import type { Argv } from 'yargs';
import { buildPlanValues, withBuildPlanOptions } from './build-plan-options.js';
import { callOption } from './commands/build/call-flags.js';
import { collect, operand, type Runner } from './operands.js';
import { progressModes } from './option-choices.js';

/**
 * yargs reads any `--no-X` as X=false (`--no-cache`), so `--no-cache-filter a` would become cache-filter=false and
 * a stray operand: the option reaches yargs under a name without the prefix, and is declared under its own for
 * --help.
 */
const noCacheFilter = '--no-cache-filter';
const noCacheFilterKey = 'nocache-filter';

export function protectNoCacheFilter(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, i) => {
    if (end >= 0 && i > end) return arg;
    if (arg === noCacheFilter) return `--${noCacheFilterKey}`;
    if (arg.startsWith(`${noCacheFilter}=`)) return `--${noCacheFilterKey}${arg.slice(noCacheFilter.length)}`;
    return arg;
  });
}

/** Declares `build` on `y`; `argv` is the command line as given (for `--call`'s own parsing). */
export function registerBuildCommand(y: Argv, argv: readonly string[], choose: (runner: Runner) => void): Argv {
  const later = choose;
  return y.command(
    ['build <context>', '$0 <context>'],
    'Build an image from a Dockerfile and a context directory (`tsbuild -t NAME .` is short for `tsbuild build`)',
    (b) =>
      withBuildPlanOptions(
        b
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
          .option('annotation', {
            type: 'string',
            describe: '[manifest[PLATFORM]:]KEY=VALUE annotation on the image manifest (repeatable)',
          })
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
          .option('progress', {
            choices: progressModes,
            describe: 'progress output (default: the BUILDKIT_PROGRESS environment variable, else auto)',
          })
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
            describe:
              'export the build cache: type=local,dest=DIR | type=registry,ref=REF[,mode=min|max] | type=inline (repeatable)',
          })
          .option('cache-from', {
            type: 'string',
            describe: 'import a build cache: type=local,src=DIR | type=registry,ref=REF (repeatable)',
          })
          .option('push', {
            type: 'boolean',
            describe: 'push the image to each -t name (short for --output type=image,push=true)',
          })
          .option('rm', {
            type: 'boolean',
            describe: "docker build's: accepted, no effect (tsbuild leaves no intermediate containers)",
          })
          .option('force-rm', {
            type: 'boolean',
            describe: "docker build's: accepted, no effect (tsbuild leaves no intermediate containers)",
          })
          .option('compress', {
            type: 'boolean',
            describe: "docker build's: accepted, no effect (the context is read in place, never sent)",
          })
          .option('load', {
            type: 'boolean',
            describe: "keep and name the image in the store also with only file or cache outputs (buildx's)",
          })
          .option('provenance', {
            type: 'string',
            describe: 'only false: tsbuild makes no provenance attestation (accepted for buildx command lines)',
          })
          .option('sbom', {
            type: 'string',
            describe: 'only false: tsbuild makes no SBOM attestation (accepted for buildx command lines)',
          })
          .option('pull', {
            type: 'boolean',
            describe: 'check every FROM tag against its registry (missing images are always pulled)',
          })
          .option('jobs', { type: 'number', describe: 'stages built at once (default: number of CPUs)' })
          .option('runtime', { type: 'string', default: 'runc', describe: 'OCI runtime for RUN (runc or crun)' })
          .option('allow', {
            type: 'string',
            describe:
              'grant an entitlement: security.insecure lets RUN --security=insecure run privileged; network.host (always granted) (repeatable)',
          }),
      ),
    (a) =>
      later(async () =>
        (await import('./commands/build/run.js')).run({
          context: operand(a.context),
          file: operand(a.file),
          tags: collect(a.tag),
          target: a.target,
          buildArgs: collect(a['build-arg']),
          labels: collect(a.label),
          annotations: collect(a.annotation),
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
          allow: collect(a.allow),
          ...buildPlanValues(a),
          cacheTo: collect(a['cache-to']),
          cacheFrom: collect(a['cache-from']),
          push: a.push === true,
          pull: a.pull === true,
          load: a.load === true,
          provenance: collect(a.provenance),
          sbom: collect(a.sbom),
        }),
      ),
  );
}
