// `tsbuild build --call=check,format=json`: the lint request's result.json as buildx prints it (BuildKit's
// subrequests/lint LintResults through json.MarshalIndent), byte for byte, and buildx's exit codes; the
// warnings and errors of BuildKit's build-check cases (conformance/buildkit/lint/cases.json) through the CLI.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goMarshalIndent } from '../../cli/commands/build/go-json.js';
import { buildCommand } from '../e2e/build-command.js';
import { sharedRoot } from '../lint/helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-check-json-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function check(
  dockerfile: string,
  value = 'check,format=json',
  extra: { target?: string; buildArgs?: string[]; dockerignore?: string; platform?: string } = {},
) {
  const ctx = await mkdtemp(path.join(dir, 'c'));
  await writeFile(path.join(ctx, 'Dockerfile'), dockerfile);
  if (extra.dockerignore !== undefined) await writeFile(path.join(ctx, '.dockerignore'), extra.dockerignore);
  return buildCommand(path.join(dir, 'store'), {
    context: ctx,
    buildArgs: extra.buildArgs ?? [],
    call: value,
    ...(extra.target === undefined ? {} : { target: extra.target }),
    ...(extra.platform === undefined ? {} : { platform: extra.platform }),
  });
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('tsbuild build --call=check,format=json', () => {
  it('prints result.json with a null warnings list and exits 0 when nothing is found', async () => {
    const file = 'FROM busybox\nCMD ["true"]\n';
    expect(await check(file)).toEqual({
      code: 0,
      stdout: `{
  "warnings": null,
  "sources": [
    {
      "filename": "Dockerfile",
      "data": "${base64(file)}",
      "language": "Dockerfile"
    }
  ]
}
`,
      stderr: '',
    });
  });

  it('lists warnings in BuildKit’s order, one range per line, and exits 1 (0 with ignorestatus=true)', async () => {
    const file = 'FROM busybox as base\nRUN echo \\\n\n  hi\nCMD echo hi \\\n  there\n';
    const range = (line: number) => `          {
            "start": {
              "line": ${line}
            },
            "end": {
              "line": ${line}
            }
          }`;
    const expected = `{
  "warnings": [
    {
      "ruleName": "NoEmptyContinuation",
      "description": "Empty continuation lines will become errors in a future release",
      "url": "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/",
      "detail": "Empty continuation line",
      "location": {
        "ranges": [
${range(4)}
        ]
      }
    },
    {
      "ruleName": "FromAsCasing",
      "description": "The 'as' keyword should match the case of the 'from' keyword",
      "url": "https://docs.docker.com/go/dockerfile/rule/from-as-casing/",
      "detail": "'as' and 'FROM' keywords' casing do not match",
      "location": {
        "ranges": [
${range(1)}
        ]
      }
    },
    {
      "ruleName": "JSONArgsRecommended",
      "description": "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
      "url": "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
      "detail": "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
      "location": {
        "ranges": [
${range(5)},
${range(6)}
        ]
      }
    }
  ],
  "sources": [
    {
      "filename": "Dockerfile",
      "data": "${base64(file)}",
      "language": "Dockerfile"
    }
  ]
}
`;
    expect(await check(file)).toEqual({ code: 1, stdout: expected, stderr: '' });
    expect(await check(file, 'check,format=json,ignorestatus=true')).toEqual({ code: 0, stdout: expected, stderr: '' });
  });

  it('adds the located buildError of a Dockerfile that does not parse, printed as buildx prints it, exit 1', async () => {
    const file = 'FROM busybox\nFOO bar \\\n  baz\n';
    const result = await check(file, 'check,format=json,ignorestatus=true');
    expect(result).toEqual({
      code: 1,
      stdout: `{
  "warnings": null,
  "sources": [
    {
      "filename": "Dockerfile",
      "data": "${base64(file)}",
      "language": "Dockerfile"
    }
  ],
  "buildError": {
    "message": "dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)",
    "location": {
      "ranges": [
        {
          "start": {
            "line": 2
          },
          "end": {
            "line": 2
          }
        },
        {
          "start": {
            "line": 3
          },
          "end": {
            "line": 3
          }
        }
      ]
    }
  }
}
`,
      stderr:
        'ERROR: dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)\nDockerfile:2\n' +
        '--------------------\n   1 |     FROM busybox\n   2 | >>> FOO bar \\\n   3 | >>>   baz\n   4 |     \n' +
        '--------------------\n\n',
    });
  });

  it('an error without a place (a violation, an unknown target) has an empty location', async () => {
    const violation = await check('# check=error=true\nFROM busybox as base\n');
    expect(violation.code).toBe(1);
    expect(violation.stdout).toMatch(
      /\n {2}\],\n {2}"buildError": \{\n {4}"message": "lint violation found for rules: FromAsCasing",\n {4}"location": \{\}\n {2}\}\n\}\n$/,
    );
    expect(violation.stderr).toBe('ERROR: lint violation found for rules: FromAsCasing\n');
    const target = await check('FROM busybox AS a\n', 'check,format=json', { target: 'nope' });
    expect(target.code).toBe(1);
    expect(JSON.parse(target.stdout).buildError).toEqual({
      message: 'target stage "nope" could not be found',
      location: {},
    });
    expect(target.stderr).toBe('ERROR: target stage "nope" could not be found\n');
  });

  it('a FROM platform that expands to nothing stops the request there: no dispatch checks, a located error', async () => {
    const file = 'FROM --platform=$NOPE busybox AS a\nFROM busybox as b\nCMD x\n';
    const result = await check(file);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.warnings.map((w: { ruleName: string }) => w.ruleName)).toEqual(['FromAsCasing', 'UndefinedArgInFrom']);
    expect(json.buildError).toEqual({
      message: 'empty platform value from expression $NOPE',
      location: { ranges: [{ start: { line: 1 }, end: { line: 1 } }] },
    });
    const text = await check(file, 'check');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^Check complete, 2 warnings have been found!\n\nWARNING: UndefinedArgInFrom/);
    expect(text.stderr).toMatch(/^ERROR: empty platform value from expression \$NOPE\nDockerfile:1\n/);
  });

  it('checks every stage without --target, the target and what it needs with it', async () => {
    const file = 'FROM busybox AS a\nCMD x\nFROM busybox AS b\nWORKDIR rel\nFROM b AS c\nCMD ["y"]\n';
    const rules = async (target?: string) => {
      const result = await check(file, 'check,format=json', target === undefined ? {} : { target });
      return (JSON.parse(result.stdout).warnings ?? []).map(
        (w: { ruleName: string; location: { ranges: { start: { line: number } }[] } }) =>
          `${w.ruleName}:${w.location.ranges[0]?.start.line}`,
      );
    };
    expect(await rules()).toEqual(['JSONArgsRecommended:2', 'WorkdirRelativePath:4']);
    expect(await rules('c')).toEqual(['WorkdirRelativePath:4']);
    expect(await rules('a')).toEqual(['JSONArgsRecommended:2']);
  });
});

