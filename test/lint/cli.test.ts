// `tsbuild lint` through its command module: file discovery, stdin, config files, flags, exit codes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LintCliOptions, run } from '../../cli/commands/lint/run.js';
import { parseYaml } from '../../cli/commands/lint/yaml.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tsbuild-lint-'));
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM alpine:3\nMAINTAINER me\n');
  mkdirSync(path.join(dir, 'svc/deep'), { recursive: true });
  writeFileSync(path.join(dir, 'svc/api.Dockerfile'), 'FROM alpine:3\nCOPY secret.txt /\n');
  writeFileSync(path.join(dir, 'svc/.dockerignore'), 'secret.txt\n');
  writeFileSync(path.join(dir, 'svc/deep/Containerfile'), 'FROM alpine:3\n');
  writeFileSync(path.join(dir, 'svc/deep/notes.txt'), 'FROM nothing\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lintCli(options: Partial<LintCliOptions>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run({
    files: [],
    format: 'json',
    ignore: [],
    severity: [],
    failLevel: 'warning',
    cwd: dir,
    color: false,
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    ...options,
  });
  return { code, out, err };
}

const rulesOf = (out: string): string[] =>
  (JSON.parse(out) as { file: string; rule: string }[]).map((f) => `${f.file} ${f.rule}`);

describe('tsbuild lint', () => {
  it('lints ./Dockerfile by default and exits 1 on a warning', async () => {
    const { code, out } = await lintCli({});
    expect(code).toBe(1);
    expect(rulesOf(out)).toEqual(['Dockerfile MaintainerDeprecated', 'Dockerfile DL4000']);
  });

  it('searches directories for Dockerfile, *.Dockerfile and Containerfile; reads the .dockerignore beside them', async () => {
    const { code, out } = await lintCli({ files: ['svc'] });
    expect(code).toBe(1);
    expect(rulesOf(out)).toEqual(['svc/api.Dockerfile CopyIgnoredFile']);
  });

  it('exits 0 below the fail level and honours --ignore and --severity', async () => {
    expect((await lintCli({ failLevel: 'error', severity: ['DL4000=warning'] })).code).toBe(0);
    expect((await lintCli({ ignore: ['MaintainerDeprecated', 'DL4000'] })).code).toBe(0);
    expect((await lintCli({ severity: ['MaintainerDeprecated=info', 'DL4000=off'], failLevel: 'warning' })).code).toBe(
      0,
    );
    expect((await lintCli({ severity: ['MaintainerDeprecated=info', 'DL4000=off'], failLevel: 'info' })).code).toBe(1);
  });

  it('reads stdin for - (or /dev/stdin, which the CLI passes because yargs drops a bare -)', async () => {
    const stdin = async (): Promise<string> => 'FROM alpine\nCMD ["x"]\n';
    const { code, out } = await lintCli({ files: ['-'], stdin });
    expect(code).toBe(1);
    expect(rulesOf(out)).toEqual(['- DL3006']);
    expect(rulesOf((await lintCli({ files: ['/dev/stdin'], stdin })).out)).toEqual(['- DL3006']);
  });

  it('exits 2 on usage errors', async () => {
    expect(await lintCli({ files: ['missing'] })).toEqual({
      code: 2,
      out: '',
      err: 'tsbuild lint: no such file or directory: missing\n',
    });
    expect((await lintCli({ severity: ['DL4000'] })).code).toBe(2);
    expect((await lintCli({ config: 'nope.yaml' })).err).toBe('tsbuild lint: cannot read config file nope.yaml\n');
  });

  it('reads .tsbuild.yaml and tsbuild.config.json', async () => {
    const yaml = path.join(dir, '.tsbuild.yaml');
    writeFileSync(
      yaml,
      '# lint settings\nrules:\n  MaintainerDeprecated: off\n  DL4000: info\ntrustedRegistries:\n  - ghcr.io\n',
    );
    try {
      const { code, out } = await lintCli({ failLevel: 'warning' });
      expect(code).toBe(1);
      expect(rulesOf(out)).toEqual(['Dockerfile DL3026', 'Dockerfile DL4000']);
    } finally {
      rmSync(yaml);
    }
    writeFileSync(path.join(dir, 'custom.json'), '{"ignore": ["MaintainerDeprecated", "DL4000"]}');
    expect((await lintCli({ config: 'custom.json' })).code).toBe(0);
    writeFileSync(path.join(dir, 'bad.json'), '{"rules": {"DL4000": "loud"}}');
    expect((await lintCli({ config: 'bad.json' })).err).toBe(
      'tsbuild lint: bad.json: rules.DL4000: expected one of off, on, error, warning, info\n',
    );
  });

  it('takes a label schema and strict labels from .tsbuild.yaml', async () => {
    writeFileSync(
      path.join(dir, 'labels.yaml'),
      'labelSchema:\n  version: semver\nstrictLabels: true\nignore: [DL4000]\n',
    );
    writeFileSync(path.join(dir, 'labels.Dockerfile'), 'FROM alpine:3\nFROM alpine:3\nLABEL version=v1 x=1\n');
    const { code, out } = await lintCli({ config: 'labels.yaml', files: ['labels.Dockerfile'] });
    expect(code).toBe(1);
    expect(rulesOf(out)).toEqual(['labels.Dockerfile DL3049', 'labels.Dockerfile DL3056', 'labels.Dockerfile DL3050']);
  });

  it('prints text, sarif and github formats', async () => {
    expect((await lintCli({ format: 'text' })).out).toBe(
      [
        'Dockerfile:2:1 warning MaintainerDeprecated Maintainer instruction is deprecated in favor of using label',
        '2 | MAINTAINER me',
        '  | ^^^^^^^^^^',
        'Dockerfile:2:1 error DL4000 MAINTAINER is deprecated',
        '2 | MAINTAINER me',
        '  | ^^^^^^^^^^',
        '2 problems (1 errors, 1 warnings, 0 info)',
        '',
      ].join('\n'),
    );
    expect(JSON.parse((await lintCli({ format: 'sarif' })).out).version).toBe('2.1.0');
    expect((await lintCli({ format: 'github' })).out).toContain(
      '::error file=Dockerfile,line=2,col=1,endLine=2,endColumn=11,title=DL4000::',
    );
  });
});

describe('config YAML subset', () => {
  it('reads mappings, sequences, flow lists, scalars and comments', () => {
    expect(
      parseYaml(
        'rules:\n  DL3006: off # pinned elsewhere\n  "DL3007": error\nignore: [DL4006, "DL3009"]\ntrustedRegistries:\n- docker.io\n- \'ghcr.io\'\nfailLevel: ~\n',
      ),
    ).toEqual({
      rules: { DL3006: 'off', DL3007: 'error' },
      ignore: ['DL4006', 'DL3009'],
      trustedRegistries: ['docker.io', 'ghcr.io'],
      failLevel: null,
    });
  });

  it('rejects what it does not understand', () => {
    expect(() => parseYaml('rules:\n\tDL3006: off\n')).toThrow('line 2: tabs are not allowed for indentation');
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow('line 2: duplicate key "a"');
    expect(() => parseYaml('just text\n')).toThrow('line 1: expected "key: value", got "just text"');
  });
});
