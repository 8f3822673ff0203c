// Running rules over a lint model: each enabled rule, its findings filtered by the `# check=` and
// `# tsbuild-ignore=` comments, the parser's diagnostics passed through (or, for a build, the planner's findings
// under BuildKit's rule names), sorted. The rules are a parameter: a build runs BuildKit's only and must not load
// the rest (lint/build-checks.ts).
import type { Diagnostic, Instruction, ParseResult, Range } from '../parser/index.js';
import {
  type CheckConfig,
  checkComment,
  checkEnabled,
  EMPTY_CHECK_CONFIG,
  parseCheckConfig,
} from './check-directive.js';
import type { LintModel } from './model.js';
import type { Finding, LintSeverity, Rule } from './types.js';

/** BuildKit's phases that use only the file-level configuration, never a per-instruction `# check=`. */
const FILE_LEVEL_ONLY = new Set([
  'NoEmptyContinuation',
  'ReservedStageName',
  'DuplicateStageName',
  'ConsistentInstructionCasing',
  'InvalidDefaultArgInFrom',
  'InvalidBaseImagePlatform',
]);

/** Parser diagnostics that a lint rule reports itself (with BuildKit's rule name). */
const REPLACED_DIAGNOSTICS = new Set(['empty-continuation']);

const RULE_LIST = '([\\w-]+(?:\\s*,\\s*[\\w-]+)*)';
/** `# tsbuild-ignore=A,B why`, and hadolint's `# hadolint ignore=A, B` (so Dockerfiles moving over keep theirs). */
const IGNORE_COMMENT = new RegExp(`^\\s*(?:tsbuild-ignore\\s*=|hadolint\\s+ignore=)\\s*${RULE_LIST}`, 'i');
/** hadolint's `# hadolint global ignore=A,B`, anywhere in the file: those rules are off for the whole file. */
const GLOBAL_IGNORE_COMMENT = new RegExp(`^\\s*hadolint\\s+global\\s+ignore=\\s*${RULE_LIST}`, 'i');

function ruleList(text: string): string[] {
  return text.split(',').map((rule) => rule.trim());
}

interface Silencers {
  readonly checks: CheckConfig[];
  readonly ignored: Set<string>;
}

function silencersOf(model: LintModel, instruction: Instruction): Silencers {
  const checks: CheckConfig[] = [];
  const ignored = new Set<string>();
  for (const comment of model.commentsBefore(instruction)) {
    const check = checkComment(comment.text);
    if (check !== null) {
      const parsed = parseCheckConfig(check);
      if (parsed.config) checks.push(parsed.config);
    }
    const ignore = IGNORE_COMMENT.exec(comment.text);
    if (ignore) for (const rule of ruleList(ignore[1] as string)) ignored.add(rule);
  }
  return { checks, ignored };
}

function fileCheckConfig(model: LintModel): { config: CheckConfig; error: Finding | null } {
  const override = model.options.buildArgs?.BUILDKIT_DOCKERFILE_CHECK;
  const directive = model.ast.directives.find((d) => d.name === 'check');
  const text = override ?? directive?.value;
  if (text === undefined) return { config: EMPTY_CHECK_CONFIG, error: null };
  const parsed = parseCheckConfig(text);
  if (parsed.config) return { config: parsed.config, error: null };
  const range: Range = directive?.valueRange ?? model.lines.range(0, 0);
  return {
    config: EMPTY_CHECK_CONFIG,
    error: {
      severity: 'error',
      code: 'invalid-check-directive',
      rule: 'invalid-check-directive',
      message: parsed.error,
      range,
      url: '',
    },
  };
}

function severityOf(
  rule: Pick<Rule, 'group' | 'severity'>,
  setting: string | undefined,
  check: CheckConfig,
): LintSeverity {
  if (setting === 'error' || setting === 'warning' || setting === 'info') return setting;
  return rule.group === 'buildkit' && check.error ? 'error' : rule.severity;
}

function compare(a: Finding, b: Finding): number {
  return a.range.start.offset - b.range.start.offset || a.range.end.offset - b.range.end.offset;
}

/**
 * What a build checks instead of what a lint request checks (build-checks.ts): only BuildKit's rules, the
 * ones BuildKit runs while dispatching a stage only in the stages the build dispatches, and the findings
 * the planner made with a BuildKit rule's name taken in place of that rule's own (they know the build's
 * base images and arguments), filtered by the same `# check=` configuration.
 */
export interface BuildScope {
  /** Stage indexes the build dispatches; null: every stage. */
  readonly stages: ReadonlySet<number> | null;
  /** Rules whose findings come from the planner (`external`) instead of the rule, found or not. */
  readonly replaced: ReadonlySet<string>;
  /** Planner findings whose code is one of `replaced`. */
  readonly external: readonly Diagnostic[];
}

/** BuildKit runs these while it dispatches a stage's instructions: a stage the build does not need is not checked. */
const DISPATCH_RULES = new Set([
  'JSONArgsRecommended',
  'WorkdirRelativePath',
  'UndefinedVar',
  'MultipleInstructionsDisallowed',
  'LegacyKeyValueFormat',
  'InvalidBaseImagePlatform',
  'SecretsUsedInArgOrEnv',
  'CopyIgnoredFile',
  'ExposeProtoCasing',
  'ExposeInvalidFormat',
]);

