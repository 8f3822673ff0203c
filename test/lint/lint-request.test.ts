// The lint request's warnings (what `--call=check,format=json` lists) against BuildKit's build-check cases
// (conformance/buildkit/lint/cases.json): rule, description, URL, detail and ranges, in BuildKit's emission order.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintRequest } from '../../lint/index.js';
import { parse } from '../../parser/index.js';
import { sharedRoot } from './helpers.js';

interface Warning {
  rule: string;
  description: string;
  url: string;
  detail: string;
  range: { start: { line: number }; end: { line: number } }[];
}

interface Case {
  name: string;
  dockerfile: string;
  dockerignore?: string;
  buildArgs?: Record<string, string>;
  frontendAttrs?: { platform?: string };
  expected: Warning[];
  needsRegistry?: boolean;
  note?: string;
}

const cases = JSON.parse(readFileSync(path.join(sharedRoot, 'conformance/buildkit/lint/cases.json'), 'utf8')) as Case[];

describe('lint request: BuildKit lint cases in emission order', () => {
  for (const c of cases.filter((x) => !x.needsRegistry)) {
    it(c.name, () => {
      const result = lintRequest(c.dockerfile, parse(c.dockerfile), {
        dockerignore: c.dockerignore ?? null,
        buildArgs: c.buildArgs ?? {},
        platform: c.frontendAttrs?.platform?.split(',')[0] ?? 'linux/amd64',
      });
      const actual = result.warnings.map((w) => ({
        rule: w.rule,
        description: w.description,
        url: w.url,
        detail: w.message,
        lines: w.rangeLines,
      }));
      const expected = c.expected.map((w) => ({
        rule: w.rule,
        description: w.description,
        url: w.url,
        detail: w.detail,
        lines: w.range.map((r) => r.start.line),
      }));
      expect(actual).toEqual(expected);
    });
  }
});

describe('lint request: what the upstream cases leave out', () => {
  const warnings = (dockerfile: string) =>
    lintRequest(dockerfile, parse(dockerfile), {
      dockerignore: null,
      buildArgs: {},
      platform: 'linux/amd64',
    }).warnings.map((w) => `${w.rule} ${w.rangeLines.join(',')} ${w.message}`);

  it('reports a warning once per detail and start line, as dockerui merges the lint results', () => {
    expect(warnings('FROM scratch\nCOPY $x $x .\nEXPOSE 80/TCP 80/TCP\n')).toEqual([
      "UndefinedVar 2 Usage of undefined variable '$x'",
      "ExposeProtoCasing 3 Defined protocol '80/TCP' in EXPOSE instruction should be lowercase",
    ]);
  });

  it('locates a check at every line of its instruction, NoEmptyContinuation at the last', () => {
    expect(warnings('FROM scratch as base\nCMD echo \\\n\n  hi\n')).toEqual([
      'NoEmptyContinuation 4 Empty continuation line',
      "FromAsCasing 1 'as' and 'FROM' keywords' casing do not match",
      'JSONArgsRecommended 2,3,4 JSON arguments recommended for CMD to prevent unintended behavior related to OS signals',
    ]);
  });
});
