// ARG (BuildKit's parseNameOrNameVal): each quote-aware word is one node; `name[=default]`.
import type { ArgDeclaration, Word } from '../ast.js';
import { parseWords } from '../words.js';
import { type ArgText, type LineContext, makeWord } from './context.js';

export interface ArgArgs {
  readonly declarations: ArgDeclaration[];
  readonly args: Word[];
}

export function argDeclarations(ctx: LineContext, args: ArgText): ArgArgs {
  const { rest, start } = args;
  const declarations: ArgDeclaration[] = [];
  const out: Word[] = [];
  for (const w of parseWords(rest, 0, rest.length, ctx.escape)) {
    const at = start + w.start;
    const word = makeWord(ctx, w.value, at, start + w.end);
    out.push(word);
    const eq = w.value.indexOf('=');
    const name = eq < 0 ? word : makeWord(ctx, w.value.slice(0, eq), at, at + eq);
    const defaultValue = eq < 0 ? null : makeWord(ctx, w.value.slice(eq + 1), at + eq + 1, start + w.end);
    declarations.push({ name, defaultValue, range: word.range });
  }
  return { declarations, args: out };
}