/** The top-level instruction a range starts in (the ONBUILD itself for its trigger), if any. */
function instructionAt(model: LintModel, range: Range): Instruction | null {
  const offset = range.start.offset;
  for (const instruction of model.ast.instructions) {
    if (instruction.range.start.offset <= offset && offset <= instruction.range.end.offset) return instruction;
  }
  return null;
}

/** Runs `rules` over a model: `# check=` and `# tsbuild-ignore=` filtering, the parser's diagnostics (or a build's scope). */
export function runRules(rules: readonly Rule[], model: LintModel, parsed: ParseResult, build?: BuildScope): Finding[] {
  const options = model.options;
  const ignoredRules = new Set(options.ignore ?? []);
  // A lint request honours hadolint's file-wide pragma; a build's checks are BuildKit's, which knows none.
  if (build === undefined) {
    for (const comment of model.ast.comments) {
      const global = GLOBAL_IGNORE_COMMENT.exec(comment.text);
      if (global) for (const rule of ruleList(global[1] as string)) ignoredRules.add(rule);
    }
  }
  const settings = options.rules ?? {};
  const file = fileCheckConfig(model);
  const findings: Finding[] = file.error ? [file.error] : [];

  const owner = new Map<Instruction, Instruction>();
  for (const instruction of model.ast.instructions) {
    for (
      let t = instruction.kind === 'onbuild' ? instruction.trigger : null;
      t;
      t = t.kind === 'onbuild' ? t.trigger : null
    ) {
      owner.set(t, instruction);
    }
  }
  const silencers = new Map<Instruction, Silencers>();
  const silencersFor = (instruction: Instruction): Silencers => {
    const top = owner.get(instruction) ?? instruction;
    let found = silencers.get(top);
    if (!found) {
      found = silencersOf(model, top);
      silencers.set(top, found);
    }
    return found;
  };

  for (const rule of rules) {
    const setting = settings[rule.id];
    if (ignoredRules.has(rule.id) || setting === 'off') continue;
    if (build && (rule.group !== 'buildkit' || build.replaced.has(rule.id))) continue;
    const explicitlyOn = setting !== undefined;
    if (rule.defaultOff && !explicitlyOn) continue;
    if (rule.group === 'buildkit' && !checkEnabled(file.config, rule.id, rule.experimental === true)) {
      if (!(rule.experimental && explicitlyOn)) continue;
    }
    const severity = severityOf(rule, setting, file.config);
    const report = (range: Range, message: string, instruction?: Instruction | null, code = rule.id): void => {
      if (build?.stages && instruction && DISPATCH_RULES.has(rule.id)) {
        const stage = model.stageOf(owner.get(instruction) ?? instruction);
        if (stage !== null && !build.stages.has(stage.index)) return;
      }
      if (instruction) {
        const { checks, ignored } = silencersFor(instruction);
        if (ignored.has(rule.id) || ignored.has('all')) return;
        if (rule.group === 'buildkit' && !FILE_LEVEL_ONLY.has(rule.id)) {
          if (checks.some((c) => !rule.experimental && (c.skipAll || c.skip.has(rule.id)))) return;
        }
      }
      findings.push({ severity, code, rule: rule.id, message, range, url: rule.url });
    };
    try {
      rule.check({ model, report });
    } catch (error) {
      const message = `rule ${rule.id} failed: ${error instanceof Error ? error.message : String(error)}`;
      findings.push({
        severity: 'error',
        code: 'internal-error',
        rule: 'internal-error',
        message,
        range: model.lines.range(0, 0),
        url: '',
      });
    }
  }

  if (build) {
    for (const d of build.external) {
      const rule = rules.find((r) => r.id === d.code);
      if (!rule || !build.replaced.has(rule.id) || ignoredRules.has(rule.id) || settings[rule.id] === 'off') continue;
      if (!checkEnabled(file.config, rule.id, rule.experimental === true)) continue;
      const instruction = instructionAt(model, d.range);
      if (instruction) {
        const { checks, ignored } = silencersFor(instruction);
        if (ignored.has(rule.id) || ignored.has('all')) continue;
        if (!FILE_LEVEL_ONLY.has(rule.id) && checks.some((c) => c.skipAll || c.skip.has(rule.id))) continue;
      }
      const severity = severityOf(rule, settings[rule.id], file.config);
      findings.push({ severity, code: rule.id, rule: rule.id, message: d.message, range: d.range, url: rule.url });
    }
    return findings.sort(compare);
  }

  for (const diagnostic of parsed.diagnostics) {
    if (REPLACED_DIAGNOSTICS.has(diagnostic.code) || ignoredRules.has(diagnostic.code)) continue;
    const setting = settings[diagnostic.code];
    if (setting === 'off') continue;
    const line = diagnostic.range.start.line;
    if (findings.some((f) => f.message === diagnostic.message && f.range.start.line === line)) continue;
    const severity = severityOf({ group: 'parser', severity: diagnostic.severity }, setting, file.config);
    findings.push({ ...diagnostic, severity, rule: diagnostic.code, url: '' });
  }
  return findings.sort(compare);
}