interface Case {
  name: string;
  dockerfile: string;
  dockerignore?: string;
  buildArgs?: Record<string, string>;
  frontendAttrs?: { platform?: string };
  expected: { rule: string; description: string; url: string; detail: string; range: unknown[] }[];
  failKind?: string;
  buildError?: string;
  buildErrorLine?: number;
  needsRegistry?: boolean;
}

const cases = JSON.parse(readFileSync(path.join(sharedRoot, 'conformance/buildkit/lint/cases.json'), 'utf8')) as Case[];
/** pb.Range as encoding/json writes it: character 0 left out. */
const goRange = (r: unknown) =>
  JSON.parse(JSON.stringify(r).replaceAll(',"character":0', '').replaceAll('"character":0,', ''));

describe('tsbuild build --call=check,format=json: BuildKit’s build-check cases', () => {
  for (const c of cases.filter((x) => !x.needsRegistry)) {
    it(c.name, async () => {
      const result = await check(c.dockerfile, 'check,format=json', {
        buildArgs: Object.entries(c.buildArgs ?? {}).map(([k, v]) => `${k}=${v}`),
        platform: c.frontendAttrs?.platform?.split(',')[0] ?? 'linux/amd64',
        ...(c.dockerignore === undefined ? {} : { dockerignore: c.dockerignore }),
      });
      // A parse error and a FROM platform BuildKit cannot expand are located at their instruction; a violation is not.
      const located =
        (c.failKind === 'instruction-parse-error' || c.failKind === 'invalid-platform') &&
        c.buildErrorLine !== undefined;
      const expected = {
        warnings:
          c.expected.length === 0
            ? null
            : c.expected.map((w) => ({
                ruleName: w.rule,
                description: w.description,
                url: w.url === '' ? undefined : w.url,
                detail: w.detail,
                location: { ranges: w.range.map(goRange) },
              })),
        sources: [{ filename: 'Dockerfile', data: base64(c.dockerfile), language: 'Dockerfile' }],
        buildError:
          c.buildError === undefined || c.failKind === 'missing-context-file'
            ? undefined
            : {
                message: c.buildError,
                location: located
                  ? { ranges: [{ start: { line: c.buildErrorLine }, end: { line: c.buildErrorLine } }] }
                  : {},
              },
      };
      expect(result.stdout).toBe(`${goMarshalIndent(expected)}\n`);
      expect(result.code).toBe(c.expected.length > 0 || expected.buildError !== undefined ? 1 : 0);
    });
  }
});
