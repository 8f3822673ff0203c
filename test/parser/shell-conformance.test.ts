// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words with ${…} are the data under test
// BuildKit's shell-lexer test data (FORMAT.md section 13), read exactly as the upstream Go tests read it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compileShellPattern,
  expandWord,
  expandWords,
  reverseShellPattern,
  shellEnvFromList,
} from '../../parser/shell/index.js';

const dataDir = path.resolve(import.meta.dirname, '../../../shared/conformance/buildkit/shell');
const read = (name: string) => readFileSync(path.join(dataDir, name), 'utf8');

interface EnvVarCase {
  line: number;
  input: string;
  expected: string;
}

function envVarCases(): EnvVarCase[] {
  const cases: EnvVarCase[] = [];
  read('envVarTest')
    .split('\n')
    .forEach((raw, index) => {
      if (raw.startsWith('#')) return;
      const line = raw.trim();
      if (line === '') return;
      const fields = line.split('|');
      if (fields.length !== 3) throw new Error(`envVarTest line ${index + 1}: expected 3 fields`);
      const [platform, input, expected] = fields.map((f) => f.trim());
      if (platform === 'A' || platform === 'U') cases.push({ line: index + 1, input, expected });
    });
  return cases;
}

describe('shell/envVarTest (ProcessWord)', () => {
  const env = ['PWD=/home', 'SHELL=bash', 'KOREAN=한국어', 'NULL='];
  const cases = envVarCases();

  it('has the documented number of A and U lines', () => {
    expect(cases.length).toBe(228);
  });

  it.each(cases)('line $line: $input', ({ input, expected }) => {
    const result = expandWord(input, env);
    if (expected === 'error') {
      expect(result.ok).toBe(false);
    } else {
      expect(result).toMatchObject({ ok: true, value: expected });
    }
  });
});

interface WordsCase {
  line: number;
  input: string;
  expected: string[];
  env: string[];
}

function wordsCases(): WordsCase[] {
  const cases: WordsCase[] = [];
  const env: string[] = [];
  const lines = read('wordsTest').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, index) => {
    if (line.startsWith('#')) return;
    if (line.startsWith('ENV ')) {
      env.push(line.slice(3).replace(/^ +/, ''));
      return;
    }
    const parts = line.split('|');
    if (parts.length !== 2) throw new Error(`wordsTest line ${index + 1}: expected exactly one |`);
    cases.push({
      line: index + 1,
      input: parts[0].trim(),
      expected: parts[1].replace(/^ +/, '').split(','),
      env: env.slice(),
    });
  });
  return cases;
}

describe('shell/wordsTest (ProcessWords)', () => {
  const cases = wordsCases();

  it('reads all 24 word lines', () => {
    expect(cases.length).toBe(24);
  });

  it.each(cases)('line $line: $input', ({ input, expected, env }) => {
    const result = expandWords(input, env);
    const words = result.ok ? result.words : ['error'];
    expect(words).toEqual(expected);
  });
});

interface MatchCase {
  input: string;
  env: Record<string, string>;
  expected?: string;
  error?: boolean;
  matches?: string[];
  unmatched?: string[];
}

const extra = JSON.parse(read('extra-cases.json')) as {
  processWordWithMatches: { cases: MatchCase[] };
  mandatoryVariables: {
    cases: { input: string; env: Record<string, string>; expected?: string; errorContains?: string }[];
  };
  releaseFilename: { input: string; cases: { env: Record<string, string>; expected: string }[] };
  envListSemantics: { cases: { list: string[]; lookup: string; value: string }[] };
  shellPatternToRegexp: { cases: { pattern: string; regexp?: string; error?: boolean }[] };
  reversePattern: { cases: { pattern: string; reversed: string }[] };
};

describe('shell/extra-cases.json', () => {
  it.each(extra.processWordWithMatches.cases)('processWordWithMatches $input', (c) => {
    const result = expandWord(c.input, c.env);
    if (c.error) {
      expect(result.ok).toBe(false);
      return;
    }
    if (!result.ok) throw new Error(result.error);
    expect(result.value).toBe(c.expected);
    expect([...result.matched].sort()).toEqual([...(c.matches ?? [])].sort());
    expect([...result.unmatched].sort()).toEqual([...(c.unmatched ?? [])].sort());
  });

  it.each(extra.mandatoryVariables.cases)('mandatoryVariables $input with $env', (c) => {
    const result = expandWord(c.input, c.env);
    if (c.errorContains !== undefined) {
      if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
      expect(result.error).toContain(c.errorContains);
    } else {
      expect(result).toMatchObject({ ok: true, value: c.expected });
    }
  });

  it.each(extra.releaseFilename.cases)('releaseFilename $expected', (c) => {
    expect(expandWord(extra.releaseFilename.input, c.env)).toMatchObject({ ok: true, value: c.expected });
  });

  it.each(extra.envListSemantics.cases)('envListSemantics $list → $lookup', (c) => {
    expect(shellEnvFromList(c.list).get(c.lookup) ?? '').toBe(c.value);
    expect(expandWord(`$${c.lookup}`, c.list)).toMatchObject({ ok: true, value: c.value });
  });

  it.each(extra.shellPatternToRegexp.cases)('shellPatternToRegexp $pattern', (c) => {
    const result = compileShellPattern(c.pattern, true, true);
    if (c.error) expect(result.ok).toBe(false);
    else expect(result).toMatchObject({ ok: true, pattern: { source: c.regexp } });
  });

  it.each(extra.reversePattern.cases)('reversePattern $pattern', (c) => {
    expect(reverseShellPattern(c.pattern)).toBe(c.reversed);
  });
});
