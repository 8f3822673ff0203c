// Configuration: the `# check=` directive, per-instruction `# check=` and `# tsbuild-ignore=` comments,
// options from a config file or the command line, and parser diagnostics passed through.
import { describe, expect, it } from 'vitest';
import { lint, parseCheckConfig, parseSeverityArguments, toLintOptions, validateConfig } from '../../lint/index.js';
import { brief } from './helpers.js';

const CASING = 'FROM alpine as build\nCMD run\n';

describe('# check= directive', () => {
  it('parses BuildKit syntax', () => {
    expect(parseCheckConfig('skip=A,B;experimental=all;error=true // why')).toEqual({
      config: {
        skip: new Set(['A', 'B']),
        skipAll: false,
        experimental: new Set(),
        experimentalAll: true,
        error: true,
      },
      error: null,
    });
    expect(parseCheckConfig('skip=all;nope=1')).toEqual({ config: null, error: 'invalid check option "nope"' });
    expect(parseCheckConfig('error=yes').error).toBe(
      'failed to parse check option "error=yes": strconv.ParseBool: parsing "yes": invalid syntax',
    );
  });

  it('skips rules and escalates with error=true', () => {
    const findings = lint(`# check=skip=JSONArgsRecommended;error=true\n${CASING}`);
    expect(findings.map((f) => `${f.rule} ${f.severity}`)).toEqual([
      'DL3006 warning',
      'FromAsCasing error',
      'DL3025 warning',
    ]);
  });

  it('skip=all leaves best-practice rules alone', () => {
    expect(lint(`# check=skip=all\n${CASING}`).map((f) => f.rule)).toEqual(['DL3006', 'DL3025']);
  });

  it('reports an invalid directive', () => {
    expect(brief(lint('# check=skip\nFROM scratch\n'))).toEqual([
      '1:9-1:13 invalid-check-directive invalid check option "skip"',
    ]);
  });

  it('BUILDKIT_DOCKERFILE_CHECK replaces the directive', () => {
    const findings = lint(`# check=skip=all\n${CASING}`, { buildArgs: { BUILDKIT_DOCKERFILE_CHECK: 'skip=DL3006' } });
    expect(findings.map((f) => f.rule)).toEqual(['DL3006', 'FromAsCasing', 'JSONArgsRecommended', 'DL3025']);
  });
});

describe('comments above an instruction', () => {
  it('# check=skip silences that instruction only', () => {
    const text = 'FROM alpine\n# check=skip=MaintainerDeprecated // legacy\nMAINTAINER a\nMAINTAINER b\n';
    expect(lint(text, { ignore: ['DL4000'] }).map((f) => `${f.range.start.line} ${f.rule}`)).toEqual([
      '1 DL3006',
      '4 MaintainerDeprecated',
    ]);
  });

  it('# tsbuild-ignore silences any rule, with a reason', () => {
    const text = 'FROM alpine\n# tsbuild-ignore=DL4000,MaintainerDeprecated kept for old tooling\nMAINTAINER a\n';
    expect(lint(text).map((f) => f.rule)).toEqual(['DL3006']);
  });

  it("honours hadolint's pragmas: # hadolint ignore= above an instruction, # hadolint global ignore= anywhere", () => {
    const above = 'FROM alpine\n# hadolint ignore=DL4000, MaintainerDeprecated\nMAINTAINER a\n';
    expect(lint(above).map((f) => f.rule)).toEqual(['DL3006']);
    const global = 'FROM alpine\nMAINTAINER a\nFROM debian\n# hadolint global ignore=DL3006,DL4000\n';
    expect(lint(global).map((f) => `${f.range.start.line} ${f.rule}`)).toEqual(['2 MaintainerDeprecated']);
    // Only the instruction below a plain ignore is silenced.
    const once = '# hadolint ignore=DL3006\nFROM alpine\nFROM debian\n';
    expect(lint(once).map((f) => `${f.range.start.line} ${f.rule}`)).toEqual(['3 DL3006']);
  });

  it('file-level BuildKit phases ignore per-instruction # check=', () => {
    const text = 'FROM alpine AS b\n# check=skip=DuplicateStageName\nFROM alpine AS b\n';
    expect(lint(text).filter((f) => f.rule === 'DuplicateStageName')).toHaveLength(1);
  });
});

