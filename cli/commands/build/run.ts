// `tsbuild build [-t NAME]… [-f FILE] [--target T] [--build-arg K=V]… [--label K=V]… [--no-cache]
// [--progress auto|tty|plain|quiet] [-q] [--iidfile F] [--metadata-file F] [--output SPEC]…
// [--secret id=…,src=…|env=…]… [--ssh default|ID[=SOCKET|KEY,…]]… [--build-context NAME=VALUE]… [--jobs N]
// [--runtime R] [--allow ENTITLEMENT]… [--add-host NAME:IP]… [--shm-size SIZE] [--ulimit NAME=SOFT[:HARD]]…
// CONTEXT`: builds into the local store and prints the image id. Progress goes to stderr in docker's plain
// format; errors as docker renders them.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type BuildContextOption,
  BuildError,
  type BuildOptions,
  build,
  buildPlatforms,
  type Entitlement,
  exportOutput,
  gitAgent,
  multiPlatformRefusal,
  type OutputSpec,
  parseEntitlement,
  parseOutput,
  progressFor,
  type SecretSource,
  type SshSource,
  wantsRewriteTimestamp,
} from '../../../executor/index.js';
import { defaultStoreRoot, Store } from '../../../image/index.js';
import type { BuildNetwork, BuildRunOptions, Platform } from '../../../planner/index.js';
import { buildArgValues } from '../plan/run.js';
import { claimCollection } from '../prune/gc-due.js';
import { givenInterrupt, processInterrupt, signalNumbers } from '../run/interrupt.js';
import { refuseAttestations } from './attestations.js';
import { buildContexts } from './build-context-option.js';
import { type BuildCliOptions, type BuildIo, processIo } from './build-io.js';
import { type CallSpec, CallSpecError, parseCallSpec } from './call-spec.js';
import { BuildCheckReport } from './check-report.js';
import { renderBuildError } from './error-text.js';
import { checkBuildTag, networkMode, platformsOption } from './option-values.js';
import { progressMode } from './progress-mode.js';
import { asStoreOutput, pushTargets, pushToRegistries } from './push.js';
import { fetchNamedContexts } from './remote-context.js';
import { buildRunOptions } from './run-options.js';
import { keyValues, parseSecrets } from './secret-spec.js';
import { parseSshSpecs } from './ssh-spec.js';
import { type BuildSources, resolveSources } from './stdin-sources.js';

export type { BuildCliOptions, BuildIo } from './build-io.js';

