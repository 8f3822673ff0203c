// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words with ${…} are the data under test
// The non-backtracking glob matcher against JavaScript's backtracking RegExp, which has the same
// leftmost-first preference as Go's regexp for these patterns (`[^\n]` stands for Go's `.`).
import { describe, expect, it } from 'vitest';
import { compileShellPattern, findShellPattern, type ShellPattern } from '../../parser/shell/index.js';

function toRegExp(pattern: ShellPattern): RegExp {
  let source = pattern.anchored ? '^' : '';
  for (const t of pattern.tokens) {
    if (t.kind === 'any') source += '[^\\n]';
    else if (t.kind === 'star') source += pattern.greedy ? '[^\\n]*' : '[^\\n]*?';
    else source += String.fromCodePoint(t.cp).replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(source, 'gu');
}

function reference(pattern: ShellPattern, text: string, from: number): [number, number] | null {
  const re = toRegExp(pattern);
  re.lastIndex = from;
  const m = re.exec(text);
  return m === null ? null : [m.index, m.index + m[0].length];
}

describe('findShellPattern', () => {
  it('agrees with a backtracking matcher on random patterns and values', () => {
    const valueChars = ['a', 'b', '\n', 'é', '😀'];
    const patternChars = ['a', 'b', '?', '*', '*', '\\*', 'é', '😀', '\n'];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let checked = 0;
    for (let n = 0; n < 4_000; n++) {
      let text = '';
      for (let i = rand(10); i > 0; i--) text += valueChars[rand(valueChars.length)];
      let source = '';
      for (let i = rand(6); i > 0; i--) source += patternChars[rand(patternChars.length)];
      const greedy = rand(2) === 0;
      const anchored = rand(2) === 0;
      const compiled = compileShellPattern(source, greedy, anchored);
      if (!compiled.ok) throw new Error(compiled.error);
      const from = anchored ? 0 : Math.min(rand(3), text.length);
      expect([source, text, from, findShellPattern(compiled.pattern, text, from)]).toEqual([
        source,
        text,
        from,
        reference(compiled.pattern, text, from),
      ]);
      checked++;
    }
    expect(checked).toBe(4_000);
  });

  it('prefers the shortest or longest match as asked', () => {
    const lazy = compileShellPattern('*x', false, true);
    const greedy = compileShellPattern('*x', true, true);
    if (!lazy.ok || !greedy.ok) throw new Error('compile');
    expect(findShellPattern(lazy.pattern, 'axbxc')).toEqual([0, 2]);
    expect(findShellPattern(greedy.pattern, 'axbxc')).toEqual([0, 4]);
    expect(findShellPattern(greedy.pattern, 'abc')).toBeNull();
  });
});
