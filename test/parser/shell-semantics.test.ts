// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words with ${…} are the data under test
// Exact behaviour beyond the upstream tables: error texts, options, patterns, word splitting.
import { describe, expect, it } from 'vitest';
import { expandWord, expandWords, mandatoryVariableMessage } from '../../parser/shell/index.js';

const env = { A: 'a b', E: '', P: '/usr/local/bin:/usr/bin', N: 'line1\nline2', R: '$0', U: 'ÄÖ' };
const value = (word: string, options = {}) => {
  const r = expandWord(word, env, options);
  return r.ok ? r.value : `ERROR ${r.error}`;
};

describe('error messages are BuildKit’s, wrapped as "failed to process %q"', () => {
  it.each([
    ['he${}', 'syntax error: bad substitution'],
    ['${:-x}', 'syntax error: bad substitution'],
    ['${{a}', 'syntax error: bad substitution'],
    ['he${', "syntax error: missing '}'"],
    ['${aaa:-bbb', "syntax error: missing '}'"],
    ['${A#\\', "syntax error: missing '}'"],
    ['he${PWD', 'unsupported modifier (\uFFFD) in substitution'],
    ['${.}', 'unsupported modifier (.) in substitution'],
    ['${a=x}', 'unsupported modifier (=) in substitution'],
    ['${a:=x}', 'unsupported modifier (:=) in substitution'],
    ['${a:#x}', 'unsupported modifier (:#) in substitution'],
    ['${a:%%x}', 'unsupported modifier (:%) in substitution'],
    ['${A:1}', 'unsupported modifier (:1) in substitution'],
    ["'abc", 'unexpected end of statement while looking for matching single-quote'],
    ['"abc\\', 'unexpected end of statement while looking for matching double-quote'],
    ['${A/a', "syntax error: missing '/' in ${}"],
    ['${A//o/', "syntax error: missing '}'"],
    ['${A:-${}}', 'syntax error: bad substitution'],
    ['${A/\\x/y}', "invalid pattern (\\x) in substitution: invalid escape '\\x'"],
    // suffix patterns are reported reversed, as BuildKit reverses them before compiling
    ['${A%a\\x}', "invalid pattern (\\xa) in substitution: invalid escape '\\x'"],
    ['${E:?}', 'E: is not allowed to be empty'],
    ['${X?}', 'X: is not allowed to be unset'],
    ['${X:?need $A}', 'X: need a b'],
  ])('%s', (word, reason) => {
    const q = JSON.stringify(word); // these words need no Go-specific escapes
    expect(expandWord(word, env)).toEqual({ ok: false, error: `failed to process ${q}: ${reason}` });
  });

  it('quotes the word the way Go %q does', () => {
    const r = expandWord('"t\tx\x01\u00a0\u2028😀é\\', {});
    expect(r).toEqual({
      ok: false,
      error:
        'failed to process "\\"t\\tx\\x01\\u00a0\\u2028😀é\\\\": unexpected end of statement while looking for matching double-quote',
    });
  });

  it('exports the mandatory-variable message', () => {
    expect(mandatoryVariableMessage('V', '', 'unset')).toBe('V: is not allowed to be unset');
    expect(mandatoryVariableMessage('V', '', 'empty')).toBe('V: is not allowed to be empty');
    expect(mandatoryVariableMessage('V', 'set it', 'empty')).toBe('V: set it');
  });
});

describe('parameters', () => {
  it.each([
    ['$ÄÖ1_x!', 'ok!'],
    ['$1x', 'x'],
    ['$0x', 'x'],
    ['${#}', ''],
    ['$', '$'],
    ['$ x', '$ x'],
    ['$.x', '$.x'],
    ['\ufeff${ÄÖ1_x}', 'ok'],
    ['$constructor${__proto__}', ''],
  ])('%s → %s', (word, expected) => {
    expect(expandWord(word, { ÄÖ1_x: 'ok' })).toMatchObject({ ok: true, value: expected });
  });

  it('reports looked-up names, including positional ones', () => {
    const r = expandWord('$1 ${@:-x} $A ${B:-$A}', env);
    if (!r.ok) throw new Error(r.error);
    expect([...r.matched].sort()).toEqual(['A']);
    expect([...r.unmatched].sort()).toEqual(['1', '@', 'B']);
  });
});

