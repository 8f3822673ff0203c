// The checks a build runs, as BuildKit's Dockerfile frontend runs its linter during every build and for
// `--call=check`: BuildKit's rules only, under the `# check=` directive (or BUILDKIT_DOCKERFILE_CHECK), each
// finding reported at the lines of its instruction (`FromAsCasing: … (line 3)`), and `error=true` turning any
// finding into BuildKit's `lint violation found for rules: …`.
import type { Diagnostic, Instruction, ParseResult } from '../parser/index.js';
import { buildModel, type LintModel } from './model.js';
import { runRules } from './rule-runner.js';
import { buildkitRules } from './rules/buildkit/index.js';
import { targetStages } from './target-stages.js';
import type { LintOptions } from './types.js';

export interface BuildCheck {
  readonly rule: string;
  /** The rule's fixed description (BuildKit's `Description`). */
  readonly description: string;
  readonly url: string;
  /** BuildKit's formatted message (`'as' and 'FROM' keywords' casing do not match`). */
  readonly message: string;
  /** First and last line of the instruction the finding belongs to (BuildKit's location). */
  readonly line: number;
  readonly endLine: number;
}

export interface BuildCheckOptions extends Pick<LintOptions, 'buildArgs' | 'dockerignore' | 'platform'> {
  /** Stage indexes the build dispatches (the target and what it needs); null: every stage (a check without target). */
  readonly stages?: ReadonlySet<number> | null;
  /** A target stage name: only it and the stages it needs are dispatched (used when `stages` is not given). */
  readonly target?: string;
  /**
   * Rules the build's planner checks with what it knows of base images and arguments (UndefinedVar,
   * UndefinedArgInFrom): their findings are `external`, and the rules' own static versions do not run.
   */
  readonly externalRules?: readonly string[];
  readonly external?: readonly Diagnostic[];
}

export interface BuildCheckResult {
  /** Sorted by line, then in the order BuildKit's frontend reports them. */
  readonly checks: readonly BuildCheck[];
  /** `error=true` and something was found: BuildKit's error for the build. */
  readonly violation: string | null;
  /** An error that stops the build before anything is checked (a bad `# check=`, an unknown target). */
  readonly error: string | null;
}

/** The order BuildKit's frontend runs its rules in (parse, stage names, casing, FROM, then dispatch). */
const EMISSION = [
  'NoEmptyContinuation',
  'StageNameCasing',
  'FromAsCasing',
  'MaintainerDeprecated',
  'InvalidDefinitionDescription',
  'DuplicateStageName',
  'ReservedStageName',
  'ConsistentInstructionCasing',
  'InvalidDefaultArgInFrom',
  'UndefinedArgInFrom',
  'RedundantTargetPlatform',
  'FromPlatformFlagConstDisallowed',
  'InvalidBaseImagePlatform',
  'UndefinedVar',
  'MultipleInstructionsDisallowed',
  'JSONArgsRecommended',
  'LegacyKeyValueFormat',
  'SecretsUsedInArgOrEnv',
  'WorkdirRelativePath',
  'CopyIgnoredFile',
  'ExposeProtoCasing',
  'ExposeInvalidFormat',
];

function instructionLines(model: LintModel, offset: number): { line: number; endLine: number } | null {
  let found: Instruction | null = null;
  for (const instruction of model.ast.instructions) {
    if (instruction.range.start.offset <= offset && offset <= instruction.range.end.offset) found = instruction;
  }
  return found && { line: found.range.start.line, endLine: found.range.end.line };
}

/** One check as BuildKit's frontend reports it, with the finding it came from (its place in the instruction). */
export interface ReportedCheck {
  readonly check: BuildCheck;
  /** Offset of the finding in the Dockerfile (which word or pair of the instruction). */
  readonly offset: number;
}

export interface CollectedChecks {
  /** Every finding of BuildKit's rules, in the order the rules ran, without deduplication. */
  readonly reported: readonly ReportedCheck[];
  readonly violation: string | null;
  readonly error: string | null;
}

/** The findings of BuildKit's rules for the stages the options select, before buildx's deduplication. */
export function collectChecks(text: string, parsed: ParseResult, options: BuildCheckOptions): CollectedChecks {
  const model = buildModel(text, parsed, {
    ...(options.buildArgs === undefined ? {} : { buildArgs: options.buildArgs }),
    ...(options.dockerignore === undefined ? {} : { dockerignore: options.dockerignore }),
    ...(options.platform === undefined ? {} : { platform: options.platform }),
  });
  let stages = options.stages ?? null;
  if (options.stages === undefined && options.target !== undefined) {
    const found = targetStages(model, options.target);
    if (typeof found === 'string') return { reported: [], violation: null, error: found };
    stages = found;
  }
  const findings = runRules(buildkitRules, model, parsed, {
    stages,
    replaced: new Set(options.externalRules ?? []),
    external: options.external ?? [],
  });
  const configError = findings.find((f) => f.rule === 'invalid-check-directive');
  if (configError)
    return { reported: [], violation: null, error: `failed to parse check options: ${configError.message}` };
  const reported: ReportedCheck[] = [];
  for (const finding of findings) {
    const rule = buildkitRules.find((r) => r.id === finding.rule);
    if (!rule) continue;
    const lines = instructionLines(model, finding.range.start.offset) ?? {
      line: finding.range.start.line,
      endLine: finding.range.end.line,
    };
    const check = { rule: rule.id, description: rule.description, url: rule.url, message: finding.message, ...lines };
    reported.push({ check, offset: finding.range.start.offset });
  }
  const errors = findings.some((f) => f.severity === 'error');
  const names = [...new Set(reported.map((c) => c.check.rule))].sort();
  return {
    reported,
    violation: errors && names.length > 0 ? `lint violation found for rules: ${names.join(', ')}` : null,
    error: null,
  };
}

export function buildChecks(text: string, parsed: ParseResult, options: BuildCheckOptions): BuildCheckResult {
  const collected = collectChecks(text, parsed, options);
  if (collected.error !== null) return { checks: [], violation: null, error: collected.error };
  const seen = new Set<string>();
  const checks: (BuildCheck & { order: number })[] = [];
  for (const { check } of collected.reported) {
    // buildx shows a warning once however often the frontend reported it.
    const key = `${check.rule}\u0000${check.message}\u0000${check.line}\u0000${check.endLine}`;
    if (seen.has(key)) continue;
    seen.add(key);
    checks.push({ ...check, order: checks.length + EMISSION.indexOf(check.rule) * 1e6 });
  }
  checks.sort((a, b) => a.line - b.line || a.order - b.order);
  return {
    checks: checks.map(({ order: _order, ...check }) => check),
    violation: collected.violation,
    error: null,
  };
}
