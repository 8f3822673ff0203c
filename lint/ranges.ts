// Exact ranges inside words: rules point at the offending token (a `$VAR` inside an image name, `sudo` inside
// a RUN that spans continuation lines), not at the whole instruction.
import type { Position, Range, Word } from '../parser/index.js';

/** Line starts of a text, for turning offsets into positions. */
export class LineIndex {
  readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Text of a 1-based line, without `\r\n`. */
  line(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return '';
    const next = this.starts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  position(offset: number): Position {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.starts[low] + 1, offset };
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

const joinCache = new WeakMap<Range, { joined: string; offsets: number[] }>();

/**
 * Joins the source of a range the way the parser joins continuation lines (escape + trailing blanks removed,
 * comment and blank lines inside the continuation skipped), remembering each character's source offset.
 */
function joinSource(lines: LineIndex, range: Range, escape: string): { joined: string; offsets: number[] } {
  const cached = joinCache.get(range);
  if (cached) return cached;
  const text = lines.text;
  let joined = '';
  const offsets: number[] = [];
  let offset = range.start.offset;
  let first = true;
  while (offset < range.end.offset) {
    let lineEnd = text.indexOf('\n', offset);
    if (lineEnd < 0 || lineEnd > range.end.offset) lineEnd = range.end.offset;
    let end = lineEnd;
    while (end > offset && text[end - 1] === '\r') end--;
    const line = text.slice(offset, end);
    const skip = !first && (line.trim() === '' || line.trimStart().startsWith('#'));
    if (!skip) {
      let keep = line.length;
      const stripped = line.replace(/[ \t]+$/, '');
      if (stripped.endsWith(escape) && !(stripped.length >= 2 && stripped[stripped.length - 2] === escape)) {
        keep = stripped.length - 1;
      }
      for (let i = 0; i < keep; i++) {
        joined += line[i];
        offsets.push(offset + i);
      }
    }
    first = false;
    offset = lineEnd + 1;
  }
  offsets.push(range.end.offset);
  const result = { joined, offsets };
  joinCache.set(range, result);
  return result;
}

/**
 * The source range of `[from, to)` of a word's value. Exact when the value is the source text verbatim,
 * also across continuation lines; otherwise (quotes removed, JSON escapes) the whole word.
 */
export function rangeIn(lines: LineIndex, escape: string, range: Range, value: string, from: number, to: number): Range {
  if (from < 0 || to > value.length || from > to) return range;
  if (range.end.offset - range.start.offset === value.length && lines.text.slice(range.start.offset, range.end.offset) === value) {
    return lines.range(range.start.offset + from, range.start.offset + to);
  }
  const { joined, offsets } = joinSource(lines, range, escape);
  if (joined !== value) return range;
  const endOffset = to > from ? offsets[to - 1] + 1 : offsets[from];
  return lines.range(offsets[from], endOffset);
}

export function wordRange(lines: LineIndex, escape: string, word: Word, from: number, to: number): Range {
  return rangeIn(lines, escape, word.range, word.value, from, to);
}
