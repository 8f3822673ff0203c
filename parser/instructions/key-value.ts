// ENV and LABEL (BuildKit's parseNameVal): `key value` (legacy) or `key=value ...` pairs.
import type { KeyValue, Word } from '../ast.js';
import { goQuote } from '../go-quote.js';
import { isTokenSpace } from '../unicode.js';
import { parseWords } from '../words.js';
import { type ArgText, error, type LineContext, makeWord } from './context.js';

export interface NameValArgs {
  readonly pairs: KeyValue[];
  /** key, value, separator for each pair: the nodes of BuildKit's AST. */
  readonly args: Word[];
}

export function nameValues(ctx: LineContext, args: ArgText, keyword: 'ENV' | 'LABEL'): NameValArgs {
  const { rest, start } = args;
  const pairs: KeyValue[] = [];
  const out: Word[] = [];
  const words = parseWords(rest, 0, rest.length, ctx.escape);
  if (words.length === 0) return { pairs, args: out };
  const push = (key: Word, value: Word, separator: Word, sep: '=' | '', from: number, to: number) => {
    pairs.push({ key, value, separator: sep, range: ctx.map.range(start + from, start + to) });
    out.push(key, value, separator);
  };
  if (!words[0].value.includes('=')) {
    let k = 0;
    while (k < rest.length && !isTokenSpace(rest.charCodeAt(k))) k++;
    if (k === rest.length) {
      const code = keyword === 'ENV' ? 'env-no-value' : 'label-no-value';
      error(ctx, code, `${keyword} must have two arguments`, ctx.map.range(start, start + rest.length));
      return { pairs, args: out };
    }
    let v = k;
    while (v < rest.length && isTokenSpace(rest.charCodeAt(v))) v++;
    const key = makeWord(ctx, rest.slice(0, k), start, start + k);
    const value = makeWord(ctx, rest.slice(v), start + v, start + rest.length);
    push(key, value, makeWord(ctx, '', start + v, start + v), '', 0, rest.length);
    return { pairs, args: out };
  }
  for (const w of words) {
    const eq = w.value.indexOf('=');
    if (eq < 0) {
      const message = `Syntax error - can't find = in ${goQuote(w.value)}. Must be of the form: name=value`;
      error(ctx, 'missing-equals', message, ctx.map.range(start + w.start, start + w.end));
      continue;
    }
    const at = start + w.start;
    const key = makeWord(ctx, w.value.slice(0, eq), at, at + eq);
    const value = makeWord(ctx, w.value.slice(eq + 1), at + eq + 1, start + w.end);
    push(key, value, makeWord(ctx, '=', at + eq, at + eq + 1), '=', w.start, w.end);
  }
  return { pairs, args: out };
}
