// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words with ${…} are the data under test
// Hostile inputs: deep nesting, long words, unterminated constructs, pathological patterns. Nothing may throw,
// overflow the stack or take more than linear time in the word (patterns: value × pattern length).
import { describe, expect, it } from 'vitest';
import { expandWord, expandWords, variableReferences } from '../../parser/shell/index.js';

const timed = <T>(fn: () => T): { result: T; ms: number } => {
  const t0 = performance.now();
  const result = fn();
  return { result, ms: performance.now() - t0 };
};

describe('shell lexer on adversarial input', () => {
  it('expands 10,000-deep ${a:-${a:-…}} nesting without recursion', () => {
    const depth = 10_000;
    const word = '${a:-'.repeat(depth) + 'x' + '}'.repeat(depth);
    expect(expandWord(word, {})).toMatchObject({ ok: true, value: 'x' });
    expect(expandWords(word, [])).toMatchObject({ ok: true, words: ['x'] });
    const refs = variableReferences(word);
    expect(refs.length).toBe(depth);
    expect(refs[0]).toEqual({ name: 'a', start: 0, end: word.length, nameStart: 2, nameEnd: 3, modifier: ':-' });
  });

  it('reports a missing } for 100,000-deep unterminated nesting', () => {
    const word = '${a:-'.repeat(100_000);
    const { result, ms } = timed(() => expandWord(word, {}));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.endsWith(": syntax error: missing '}'")).toBe(true);
    expect(ms).toBeLessThan(10_000);
  });

  it('handles nested double quotes and substitutions 10,000 deep', () => {
    const depth = 10_000;
    const word = '"${a:-'.repeat(depth) + 'v' + '}"'.repeat(depth);
    expect(expandWord(word, {})).toMatchObject({ ok: true, value: 'v' });
  });

  it('is linear in the length of a long word', () => {
    const small = 'a $X "b $X" \'c\' \\d '.repeat(10_000);
    const large = small.repeat(10);
    const env = { X: 'v w' };
    const t1 = timed(() => expandWords(small, env));
    const t2 = timed(() => expandWords(large, env));
    expect(t1.result.ok && t2.result.ok).toBe(true);
    if (t2.result.ok) expect(t2.result.words.length).toBe(10 * 10_000 * 6);
    expect(t2.ms).toBeLessThan(Math.max(200, t1.ms * 40));
  });

  it('does not re-read a long default value at every nesting level', () => {
    const depth = 5_000;
    const word = '${a:-'.repeat(depth) + 'x'.repeat(200_000) + '}'.repeat(depth);
    const { result, ms } = timed(() => expandWords(word, {}));
    expect(result.ok && result.words[0].length).toBe(200_000);
    expect(ms).toBeLessThan(3_000);
  });

  it('fails cleanly on unterminated quotes of any length', () => {
    const long = 'x'.repeat(1_000_000);
    expect(expandWord(`'${long}`, {})).toMatchObject({ ok: false });
    expect(expandWord(`"${long}`, {})).toMatchObject({ ok: false });
    expect(expandWord(`"${long}\\`, {})).toMatchObject({ ok: false });
    expect(expandWord(`\${a:-"${long}}`, {})).toMatchObject({ ok: false });
  });

  it('matches pathological glob patterns without backtracking blow-up', () => {
    const value = 'a'.repeat(5_000);
    const stars = '*a'.repeat(200) + 'b';
    const t = timed(() => [
      expandWord('${V#' + stars + '}', { V: value }),
      expandWord('${V##' + stars + '}', { V: value }),
      expandWord('${V%' + stars + '}', { V: value }),
      expandWord('${V/' + stars + '/x}', { V: value }),
    ]);
    for (const r of t.result) expect(r).toMatchObject({ ok: true, value });
    expect(t.ms).toBeLessThan(10_000);
  });

  it('survives a pattern of 100,000 stars', () => {
    const r = expandWord('${V##' + '*'.repeat(100_000) + '}', { V: 'abc' });
    expect(r).toMatchObject({ ok: true, value: '' });
  });

  it('never throws on random input', () => {
    const alphabet = ['$', '{', '}', ':', '-', '+', '?', '#', '%', '/', '\\', '`', "'", '"', 'a', '1', ' ', '*', '\n'];
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let n = 0; n < 3_000; n++) {
      let word = '';
      const len = rand() % 30;
      for (let i = 0; i < len; i++) word += alphabet[rand() % alphabet.length];
      for (const escapeChar of ['\\', '`'] as const) {
        expect(() => {
          expandWord(word, { a: 'x y', '1': 'one' }, { escapeChar });
          expandWords(word, ['a=x y'], { escapeChar, rawQuotes: true, skipUnsetEnv: true });
          variableReferences(word, { escapeChar });
        }).not.toThrow();
      }
    }
  });

  it('turns a throwing env lookup into an error value', () => {
    const env = () => {
      throw new Error('boom');
    };
    expect(expandWord('$X', env)).toEqual({ ok: false, error: 'failed to process "$X": boom' });
  });
});
