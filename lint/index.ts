// Public surface of the linter: rules over the parser's AST, their configuration, and the output formats.
// Browser-safe: no `node:` imports here or below (files and config files are read by the CLI).
import { RULES } from './rules/index.js';
import type { RuleMeta } from './types.js';

export { type BuildCheck, type BuildCheckOptions, type BuildCheckResult, buildChecks } from './build-checks.js';
export { type CheckConfig, parseCheckConfig } from './check-directive.js';
export { LABEL_TYPES, type LintConfig, parseSeverityArguments, toLintOptions, validateConfig } from './config.js';
export { formatGithub } from './format/github.js';
export { formatJson, type JsonFinding, toJson } from './format/json.js';
export { formatSarif, type SarifRuleInfo, toSarif } from './format/sarif.js';
export { formatText, type TextOptions } from './format/text.js';
export type { FileFindings } from './format/types.js';
export { type LintSource, lint } from './lint.js';
export {
  type LintRequestOptions,
  type LintRequestResult,
  type LintRequestWarning,
  lintRequest,
} from './lint-request.js';
export type { Finding, LabelType, LintOptions, LintSeverity, RuleGroup, RuleMeta, RuleSetting } from './types.js';

/** Every rule's metadata (id, group, description, URL, default severity). */
export const rules: readonly RuleMeta[] = RULES.map(({ check: _check, ...meta }) => meta);
