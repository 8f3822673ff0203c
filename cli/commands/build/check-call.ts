// `tsbuild build --check` (buildx's `--call=check`): BuildKit's build checks without building. Without a
// target every stage is checked (a lint request's `AllStages`), with `--target` the target and the stages it
// needs. Output as buildx prints a lint result (commands/build.go printResult, subrequests/lint PrintTo): on
// stdout `Check complete, …` and each warning with its Dockerfile excerpt; exit 1 when anything was found.
// `format=json` prints the lint request's result.json instead (check-json.ts), with the same exit status.
// The checks see the Dockerfile alone: no base image is resolved, so its ENV counts as just PATH.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { findIgnoreFile } from '../../../cache/index.js';
import { defaultStoreRoot } from '../../../image/index.js';
import { lintRequest } from '../../../lint/index.js';
import { parse } from '../../../parser/index.js';
import { formatPlatform, fromLineError, hostPlatform, type Platform, parsePlatform } from '../../../planner/index.js';
import { buildArgValues } from '../plan/run.js';
import { firstBuildError } from './build-error.js';
import type { CallSpec } from './call-spec.js';
import { type LintJsonError, lintResultJson } from './check-json.js';
import type { BuildCliOptions, BuildIo } from './run.js';
import { sourceFrame } from './source-frame.js';
import { type BuildSources, resolveSources } from './stdin-sources.js';

export interface CheckCallOptions {
  readonly target?: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** The build's target platform (`linux/amd64`). */
  readonly platform: string;
  /** `--call=check,ignorestatus=true`: warnings do not make the exit status 1 (errors still do). */
  readonly ignoreStatus?: boolean;
  /** `json`: print the lint request's result.json instead of the warnings. */
  readonly format?: string;
}

export interface CheckOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export async function checkCall(sources: BuildSources, options: CheckCallOptions): Promise<CheckOutput> {
  const fileName = path.basename(sources.dockerfile);
  let bytes: Buffer;
  try {
    bytes =
      sources.dockerfileText === undefined ? await readFile(sources.dockerfile) : Buffer.from(sources.dockerfileText);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { stdout: '', stderr: `ERROR: failed to read dockerfile: ${reason}\n`, exitCode: 1 };
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const ignoreFile = await findIgnoreFile(
    sources.contextDir,
    sources.dockerfileText === undefined ? sources.dockerfile : null,
  );
  const dockerignore = ignoreFile === null ? null : await readFile(ignoreFile, 'utf8').catch(() => null);
  const parsed = parse(text);
  const target = options.target === undefined || options.target === '' ? {} : { target: options.target };
  const refused = firstBuildError(text, parsed);
  // Past the parse, the frontend expands every FROM line before it dispatches anything; it stops at a bad one.
  const targetPlatform = parsePlatform(options.platform) ?? undefined;
  const fromError =
    refused === null
      ? fromLineError(parsed.ast, {
          buildArgs: options.buildArgs,
          ...(targetPlatform === undefined ? {} : { targetPlatform }),
          ...target,
        })
      : null;
  const result = lintRequest(text, parsed, {
    buildArgs: options.buildArgs,
    dockerignore,
    platform: options.platform,
    ...target,
    ...(fromError === null ? {} : { fromErrorLine: fromError.range.start.line }),
  });
  // The request's error: where planning stopped, else the `check=error=true` violation (which has no place).
  const error: LintJsonError | null =
    result.error !== null
      ? { message: result.error, rangeLines: [] }
      : refused !== null
        ? { message: refused.message, rangeLines: lines(refused.line, refused.endLine) }
        : fromError !== null
          ? { message: fromError.message, rangeLines: lines(fromError.range.start.line, fromError.range.end.line) }
          : result.violation !== null
            ? { message: result.violation, rangeLines: [] }
            : null;
  const warningStatus = result.warnings.length > 0 && options.ignoreStatus !== true ? 1 : 0;
  // buildx prints the error as `ERROR: %v`: its message, then its excerpt (PrintErrorTo).
  const stderr =
    error === null
      ? ''
      : `ERROR: ${error.message}\n${
          error.rangeLines.length === 0
            ? ''
            : `${sourceFrame(fileName, text, error.rangeLines[0] ?? 1, error.rangeLines.at(-1) ?? 1)}\n`
        }`;
  if (options.format === 'json') {
    const json = lintResultJson(result.warnings, error, fileName, bytes);
    return { stdout: `${json}\n`, stderr, exitCode: error === null ? warningStatus : 1 };
  }
  let stdout = '';
  const count = result.warnings.length;
  if (count > 0)
    stdout += `Check complete, ${count === 1 ? '1 warning has been' : `${count} warnings have been`} found!\n`;
  // PrintTo sorts by start line (sort.Slice: same-line warnings keep their order in short lists).
  const sorted = [...result.warnings].sort((a, b) => (a.rangeLines[0] ?? 0) - (b.rangeLines[0] ?? 0));
  for (const w of sorted) {
    stdout += `\nWARNING: ${w.rule}${w.url === '' ? '' : ` - ${w.url}`}\n${w.message}\n`;
    stdout += sourceFrame(fileName, text, w.rangeLines[0] ?? w.line, w.rangeLines.at(-1) ?? w.endLine);
  }
  if (error !== null) {
    if (count > 0) stdout += '\n';
    return { stdout, stderr, exitCode: 1 };
  }
  if (count === 0) stdout += 'Check complete, no warnings found.\n';
  return { stdout, stderr: '', exitCode: warningStatus };
}

function lines(first: number, last: number): number[] {
  const out: number[] = [];
  for (let l = first; l <= Math.max(first, last); l++) out.push(l);
  return out;
}

/** `--check`: the checks of the Dockerfile, printed as buildx prints them, without building. */
export async function runCheckCall(
  opts: BuildCliOptions,
  io: BuildIo,
  platform: Platform | undefined,
  call: CallSpec = { name: 'lint', format: '', ignoreStatus: false },
): Promise<number> {
  const stdin: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => (io.stdin ?? process.stdin)[Symbol.asyncIterator](),
  };
  let sources: BuildSources;
  try {
    sources = await resolveSources(
      opts.context,
      opts.file,
      stdin,
      opts.root ?? defaultStoreRoot(io.env as NodeJS.ProcessEnv),
    );
  } catch (error) {
    io.stderr(`ERROR: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    const out = await checkCall(sources, {
      ...(opts.target === undefined ? {} : { target: opts.target }),
      buildArgs: buildArgValues(opts.buildArgs, io.env),
      platform: formatPlatform(platform ?? hostPlatform()),
      ignoreStatus: call.ignoreStatus,
      format: call.format,
    });
    if (out.stdout !== '') io.stdout(out.stdout);
    if (out.stderr !== '') io.stderr(out.stderr);
    return out.exitCode;
  } finally {
    await sources.cleanup();
  }
}
