// The lint vocabulary: findings, rules and the options of one lint run.
import type { Diagnostic, Instruction, Range } from '../parser/index.js';
import type { LintModel } from './model.js';

/** `info` exists only in lint; the parser knows `error` and `warning`. */
export type LintSeverity = 'error' | 'warning' | 'info';

/**
 * A lint finding is a parser diagnostic with a rule id and a documentation URL (empty when there is none). Its
 * `code` is the rule id, or for a build rule the code of the error a build raises (the planner's; the parser's
 * `isInstructionParseError` tells BuildKit's parse errors among them).
 */
export interface Finding extends Omit<Diagnostic, 'severity'> {
  readonly severity: LintSeverity;
  /** BuildKit's rule name (`StageNameCasing`), a hadolint id (`DL3006`) or a kebab-case error id. */
  readonly rule: string;
  readonly url: string;
}

/**
 * Where a rule comes from. `buildkit`: one of BuildKit's build checks (governed by `# check=`).
 * `build`: an error `docker build` reports before running anything. `practice`: best-practice advice.
 * `parser`: a diagnostic of the parser, passed through.
 */
export type RuleGroup = 'buildkit' | 'build' | 'practice' | 'parser';

export interface RuleMeta {
  readonly id: string;
  readonly group: RuleGroup;
  /** One sentence, BuildKit's fixed description where it has one. */
  readonly description: string;
  readonly url: string;
  readonly severity: LintSeverity;
  /** BuildKit experimental rules run only when named in `experimental=`. */
  readonly experimental?: boolean;
  /** Off unless `options.rules` names it (`on` or a severity): hadolint's rules of severity `ignore`. */
  readonly defaultOff?: boolean;
}

export interface RuleContext {
  readonly model: LintModel;
  /**
   * Reports a finding. `instruction` is the instruction the finding belongs to: per-instruction
   * `# check=skip=` and `# tsbuild-ignore=` comments above it can silence the finding. `code`: the finding's
   * code where it is not the rule id (a build rule's: the code of the error a build raises for it).
   */
  report(range: Range, message: string, instruction?: Instruction | null, code?: string): void;
}

export interface Rule extends RuleMeta {
  check(context: RuleContext): void;
}

/** A value format of hadolint's label schema (DL3049 to DL3058); `text` accepts anything. */
export type LabelType = 'text' | 'url' | 'semver' | 'hash' | 'rfc3339' | 'spdx' | 'email';

/** Per-rule setting from a config file or the command line. */
export type RuleSetting = LintSeverity | 'off';

export interface LintOptions {
  /** Rule id → severity, `off`, or `on` (default severity; also enables an experimental rule). */
  readonly rules?: Readonly<Record<string, RuleSetting | 'on'>>;
  /** Rules to skip (CLI `--ignore`). */
  readonly ignore?: readonly string[];
  /** Registries whose images DL3026 accepts (`docker.io`, `ghcr.io/acme`); empty disables DL3026. */
  readonly trustedRegistries?: readonly string[];
  /**
   * Labels every image must set, with their value format (hadolint's `label-schema`): DL3049 reports a stage
   * without one, DL3051 an empty value, DL3052 to DL3058 a value not in its format. Empty disables them.
   */
  readonly labelSchema?: Readonly<Record<string, LabelType>>;
  /** DL3050: labels outside `labelSchema` are reported (hadolint's `strict-labels`). */
  readonly strictLabels?: boolean;
  /** Text of the `.dockerignore` in force, for CopyIgnoredFile. */
  readonly dockerignore?: string | null;
  /** Build arguments (`--build-arg`); also `BUILDKIT_DOCKERFILE_CHECK`, which replaces `# check=`. */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Platform (`os/arch`) of resolved base images by name, for InvalidBaseImagePlatform. */
  readonly baseImagePlatforms?: Readonly<Record<string, string>>;
  /** Value of `$TARGETPLATFORM` and `$BUILDPLATFORM` (default `linux/amd64`). */
  readonly platform?: string;
}
