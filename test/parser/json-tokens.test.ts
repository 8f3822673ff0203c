// The hand-written exec-form scanner against the chevrotain lexer it replaced: same tokens (kind, start, end) and
// the same "not JSON" verdict on every JSON-looking line of the corpus and on generated near-JSON text.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createToken, type IToken, Lexer, type TokenType } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { JsonToken, scanJsonTokens } from '../../parser/json-tokens.js';
import { corpusDir, prng } from './helpers.js';

function matchString(text: string, offset: number): [string] | null {
  if (text.charCodeAt(offset) !== 0x22) return null;
  for (let i = offset + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return [text.slice(offset, i + 1)];
    if (c < 0x20) return null;
    if (c === 0x5c) {
      const e = text[i + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return null;
        i += 5;
      } else if ('"\\/bfnrt'.includes(e) && e !== undefined) i += 1;
      else return null;
    }
  }
  return null;
}

const chevrotainTokens: [TokenType, JsonToken][] = [
  [createToken({ name: 'S', pattern: { exec: matchString }, start_chars_hint: ['"'], line_breaks: false }), 0],
  [createToken({ name: 'N', pattern: /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/ }), JsonToken.Number],
  [createToken({ name: 'T', pattern: /true/ }), JsonToken.True],
  [createToken({ name: 'F', pattern: /false/ }), JsonToken.False],
  [createToken({ name: 'Nu', pattern: /null/ }), JsonToken.Null],
  [createToken({ name: 'LB', pattern: /\[/ }), JsonToken.LBracket],
  [createToken({ name: 'RB', pattern: /]/ }), JsonToken.RBracket],
  [createToken({ name: 'LC', pattern: /{/ }), JsonToken.LCurly],
  [createToken({ name: 'RC', pattern: /}/ }), JsonToken.RCurly],
  [createToken({ name: 'Co', pattern: /,/ }), JsonToken.Comma],
  [createToken({ name: 'Cl', pattern: /:/ }), JsonToken.Colon],
];
const kindOf = new Map(chevrotainTokens);
const whiteSpace = createToken({ name: 'W', pattern: /[ \t\n\r]+/, group: Lexer.SKIPPED });
const lexer = new Lexer([whiteSpace, ...chevrotainTokens.map(([t]) => t)], {
  positionTracking: 'onlyOffset',
  ensureOptimizations: false,
});

type Tokens = [JsonToken, number, number][] | null;

function viaChevrotain(text: string): Tokens {
  const lexed = lexer.tokenize(text);
  if (lexed.errors.length > 0) return null;
  return lexed.tokens.map((t: IToken) => [
    kindOf.get(t.tokenType) as JsonToken,
    t.startOffset,
    t.startOffset + t.image.length,
  ]);
}

function viaScanner(text: string): Tokens {
  const s = scanJsonTokens(text);
  return s === null ? null : s.kinds.map((k, i) => [k, s.starts[i], s.ends[i]]);
}

function corpusArguments(): string[] {
  const out: string[] = [];
  const root = path.join(corpusDir, 'dockerfiles');
  for (const repo of readdirSync(root)) {
    for (const f of readdirSync(path.join(root, repo))) {
      for (const line of readFileSync(path.join(root, repo, f), 'utf8').split('\n')) {
        const at = line.indexOf('[');
        if (at >= 0) out.push(line.slice(at));
      }
    }
  }
  return out;
}

describe('scanJsonTokens', () => {
  it('tokenizes exactly like a chevrotain lexer on the corpus', () => {
    const args = corpusArguments();
    expect(args.length).toBeGreaterThan(1000);
    const mismatches = args.filter((a) => JSON.stringify(viaScanner(a)) !== JSON.stringify(viaChevrotain(a)));
    expect(mismatches).toEqual([]);
  });

  it('tokenizes exactly like a chevrotain lexer on generated near-JSON text', () => {
    const random = prng(7);
    const pieces = [
      '[',
      ']',
      '{',
      '}',
      ',',
      ':',
      ' ',
      '\t',
      '\n',
      '"a"',
      '"',
      '\\',
      '\\u12',
      '\\u00e9',
      '\\n',
      '\\x',
      '0',
      '01',
      '-',
      '-1',
      '1.',
      '1.5',
      '1e',
      '1e+9',
      '2E-3',
      'true',
      'tru',
      'false',
      'null',
      'nul',
      'x',
      'é',
      '\u0001',
      '1e999',
    ];
    const mismatches: string[] = [];
    for (let n = 0; n < 20000; n++) {
      let text = '';
      const length = 1 + Math.floor(random() * 12);
      for (let k = 0; k < length; k++) text += pieces[Math.floor(random() * pieces.length)];
      if (JSON.stringify(viaScanner(text)) !== JSON.stringify(viaChevrotain(text))) mismatches.push(text);
    }
    expect(mismatches).toEqual([]);
  });

  it('reports exact tokens and offsets', () => {
    expect(viaScanner(' ["a\\"b", 1e3 ,true]')).toEqual([
      [JsonToken.LBracket, 1, 2],
      [JsonToken.String, 2, 8],
      [JsonToken.Comma, 8, 9],
      [JsonToken.Number, 10, 13],
      [JsonToken.Comma, 14, 15],
      [JsonToken.True, 15, 19],
      [JsonToken.RBracket, 19, 20],
    ]);
    expect(viaScanner('["a", tru]')).toBeNull();
    expect(viaScanner('["a]')).toBeNull();
    expect(viaScanner('[-]')).toBeNull();
  });
});
