// Build checks: BuildKit runs its Dockerfile linter during every build, and buildx prints what it found once
// the progress display has finished (commands/build.go printWarnings). Loaded while a build reads its context,
// so that the linter's rules cost a build no start-up time.
import { readFile } from 'node:fs/promises';
import type { PlannedBuild } from '../../../executor/index.js';
import { type BuildCheck, type BuildCheckResult, buildChecks } from '../../../lint/index.js';
import { type Diagnostic, formatPlatform, hostPlatform } from '../../../planner/index.js';

export type { BuildCheck } from '../../../lint/index.js';

/** Planner findings that stand for BuildKit's own: they know the build's base images and arguments. */
const PLANNER_RULES = new Set(['UndefinedVar', 'UndefinedArgInFrom']);

/** The checks of a planned build: the stages it dispatches, its build arguments, its .dockerignore. */
export async function checkPlannedBuild(
  planned: PlannedBuild,
  buildArgs: Readonly<Record<string, string>>,
): Promise<BuildCheckResult> {
  const dockerignore =
    planned.ignoreFile === null ? null : await readFile(planned.ignoreFile, 'utf8').catch(() => null);
  return buildChecks(planned.text, planned.parsed, {
    buildArgs,
    dockerignore,
    platform: formatPlatform(planned.plan.platform ?? hostPlatform()),
    stages: new Set(planned.plan.stages.map((s) => s.index)),
    externalRules: [...PLANNER_RULES],
    external: planned.diagnostics.filter((d: Diagnostic) => PLANNER_RULES.has(d.code)),
  });
}

/** buildx's short form of a warning: `Rule: message (line N)`. */
export function shortWarning(check: BuildCheck): string {
  return `${check.rule}: ${check.message}${check.line > 0 ? ` (line ${check.line})` : ''}`;
}

const yellow = '\u001b[33m';
const reset = '\u001b[0m';

/**
 * The block buildx prints after the progress display: a yellow count (buildx colours it whatever the output is),
 * then one line per warning; with `debug`, each warning's description, URL and Dockerfile excerpt as well.
 */
export function warningsBlock(checks: readonly BuildCheck[], debug: boolean, fileName: string, text: string): string {
  if (checks.length === 0) return '';
  const count = checks.length === 1 ? '1 warning found' : `${checks.length} warnings found`;
  let out = `\n ${yellow}${count}${debug ? '' : ' (use docker --debug to expand)'}:\n${reset}`;
  for (const check of checks) {
    out += ` - ${shortWarning(check)}\n`;
    if (!debug) continue;
    out += `${check.description}\n`;
    if (check.url !== '') out += `More info: ${check.url}\n`;
    out += sourceFrame(fileName, text, check.line, check.endLine);
    out += '\n';
  }
  return out;
}

/**
 * BuildKit's excerpt of a Dockerfile around lines `start`..`end` (solver/errdefs Source.Print): two lines of
 * context on each side of a single line, one around a longer range, ` %3d | >>> text` for the lines in it.
 */
export function sourceFrame(fileName: string, text: string, first: number, last: number): string {
  const lines = text.split('\n');
  if (first > lines.length || first < 1) return '';
  let start = first;
  let end = Math.min(Math.max(last, first), lines.length);
  const pad = end === start ? 4 : 2;
  for (let p = 0; p < pad; p++) {
    if (start > 1) {
      start--;
      p++;
    }
    if (end !== lines.length) {
      end++;
      p++;
    }
  }
  let out = `${fileName}:${first}\n--------------------\n`;
  for (let i = start; i <= end; i++) {
    const marker = i >= first && i <= Math.max(first, last) ? '>>>' : '   ';
    out += ` ${String(i).padStart(3)} | ${marker} ${lines[i - 1]}\n`;
  }
  return `${out}--------------------\n`;
}
