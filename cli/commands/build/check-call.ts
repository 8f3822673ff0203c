// `tsbuild build --check` (buildx's `--call=check`): BuildKit's build checks without building. Without a
// target every stage is checked (a lint request's `AllStages`), with `--target` the target and the stages it
// needs. Output as buildx prints a lint result (commands/build.go printResult, subrequests/lint PrintTo): on
// stdout `Check complete, …` and each warning with its Dockerfile excerpt; exit 1 when anything was found.
// The checks see the Dockerfile alone: no base image is resolved, so its ENV counts as just PATH.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { findIgnoreFile } from '../../../cache/index.js';
import { defaultStoreRoot } from '../../../image/index.js';
import { buildChecks, lint, rules } from '../../../lint/index.js';
import { parse } from '../../../parser/index.js';
import { formatPlatform, hostPlatform, type Platform } from '../../../planner/index.js';
import { buildArgValues } from '../plan/run.js';
import type { CallSpec } from './call-spec.js';
import { sourceFrame } from './checks.js';
import type { BuildCliOptions, BuildIo } from './run.js';
import { type BuildSources, resolveSources } from './stdin-sources.js';

export interface CheckCallOptions {
  readonly target?: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** The build's target platform (`linux/amd64`). */
  readonly platform: string;
  /** `--call=check,ignorestatus=true`: warnings do not make the exit status 1 (errors still do). */
  readonly ignoreStatus?: boolean;
}

export interface CheckOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export async function checkCall(sources: BuildSources, options: CheckCallOptions): Promise<CheckOutput> {
  const fileName = path.basename(sources.dockerfile);
  let text: string;
  try {
    text = sources.dockerfileText ?? (await readFile(sources.dockerfile, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { stdout: '', stderr: `ERROR: failed to read dockerfile: ${reason}\n`, exitCode: 1 };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const ignoreFile = await findIgnoreFile(
    sources.contextDir,
    sources.dockerfileText === undefined ? sources.dockerfile : null,
  );
  const dockerignore = ignoreFile === null ? null : await readFile(ignoreFile, 'utf8').catch(() => null);
  const parsed = parse(text);
  const result = buildChecks(text, parsed, {
    buildArgs: options.buildArgs,
    dockerignore,
    platform: options.platform,
    ...(options.target === undefined || options.target === '' ? {} : { target: options.target }),
  });
  let stdout = '';
  const count = result.checks.length;
  if (count > 0)
    stdout += `Check complete, ${count === 1 ? '1 warning has been' : `${count} warnings have been`} found!\n`;
  for (const check of result.checks) {
    stdout += `\nWARNING: ${check.rule}${check.url === '' ? '' : ` - ${check.url}`}\n${check.message}\n`;
    stdout += sourceFrame(fileName, text, check.line, check.endLine);
  }
  const error = result.error ?? buildError(text, parsed, fileName) ?? result.violation;
  if (error !== null) {
    if (count > 0) stdout += '\n';
    return { stdout, stderr: `ERROR: ${error}\n`, exitCode: 1 };
  }
  if (count === 0) stdout += 'Check complete, no warnings found.\n';
  return { stdout, stderr: '', exitCode: count > 0 && options.ignoreStatus !== true ? 1 : 0 };
}

/** The first error a build of this Dockerfile stops at before running anything: its message and line. */
export function firstBuildError(
  text: string,
  parsed: ReturnType<typeof parse>,
): { readonly message: string; readonly line: number } | null {
  // Errors of the parser and of the `build` rules (what BuildKit refuses); BuildKit's checks and best practice
  // are not build errors, whatever their severity.
  const groups = new Map(rules.map((r) => [r.id, r.group]));
  const first = lint({ text, parsed }).find((f) => {
    const group = groups.get(f.rule);
    return (
      f.severity === 'error' && (group === 'build' || (group === undefined && f.rule !== 'invalid-check-directive'))
    );
  });
  return first === undefined ? null : { message: first.message, line: first.range.start.line };
}

/** The first build error with its excerpt, as a lint result prints it. */
function buildError(text: string, parsed: ReturnType<typeof parse>, fileName: string): string | null {
  const first = firstBuildError(text, parsed);
  return first === null ? null : `${first.message}\n${sourceFrame(fileName, text, first.line, first.line)}`;
}

/** `--check`: the checks of the Dockerfile, printed as buildx prints them, without building. */
export async function runCheckCall(
  opts: BuildCliOptions,
  io: BuildIo,
  platform: Platform | undefined,
  call: CallSpec = { name: 'lint', format: '', ignoreStatus: false },
): Promise<number> {
  if (call.format === 'json') {
    io.stderr('ERROR: --call=check,format=json is not implemented by tsbuild (the text form is)\n');
    return 1;
  }
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
    });
    if (out.stdout !== '') io.stdout(out.stdout);
    if (out.stderr !== '') io.stderr(out.stderr);
    return out.exitCode;
  } finally {
    await sources.cleanup();
  }
}
