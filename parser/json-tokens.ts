// The JSON tokens of an exec-form argument, scanned by hand. This replaced a chevrotain lexer: building that lexer
// (and loading chevrotain) cost ~50 ms of every `tsbuild parse`/`lint` start-up, more than the whole budget, for
// a dozen tokens whose first characters are all distinct. The token stream is the chevrotain lexer's, token for
// token (test/parser/json-tokens.test.ts checks both against each other): the first character selects the only
// token that can match there, and any character no token matches makes the text "not JSON".

export const JsonToken = {
  String: 0,
  Number: 1,
  True: 2,
  False: 3,
  Null: 4,
  LBracket: 5,
  RBracket: 6,
  LCurly: 7,
  RCurly: 8,
  Comma: 9,
  Colon: 10,
} as const;
export type JsonToken = (typeof JsonToken)[keyof typeof JsonToken];

export interface JsonTokens {
  readonly kinds: JsonToken[];
  /** Token i is text.slice(starts[i], ends[i]). */
  readonly starts: number[];
  readonly ends: number[];
}

// Strict JSON numbers; the same expression as the lexer's, so "01" is two numbers and "1." a number and an error.
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

const PUNCTUATION: Record<number, JsonToken> = {
  91: JsonToken.LBracket,
  93: JsonToken.RBracket,
  123: JsonToken.LCurly,
  125: JsonToken.RCurly,
  44: JsonToken.Comma,
  58: JsonToken.Colon,
};

const WORDS: Record<number, [string, JsonToken]> = {
  116: ['true', JsonToken.True],
  102: ['false', JsonToken.False],
  110: ['null', JsonToken.Null],
};

/** Scans all of `text`; null when some character starts no token (the lexer would report an error). */
export function scanJsonTokens(text: string): JsonTokens | null {
  const kinds: JsonToken[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    let kind: JsonToken;
    let end: number;
    if (c === 0x22) {
      end = stringEnd(text, i);
      kind = JsonToken.String;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      end = NUMBER.test(text) ? NUMBER.lastIndex : -1;
      kind = JsonToken.Number;
    } else if (PUNCTUATION[c] !== undefined) {
      end = i + 1;
      kind = PUNCTUATION[c];
    } else if (WORDS[c] !== undefined && text.startsWith(WORDS[c][0], i)) {
      end = i + WORDS[c][0].length;
      kind = WORDS[c][1];
    } else {
      return null;
    }
    if (end < 0) return null;
    kinds.push(kind);
    starts.push(i);
    ends.push(end);
    i = end;
  }
  return { kinds, starts, ends };
}

/** End (after the closing quote) of the JSON string starting at `offset`, or -1 when it is not a valid one. */
function stringEnd(text: string, offset: number): number {
  let i = offset + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c === 0x5c) {
      const e = text.charCodeAt(i + 1);
      if (e === 0x75) {
        for (let k = 2; k < 6; k++) if (!isHex(text.charCodeAt(i + k))) return -1;
        i += 6;
        continue;
      }
      if (
        e !== 0x22 &&
        e !== 0x5c &&
        e !== 0x2f &&
        e !== 0x62 &&
        e !== 0x66 &&
        e !== 0x6e &&
        e !== 0x72 &&
        e !== 0x74
      ) {
        return -1;
      }
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
