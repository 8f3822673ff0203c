// What instruction builders share: the joined line, its source map, the escape character and the diagnostics.
import type { Diagnostic, Flag, FlagOption, Range, Word } from '../ast.js';
import { parseFlagOptions } from '../flag-options.js';
import type { SourceMap } from '../source-map.js';
import type { RawFlag } from '../split-command.js';

/** Flag values longer than a Dockerfile line may be are not split into options. */
const MAX_OPTIONS_TEXT = 65536;

export interface LineContext {
  /** The joined logical line (BuildKit's `line`). */
  readonly line: string;
  readonly map: SourceMap;
  /** Char code of the escape character in force. */
  readonly escape: number;
  readonly diagnostics: Diagnostic[];
}

/** Where an instruction's arguments are: `rest` (BuildKit's trimmed argument text) at line offset `start`. */
export interface ArgText {
  readonly rest: string;
  readonly start: number;
}

export function makeWord(ctx: LineContext, value: string, start: number, end: number): Word {
  return { value, range: ctx.map.range(start, end) };
}

export function error(ctx: LineContext, code: string, message: string, range: Range): void {
  ctx.diagnostics.push({ severity: 'error', code, message, range });
}

export function makeFlag(ctx: LineContext, raw: RawFlag): Flag {
  const text = raw.text;
  const src = raw.sources;
  const endOf = (i: number) => (i < src.length ? src[i] : raw.end);
  const eq = text.indexOf('=');
  const nameStart = Math.min(2, text.length);
  const nameEnd = eq < 0 ? text.length : eq;
  const name = text.slice(nameStart, nameEnd);
  const nameRange = ctx.map.range(endOf(nameStart), nameEnd > nameStart ? src[nameEnd - 1] + 1 : endOf(nameStart));
  if (eq < 0) {
    return {
      name,
      value: null,
      text,
      range: ctx.map.range(raw.start, raw.end),
      nameRange,
      valueRange: null,
      options: [],
    };
  }
  const value = text.slice(eq + 1);
  const valueStart = src[eq] + 1;
  // Options are a convenience view; a value longer than BuildKit accepts on a line gets none (bounded work).
  const raws = value.length > MAX_OPTIONS_TEXT ? [] : parseFlagOptions(value);
  const options: FlagOption[] = raws.map((o) => {
    const from = o.start < value.length ? src[eq + 1 + o.start] : raw.end;
    const to = o.end > o.start ? src[eq + o.end] + 1 : from;
    return { key: o.key, value: o.value, range: ctx.map.range(from, to) };
  });
  return {
    name,
    value,
    text,
    range: ctx.map.range(raw.start, raw.end),
    nameRange,
    valueRange: ctx.map.range(valueStart, raw.end),
    options,
  };
}
