// `tsbuild build --call=outline|targets|subrequests.describe[,format=json]`: buildx's subrequests, answered as
// BuildKit's Dockerfile frontend answers them, without building. The result goes to stdout (exit 0); a Dockerfile
// the frontend cannot read is an error as buildx prints a failed solve: the excerpt, then `ERROR: failed to
// solve: …` (exit 1).
// Base images come from the local store when there is one (their ENV and ONBUILD count), never from a registry.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultStoreRoot, Store, storePaths } from '../../../image/index.js';
import { parse } from '../../../parser/index.js';
import {
  type BaseImageResolver,
  hasLocation,
  listTargets,
  outline,
  PlanError,
  type Platform,
  storeResolver,
} from '../../../planner/index.js';
import { buildArgValues } from '../plan/run.js';
import { firstBuildError } from './build-error.js';
import type { CallSpec } from './call-spec.js';
import type { BuildCliOptions, BuildIo } from './run.js';
import { sourceFrame } from './source-frame.js';
import { type BuildSources, resolveSources } from './stdin-sources.js';
import { describeJson, describeText, outlineJson, outlineText, targetsJson, targetsText } from './subrequest-print.js';

export interface CallOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

const failed = (message: string, frame = ''): CallOutput => ({
  stdout: '',
  stderr: `${frame}ERROR: failed to solve: ${message}\n`,
  exitCode: 1,
});

/** Answers `spec` (outline, targets or subrequests.describe) for the Dockerfile of `sources`. */
export async function subrequestCall(
  sources: BuildSources,
  spec: CallSpec,
  options: {
    target?: string;
    buildArgs: Readonly<Record<string, string>>;
    platform?: Platform;
    images: BaseImageResolver;
  },
): Promise<CallOutput> {
  const fileName = path.basename(sources.dockerfile);
  let bytes: Buffer;
  try {
    bytes =
      sources.dockerfileText === undefined ? await readFile(sources.dockerfile) : Buffer.from(sources.dockerfileText);
  } catch (error) {
    return failed(`failed to read dockerfile: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  // The frontend answers describe once it has read the Dockerfile, before it parses it.
  if (spec.name === 'subrequests.describe')
    return { stdout: spec.format === 'json' ? `${describeJson()}\n` : describeText(), stderr: '', exitCode: 0 };
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parsed = parse(text);
  const refused = firstBuildError(text, parsed);
  if (refused !== null) return failed(refused.message, sourceFrame(fileName, text, refused.line, refused.endLine));
  const json = spec.format === 'json';
  try {
    if (spec.name === 'targets') {
      const targets = listTargets(text, parsed.ast);
      return { stdout: json ? `${targetsJson(targets, bytes)}\n` : targetsText(targets), stderr: '', exitCode: 0 };
    }
    const target = options.target === undefined || options.target === '' ? {} : { target: options.target };
    const found = await outline(
      text,
      parsed.ast,
      {
        ...target,
        buildArgs: options.buildArgs,
        ...(options.platform === undefined ? {} : { targetPlatform: options.platform }),
      },
      { images: options.images },
    );
    return { stdout: json ? `${outlineJson(found, bytes)}\n` : outlineText(found), stderr: '', exitCode: 0 };
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    const diagnostic = error.toDiagnostic();
    const frame = hasLocation(diagnostic)
      ? sourceFrame(fileName, text, error.range.start.line, error.range.end.line)
      : '';
    return failed(error.message, frame);
  }
}

/** `--call=NAME` for a name other than build and check. */
export async function runSubrequestCall(
  opts: BuildCliOptions,
  io: BuildIo,
  platform: Platform | undefined,
  spec: CallSpec,
): Promise<number> {
  if (spec.name !== 'outline' && spec.name !== 'targets' && spec.name !== 'subrequests.describe') {
    io.stderr(`ERROR: failed to solve: unsupported request frontend.${spec.name}\n`);
    return 1;
  }
  const root = opts.root ?? defaultStoreRoot(io.env as NodeJS.ProcessEnv);
  const stdin: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => (io.stdin ?? process.stdin)[Symbol.asyncIterator](),
  };
  let sources: BuildSources;
  try {
    sources = await resolveSources(opts.context, opts.file, stdin, root);
  } catch (error) {
    io.stderr(`ERROR: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    // Base images the store holds are read from it; an outline never creates a store or pulls.
    const store = spec.name === 'outline' && existsSync(storePaths(root).ociLayout) ? await Store.open(root) : null;
    const out = await subrequestCall(sources, spec, {
      ...(opts.target === undefined ? {} : { target: opts.target }),
      buildArgs: buildArgValues(opts.buildArgs, io.env),
      ...(platform === undefined ? {} : { platform }),
      images: store === null ? { resolve: async () => null } : storeResolver(store),
    });
    if (out.stdout !== '') io.stdout(out.stdout);
    if (out.stderr !== '') io.stderr(out.stderr);
    return out.exitCode;
  } finally {
    await sources.cleanup();
  }
}
