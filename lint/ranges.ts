// Exact ranges inside words: rules point at the offending token (a `$VAR` inside an image name, `sudo` inside
// a RUN that spans continuation lines), not at the whole instruction.
import type { Position, Range, Word } from '../parser/index.js';

/** Line starts of a text, for turning offsets into positions. */
export class LineIndex {
  private lineStarts: number[] | null = null;

  constructor(readonly text: string) {}

  /** Offsets where lines start; computed on first use (most files produce few findings). */
  get starts(): number[] {
    if (this.lineStarts === null) {
      const starts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Text of a 1-based line, without `\r\n`. */
  line(line: number): string {
    const starts = this.starts;
    const start = starts[line - 1];
    if (start === undefined) return '';
    const next = starts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  position(offset: number): Position {
    const starts = this.starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - starts[low] + 1, offset };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  /** The range of a whole line (1-based), without its line break. */
  lineRange(line: number): Range {
    const start = this.starts[line - 1] ?? this.text.length;
    return this.range(start, start + this.line(line).length);
  }
}

/** A run of joined text copied verbatim from the source. */
interface Segment {
  readonly joined: number;
  readonly source: number;
  readonly length: number;
}

interface Joined {
  readonly text: string;
  readonly segments: readonly Segment[];
}

const joinCache = new WeakMap<Range, Joined>();

/**
 * Joins the source of a range the way the parser joins continuation lines (escape character + trailing blanks removed,
 * comment and blank lines inside the continuation skipped), remembering where each piece came from.
 */
function joinSource(lines: LineIndex, range: Range, escapeChar: string): Joined {
  const cached = joinCache.get(range);
  if (cached) return cached;
  const text = lines.text;
  const escapeCode = escapeChar.charCodeAt(0);
  const pieces: string[] = [];
  const segments: Segment[] = [];
  let joinedLength = 0;
  let offset = range.start.offset;
  let first = true;
  while (offset < range.end.offset) {
    let lineEnd = text.indexOf('\n', offset);
    if (lineEnd < 0 || lineEnd > range.end.offset) lineEnd = range.end.offset;
    let end = lineEnd;
    while (end > offset && text.charCodeAt(end - 1) === 13) end--;
    let content = offset;
    while (content < end && (text.charCodeAt(content) === 32 || text.charCodeAt(content) === 9)) content++;
    // Blank and comment lines inside a continuation are skipped entirely.
    const skip = !first && (content === end || text.charCodeAt(content) === 35);
    if (!skip) {
      let last = end;
      while (last > offset && (text.charCodeAt(last - 1) === 32 || text.charCodeAt(last - 1) === 9)) last--;
      let keep = end;
      const escaped = last - 1 > offset && text.charCodeAt(last - 2) === escapeCode;
      if (last > offset && text.charCodeAt(last - 1) === escapeCode && !escaped) keep = last - 1;
      pieces.push(text.slice(offset, keep));
      segments.push({ joined: joinedLength, source: offset, length: keep - offset });
      joinedLength += keep - offset;
    }
    first = false;
    offset = lineEnd + 1;
  }
  const result = { text: pieces.join(''), segments };
  joinCache.set(range, result);
  return result;
}

/** Source offset of a joined offset; `end` picks the end of the previous piece at a boundary. */
function sourceOffset(segments: readonly Segment[], joined: number, end: boolean): number {
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i];
    if (end ? segment.joined < joined : segment.joined <= joined) return segment.source + (joined - segment.joined);
  }
  return segments[0]?.source ?? 0;
}

/**
 * The source range of `[from, to)` of a word's value. Exact when the value is the source text verbatim,
 * also across continuation lines; otherwise (quotes removed, JSON escapes) the whole word.
 */
export function rangeIn(
  lines: LineIndex,
  escapeChar: string,
  range: Range,
  value: string,
  from: number,
  to: number,
): Range {
  if (from < 0 || to > value.length || from > to) return range;
  if (
    range.end.offset - range.start.offset === value.length &&
    lines.text.slice(range.start.offset, range.end.offset) === value
  ) {
    return lines.range(range.start.offset + from, range.start.offset + to);
  }
  const joined = joinSource(lines, range, escapeChar);
  if (joined.text !== value) return range;
  const start = sourceOffset(joined.segments, from, false);
  return lines.range(start, to > from ? sourceOffset(joined.segments, to, true) : start);
}

export function wordRange(lines: LineIndex, escapeChar: string, word: Word, from: number, to: number): Range {
  return rangeIn(lines, escapeChar, word.range, word.value, from, to);
}
