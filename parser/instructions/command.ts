// RUN, CMD, ENTRYPOINT, SHELL (parseMaybeJSON) and HEALTHCHECK (parseHealthConfig).
import type { CommandForm, Word } from '../ast.js';
import { parseJsonArray } from '../json-form.js';
import { encodeAt } from '../source.js';
import { isGoSpace } from '../unicode.js';
import { type ArgText, error, type LineContext, makeWord } from './context.js';

export const NOT_STRINGS = 'when using JSON array syntax, arrays must be comprised of strings only';

export interface CommandArgs {
  readonly form: CommandForm;
  readonly command: Word[];
}

/** BuildKit's parseMaybeJSON over `text`, which sits at line offset `start`. */
export function maybeJson(ctx: LineContext, text: string, start: number): CommandArgs {
  if (text === '') return { form: 'shell', command: [] };
  let s = 0;
  while (s < text.length && isGoSpace(text.charCodeAt(s))) s++;
  if (text.charCodeAt(s) === 0x5b) {
    const json = parseJsonArray(text, s, text.length);
    if (json.kind === 'array') {
      return {
        form: 'exec',
        command: json.elements.map((e) => makeWord(ctx, e.value, start + e.start, start + e.end)),
      };
    }
    if (json.kind === 'not-strings') {
      error(ctx, 'json-not-strings', NOT_STRINGS, ctx.map.range(start, start + text.length));
      return { form: 'exec', command: [] };
    }
  }
  return { form: 'shell', command: [makeWord(ctx, text, start, start + text.length)] };
}

export interface HealthArgs extends CommandArgs {
  readonly type: Word | null;
}

function isSpaceByte(b: number): boolean {
  return (b >= 0x09 && b <= 0x0d) || b === 0x20 || b === 0x85 || b === 0xa0;
}

/** BuildKit's parseHealthConfig: the first word ends at the first whitespace *byte*. */
export function healthcheck(ctx: LineContext, args: ArgText): HealthArgs {
  const { rest, start } = args;
  const bytes: number[] = [];
  let typ = '';
  let i = 0;
  let tail = ''; // bytes of a character split by the byte-wise scan, as raw bytes
  let split = false;
  while (i < rest.length && !split) {
    const c = rest.charCodeAt(i);
    if (c < 0x80) {
      if (isSpaceByte(c)) break;
      i++;
      continue;
    }
    bytes.length = 0;
    const used = encodeAt(rest, i, bytes);
    const j = bytes.findIndex(isSpaceByte);
    if (j < 0) {
      i += used;
      continue;
    }
    // The character holds a 0x85/0xA0 byte: the first word ends inside (or at) it.
    typ = rest.slice(0, i) + raw(bytes.slice(0, j));
    let k = j;
    while (k < bytes.length && isSpaceByte(bytes[k])) k++;
    tail = raw(bytes.slice(k));
    i += used;
    split = true;
  }
  if (!split) typ = rest.slice(0, i);
  if (typ === '') return { type: null, form: 'shell', command: [] };
  const typeEnd = split ? i - 1 : i;
  let next = i;
  if (tail === '') {
    while (next < rest.length && isByteSpaceChar(rest.charCodeAt(next))) next++;
  }
  const cmd = maybeJson(ctx, tail + rest.slice(next), start + next - tail.length);
  return { type: makeWord(ctx, typ, start, start + Math.max(typeEnd, 1)), ...cmd };
}

function isByteSpaceChar(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xdc85 || c === 0xdca0;
}

function raw(bytes: number[]): string {
  return String.fromCharCode(...bytes.map((b) => (b < 0x80 ? b : 0xdc00 + b)));
}
