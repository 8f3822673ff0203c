// Build checks: BuildKit runs its Dockerfile linter during every build, and buildx prints what it found once
// the progress display has finished (commands/build.go printWarnings). Loaded only when a build's checks are not
// remembered (check-memo.ts) or there are warnings to print.
// The linter's build entry, not its index: the index loads every rule (hadolint's too, most of the linter's
// start-up time), a build runs BuildKit's only. As cli/option-choices.ts does for the parser.
import { type BuildCheck, type BuildCheckResult, buildChecks } from '../../../lint/build-checks.js';
import { type CheckInputs, PLANNER_RULES } from './check-memo.js';
import { sourceFrame } from './source-frame.js';

export type { BuildCheck } from '../../../lint/build-checks.js';

/** The checks of a planned build: the stages it dispatches, its build arguments, its .dockerignore. */
export function checkPlannedBuild(parsed: Parameters<typeof buildChecks>[1], inputs: CheckInputs): BuildCheckResult {
  return buildChecks(inputs.text, parsed, {
    buildArgs: inputs.buildArgs,
    dockerignore: inputs.dockerignore,
    platform: inputs.platform,
    stages: new Set(inputs.stages),
    externalRules: [...PLANNER_RULES],
    external: inputs.external,
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
