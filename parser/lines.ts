// Physical lines and BuildKit's per-line rules (newline trimming, comments, the continuation rule).

import { utf8Length } from './source.js';
import { isGoSpace } from './unicode.js';

/** BuildKit's bufio.Scanner refuses a line of this many bytes or more (the `\n` not counted). */
export const MAX_LINE_BYTES = 65536;

export interface PhysicalLine {
  /** 1-based line number. */
  readonly number: number;
  /** Offset of the first character. */
  readonly start: number;
  /** Offset of the `\n` (or the end of the text). */
  readonly end: number;
  /** `end` minus trailing `\r` and `\n` characters (BuildKit's trimNewline). */
  readonly contentEnd: number;
  /** Offset just past the `\n`, where the next line starts. */
  readonly next: number;
  readonly tooLong: boolean;
}

export class LineReader {
  private offset = 0;
  private count = 0;

  constructor(private readonly text: string) {}

  next(): PhysicalLine | null {
    const text = this.text;
    const start = this.offset;
    if (start >= text.length) return null;
    let end = text.indexOf('\n', start);
    const next = end < 0 ? text.length : end + 1;
    if (end < 0) end = text.length;
    let contentEnd = end;
    while (contentEnd > start && text.charCodeAt(contentEnd - 1) === 0x0d) contentEnd--;
    // A code unit is at most 3 bytes, so short lines need no byte count.
    const tooLong =
      (end - start) * 3 >= MAX_LINE_BYTES && utf8Length(text, start, end, MAX_LINE_BYTES) >= MAX_LINE_BYTES;
    this.offset = next;
    this.count++;
    return { number: this.count, start, end, contentEnd, next, tooLong };
  }
}

/** `isComment`: after leading whitespace the line starts with `#`. Returns the offset of `#` or -1. */
export function commentStart(text: string, line: PhysicalLine): number {
  let i = line.start;
  while (i < line.contentEnd && isGoSpace(text.charCodeAt(i))) i++;
  return i < line.contentEnd && text.charCodeAt(i) === 0x23 ? i : -1;
}

/** True when the line holds only whitespace (BuildKit's isEmptyContinuationLine). */
export function isBlank(text: string, line: PhysicalLine): boolean {
  for (let i = line.start; i < line.contentEnd; i++) if (!isGoSpace(text.charCodeAt(i))) return false;
  return true;
}

/**
 * BuildKit's line-continuation rule `([^E])E[ \t]*$|^E[ \t]*$` on text[start, end): when it matches, the escape
 * and the blanks after it are removed. Returns the new end, or -1 when the line does not continue.
 */
export function continuationEnd(text: string, start: number, end: number, escapeChar: number): number {
  let k = end;
  while (k > start) {
    const c = text.charCodeAt(k - 1);
    if (c !== 0x20 && c !== 0x09) break;
    k--;
  }
  if (k === start || text.charCodeAt(k - 1) !== escapeChar) return -1;
  const escapePos = k - 1;
  if (escapePos === start) return start;
  return text.charCodeAt(escapePos - 1) === escapeChar ? -1 : escapePos;
}