export async function run(opts: BuildCliOptions, io: BuildIo = processIo): Promise<number> {
  let outputs: OutputSpec[];
  let secrets: Map<string, SecretSource>;
  let ssh: Map<string, SshSource>;
  let pushTo: string[];
  let filesOnly = false;
  let network: BuildNetwork | undefined;
  let platforms: Platform[];
  let namedContexts: Map<string, BuildContextOption>;
  let runOptions: BuildRunOptions | undefined;
  let allow: Entitlement[];
  try {
    allow = (opts.allow ?? []).map(parseEntitlement);
    network = networkMode(opts.network);
    platforms = platformsOption(opts.platform);
    runOptions = buildRunOptions(opts, network);
    namedContexts = buildContexts(opts.buildContexts ?? []);
    // Names are checked before anything is built: docker refuses `-t Bad` as a flag error, up front.
    for (const tag of opts.tags) checkBuildTag(tag);
    outputs = opts.outputs.map((o) => parseOutput(asStoreOutput(o)));
    pushTo = pushTargets(opts.push ?? false, opts.outputs, opts.tags);
    refuseAttestations('--provenance', opts.provenance ?? []);
    refuseAttestations('--sbom', opts.sbom ?? []);
    // Only files or the cache out (`-o DIR`, `-o type=tar`, `-o type=cacheonly`): like buildx, no image is kept or
    // named, unless `--load` asks for one.
    filesOnly =
      outputs.length > 0 &&
      outputs.every((o) => o.type === 'local' || o.type === 'tar' || o.type === 'cacheonly') &&
      opts.tags.length === 0 &&
      pushTo.length === 0 &&
      opts.load !== true;
    secrets = parseSecrets(opts.secrets, io.env);
    ssh = parseSshSpecs(opts.ssh ?? [], io.env);
  } catch (error) {
    io.stderr(`ERROR: ${(error as Error).message}\n`);
    return 2;
  }
  let call: CallSpec;
  try {
    call = parseCallSpec(opts.call);
  } catch (error) {
    if (!(error instanceof CallSpecError)) throw error;
    // buildx reads --call after its flags, as an error of the command: exit 1.
    io.stderr(`ERROR: ${error.message}\n`);
    return 1;
  }
  if (opts.context === '-' && opts.file === '-') {
    io.stderr('tsbuild: cannot read both the Dockerfile and the context from stdin\n');
    return 2;
  }
  const refusal = platforms.length > 1 ? multiPlatformRefusal({ outputs, call: call.name, platforms }) : undefined;
  if (refusal !== undefined) {
    io.stderr(`ERROR: ${refusal}\n`);
    return 2;
  }
  const platform = platforms.length === 1 ? platforms[0] : undefined;
  if (call.name === 'lint') return (await import('./check-call.js')).runCheckCall(opts, io, platform, call);
  if (call.name !== 'build') return (await import('./subrequest-call.js')).runSubrequestCall(opts, io, platform, call);
  const noCacheFilter = opts.noCacheFilter ?? [];
  // buildx joins the values with commas and BuildKit splits them again; an empty result means every stage.
  const filter = noCacheFilter.length === 0 ? [] : noCacheFilter.join(',').split(',');
  const noCache = opts.noCache || (noCacheFilter.length > 0 && noCacheFilter.join(',') === '');
  const mode = progressMode(opts.progress, io.env, io.stderr);
  const quiet = opts.quiet || mode === 'quiet';
  const terminal = io.stderrTerminal;
  const progress = progressFor(quiet ? 'quiet' : mode, {
    write: (text) => io.stderr(text),
    isTTY: terminal?.isTTY === true,
    get columns() {
      return terminal?.columns;
    },
    get rows() {
      return terminal?.rows;
    },
    env: io.env,
  });
  const heldWarnings: string[] = [];
  let dockerfileName = 'Dockerfile';
  const buildArgs = buildArgValues(opts.buildArgs, io.env);
  const epoch = io.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && buildArgs.SOURCE_DATE_EPOCH === undefined) buildArgs.SOURCE_DATE_EPOCH = epoch;
  const checks = new BuildCheckReport(buildArgs);
  const endProgress = async (failed: boolean) => {
    progress.close?.(failed);
    for (const warning of heldWarnings.splice(0)) io.stderr(warning);
    // buildx prints the checks' warnings once its progress display has finished, failed build or not.
    const warnings = quiet ? '' : await checks.warnings(opts.debug === true, dockerfileName);
    if (warnings !== '') io.stderr(warnings);
  };
  let sources: BuildSources | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  const interrupt = io.signal === undefined ? processInterrupt() : givenInterrupt(io.signal);
  let opened: Store | undefined;
  try {
    const store = await Store.open(opts.root ?? defaultStoreRoot(io.env as NodeJS.ProcessEnv));
    opened = store;
    // Remote contexts and the build's git sources use one `--ssh default` agent and the same git credentials.
    const agent = gitAgent(ssh, path.join(store.root, 'tmp'), secrets);
    cleanups.push(() => agent.close());
    try {
      const stdin: AsyncIterable<Uint8Array> = {
        [Symbol.asyncIterator]: () => (io.stdin ?? process.stdin)[Symbol.asyncIterator](),
      };
      const git = { agent, signal: interrupt.signal };
      sources = await resolveSources(opts.context, opts.file, stdin, store.root, {
        keepGitDir: goBool(buildArgs.BUILDKIT_CONTEXT_KEEP_GIT_DIR),
        ...git,
      });
      dockerfileName = path.basename(sources.dockerfile);
      if ([...namedContexts.values()].some((c) => c.type === 'git' || c.type === 'http')) {
        const fetched = await fetchNamedContexts(namedContexts, path.join(store.root, 'tmp'), git);
        namedContexts = fetched.contexts;
        cleanups.push(fetched.cleanup);
      }
    } catch (error) {
      io.stderr(`ERROR: ${(error as Error).message}\n`);
      return 1;
    }
    const options: BuildOptions = {
      store,
      gitAgent: agent,
      contextDir: sources.contextDir,
      dockerfile: sources.dockerfile,
      ...(sources.dockerfileText === undefined ? {} : { dockerfileText: sources.dockerfileText }),
      ephemeralContext: opts.context === '-' || sources.remote === true,
      ...(sources.remote === true ? { dockerignore: false } : {}),
      tags: opts.tags,
      keepUntagged: !filesOnly,
      ...(opts.target === undefined ? {} : { target: opts.target }),
      buildArgs,
      labels: keyValues(opts.labels),
      ...(opts.annotations === undefined || opts.annotations.length === 0 ? {} : { annotations: opts.annotations }),
      noCache,
      ...(filter.length === 0 || noCache ? {} : { noCacheFilter: filter }),
      progress,
      secrets,
      ssh,
      signal: interrupt.signal,
      ...(opts.jobs === undefined ? {} : { jobs: opts.jobs }),
      ...(opts.runtime === undefined ? {} : { runtime: opts.runtime }),
      ...(allow.length === 0 ? {} : { allow }),
      ...(network === undefined ? {} : { network }),
      ...(runOptions === undefined ? {} : { run: runOptions }),
      ...(platform === undefined ? {} : { platform }),
      ...(namedContexts.size === 0 ? {} : { namedContexts }),
      cacheTo: opts.cacheTo ?? [],
      cacheFrom: opts.cacheFrom ?? [],
      ...(opts.pull ? { pull: 'always' as const } : {}),
      rewriteTimestamp: wantsRewriteTimestamp(outputs),
      onWarning: (d) => {
        // BuildKit's checks are reported together at the end (onPlanned); these are tsbuild's own warnings.
        if (isBuildCheckCode(d.code)) return;
        // The live display redraws its lines in place: warnings wait until it has drawn its last frame.
        if (!quiet)
          (progress.close === undefined ? io.stderr : (t: string) => heldWarnings.push(t))(`WARN: ${d.message}\n`);
      },
      onPlanned: (planned) => checks.check(store, planned),
      onContainerStarted: () => checks.runWhileIdle(),
    };
    const result = platforms.length > 1 ? await buildPlatforms(options, platforms) : await build(options);
    for (const output of outputs) await exportOutput(store, result, output);
    const pushed = await pushToRegistries(store, result.manifestDigest, pushTo, progress, io.env);
    await endProgress(false);
    if (opts.iidfile !== undefined) await writeFile(opts.iidfile, result.imageId);
    if (opts.metadataFile !== undefined) {
      // buildx's keys; a pushed image is named by the digest registries hold (its layers compressed for the push),
      // which is what a later `pull NAME@DIGEST` or a signature needs.
      const manifest = pushed ?? (await store.manifestDescriptor(result.manifestDigest));
      // Several platforms: the build's image is an index, which has no config (buildx leaves the key out too).
      const metadata = {
        ...(platforms.length > 1 ? {} : { 'containerimage.config.digest': result.imageId }),
        'containerimage.descriptor': manifest,
        'containerimage.digest': manifest.digest,
        ...(result.tags.length === 0 ? {} : { 'image.name': result.tags.join(',') }),
      };
      await writeFile(opts.metadataFile, `${JSON.stringify(metadata, null, 2)}\n`);
    }
    // An archive written to standard output (`dest=-`) must not get the image id appended to it, and a build that
    // stored no image has no id to give.
    if (!filesOnly && !outputs.some((o) => 'dest' in o && o.dest === '-')) io.stdout(`${result.imageId}\n`);
    await collectGarbage(store, io);
    return 0;
  } catch (error) {
    await endProgress(true);
    const by = interrupt.received();
    if (by !== undefined) {
      io.stderr(`ERROR: build canceled (${by})\n`);
      return 128 + signalNumbers[by];
    }
    if (!(error instanceof BuildError) || sources === undefined) {
      io.stderr(`ERROR: ${unexpectedErrorText(error)}\n`);
    } else {
      const dockerfile = sources.dockerfile;
      const text = sources.dockerfileText ?? (await readFile(dockerfile, 'utf8').catch(() => null));
      io.stderr(renderBuildError(error, path.basename(dockerfile), text));
    }
    // BuildKit's collector does not depend on how a build ended: a failed one may have filled the cache as much. It
    // runs once the error is out, so it cannot take anything the message was made of.
    if (opened !== undefined) await collectGarbage(opened, io);
    return 1;
  } finally {
    interrupt.release();
    // The unpacked stdin or remote contexts are private to this build, failed or not.
    await sources?.cleanup();
    for (const cleanup of cleanups) await cleanup();
  }
}

