// The checks a build runs (lint/build-checks.ts): BuildKit's rules only, at their instruction's line, only the
// dispatched stages for the rules BuildKit runs while dispatching, the planner's findings in place of the rules'
// own, the `# check=` configuration over all of them, and `error=true` as BuildKit's violation.
import { describe, expect, it } from 'vitest';
import { buildChecks } from '../../lint/index.js';
import { type Diagnostic, parse } from '../../parser/index.js';

const run = (text: string, options: Parameters<typeof buildChecks>[2] = {}) => buildChecks(text, parse(text), options);
const short = (text: string, options: Parameters<typeof buildChecks>[2] = {}) =>
  run(text, options).checks.map(
    (c) => `${c.rule}: ${c.message} (line ${c.line}${c.endLine === c.line ? '' : `-${c.endLine}`})`,
  );

describe('buildChecks', () => {
  it('reports BuildKit rules only, at the lines of their instruction, in line order', () => {
    const text = 'from busybox AS Base\nMAINTAINER me\nRUN apt-get install \\\n  sudo\nCMD echo hi\n';
    expect(short(text)).toEqual([
      "StageNameCasing: Stage name 'Base' should be lowercase (line 1)",
      "FromAsCasing: 'AS' and 'from' keywords' casing do not match (line 1)",
      "ConsistentInstructionCasing: Command 'from' should match the case of the command majority (uppercase) (line 1)",
      'MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 2)',
      'JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 5)',
    ]);
  });

  it('checks instructions of stages the build does not dispatch only for the rules BuildKit runs on every stage', () => {
    const text = 'FROM busybox AS unused\nCMD echo a\nFROM busybox as used\nCMD echo b\n';
    expect(short(text, { stages: new Set([1]) })).toEqual([
      "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 3)",
      'JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 4)',
    ]);
    expect(short(text, { target: 'unused' })).toEqual([
      'JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 2)',
      "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 3)",
    ]);
    expect(short(text)).toHaveLength(3);
  });

  it('a target needs the stage it is built on and those it copies or mounts from', () => {
    const text =
      'FROM busybox AS a\nCMD x\nFROM busybox AS b\nCMD y\nFROM a AS c\nCOPY --from=b /x /x\nRUN --mount=from=1 true\nFROM busybox AS d\nCMD z\n';
    expect(run(text, { target: 'C' }).checks.map((c) => c.line)).toEqual([2, 4]);
    expect(run(text, { target: 'nope' }).error).toBe('target stage "nope" could not be found');
    expect(run(text, { target: 'cc' }).error).toBe('target stage "cc" could not be found (did you mean c?)');
  });

  it('takes the planner’s findings for its rules, under the same check configuration and comments', () => {
    const text =
      '# check=skip=JSONArgsRecommended\nFROM busybox\nENV A=$NOPE\n# check=skip=UndefinedVar\nENV B=$GONE\nCMD x\n';
    const at = (line: number, offset: number) => ({ line, column: 1, offset });
    const external: Diagnostic[] = [
      {
        severity: 'warning',
        code: 'UndefinedVar',
        message: "Usage of undefined variable '$NOPE'",
        range: { start: at(3, 52), end: at(3, 57) },
      },
      {
        severity: 'warning',
        code: 'UndefinedVar',
        message: "Usage of undefined variable '$GONE'",
        range: { start: at(5, 90), end: at(5, 95) },
      },
    ];
    const externalRules = ['UndefinedVar'];
    expect(short(text, { externalRules, external })).toEqual([
      "UndefinedVar: Usage of undefined variable '$NOPE' (line 3)",
    ]);
    // The planner's view replaces the rule's own: nothing when the planner found nothing (a base image's ENV).
    expect(short(text, { externalRules, external: [] })).toEqual([]);
    expect(short(text)).toEqual(["UndefinedVar: Usage of undefined variable '$NOPE' (line 3)"]);
  });

  it('honours skip=all, the build argument that replaces the directive, and error=true', () => {
    const text = '# check=skip=all\nFROM busybox as base\n';
    expect(run(text).checks).toEqual([]);
    expect(short(text, { buildArgs: { BUILDKIT_DOCKERFILE_CHECK: 'error=true' } })).toEqual([
      "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 2)",
    ]);
    const failing = run('# check=error=true\nFROM busybox as Base\n');
    expect(failing.violation).toBe('lint violation found for rules: FromAsCasing, StageNameCasing');
    expect(run('# check=error=true\nFROM busybox\n').violation).toBeNull();
    expect(run('# check=skip=x;bogus=1\nFROM busybox\n').error).toBe(
      'failed to parse check options: invalid check option "bogus"',
    );
  });

  it('reports a finding on a continued instruction at the instruction’s first line, with its range', () => {
    const text = 'FROM busybox\nRUN echo a \\\n\n  b\n';
    expect(run(text).checks).toEqual([
      {
        rule: 'NoEmptyContinuation',
        description: 'Empty continuation lines will become errors in a future release',
        url: 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/',
        message: 'Empty continuation line',
        line: 2,
        endLine: 4,
      },
    ]);
  });
});
