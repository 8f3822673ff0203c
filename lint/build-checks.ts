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

export function buildChecks(text: string, parsed: ParseResult, options: BuildCheckOptions): BuildCheckResult {
  const model = buildModel(text, parsed, {
    ...(options.buildArgs === undefined ? {} : { buildArgs: options.buildArgs }),
    ...(options.dockerignore === undefined ? {} : { dockerignore: options.dockerignore }),
    ...(options.platform === undefined ? {} : { platform: options.platform }),
  });
  let stages = options.stages ?? null;
  if (options.stages === undefined && options.target !== undefined) {
    const found = targetStages(model, options.target);
    if (typeof found === 'string') return { checks: [], violation: null, error: found };
    stages = found;
  }
  const findings = runRules(buildkitRules, model, parsed, {
    stages,
    replaced: new Set(options.externalRules ?? []),
    external: options.external ?? [],
  });
  const configError = findings.find((f) => f.rule === 'invalid-check-directive');
  if (configError)
    return { checks: [], violation: null, error: `failed to parse check options: ${configError.message}` };
  const seen = new Set<string>();
  const checks: (BuildCheck & { order: number })[] = [];
  for (const finding of findings) {
    const rule = buildkitRules.find((r) => r.id === finding.rule);
    if (!rule) continue;
    const lines = instructionLines(model, finding.range.start.offset) ?? {
      line: finding.range.start.line,
      endLine: finding.range.end.line,
    };
    // buildx shows a warning once however often the frontend reported it.
    const key = `${rule.id}\u0000${finding.message}\u0000${lines.line}\u0000${lines.endLine}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const order = checks.length + EMISSION.indexOf(rule.id) * 1e6;
    checks.push({
      rule: rule.id,
      description: rule.description,
      url: rule.url,
      message: finding.message,
      ...lines,
      order,
    });
  }
  checks.sort((a, b) => a.line - b.line || a.order - b.order);
  const errors = findings.some((f) => f.severity === 'error');
  const names = [...new Set(checks.map((c) => c.rule))].sort();
  return {
    checks: checks.map(({ order: _order, ...check }) => check),
    violation: errors && names.length > 0 ? `lint violation found for rules: ${names.join(', ')}` : null,
    error: null,
  };
}
