import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileIgnore, IgnorePatternError, parseIgnoreFile, translatePattern } from '../../cache/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = path.resolve(repoRoot, '../shared/conformance/dockerignore');
const load = <T>(name: string): T => JSON.parse(readFileSync(path.join(dataDir, name), 'utf8')) as T;

interface MatchCase {
  patterns: string[];
  path: string;
  excluded: boolean;
  error?: boolean;
  note: string;
}
interface CompileCase {
  pattern: string;
  matchType: string;
  regexp: string;
}
interface IgnoreFileCase {
  input: string | null;
  patterns: string[];
}
interface DifferenceCase {
  dockerignore: string;
  path: string;
  isDirectory: boolean;
  normalizedPatterns: string[] | null;
  dockerignoreExcluded: boolean | null;
  dockerignoreError?: string;
}

const evaluate = (patterns: string[], p: string): boolean => compileIgnore(patterns).matches(p);

describe('cases.json (patternmatcher expectations)', () => {
  const cases = load<MatchCase[]>('cases.json');
  it('has all 142 cases', () => expect(cases).toHaveLength(142));
  for (const [i, c] of cases.entries()) {
    it(`#${i} ${JSON.stringify(c.patterns)} ${JSON.stringify(c.path)}`, () => {
      if (c.error) expect(() => evaluate(c.patterns, c.path)).toThrow();
      else expect(evaluate(c.patterns, c.path)).toBe(c.excluded);
    });
  }
});

describe('compile-cases.json (classification and translation)', () => {
  const kinds: Record<string, string> = {
    exactMatch: 'exact',
    prefixMatch: 'prefix',
    suffixMatch: 'suffix',
    regexpMatch: 'regexp',
  };
  for (const c of load<CompileCase[]>('compile-cases.json')) {
    it(c.pattern, () => {
      const t = translatePattern(c.pattern);
      expect(t.kind).toBe(kinds[c.matchType]);
      expect(t.regexp).toBe(c.matchType === 'regexpMatch' ? c.regexp : '');
    });
  }
});

describe('ignorefile-cases.json (reader)', () => {
  for (const [i, c] of load<IgnoreFileCase[]>('ignorefile-cases.json').entries()) {
    it(`case ${i}`, () => {
      expect(parseIgnoreFile(c.input ?? '').map((p) => p.pattern)).toEqual(c.patterns);
    });
  }
  it('records 1-based line numbers, strips a BOM and keeps indented #', () => {
    expect(parseIgnoreFile('\uFEFF# c\n\n  #foo\r\n!  ./a//b/\n')).toEqual([
      { pattern: '#foo', line: 3 },
      { pattern: '!a/b', line: 4 },
    ]);
  });
});

describe('differences.json (dockerignore column)', () => {
  for (const c of load<DifferenceCase[]>('differences.json')) {
    it(`${JSON.stringify(c.dockerignore)} ${c.path}`, () => {
      const patterns = parseIgnoreFile(c.dockerignore);
      if (c.normalizedPatterns) expect(patterns.map((p) => p.pattern)).toEqual(c.normalizedPatterns);
      if (c.dockerignoreError !== undefined) {
        let error: unknown;
        try {
          compileIgnore(patterns).matches(c.path, c.isDirectory);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(IgnorePatternError);
        expect((error as IgnorePatternError).reason).toBe(c.dockerignoreError);
      } else {
        expect(compileIgnore(patterns).matches(c.path, c.isDirectory)).toBe(c.dockerignoreExcluded);
      }
    });
  }
});

describe('matcher details', () => {
  it('reports Go error texts with the pattern and line', () => {
    expect(() => compileIgnore(parseIgnoreFile('ok\n  !\n'))).toThrow('line 2: illegal exclusion pattern: "!": !');
    expect(() => compileIgnore(['a['])).toThrow('syntax error in pattern: a[');
  });
  it('an invalid regexp range fails on every match, not at construction', () => {
    const m = compileIgnore(['[Local-Only]']);
    expect(() => m.matches('x')).toThrow('syntax error in pattern');
    expect(() => m.matches('x')).toThrow('syntax error in pattern');
  });
  it('translates Go regexp escapes and POSIX classes deliberately', () => {
    expect(evaluate(['a\\d'], 'a1')).toBe(true);
    expect(evaluate(['a\\d'], 'ad')).toBe(false);
    expect(evaluate(['[[:alpha:]]x'], 'bx')).toBe(true);
    expect(evaluate(['[[:alpha:]]x'], '1x')).toBe(false);
    expect(evaluate(['[[:^alpha:]]x'], '1x')).toBe(true);
    expect(evaluate(['\\sx'], ' x')).toBe(true);
    expect(evaluate(['\\sx'], '\u00a0x')).toBe(false); // Go's \s is ASCII
    expect(evaluate(['a\\pLb'], 'aéb')).toBe(true);
    expect(evaluate(['a^b*'], 'a^bc')).toBe(false); // ^ is an anchor in a wildcard pattern
    expect(evaluate(['a^b'], 'a^b')).toBe(true); // but literal in an exact one
    expect(evaluate(['[!a]bc'], '!bc')).toBe(true);
    expect(() => evaluate(['a\\e*'], 'ae')).toThrow('syntax error in pattern'); // \e is not RE2
    expect(evaluate(['a\\Qb.c'], 'ab\\.c$')).toBe(true); // \Q without \E swallows `\.` and the closing $
  });
  it('word-boundary escapes (the NFA path, no DFA)', () => {
    expect(evaluate(['\\bfoo*'], 'foo.txt')).toBe(true);
    expect(evaluate(['x\\Bfoo'], 'xfoo')).toBe(true);
    expect(evaluate(['x\\bfoo'], 'xfoo')).toBe(false);
    expect(evaluate(['**/x\\b.y'], 'a/x.y')).toBe(true);
  });
  it('`.` in ** does not cross a newline, as in Go', () => {
    expect(evaluate(['**/*.log'], 'a\nb/x.log')).toBe(false);
    expect(evaluate(['**/*.log'], 'ab/x.log')).toBe(true);
  });
  it('matches in linear time on adversarial input', () => {
    const m = compileIgnore(['**/**/**/**/**/**/**/x*y*z*w', 'a*a*a*a*a*a*a*a*b']);
    const long = 'a/'.repeat(50) + 'a'.repeat(20000);
    const start = performance.now();
    expect(m.matches(long)).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000);
  });
  it('the walk form differs from MatchesOrParentMatches exactly where upstream does', () => {
    const m = compileIgnore(['a/b/c', '!a']);
    expect(m.matches('a/b/c')).toBe(false);
    const a = m.matchWithParent('a', undefined);
    const b = m.matchWithParent('a/b', a.info);
    expect(m.matchWithParent('a/b/c', b.info).excluded).toBe(true);
  });
  it('descends into an excluded directory only when an exception could apply', () => {
    expect(compileIgnore(['foo']).shouldDescendExcluded('foo')).toBe(false);
    expect(compileIgnore(['foo', '!foo/bar/**']).shouldDescendExcluded('foo')).toBe(true);
    expect(compileIgnore(['foo', '!other']).shouldDescendExcluded('foo')).toBe(false);
    expect(compileIgnore(['foo', '!x/*.go']).shouldDescendExcluded('foo')).toBe(true);
  });
});
