// Exec (JSON array) form detection, as BuildKit's parseJSON does it with Go's encoding/json: the argument text
// must be one valid JSON document that is an array; non-string elements are a fatal error; anything else that is
// not valid JSON (or a number Go cannot hold in a float64) silently means "shell form".
// Tokens come from a hand-written scanner (json-tokens.ts); the structure check is an explicit-stack loop (no recursion).

import { JsonToken, type JsonTokens, scanJsonTokens } from './json-tokens.js';
import { replaceInvalid } from './unicode.js';
import type { RawWord } from './words.js';

/** Go's encoding/json refuses documents nested deeper than this. */
const MAX_DEPTH = 10000;

export type JsonArrayResult =
  | { readonly kind: 'array'; readonly elements: readonly RawWord[] }
  | { readonly kind: 'not-json' }
  | { readonly kind: 'not-strings' };

const NOT_JSON: JsonArrayResult = { kind: 'not-json' };

/** Reads text[start, end) (leading whitespace already skipped) as BuildKit's parseJSON would. */
export function parseJsonArray(text: string, start: number, end: number): JsonArrayResult {
  if (start >= end || text.charCodeAt(start) !== 0x5b) return NOT_JSON;
  const argument = text.slice(start, end);
  const tokens = scanJsonTokens(argument);
  if (tokens === null) return NOT_JSON;
  const check = checkStructure(argument, tokens);
  if (check === null) return NOT_JSON;
  if (check.overflow) return NOT_JSON; // Go fails to decode the number: an error, but not the strings-only one
  if (check.nonString) return { kind: 'not-strings' };
  const elements = check.elements.map((t) => ({
    value: replaceInvalid(JSON.parse(argument.slice(tokens.starts[t], tokens.ends[t])) as string),
    start: start + tokens.starts[t],
    end: start + tokens.ends[t],
  }));
  return { kind: 'array', elements };
}

interface Structure {
  /** Indexes of the array's string elements in the token list. */
  elements: number[];
  nonString: boolean;
  overflow: boolean;
}

/** Validates one JSON document (the tokens must hold exactly one array); null when it is not valid JSON. */
function checkStructure(argument: string, tokens: JsonTokens): Structure | null {
  const kinds = tokens.kinds;
  const result: Structure = { elements: [], nonString: false, overflow: false };
  // Stack of open containers: true = array, false = object.
  const stack: boolean[] = [];
  // What may come next: 0 value, 1 value or close (just after `[`), 2 comma or close, 3 key or close (after `{`),
  // 4 key, 5 colon.
  let state = 0;
  for (let i = 0; i < kinds.length; i++) {
    const type = kinds[i];
    if (stack.length === 0 && i > 0) return null; // text after the document
    if (state === 0 || state === 1) {
      if (state === 1 && type === JsonToken.RBracket) {
        stack.pop();
        state = 2;
        continue;
      }
      if (type === JsonToken.LBracket || type === JsonToken.LCurly) {
        if (stack.length === 1) result.nonString = true;
        stack.push(type === JsonToken.LBracket);
        if (stack.length > MAX_DEPTH) return null;
        state = type === JsonToken.LBracket ? 1 : 3;
        continue;
      }
      if (type === JsonToken.String) {
        if (stack.length === 1) result.elements.push(i);
      } else if (type === JsonToken.Number) {
        if (stack.length === 1) result.nonString = true;
        if (!Number.isFinite(Number(argument.slice(tokens.starts[i], tokens.ends[i])))) result.overflow = true;
      } else if (type === JsonToken.True || type === JsonToken.False || type === JsonToken.Null) {
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
      if (type === JsonToken.Comma) {
        state = top ? 0 : 4;
      } else if ((type === JsonToken.RBracket && top) || (type === JsonToken.RCurly && !top)) {
        stack.pop();
      } else {
        return null;
      }
      continue;
    }
    if (state === 3 || state === 4) {
      if (state === 3 && type === JsonToken.RCurly) {
        stack.pop();
        state = 2;
        continue;
      }
      if (type !== JsonToken.String) return null;
      state = 5;
      continue;
    }
    // state 5
    if (type !== JsonToken.Colon) return null;
    state = 0;
  }
  return stack.length === 0 && kinds.length > 0 ? result : null;
}
