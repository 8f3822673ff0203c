// Lint configuration: the shape of a config file (`.tsbuild.yaml` / `tsbuild.config.json`), its validation,
// and the command-line overrides. Pure data handling; reading files is the CLI's job.
import type { LabelType, LintOptions, LintSeverity, RuleSetting } from './types.js';

export interface LintConfig {
  /** Rule id → `off`, `on` (the rule's default severity) or a severity. */
  readonly rules: Record<string, RuleSetting | 'on'>;
  readonly ignore: string[];
  readonly trustedRegistries: string[];
  /** Label → value format (`text`, `url`, `semver`, `hash`, `rfc3339`, `spdx`, `email`). */
  readonly labelSchema: Record<string, LabelType>;
  readonly strictLabels: boolean;
  readonly failLevel: LintSeverity | null;
}

export const SETTINGS: readonly string[] = ['off', 'on', 'error', 'warning', 'info'];
export const SEVERITIES: readonly LintSeverity[] = ['error', 'warning', 'info'];

export const LABEL_TYPES: readonly LabelType[] = ['text', 'url', 'semver', 'hash', 'rfc3339', 'spdx', 'email'];

const KEYS = new Set(['rules', 'ignore', 'trustedRegistries', 'labelSchema', 'strictLabels', 'failLevel']);

function stringList(value: unknown, key: string, errors: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  errors.push(`${key}: expected a list of strings`);
  return [];
}

function readLabelSchema(value: unknown, into: Record<string, LabelType>, errors: string[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.push('labelSchema: expected a mapping of label to format');
    return;
  }
  for (const [label, type] of Object.entries(value as Record<string, unknown>)) {
    if (typeof type === 'string' && (LABEL_TYPES as string[]).includes(type)) into[label] = type as LabelType;
    else errors.push(`labelSchema.${label}: expected one of ${LABEL_TYPES.join(', ')}`);
  }
}

/** Validates a parsed config file. Unknown keys and values are errors, so typos do not pass silently. */
export function validateConfig(value: unknown): { config: LintConfig; errors: string[] } {
  const errors: string[] = [];
  const config: LintConfig = {
    rules: {},
    ignore: [],
    trustedRegistries: [],
    labelSchema: {},
    strictLabels: false,
    failLevel: null,
  };
  if (value === null || value === undefined) return { config, errors };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { config, errors: ['the configuration must be a mapping'] };
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!KEYS.has(key)) errors.push(`unknown key "${key}"`);
  const rules = record.rules;
  if (rules !== undefined && rules !== null) {
    if (typeof rules !== 'object' || Array.isArray(rules)) errors.push('rules: expected a mapping of rule to setting');
    else {
      for (const [rule, setting] of Object.entries(rules as Record<string, unknown>)) {
        const text = typeof setting === 'boolean' ? (setting ? 'on' : 'off') : setting;
        if (typeof text === 'string' && SETTINGS.includes(text)) config.rules[rule] = text as RuleSetting | 'on';
        else errors.push(`rules.${rule}: expected one of ${SETTINGS.join(', ')}`);
      }
    }
  }
  config.ignore.push(...stringList(record.ignore, 'ignore', errors));
  config.trustedRegistries.push(...stringList(record.trustedRegistries, 'trustedRegistries', errors));
  readLabelSchema(record.labelSchema, config.labelSchema, errors);
  const strict = record.strictLabels;
  if (typeof strict === 'boolean') (config as { strictLabels: boolean }).strictLabels = strict;
  else if (strict !== undefined && strict !== null) errors.push('strictLabels: expected true or false');
  const failLevel = record.failLevel;
  if (failLevel !== undefined && failLevel !== null) {
    if (typeof failLevel === 'string' && (SEVERITIES as string[]).includes(failLevel)) {
      (config as { failLevel: LintSeverity | null }).failLevel = failLevel as LintSeverity;
    } else errors.push(`failLevel: expected one of ${SEVERITIES.join(', ')}`);
  }
  return { config, errors };
}

/** Parses `--severity RULE=level` arguments. */
export function parseSeverityArguments(list: readonly string[]): {
  rules: Record<string, RuleSetting | 'on'>;
  errors: string[];
} {
  const rules: Record<string, RuleSetting | 'on'> = {};
  const errors: string[] = [];
  for (const item of list) {
    const eq = item.indexOf('=');
    const rule = eq < 0 ? '' : item.slice(0, eq).trim();
    const level = eq < 0 ? '' : item.slice(eq + 1).trim();
    if (rule === '' || !SETTINGS.includes(level)) {
      errors.push(`invalid --severity "${item}": expected RULE=${SETTINGS.join('|')}`);
      continue;
    }
    rules[rule] = level as RuleSetting | 'on';
  }
  return { rules, errors };
}

/** Merges config file and command line (the command line wins) into lint options. */
export function toLintOptions(
  config: LintConfig,
  cli: { ignore: readonly string[]; rules: Record<string, RuleSetting | 'on'> },
  extra: Omit<LintOptions, 'rules' | 'ignore' | 'trustedRegistries' | 'labelSchema' | 'strictLabels'> = {},
): LintOptions {
  return {
    ...extra,
    rules: { ...config.rules, ...cli.rules },
    ignore: [...config.ignore, ...cli.ignore],
    trustedRegistries: config.trustedRegistries,
    labelSchema: config.labelSchema,
    strictLabels: config.strictLabels,
  };
}
