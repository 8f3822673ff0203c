// The build checks of a Dockerfile are a pure function of its text, the build's arguments, its .dockerignore, the
// platform, the stages it dispatches and the planner's findings; a build that changes none of them (every no-op
// rebuild) takes the remembered result from `cache/checks/` instead of loading the linter (a third of a no-op
// build's start-up). Only the bundled CLI remembers: its bundle script stamps it with a digest of the linter's
// sources (TSBUILD_LINT_DIGEST), so one tsbuild's findings never answer for another's rules.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlannedBuild } from '../../../executor/index.js';
import type { Store } from '../../../image/index.js';
import type { BuildCheckResult } from '../../../lint/build-checks.js';
import { type Diagnostic, formatPlatform, hostPlatform } from '../../../planner/index.js';

declare const TSBUILD_LINT_DIGEST: string | undefined;

/** Planner findings that stand for BuildKit's own: they know the build's base images and arguments. */
export const PLANNER_RULES: readonly string[] = ['UndefinedVar', 'UndefinedArgInFrom'];

/** Everything the checks of a planned build depend on besides the Dockerfile's parse (a function of `text`). */
export interface CheckInputs {
  readonly text: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly dockerignore: string | null;
  readonly platform: string;
  readonly stages: readonly number[];
  readonly external: readonly Diagnostic[];
}

export async function checkInputs(
  planned: PlannedBuild,
  buildArgs: Readonly<Record<string, string>>,
): Promise<CheckInputs> {
  const dockerignore =
    planned.ignoreFile === null ? null : await readFile(planned.ignoreFile, 'utf8').catch(() => null);
  return {
    text: planned.text,
    buildArgs,
    dockerignore,
    platform: formatPlatform(planned.plan.platform ?? hostPlatform()),
    stages: planned.plan.stages.map((s) => s.index),
    external: planned.diagnostics.filter((d) => PLANNER_RULES.includes(d.code)),
  };
}

/** The remembered results; `prune --build-cache -a` removes them with the rest of the build cache. */
export function checkMemoDir(store: Store): string {
  return path.join(store.paths.cache, 'checks');
}

/** Where the result for `inputs` is remembered; null when this tsbuild does not remember (not the bundle). */
export function checkMemoFile(store: Store, inputs: CheckInputs): string | null {
  const digest = typeof TSBUILD_LINT_DIGEST === 'string' ? TSBUILD_LINT_DIGEST : null;
  if (digest === null) return null;
  const args = Object.entries(inputs.buildArgs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const external = inputs.external.map((d) => [d.code, d.message, d.range.start.offset, d.range.end.offset]);
  const key = createHash('sha256')
    .update(JSON.stringify([digest, inputs.text, args, inputs.dockerignore, inputs.platform, inputs.stages, external]))
    .digest('hex');
  return path.join(checkMemoDir(store), `${key}.json`);
}

export async function rememberedChecks(file: string | null): Promise<BuildCheckResult | null> {
  if (file === null) return null;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as BuildCheckResult;
  } catch {
    return null;
  }
}

/** Best effort: a result that cannot be written is computed again next time. */
export async function rememberChecks(file: string | null, result: BuildCheckResult): Promise<void> {
  if (file === null) return;
  const temp = `${file}.tmp-${process.pid}`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temp, JSON.stringify(result));
    await rename(temp, file);
  } catch {
    // a full disk or a read-only store: nothing is lost but the shortcut
  }
}