/**
 * The build cache's collector (prune/auto-gc.ts), when due (at most once an hour by default: its code is loaded only
 * then), after a build that succeeded or failed; it never changes how the build ended.
 */
async function collectGarbage(store: Store, io: BuildIo): Promise<void> {
  try {
    if (!(await claimCollection(store, io.env))) return;
    const { collectClaimed } = await import('../prune/auto-gc.js');
    await collectClaimed(store, io.env);
  } catch (error) {
    io.stderr(`WARN: build cache garbage collection: ${(error as Error).message}\n`);
  }
}

/**
 * Parser and planner codes that are BuildKit checks (PascalCase rule names, and the parser's
 * `empty-continuation`, BuildKit's NoEmptyContinuation), kept here so that a warning is sorted without the linter.
 */
function isBuildCheckCode(code: string): boolean {
  return /^[A-Z]/.test(code) || code === 'empty-continuation';
}

/** Go's strconv.ParseBool, false for anything else (BuildKit ignores a value it cannot parse). */
function goBool(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}

/**
 * A failure outside the build's steps (an export, a push, the store): its message, as docker prints one. A
 * programming error (TypeError …) keeps its stack: that is a bug to report, and the stack is what tells where.
 */
function unexpectedErrorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const bug =
    error instanceof TypeError ||
    error instanceof ReferenceError ||
    error instanceof RangeError ||
    error instanceof SyntaxError;
  return bug && error.stack !== undefined ? error.stack : error.message;
}
