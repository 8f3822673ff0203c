// One lint run: parse, build the model, run every rule (rule-runner.ts).
import { type ParseResult, parse } from '../parser/index.js';
import { buildModel } from './model.js';
import { runRules } from './rule-runner.js';
import { RULES } from './rules/index.js';
import type { Finding, LintOptions } from './types.js';

/** Text plus, optionally, its parse result (to lint what an editor already parsed). */
export interface LintSource {
  readonly text: string;
  readonly parsed?: ParseResult;
}

export function lint(source: string | LintSource, options: LintOptions = {}): Finding[] {
  const raw = typeof source === 'string' ? source : source.text;
  // The parser drops a UTF-8 byte-order mark and counts offsets without it; so do the rules.
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const parsed = (typeof source === 'string' ? undefined : source.parsed) ?? parse(text);
  return runRules(RULES, buildModel(text, parsed, options), parsed);
}