describe('options', () => {
  it('severity overrides, off, and on for experimental rules', () => {
    const text = 'FROM alpine\n# not a description\nARG v=1\nCMD x\n';
    const findings = lint(text, {
      rules: { DL3006: 'off', JSONArgsRecommended: 'error', InvalidDefinitionDescription: 'on', DL3025: 'info' },
    });
    expect(findings.map((f) => `${f.rule} ${f.severity}`)).toEqual([
      'InvalidDefinitionDescription warning',
      'JSONArgsRecommended error',
      'DL3025 info',
    ]);
  });

  it('validates a config file', () => {
    const { config, errors } = validateConfig({
      rules: { DL3006: 'off', DL3007: 'error', DL3008: true },
      ignore: ['DL4006'],
      trustedRegistries: ['docker.io'],
      labelSchema: { maintainer: 'email', version: 'semver' },
      strictLabels: true,
      failLevel: 'error',
    });
    expect(errors).toEqual([]);
    expect(config).toEqual({
      rules: { DL3006: 'off', DL3007: 'error', DL3008: 'on' },
      ignore: ['DL4006'],
      trustedRegistries: ['docker.io'],
      labelSchema: { maintainer: 'email', version: 'semver' },
      strictLabels: true,
      failLevel: 'error',
    });
    expect(
      validateConfig({
        rule: {},
        rules: { X: 'loud' },
        ignore: 'DL1',
        labelSchema: { version: 'semantic' },
        strictLabels: 'yes',
      }).errors,
    ).toEqual([
      'unknown key "rule"',
      'rules.X: expected one of off, on, error, warning, info',
      'ignore: expected a list of strings',
      'labelSchema.version: expected one of text, url, semver, hash, rfc3339, spdx, email',
      'strictLabels: expected true or false',
    ]);
    expect(validateConfig({ labelSchema: ['version'] }).errors).toEqual([
      'labelSchema: expected a mapping of label to format',
    ]);
  });

  it('parses --severity and merges with the config (command line wins)', () => {
    expect(parseSeverityArguments(['DL3006=info', 'bad'])).toEqual({
      rules: { DL3006: 'info' },
      errors: ['invalid --severity "bad": expected RULE=off|on|error|warning|info'],
    });
    const config = validateConfig({ rules: { DL3006: 'off' }, ignore: ['A'], labelSchema: { a: 'text' } }).config;
    expect(toLintOptions(config, { ignore: ['B'], rules: { DL3006: 'error' } })).toEqual({
      rules: { DL3006: 'error' },
      ignore: ['A', 'B'],
      trustedRegistries: [],
      labelSchema: { a: 'text' },
      strictLabels: false,
    });
  });
});

describe('parser diagnostics and recovery', () => {
  it('a file that fails to parse still gets every other finding', () => {
    const text = 'FROM alpine\nENV PATH\nmaintainer me\nRUN <<EOF\necho\n';
    expect(brief(lint(text))).toEqual([
      '1:6-1:12 DL3006 Always tag the version of an image explicitly',
      '2:5-2:9 env-no-value ENV must have two arguments',
      "3:1-3:11 ConsistentInstructionCasing Command 'maintainer' should match the case of the command majority (uppercase)",
      '3:1-3:11 MaintainerDeprecated Maintainer instruction is deprecated in favor of using label',
      '3:1-3:11 DL4000 MAINTAINER is deprecated',
      '4:5-4:10 unterminated-heredoc unterminated heredoc',
    ]);
  });
});

describe('byte-order mark', () => {
  it('ranges count from after the BOM, as the parser does', () => {
    expect(brief(lint('\uFEFFFROM alpine\nRUN \\\n\n  sudo x\n', { ignore: ['DL3006'] }))).toEqual([
      '3:1-3:1 NoEmptyContinuation Empty continuation line',
      '4:3-4:7 DL3004 Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root',
    ]);
  });
});
