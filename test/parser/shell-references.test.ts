// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words with ${…} are the data under test
// variableReferences: the names a word looks up, with exact UTF-16 ranges, for lint and planning.
import { describe, expect, it } from 'vitest';
import { variableReferences } from '../../parser/shell/index.js';

const names = (word: string, options = {}) =>
  variableReferences(word, options).map((r) => [
    r.name,
    word.slice(r.start, r.end),
    word.slice(r.nameStart, r.nameEnd),
    r.modifier,
  ]);

describe('variableReferences', () => {
  it('finds simple, braced and nested references in source order', () => {
    expect(names('a$A ${B:-$C} "${F##x}" ${G//x/$H} ${I%y} ${J+z} ${K:?m}')).toEqual([
      ['A', '$A', 'A', null],
      ['B', '${B:-$C}', 'B', ':-'],
      ['C', '$C', 'C', null],
      ['F', '${F##x}', 'F', '##'],
      ['G', '${G//x/$H}', 'G', '//'],
      ['H', '$H', 'H', null],
      ['I', '${I%y}', 'I', '%'],
      ['J', '${J+z}', 'J', '+'],
      ['K', '${K:?m}', 'K', ':?'],
    ]);
  });

  it('skips single-quoted and escaped dollars, honours the escape character', () => {
    expect(names('\'$A\' \\$B "\\$C" $D')).toEqual([['D', '$D', 'D', null]]);
    expect(names('`$A \\$B', { escapeChar: '`' })).toEqual([['B', '$B', 'B', null]]);
    expect(names("'$A'", { skipProcessQuotes: true })).toEqual([['A', '$A', 'A', null]]);
  });

  it('reports positional and special parameters by their BuildKit names', () => {
    expect(names('$1 ${10} $@ ${#} $$')).toEqual([
      ['1', '$1', '1', null],
      ['10', '${10}', '10', null],
      ['@', '$@', '@', null],
      ['#', '${#}', '#', null],
      ['$', '$$', '$', null],
    ]);
  });

  it('counts offsets in UTF-16 units', () => {
    const word = '😀${한국:-x}';
    expect(variableReferences(word)).toEqual([
      { name: '한국', start: 2, end: word.length, nameStart: 4, nameEnd: 6, modifier: ':-' },
    ]);
  });

  it('keeps scanning past mandatory checks and stops at a syntax error', () => {
    expect(names('${A?} ${B:?msg} $C ${ $D')).toEqual([
      ['A', '${A?}', 'A', '?'],
      ['B', '${B:?msg}', 'B', ':?'],
      ['C', '$C', 'C', null],
    ]);
    expect(names('${A:-${B')).toEqual([]);
  });
});
