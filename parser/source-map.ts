// Maps offsets in a joined logical line (continuations removed) back to positions in the source text.
import type { Position, Range } from './ast.js';

/** One piece of a logical line: joined[joinedStart, joinedStart + length) is source[sourceStart, ...). */
interface Segment {
  readonly joinedStart: number;
  readonly sourceStart: number;
  readonly length: number;
  /** 1-based line number of the physical line the piece comes from. */
  readonly line: number;
  /** Source offset of the first character of that physical line. */
  readonly lineOffset: number;
}

export class SourceMap {
  private readonly segments: Segment[] = [];
  private joinedLength = 0;

  /** Appends source[sourceStart, sourceEnd) of physical line `line` (which starts at `lineOffset`). */
  add(sourceStart: number, sourceEnd: number, line: number, lineOffset: number): void {
    const length = sourceEnd - sourceStart;
    if (length === 0 && this.segments.length > 0) return;
    this.segments.push({ joinedStart: this.joinedLength, sourceStart, length, line, lineOffset });
    this.joinedLength += length;
  }

  /** The source position of joined offset `j`. An `end` position sticks to the piece before a seam. */
  position(j: number, isEnd = false): Position {
    const segs = this.segments;
    if (segs.length === 1) {
      const only = segs[0];
      const offset = only.sourceStart + j;
      return { line: only.line, column: offset - only.lineOffset + 1, offset };
    }
    let lo = 0;
    let hi = segs.length - 1;
    // Last segment whose start is <= j (or < j for an end position, so it stays on the earlier line).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const s = segs[mid].joinedStart;
      if (s < j || (!isEnd && s === j)) lo = mid;
      else hi = mid - 1;
    }
    const seg = segs[lo];
    const offset = seg.sourceStart + (j - seg.joinedStart);
    return { line: seg.line, column: offset - seg.lineOffset + 1, offset };
  }

  range(start: number, end: number): Range {
    // An empty range shares one Position object for both ends: the AST is readonly, so this is unobservable
    // except in retained memory.
    const from = this.position(start);
    return { start: from, end: end <= start ? from : this.position(end, true) };
  }
}

/** Position of a source offset on a known physical line. */
export function positionOn(line: number, lineOffset: number, offset: number): Position {
  return { line, column: offset - lineOffset + 1, offset };
}

/** Range of [from, to) on one physical line. */
export function lineRange(line: { readonly number: number; readonly start: number }, from: number, to: number): Range {
  return { start: positionOn(line.number, line.start, from), end: positionOn(line.number, line.start, to) };
}
