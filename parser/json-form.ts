// Exec (JSON array) form detection, as BuildKit's parseJSON does it with Go's encoding/json: the argument text
// must be one valid JSON document that is an array; non-string elements are a fatal error; anything else that is
// not valid JSON (or a number Go cannot hold in a float64) silently means "shell form".
// Tokens come from a chevrotain lexer; the structure check is an explicit-stack loop (no recursion).

import type { IToken } from 'chevrotain';
import { createToken, Lexer } from 'chevrotain';
import { replaceInvalid } from './unicode.js';
import type { RawWord } from './words.js';

/** Go's encoding/json refuses documents nested deeper than this. */
const MAX_DEPTH = 10000;

// A failed string scan from `failFrom` stopped at `failAt`. Every quote inside that stretch is an escaped one,
// and a scan starting there runs in step with the failed one to the same failure: answer at once, which keeps
// the lexer's error recovery linear on input such as `["\"\"\"...` (no closing quote).
let failText = '';
let failFrom = -1;
let failAt = -1;

function matchString(text: string, offset: number): [string] | null {
  if (text.charCodeAt(offset) !== 0x22) return null;
  if (offset > failFrom && offset < failAt && text === failText) return null;
  const found = scanString(text, offset);
  if (found === null) {
    failText = text;
    failFrom = offset;
    failAt = scanEnd;
  }
  return found;
}

let scanEnd = 0;

function scanString(text: string, offset: number): [string] | null {
  let i = offset + 1;
  for (;;) {
    if (i >= text.length) {
      scanEnd = text.length;
      return null;
    }
    const c = text.charCodeAt(i);
    if (c === 0x22) return [text.slice(offset, i + 1)];
    scanEnd = i;
    if (c < 0x20) return null;
    if (c === 0x5c) {
      const e = text.charCodeAt(i + 1);
      if (e === 0x75) {
        for (let k = 2; k < 6; k++) if (!isHex(text.charCodeAt(i + k))) return null;
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
        return null;
      }
      i += 2;
      continue;
    }
    i++;
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\n\r]+/, group: Lexer.SKIPPED });
const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: { exec: matchString },
  start_chars_hint: ['"'],
  line_breaks: false,
});
const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/,
});
const True = createToken({ name: 'True', pattern: /true/ });
const False = createToken({ name: 'False', pattern: /false/ });
const Null = createToken({ name: 'Null', pattern: /null/ });
const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
const RBracket = createToken({ name: 'RBracket', pattern: /]/ });
const LCurly = createToken({ name: 'LCurly', pattern: /{/ });
const RCurly = createToken({ name: 'RCurly', pattern: /}/ });
const Comma = createToken({ name: 'Comma', pattern: /,/ });
const Colon = createToken({ name: 'Colon', pattern: /:/ });

// One lexer for the process, built on first use (construction is the slow part of chevrotain).
let jsonLexer: Lexer | null = null;

function lexer(): Lexer {
  jsonLexer ??= new Lexer(
    [WhiteSpace, StringLiteral, NumberLiteral, True, False, Null, LBracket, RBracket, LCurly, RCurly, Comma, Colon],
    { positionTracking: 'onlyOffset', ensureOptimizations: false },
  );
  return jsonLexer;
}

export type JsonArrayResult =
  | { readonly kind: 'array'; readonly elements: readonly RawWord[] }
  | { readonly kind: 'not-json' }
  | { readonly kind: 'not-strings' };

const NOT_JSON: JsonArrayResult = { kind: 'not-json' };

/** Reads text[start, end) (leading whitespace already skipped) as BuildKit's parseJSON would. */
export function parseJsonArray(text: string, start: number, end: number): JsonArrayResult {
  if (start >= end || text.charCodeAt(start) !== 0x5b) return NOT_JSON;
  const lexed = lexer().tokenize(text.slice(start, end));
  if (lexed.errors.length > 0) return NOT_JSON;
  const tokens = lexed.tokens;
  const check = checkStructure(tokens);
  if (check === null) return NOT_JSON;
  if (check.overflow) return NOT_JSON; // Go fails to decode the number: an error, but not the strings-only one
  if (check.nonString) return { kind: 'not-strings' };
  const elements = check.elements.map((t) => ({
    value: replaceInvalid(JSON.parse(t.image) as string),
    start: start + t.startOffset,
    end: start + t.startOffset + t.image.length,
  }));
  return { kind: 'array', elements };
}

interface Structure {
  elements: IToken[];
  nonString: boolean;
  overflow: boolean;
}

/** Validates one JSON document (the tokens must hold exactly one array); null when it is not valid JSON. */
function checkStructure(tokens: IToken[]): Structure | null {
  const result: Structure = { elements: [], nonString: false, overflow: false };
  // Stack of open containers: true = array, false = object.
  const stack: boolean[] = [];
  // What may come next: 0 value, 1 value or close (just after `[`), 2 comma or close, 3 key or close (after `{`),
  // 4 key, 5 colon.
  let state = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const type = t.tokenType;
    if (stack.length === 0 && i > 0) return null; // text after the document
    if (state === 0 || state === 1) {
      if (state === 1 && type === RBracket) {
        stack.pop();
        state = 2;
        continue;
      }
      if (type === LBracket || type === LCurly) {
        if (stack.length === 1) result.nonString = true;
        stack.push(type === LBracket);
        if (stack.length > MAX_DEPTH) return null;
        state = type === LBracket ? 1 : 3;
        continue;
      }
      if (type === StringLiteral) {
        if (stack.length === 1) result.elements.push(t);
      } else if (type === NumberLiteral) {
        if (stack.length === 1) result.nonString = true;
        if (!Number.isFinite(Number(t.image))) result.overflow = true;
      } else if (type === True || type === False || type === Null) {
        if (stack.length === 1) result.nonString = true;
      } else {
        return null;
      }
      if (stack.length === 0) return null; // a bare scalar document is not an array
      state = 2;
      continue;
    }
    if (state === 2) {
      const top = stack[stack.length - 1];
      if (type === Comma) {
        state = top ? 0 : 4;
      } else if ((type === RBracket && top) || (type === RCurly && !top)) {
        stack.pop();
      } else {
        return null;
      }
      continue;
    }
    if (state === 3 || state === 4) {
      if (state === 3 && type === RCurly) {
        stack.pop();
        state = 2;
        continue;
      }
      if (type !== StringLiteral) return null;
      state = 5;
      continue;
    }
    // state 5
    if (type !== Colon) return null;
    state = 0;
  }
  return stack.length === 0 && tokens.length > 0 ? result : null;
}
