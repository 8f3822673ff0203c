// The real-world corpus: linting never crashes, files BuildKit parses get no syntax error, and the number of
// findings per rule is pinned in corpus-counts.json (regenerate with UPDATE_LINT_COUNTS=1 and review the diff).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint, rules } from '../../lint/index.js';
import { sharedRoot } from './helpers.js';

const corpus = path.join(sharedRoot, 'corpus');
const countsFile = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures/corpus-counts.json');
const ruleGroups = new Map(rules.map((r) => [r.id, r.group]));

/** Line and column (1-based, UTF-16) of an offset, computed independently of the linter. */
function positionOf(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - (before.lastIndexOf('\n') + 1) + 1}`;
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

describe('corpus', () => {
  const files = listFiles(path.join(corpus, 'dockerfiles')).sort();

  it('has the expected size', () => {
    expect(files.length).toBe(1152);
  });

  it('lints every file without crashing, with consistent ranges; no syntax error where BuildKit parses; pinned counts', () => {
    const counts: Record<string, number> = {};
    const syntaxErrors: string[] = [];
    const badRanges: string[] = [];
    for (const file of files) {
      const relative = path.relative(path.join(corpus, 'dockerfiles'), file);
      const text = readFileSync(file, 'utf8');
      const findings = lint(text);
      const dump = path.join(corpus, 'expected', `${relative}.dump`);
      const buildkitParses = existsSync(dump) && !readFileSync(dump, 'utf8').startsWith('ERROR:');
      for (const f of findings) {
        counts[f.rule] = (counts[f.rule] ?? 0) + 1;
        expect(f.rule, `${relative}: ${f.message}`).not.toBe('internal-error');
        const { start, end } = f.range;
        const consistent =
          start.offset <= end.offset &&
          end.offset <= text.length &&
          positionOf(text, start.offset) === `${start.line}:${start.column}` &&
          positionOf(text, end.offset) === `${end.line}:${end.column}`;
        if (!consistent) badRanges.push(`${relative}:${start.line}:${start.column} ${f.rule}`);
        const parserError = !ruleGroups.has(f.rule) && f.severity === 'error';
        if (buildkitParses && parserError)
          syntaxErrors.push(`${relative}:${f.range.start.line} ${f.rule} ${f.message}`);
      }
    }
    expect(syntaxErrors).toEqual([]);
    expect(badRanges).toEqual([]);
    const sorted = Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (process.env.UPDATE_LINT_COUNTS) writeFileSync(countsFile, `${JSON.stringify(sorted, null, 2)}\n`);
    expect(sorted).toEqual(JSON.parse(readFileSync(countsFile, 'utf8')));
  });
});
