// ADD, COPY, VOLUME (parseMaybeJSONToList): a JSON array, or words split on blanks with no quote handling.
import type { CommandForm, Word } from '../ast.js';
import { parseJsonArray } from '../json-form.js';
import { isGoSpace } from '../unicode.js';
import { splitOnBlanks } from '../words.js';
import { NOT_STRINGS } from './command.js';
import { type ArgText, error, type LineContext, makeWord } from './context.js';

export interface ListArgs {
  readonly form: CommandForm;
  readonly words: Word[];
}

export function maybeJsonList(ctx: LineContext, args: ArgText): ListArgs {
  const { rest, start } = args;
  let s = 0;
  while (s < rest.length && isGoSpace(rest.charCodeAt(s))) s++;
  if (rest.charCodeAt(s) === 0x5b) {
    const json = parseJsonArray(rest, s, rest.length);
    if (json.kind === 'array') {
      return { form: 'exec', words: json.elements.map((e) => makeWord(ctx, e.value, start + e.start, start + e.end)) };
    }
    if (json.kind === 'not-strings') {
      error(ctx, 'json-not-strings', NOT_STRINGS, ctx.map.range(start, start + rest.length));
      return { form: 'exec', words: [] };
    }
  }
  return { form: 'shell', words: blankSeparated(ctx, args) };
}

/** BuildKit's parseStringsWhitespaceDelimited. */
export function blankSeparated(ctx: LineContext, args: ArgText): Word[] {
  if (args.rest === '') return [];
  return splitOnBlanks(args.rest, 0, args.rest.length).map((w) =>
    makeWord(ctx, w.value, args.start + w.start, args.start + w.end),
  );
}
