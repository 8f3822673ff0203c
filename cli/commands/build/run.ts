// `tsbuild build [-t NAME]… [-f FILE] [--target T] [--build-arg K=V]… [--label K=V]… [--no-cache]
// [--progress auto|tty|plain|quiet] [-q] [--iidfile F] [--metadata-file F] [--output SPEC]…
// [--secret id=…,src=…|env=…]… [--jobs N] [--runtime R] CONTEXT`: builds into the local store and
// prints the image id. Progress goes to stderr in docker's plain format; errors as docker renders them.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BuildError,
  build,
  exportFilesystem,
  type OutputSpec,
  parseOutput,
  plainProgress,
  type SecretSource,
  silentProgress,
} from '../../../executor/index.js';
import { defaultStoreRoot, Store } from '../../../image/index.js';
import { buildArgValues } from '../plan/run.js';
import { renderBuildError } from './error-text.js';
import { type BuildSources, resolveSources } from './stdin-sources.js';

export interface BuildCliOptions {
  readonly context: string;
  readonly file?: string;
  readonly tags: readonly string[];
  readonly target?: string;
  readonly buildArgs: readonly string[];
  readonly labels: readonly string[];
  readonly noCache: boolean;
  readonly progress?: 'auto' | 'tty' | 'plain' | 'quiet';
  readonly quiet: boolean;
  readonly iidfile?: string;
  readonly metadataFile?: string;
  readonly outputs: readonly string[];
  readonly secrets: readonly string[];
  readonly jobs?: number;
  readonly runtime?: string;
  /** `--cache-to` / `--cache-from` (repeatable). */
  readonly cacheTo?: readonly string[];
  readonly cacheFrom?: readonly string[];
  /** Store directory (default `$TSBUILD_ROOT`, `/var/lib/tsbuild` for root). */
  readonly root?: string;
}

export interface BuildIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Standard input, for a context tar (`CONTEXT` `-`) or a Dockerfile (`-f -`); default process.stdin. */
  readonly stdin?: AsyncIterable<Uint8Array>;
}

const processIo: BuildIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stdin: process.stdin,
};

export async function run(opts: BuildCliOptions, io: BuildIo = processIo): Promise<number> {
  let outputs: OutputSpec[];
  let secrets: Map<string, SecretSource>;
  try {
    outputs = opts.outputs.map(parseOutput);
    secrets = parseSecrets(opts.secrets);
  } catch (error) {
    io.stderr(`ERROR: ${(error as Error).message}\n`);
    return 2;
  }
  const quiet = opts.quiet || opts.progress === 'quiet';
  const progress = quiet ? silentProgress : plainProgress((text) => io.stderr(text));
  if (opts.context === '-' && opts.file === '-') {
    io.stderr('tsbuild: cannot read both the Dockerfile and the context from stdin\n');
    return 2;
  }
  const buildArgs = buildArgValues(opts.buildArgs, io.env);
  const epoch = io.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && buildArgs.SOURCE_DATE_EPOCH === undefined) buildArgs.SOURCE_DATE_EPOCH = epoch;
  let sources: BuildSources | undefined;
  try {
    const store = await Store.open(opts.root ?? defaultStoreRoot(io.env as NodeJS.ProcessEnv));
    try {
      sources = await resolveSources(opts.context, opts.file, io.stdin ?? process.stdin, store.root);
    } catch (error) {
      io.stderr(`ERROR: ${(error as Error).message}\n`);
      return 1;
    }
    const result = await build({
      store,
      contextDir: sources.contextDir,
      dockerfile: sources.dockerfile,
      ...(sources.dockerfileText === undefined ? {} : { dockerfileText: sources.dockerfileText }),
      ephemeralContext: opts.context === '-',
      tags: opts.tags,
      ...(opts.target === undefined ? {} : { target: opts.target }),
      buildArgs,
      labels: keyValues(opts.labels),
      noCache: opts.noCache,
      progress,
      secrets,
      ...(opts.jobs === undefined ? {} : { jobs: opts.jobs }),
      ...(opts.runtime === undefined ? {} : { runtime: opts.runtime }),
      cacheTo: opts.cacheTo ?? [],
      cacheFrom: opts.cacheFrom ?? [],
      onWarning: (d) => {
        if (!quiet) io.stderr(`WARN: ${d.message}\n`);
      },
    });
    for (const output of outputs) await exportFilesystem(store, result.fs, output);
    if (opts.iidfile !== undefined) await writeFile(opts.iidfile, result.imageId);
    if (opts.metadataFile !== undefined) {
      const metadata = {
        'containerimage.config.digest': result.imageId,
        'containerimage.digest': result.manifestDigest,
        ...(result.tags.length === 0 ? {} : { 'image.name': result.tags.join(',') }),
      };
      await writeFile(opts.metadataFile, `${JSON.stringify(metadata, null, 2)}\n`);
    }
    io.stdout(`${result.imageId}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof BuildError) || sources === undefined) {
      io.stderr(`ERROR: ${(error as Error).stack ?? String(error)}\n`);
      return 1;
    }
    const dockerfile = sources.dockerfile;
    const text = sources.dockerfileText ?? (await readFile(dockerfile, 'utf8').catch(() => null));
    io.stderr(renderBuildError(error, path.basename(dockerfile), text));
    return 1;
  } finally {
    // The unpacked stdin context is private to this build, failed or not.
    await sources?.cleanup();
  }
}

function keyValues(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = '';
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** `--secret id=NAME,src=FILE` | `id=NAME,env=VAR` | `id=NAME` (src defaults to env var NAME). */
function parseSecrets(list: readonly string[]): Map<string, SecretSource> {
  const out = new Map<string, SecretSource>();
  for (const item of list) {
    const fields = keyValues(item.split(','));
    const id = fields.id;
    if (id === undefined || id === '') throw new Error(`invalid secret ${item}: id= is required`);
    const src = fields.src ?? fields.source;
    if (src !== undefined) out.set(id, { src });
    else out.set(id, { env: fields.env ?? id });
  }
  return out;
}
