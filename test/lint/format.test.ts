// Output formats: exact text, JSON, GitHub annotations, and SARIF validated against the official schema
// (fixtures/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 schema, rtm.5, as shipped in @microsoft/jest-sarif).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  type FileFindings,
  formatGithub,
  formatJson,
  formatSarif,
  formatText,
  lint,
  rules,
  toSarif,
} from '../../lint/index.js';
import { repoRoot } from './helpers.js';

const text = 'FROM alpine as build\n\tRUN  sudo  ls | wc -l\n';
const files: FileFindings[] = [{ file: 'app/Dockerfile', text, findings: lint(text, { ignore: ['DL4006'] }) }];

describe('text', () => {
  it('prints location, severity, rule, message and an underlined source line', () => {
    expect(formatText(files)).toBe(
      [
        'app/Dockerfile:1:6 warning DL3006 Always tag the version of an image explicitly',
        '1 | FROM alpine as build',
        '  |      ^^^^^^',
        "app/Dockerfile:1:13 warning FromAsCasing 'as' and 'FROM' keywords' casing do not match",
        '1 | FROM alpine as build',
        '  |             ^^',
        'app/Dockerfile:2:7 error DL3004 Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root',
        '2 | \tRUN  sudo  ls | wc -l',
        '  | \t     ^^^^',
        '3 problems (1 errors, 2 warnings, 0 info)',
        '',
      ].join('\n'),
    );
  });

  it('colours on request', () => {
    expect(formatText(files, { color: true })).toContain('\x1b[33mwarning\x1b[0m');
  });

  it('prints nothing without findings', () => {
    expect(formatText([{ file: 'Dockerfile', text: 'FROM a:1\n', findings: [] }])).toBe('');
  });
});

describe('json', () => {
  it('is a flat array of findings', () => {
    expect(JSON.parse(formatJson(files))[2]).toEqual({
      file: 'app/Dockerfile',
      rule: 'DL3004',
      severity: 'error',
      message: 'Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root',
      line: 2,
      column: 7,
      endLine: 2,
      endColumn: 11,
      url: 'https://github.com/hadolint/hadolint/wiki/DL3004',
    });
  });
});

describe('github', () => {
  it('writes workflow commands with escaped properties', () => {
    const withComma: FileFindings[] = [{ file: 'a,b:c/Dockerfile', text, findings: files[0].findings.slice(1, 3) }];
    expect(formatGithub(withComma)).toBe(
      [
        "::warning file=a%2Cb%3Ac/Dockerfile,line=1,col=13,endLine=1,endColumn=15,title=FromAsCasing::'as' and 'FROM' keywords' casing do not match",
        '::error file=a%2Cb%3Ac/Dockerfile,line=2,col=7,endLine=2,endColumn=11,title=DL3004::Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root',
        '',
      ].join('\n'),
    );
  });
});

describe('sarif', () => {
  const options = { version: '0.1.0', rules: new Map(rules.map((r) => [r.id, r])) };

  it('is valid against the SARIF 2.1.0 schema', () => {
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'test/lint/fixtures/sarif-schema-2.1.0.json'), 'utf8'));
    const ajv = new Ajv({ schemaId: 'id', allErrors: true, validateSchema: false });
    const validate = ajv.compile(schema);
    const parserFinding: FileFindings = {
      file: 'b/Dockerfile',
      text: 'RUN <<EOF\n',
      findings: lint('FROM a:1\nRUN <<EOF\n'),
    };
    const log = JSON.parse(formatSarif([...files, parserFinding], options));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(JSON.parse(formatSarif([], options)))).toBe(true);
    // The validator does reject what the schema forbids.
    log.runs[0].results[0].level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('lists the rules with help URIs and results with regions', () => {
    const log = toSarif(files, options) as { runs: { tool: { driver: { rules: unknown[] } }; results: unknown[] }[] };
    const run = log.runs[0];
    expect(run.tool.driver.rules[2]).toEqual({
      id: 'DL3004',
      shortDescription: {
        text: 'Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root',
      },
      helpUri: 'https://github.com/hadolint/hadolint/wiki/DL3004',
      defaultConfiguration: { level: 'error' },
    });
    expect(run.results[1]).toEqual({
      ruleId: 'FromAsCasing',
      ruleIndex: 1,
      level: 'warning',
      message: { text: "'as' and 'FROM' keywords' casing do not match" },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'app/Dockerfile' },
            region: { startLine: 1, startColumn: 13, endLine: 1, endColumn: 15 },
          },
        },
      ],
    });
  });
});
