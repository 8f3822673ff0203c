// The variable checks BuildKit runs while converting a Dockerfile (UndefinedVar, UndefinedArgInFrom)
// against its check test cases (conformance/buildkit/lint/cases.json), for a normal build: warnings
// with their exact text and line, and the build error where conversion fails.

import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planDir, withContext } from './helpers/scenario.js';

interface Warning {
  rule: string;
  detail: string;
  line: number;
}

interface LintCase {
  name: string;
  dockerfile: string;
  dockerignore?: string;
  buildArgs?: Record<string, string>;
  expected: Warning[];
  expectedBuild?: Warning[];
  buildError?: string;
}

const RULES = ['UndefinedVar', 'UndefinedArgInFrom'];
const FAMILIES = ['testUndeclaredArg#', 'testUnmatchedVars#', 'testAllTargetUnmarshal#'];

const repoRoot = resolve(import.meta.dirname, '../..');
const cases: LintCase[] = JSON.parse(
  readFileSync(join(resolve(repoRoot, '../shared'), 'conformance/buildkit/lint/cases.json'), 'utf8'),
);
const selected = cases.filter((c) => FAMILIES.some((f) => c.name.startsWith(f)));

const images = { busybox: { config: { Env: ['PATH=/bin'] } }, alpine: { config: { Env: ['PATH=/usr/bin:/bin'] } } };

describe('BuildKit variable checks', () => {
  it('covers the variable check cases', () => {
    expect(selected.length).toBe(16);
  });

  it.each(selected.map((c) => c.name))('%s', async (name) => {
    const c = selected.find((x) => x.name === name) as LintCase;
    const result = await withContext({}, async (dir) => {
      await writeFile(join(dir, 'Dockerfile'), c.dockerfile);
      if (c.dockerignore !== undefined) await writeFile(join(dir, '.dockerignore'), c.dockerignore);
      return planDir(dir, { dockerfile: c.dockerfile, files: {}, buildArgs: c.buildArgs, images });
    });
    const warnings = result.diagnostics
      .filter((d) => d.severity === 'warning' && RULES.includes(d.code))
      .map((d) => `${d.range.start.line} ${d.code}: ${d.message}`);
    const expected = (c.expectedBuild ?? c.expected)
      .filter((w) => RULES.includes(w.rule))
      .map((w) => `${w.line} ${w.rule}: ${w.detail}`);
    expect(warnings).toEqual(expected);
    const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    expect(errors).toEqual(c.buildError === undefined ? [] : [c.buildError]);
  });
});
