// Shared test helpers: the repository root, the shared conformance data, and compact views of findings.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Finding, type LintOptions, lint } from '../../lint/index.js';

export const repoRoot = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const sharedRoot = path.resolve(repoRoot, '../shared');

/** `line:col-endLine:endCol RULE message` for each finding: exact and easy to read in a diff. */
export function brief(findings: readonly Finding[]): string[] {
  return findings.map((f) => {
    const { start, end } = f.range;
    return `${start.line}:${start.column}-${end.line}:${end.column} ${f.rule} ${f.message}`;
  });
}

/** Findings of one rule only. */
export function findingsOf(rule: string, text: string, options: LintOptions = {}): string[] {
  return brief(lint(text, options).filter((f) => f.rule === rule));
}