describe('patterns', () => {
  it.each([
    ['${P%%:*}', '/usr/local/bin'],
    ['${P%:*}', '/usr/local/bin'],
    ['${P#*/}', 'usr/local/bin:/usr/bin'],
    ['${P##*/}', 'bin'],
    ['${P#/usr}', '/local/bin:/usr/bin'],
    ['${P%bin}', '/usr/local/bin:/usr/'],
    ['${P//:/ }', '/usr/local/bin /usr/bin'],
    ['${P/usr/opt}', '/opt/local/bin:/usr/bin'],
    ['${P//\\//|}', '|usr|local|bin:|usr|bin'],
    // `*` and `?` never match a newline (Go regexp `.`)
    ['${N##*}', '\nline2'],
    ['${N%%*}', 'line1\n'],
    ['${N//?/x}', 'xxxxx\nxxxxx'],
    ['${U//?/x}', 'xx'],
    ['${U#?}', 'Ö'],
    // ReplaceAll: empty matches are replaced except right after a match
    ['${A//*/x}', 'x'],
    ['${E//*/x}', 'x'],
    ['${A///-}', '-a- -b-'],
    ['${A// */-}', 'a-'],
    // ReplaceAll expands Go templates in the replacement: $0 is the match, $$ a dollar
    ['${A//a/$R}', 'a b'],
    ['${A//a/\\$0\\$\\$\\$1}', '\\a\\$\\$\\ b'],
    ['${A/a/$R}', '$0 b'],
    ['${A/\\*/x}', 'a b'],
    ['${X/a/b}', ''],
    ['${X//$E/b}', 'b'],
    ['${A#$E}', 'a b'],
  ])('%s → %j', (word, expected) => {
    expect(value(word)).toBe(expected);
  });
});

describe('options', () => {
  it('uses the backtick as escape character', () => {
    expect(value('a`$A`"q`"``', { escapeChar: '`' })).toBe('a$A"q"`');
    expect(value('a\\b', { escapeChar: '`' })).toBe('a\\b');
  });

  it('keeps quotes and escapes raw and leaves unset variables as written', () => {
    const options = { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true };
    expect(value('\'a\'"b\\x"\\c$X', options)).toBe('\'a\'"b\\\\x"\\c$X');
    expect(value('${X:-d}${X}${X/a/b}${X//a/b}${X#p}$X${A}', { skipUnsetEnv: true })).toBe(
      '${X:-d}${X}${X/a/b}${X/a/b}${X#p}$Xa b',
    );
  });

  it('treats quotes as ordinary characters with skipProcessQuotes', () => {
    expect(value('\'$A\' "x"', { skipProcessQuotes: true })).toBe('\'a b\' "x"');
  });

  it('accepts every environment shape', () => {
    const word = '${A}-${B:-unset}';
    for (const e of [
      { A: '1', B: '' },
      new Map([
        ['A', '1'],
        ['B', ''],
      ]),
      ['A=1', 'B'],
      (n: string) => ({ A: '1', B: '' })[n],
    ]) {
      expect(expandWord(word, e)).toMatchObject({ ok: true, value: '1-unset' });
    }
  });
});

describe('word splitting (ProcessWords)', () => {
  it.each([
    ['x$A"$A"\\ y ""  z', ['xa', 'ba b y', 'z']],
    ['"" \'\'', []],
    ['  a\t\nb  ', ['a', 'b']],
    // the value of an unquoted expansion splits, even text that was quoted inside the default
    ['${X:-"q r"} "${X:-s t}"', ['q', 'r', 's t']],
    ['a${X:-b}c', ['abc']],
    ['$E', []],
    ['a\u00a0b\u3000c', ['a', 'b', 'c']],
  ])('%j → %j', (word, expected) => {
    expect(expandWords(word, env)).toMatchObject({ ok: true, words: expected });
  });
});

describe('emulateWordBufferReset (BuildKit shared words buffer)', () => {
  it.each([
    ['a${X:-b}c', ['bc']],
    ['x y${X:-b}c', ['x', 'bc']],
    ['a"${X:-b}"c', ['bc']],
    ['a${A}c', ['aa', 'bc']],
    ['${X:-b}c', ['bc']],
  ])('%s → %j', (word, expected) => {
    expect(expandWords(word, env, { emulateWordBufferReset: true })).toMatchObject({ ok: true, words: expected });
    expect(expandWord(word, env, { emulateWordBufferReset: true })).toEqual(expandWord(word, env));
  });
});
