// BuildKit's build-check integration cases (conformance/buildkit/lint/cases.json): rule, message and line
// of every warning, for every case that needs no registry.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint, rules } from '../../lint/index.js';
import { parse } from '../../parser/index.js';
import { sharedRoot } from './helpers.js';

interface Warning {
  rule: string;
  detail: string;
  line: number;
}

interface Case {
  name: string;
  dockerfile: string;
  dockerignore?: string;
  buildArgs?: Record<string, string>;
  frontendAttrs?: { platform?: string };
  expected: Warning[];
  expectFail: boolean;
  failKind?: string;
  buildError?: string;
  needsRegistry?: boolean;
}

const cases = JSON.parse(readFileSync(path.join(sharedRoot, 'conformance/buildkit/lint/cases.json'), 'utf8')) as Case[];
const buildkitRules = new Set(rules.filter((r) => r.group === 'buildkit').map((r) => r.id));

const sortKey = (w: Warning): string => `${String(w.line).padStart(5, '0')} ${w.detail}`;

describe('BuildKit lint cases', () => {
  for (const c of cases.filter((x) => !x.needsRegistry)) {
    it(c.name, () => {
      const platform = c.frontendAttrs?.platform?.split(',')[0];
      const findings = lint(c.dockerfile, { dockerignore: c.dockerignore ?? null, buildArgs: c.buildArgs, platform });
      const instructions = parse(c.dockerfile).ast.instructions;
      const actual = findings
        .filter((f) => buildkitRules.has(f.rule))
        .map((f) => {
          // BuildKit places NoEmptyContinuation on the instruction's last line; we point at the blank line.
          let line = f.range.start.line;
          if (f.rule === 'NoEmptyContinuation') {
            line =
              instructions.find((i) => i.range.start.line <= line && i.range.end.line >= line)?.range.end.line ?? line;
          }
          return { rule: f.rule, detail: f.message, line };
        });
      const expected = c.expected.map((w) => ({ rule: w.rule, detail: w.detail, line: w.line }));
      expect(actual.sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(
        expected.sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
      );
      if (c.failKind === 'lint-violation') {
        expect(findings.filter((f) => buildkitRules.has(f.rule)).every((f) => f.severity === 'error')).toBe(true);
      }
      if (c.failKind === 'instruction-parse-error' && c.buildError) {
        const message = c.buildError.replace(/^dockerfile parse error on line \d+: /, '');
        expect(findings.some((f) => f.severity === 'error' && f.message === message)).toBe(true);
      }
    });
  }
});
